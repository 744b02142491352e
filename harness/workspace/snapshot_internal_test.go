package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// When git update-index cannot take a path (here one that is a directory,
// as a file replaced by one after it was listed would be), forceAdd falls
// back to git add, which adds what it can, and still takes the sentinels
// of nested repositories out of the index.
func TestForceAddFallsBack(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	for name, data := range map[string]string{".gitignore": "*\n", "f": "f\n", "d/x": "x\n", "n/y": "y\n"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := &gitRepo{bin: bin, dir: t.TempDir(), root: root, env: hermeticEnv(), maxFiles: DefaultMaxFiles, maxBytes: DefaultMaxBytes}
	ctx := t.Context()
	if err := g.init(ctx); err != nil {
		t.Fatal(err)
	}
	r := &snapshotRun{g: g, index: filepath.Join(g.dir, "index")}
	sentinel := "n/" + sentinelName
	if _, err := g.run(ctx, r.index, []byte("100644 "+g.emptyBlob+"\t"+sentinel+"\x00"), "update-index", "-z", "--index-info"); err != nil {
		t.Fatal(err)
	}
	if err := r.forceAdd(ctx, []string{"f", "d", "n/y", sentinel, "gone"}); err != nil {
		t.Fatal(err)
	}
	out, err := g.run(ctx, r.index, nil, "ls-files", "-z")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if want := []string{"d/x", "f", "n/y"}; !slices.Equal(got, want) {
		t.Errorf("index holds %q, want %q", got, want)
	}
}
