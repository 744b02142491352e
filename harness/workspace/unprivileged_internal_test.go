package workspace

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// unprivileged is set in the environment of a test run again as a user
// who is not root (asUnprivileged).
const unprivileged = "WARDEN_WORKSPACE_TEST_UNPRIVILEGED"

// asUnprivileged runs the test t in a process of uid and gid 65534
// (nobody) when this one is root, for whom a file's mode does not keep it
// from being read, and reports whether it did: the caller returns then.
// The test binary is copied where that user may run it.
func asUnprivileged(t *testing.T) bool {
	t.Helper()
	if os.Getuid() != 0 {
		if os.Getenv(unprivileged) == "" {
			t.Log("not root: the test runs as is")
		}
		return false
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skipf("cannot find the test binary to run as an unprivileged user: %v", err)
	}
	// Not t.TempDir, which is in a directory only root may enter.
	dir, err := os.MkdirTemp("", "warden-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "workspace.test")
	copyFile(t, exe, bin)
	cmd := exec.Command(bin, "-test.run=^"+t.Name()+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), unprivileged+"=1", "TMPDIR="+os.TempDir(), "HOME=/nonexistent")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	switch {
	case errors.Is(err, syscall.EPERM):
		t.Skipf("cannot run the test as uid 65534 (%v): as root, a file's mode does not keep it from being read, and the test would prove nothing", err)
	case err != nil:
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()):
		t.Fatalf("as uid 65534, the test did not pass:\n%s", out)
	}
	return true
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
