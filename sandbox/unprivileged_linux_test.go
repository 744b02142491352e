package sandbox

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// unprivilegedTests are rerun as an unprivileged user when the suite runs
// as root (as CI does): a user's helper gets its capabilities from an
// unprivileged user namespace, a different road from root's.
var unprivilegedTests = []string{
	"TestFilesystemEscapes", "TestFilesystemRoutesWorkInside", "TestNetworkEscapes",
	"TestProtectedPathsStayReadOnly", "TestProcessIsolation", "TestInterruptKillsEverything",
	"TestEnvironmentScrubbed", "TestStdioFilesArePiped", "TestPrivateDev", "TestNoSetuidFiles",
	"TestCommondirRedirectRemoved", "TestSignalsReachTheCommand", "TestExitKillsLeftovers",
	"TestRemovalDespiteChmod", "TestRunnerNeverActsOutsideTheRoots", "TestLinksToGitReferencesGuarded",
	"TestHelperCannotBeTakenOver", "TestInheritedDescriptorsDoNotLeak", "TestNestedWorkspaceStaysProtected",
	"TestRepositoriesThatCouldRunCodeAreSetAside", "TestSubmoduleRegisteredByACommandIsSetAside",
}

func TestAsUnprivilegedUser(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("the suite already runs unprivileged")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) is not installed: cannot become another user")
	}
	if unprivilegedBin == "" {
		t.Fatal("TestMain made no copy of the test binary")
	}
	dir := filepath.Dir(unprivilegedBin)
	home := filepath.Join(dir, "home")

	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--",
		unprivilegedBin, "-test.run", "^("+strings.Join(unprivilegedTests, "|")+")$", "-test.v", "-test.count=1")
	cmd.Dir = home
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + home, "GORACE=atexit_sleep_ms=0"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	}
	passed := regexp.MustCompile(`(?m)^--- PASS: (\w+)`).FindAllStringSubmatch(string(out), -1)
	if len(passed) != len(unprivilegedTests) || strings.Contains(string(out), "--- SKIP") {
		t.Errorf("%d of %d tests passed as uid 65534:\n%s", len(passed), len(unprivilegedTests), out)
	}
}

// unprivilegedBin is a copy of this test binary that the unprivileged user
// can run, made by TestMain before any test starts: a process forked by a
// parallel test while the copy is being written would hold it open, and
// executing it would then fail with ETXTBSY (golang/go#22315). Set once,
// before the tests run; only read after.
var unprivilegedBin string

// copyForUnprivileged makes that copy, with a home and temporary directory
// for the user, when the suite runs as root; it returns the directory to
// remove afterwards.
func copyForUnprivileged() string {
	if os.Geteuid() != 0 {
		return ""
	}
	dir, err := os.MkdirTemp("", "warden-unprivileged-")
	if err != nil {
		return ""
	}
	os.Chmod(dir, 0o755)
	self, err := os.Executable()
	if err != nil {
		return dir
	}
	bin := filepath.Join(dir, "sandbox.test")
	if err := copyFile(self, bin); err != nil {
		return dir
	}
	os.Chmod(bin, 0o755)
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	os.Chown(home, 65534, 65534)
	unprivilegedBin = bin
	return dir
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
