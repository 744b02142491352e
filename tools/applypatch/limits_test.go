package applypatch

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A huge file (or a link to one) is refused before it is read, and a FIFO
// is refused without blocking: checking a patch must never exhaust memory
// or hang.
func TestFilesThatCannotBePatchedAreRefusedUnread(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileSize + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	if err := os.Symlink(big, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"big.bin": "too large", "link": "too large", "fifo": "not a regular file"} {
		_, err := apply(t, dir, patchOf("*** Update File: "+name, "@@", "-x", "+y"), false)
		if f := mustFailure(t, err); !strings.Contains(f.Error(), want) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Files of /proc and /sys call themselves regular; reading them in
// warden's process could block, never end, or show warden's own secrets.
func TestKernelFilesAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Symlink("/proc/self/environ", filepath.Join(dir, "env")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"/proc/self/environ", "env", "/proc/kmsg", "/sys/kernel/mm/transparent_hugepage/enabled"} {
		_, err := apply(t, dir, patchOf("*** Update File: "+name, "@@", "-x", "+y"), false)
		if f := mustFailure(t, err); !strings.Contains(f.Error(), "kernel file system") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// One answer names every hunk that failed, in every file, so the model
// fixes them all in one go; an operation on a file that already failed is
// not checked against a state that never came to be.
func TestEveryFailingHunkIsReported(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.txt": "one\ntwo\nthree\nfour\n", "b.txt": "alpha\nbeta\n"})
	_, err := apply(t, dir, patchOf(
		"*** Update File: a.txt", "@@", "-ONE", "+1", "@@", "-three", "+3", "@@", "-FOUR", "+4",
		"*** Update File: b.txt", "@@", "-gamma", "+g",
		"*** Update File: a.txt", "@@", "-nothing", "+x",
		"*** Add File: c.txt", "+fine",
	), false)
	f := mustFailure(t, err)
	msg := f.Error()
	for _, want := range []string{
		"3 problems; fix them all",
		"'*** Update File: a.txt', hunk 1 (patch line 3)", "  ONE\n",
		"'*** Update File: a.txt', hunk 3 (patch line 9)", "  FOUR\n",
		"'*** Update File: b.txt', hunk 1 (patch line 13)", "  gamma\n",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "nothing") || strings.Count(msg, "Re-read") > 2 {
		t.Errorf("message:\n%s", msg)
	}
	if got := readTree(t, dir); got["a.txt"] != "one\ntwo\nthree\nfour\n" || got["c.txt"] != "" {
		t.Errorf("tree changed: %v", got)
	}
}
