package sandbox

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
	// The unprivileged user must be able to run a copy of this binary and
	// have a home and a temporary directory of its own.
	dir, err := os.MkdirTemp("", "warden-unprivileged-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "sandbox.test")
	copyFile(t, selfPath(t), bin)
	os.Chmod(bin, 0o755)
	home := filepath.Join(dir, "home")
	os.Mkdir(home, 0o700)
	os.Chown(home, 65534, 65534)

	var out []byte
	for attempt := 1; ; attempt++ {
		cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", "--",
			bin, "-test.run", "^("+strings.Join(unprivilegedTests, "|")+")$", "-test.v", "-test.count=1")
		cmd.Dir = home
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + home, "GORACE=atexit_sleep_ms=0"}
		out, err = cmd.CombinedOutput()
		// A process another test forks while the copy is being written
		// holds its descriptor open until it execs, and exec of a file
		// open for writing fails with ETXTBSY (golang/go#22315): try
		// again, as the go command itself does.
		if err == nil || attempt == 5 || !strings.Contains(string(out), "Text file busy") {
			break
		}
		time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("as uid 65534: %v\n%s", err, out)
	}
	passed := regexp.MustCompile(`(?m)^--- PASS: (\w+)`).FindAllStringSubmatch(string(out), -1)
	if len(passed) != len(unprivilegedTests) || strings.Contains(string(out), "--- SKIP") {
		t.Errorf("%d of %d tests passed as uid 65534:\n%s", len(passed), len(unprivilegedTests), out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
