package patch

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/internal/tooltest"
)

// BenchmarkSmallPatch is the cost of one small edit through the tool: the
// check in warden's process, then the patch writer in the sandbox
// (workspace-write) or warden itself (full-access).
func BenchmarkSmallPatch(b *testing.B) {
	for _, mode := range []sandbox.Mode{sandbox.WorkspaceWrite, sandbox.FullAccess} {
		b.Run(string(mode), func(b *testing.B) {
			dir := b.TempDir()
			tl, err := New(Config{Runner: tooltest.Runner(b, mode, dir, sandbox.Config{})})
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(dir, "a.txt")
			patches := []string{
				"*** Begin Patch\n*** Update File: a.txt\n@@\n-one\n+two\n*** End Patch\n",
				"*** Begin Patch\n*** Update File: a.txt\n@@\n-two\n+one\n*** End Patch\n",
			}
			if err := os.WriteFile(path, []byte("zero\none\nthree\n"), 0o644); err != nil {
				b.Fatal(err)
			}
			env := &tooltest.Env{}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := tl.Run(context.Background(), tool.Call{ID: "c", Input: patches[i%2]}, env)
				if err != nil || res.Status != "" {
					b.Fatalf("%+v %v", res, err)
				}
			}
		})
	}
}
