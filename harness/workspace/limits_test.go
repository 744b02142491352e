package workspace_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// A private directory left by a warden that was killed is removed by the
// next one; one of a live warden is left alone.
func TestStaleBaselinesAreRemoved(t *testing.T) {
	parent := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(parent, fmt.Sprintf("warden-baseline-%d-abc", dead.Process.Pid))
	live := filepath.Join(parent, fmt.Sprintf("warden-baseline-%d-def", os.Getppid()))
	for _, d := range []string{stale, live} {
		if err := os.MkdirAll(filepath.Join(d, "objects"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	b := start(t, t.TempDir(), workspace.Options{Dir: parent})
	<-b.Ready()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("the stale directory is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatalf("a live warden's directory was removed: %v", err)
	}
}
