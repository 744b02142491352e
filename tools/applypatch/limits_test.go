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
