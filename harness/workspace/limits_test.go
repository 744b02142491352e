package workspace_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"warden/harness/workspace"
)

// Started in a huge directory that nothing ignores (a home directory),
// the baseline refuses rather than copying it all, and says why.
func TestSnapshotRefusesATreeTooLargeToCopy(t *testing.T) {
	for _, c := range []struct {
		name string
		o    workspace.Options
	}{
		{"files", workspace.Options{MaxFiles: 10}},
		{"bytes", workspace.Options{MaxBytes: 1000}},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for i := range 20 {
				write(t, root, fmt.Sprintf("f%02d.txt", i), strings.Repeat("x", 100))
			}
			b := start(t, root, c.o)
			_, err := b.Diff(context.Background())
			if err == nil || !strings.Contains(err.Error(), "more than warden copies for /diff") || !strings.Contains(err.Error(), "20 files") {
				t.Fatalf("Diff error = %v", err)
			}
		})
	}
	// Within the bounds, the same tree is fine.
	root := t.TempDir()
	for i := range 20 {
		write(t, root, fmt.Sprintf("f%02d.txt", i), "x")
	}
	b := start(t, root, workspace.Options{MaxFiles: 20, MaxBytes: 20})
	write(t, root, "f00.txt", "y")
	if got := paths(diff(t, b)); len(got) != 1 || got[0] != "f00.txt" {
		t.Fatalf("changes %v", got)
	}
}
