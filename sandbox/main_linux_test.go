package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The test binary doubles as the sandbox helper (started under HelperName)
// and as a client that tries one forbidden thing from inside the sandbox
// (see attack_linux_test.go).
func TestMain(m *testing.M) {
	if IsHelper() {
		HelperMain()
	}
	if len(os.Args) > 1 && os.Args[1] == attackArg {
		os.Exit(attack(os.Args[2:]))
	}
	dir := copyForUnprivileged()
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// selfPath is this test binary, which commands in the sandbox run as the
// attack client.
func selfPath(t testing.TB) string {
	t.Helper()
	p, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// sharedCache is one build cache for every test's sandbox, kept between
// runs of the suite (CI runs it twice), so that the build tools' test
// compiles Go's standard library once.
var sharedCache = sync.OnceValue(func() string {
	d := filepath.Join(os.TempDir(), fmt.Sprintf("warden-sandbox-test-cache-%d", os.Getuid()))
	if err := os.MkdirAll(d, 0o700); err != nil {
		panic(err)
	}
	return d
})

type runnerOpts struct {
	network  bool
	roots    []string
	environ  []string
	env      EnvPolicy
	limit    int
	timeout  time.Duration
	maxAllow time.Duration
	protect  []string
}

// newRunner makes a runner over workspace, and fails the test when the
// kernel cannot sandbox: on the machines warden is built for it can, and a
// test that skipped itself there would hide a broken sandbox.
func newRunner(t testing.TB, mode Mode, workspace string, o runnerOpts) *Runner {
	t.Helper()
	environ := o.environ
	if environ == nil {
		environ = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LANG=C"}
	}
	// A race-detector build sleeps a second before it exits, and helpers
	// and attack clients are this test binary.
	environ = append(environ, "GORACE=atexit_sleep_ms=0")
	r, err := NewRunner(Config{
		Policy:         Policy{Mode: mode, Network: o.network, Workspace: workspace, WritableRoots: o.roots},
		Env:            o.env,
		Environ:        environ,
		OutputLimit:    o.limit,
		DefaultTimeout: o.timeout,
		MaxTimeout:     o.maxAllow,
		CacheDir:       sharedCache(),
		Protect:        o.protect,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if mode != FullAccess {
		if err := r.Probe().Check(r.Policy()); err != nil {
			t.Fatalf("this machine cannot run the sandbox: %v\n%s", err, r.Probe().Report())
		}
	}
	return r
}

// sh runs a shell snippet and returns the result; setup errors fail the
// test.
func sh(t testing.TB, r *Runner, script string) Result {
	t.Helper()
	return run(t, r, Command{Args: []string{"sh", "-c", script}})
}

func run(t testing.TB, r *Runner, c Command) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := r.Run(ctx, c)
	if err != nil {
		t.Fatalf("run %q: %v", c.Args, err)
	}
	return res
}

// attackRun runs the attack client in the sandbox; it reports whether the
// attack worked, and what it printed.
func attackRun(t testing.TB, r *Runner, args ...string) (worked bool, out string) {
	t.Helper()
	res := run(t, r, Command{Args: append([]string{selfPath(t), attackArg}, args...)})
	out = res.Output.Text()
	switch res.ExitCode {
	case 0:
		return true, out
	case 1:
		return false, out
	}
	t.Fatalf("attack %q: exit %d: %s", args, res.ExitCode, out)
	return false, out
}

// tempDir is t.TempDir with symlinks resolved (the sandbox reports real
// paths), readable by every user (tests rerun unprivileged).
func tempDir(t testing.TB) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(d, 0o755)
	return d
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func hasDenial(ds []Denial, op, targetSuffix string) bool {
	for _, d := range ds {
		if d.Op == op && strings.HasSuffix(d.Target, targetSuffix) {
			return true
		}
	}
	return false
}
