package applypatch

// Red-team tests: attempts to make the host-side step (Plan, unconfined)
// write, hang or crash, and to make a confined Apply (warden apply-patch -C)
// write outside its directory. Tests named TestRedteam_* that FAIL show a
// real problem; the passing ones are regression tests for defences that
// held.

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// redteamChild runs fn in a fresh copy of the test binary (so that a fatal
// runtime error or a hang does not take the whole test run down) and
// reports how it ended.
func redteamChild(t *testing.T, name string, timeout time.Duration, env ...string) (out string, err error, timedOut bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v")
	cmd.Env = append(os.Environ(), append([]string{"REDTEAM_CHILD=1"}, env...)...)
	b, err := cmd.CombinedOutput()
	return string(b), err, ctx.Err() != nil
}

// A file the model made in the workspace with `truncate -s 8T big.txt`
// (allowed in workspace-write, costs no disk) and then names in an Update
// makes Plan, which runs in warden's own process, os.ReadFile it: an 8 TiB
// allocation, "fatal error: out of memory", and warden dies. Plan runs on
// the host before any approval, in every sandbox mode (read-only too, with
// any existing huge file, e.g. an absolute path).
func TestRedteam_PlanHugeSparseFileCrashesHost(t *testing.T) {
	if os.Getenv("REDTEAM_CHILD") == "1" {
		dir := os.Getenv("REDTEAM_DIR")
		p, err := Parse("*** Begin Patch\n*** Update File: big.txt\n@@\n-x\n+y\n*** End Patch\n")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Plan(p, Options{Dir: dir}) // as patch.Tool does on the host
		t.Logf("REDTEAM plan returned: %v", err)
		return
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(8 << 40); err != nil {
		f.Close()
		t.Skipf("cannot make an 8 TiB sparse file here: %v", err)
	}
	f.Close()
	out, err, timedOut := redteamChild(t, "TestRedteam_PlanHugeSparseFileCrashesHost", 60*time.Second, "REDTEAM_DIR="+dir)
	if timedOut || err != nil || !strings.Contains(out, "REDTEAM plan returned") {
		t.Fatalf("BYPASS (DoS): applypatch.Plan on a sparse 8 TiB file in the workspace did not return an error "+
			"(timed out=%v, err=%v): the host process dies. Output tail:\n%s", timedOut, err, tail(out, 1500))
	}
}

// Plan reads any regular file the warden process can read, before the
// sandbox or any approval is involved. As root (as here), /proc/kmsg is a
// regular file whose read blocks until the kernel logs something: the
// apply_patch call (and the session's turn) hangs. A sandboxed cat could
// not even open it (the sandbox has a /proc of its own and drops
// CAP_SYSLOG).
func TestRedteam_PlanBlockingProcFileHangsHost(t *testing.T) {
	const path = "/proc/kmsg"
	if os.Getenv("REDTEAM_CHILD") == "1" {
		p, err := Parse("*** Begin Patch\n*** Update File: " + path + "\n@@\n-x\n+y\n*** End Patch\n")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Plan(p, Options{Dir: "/"})
		t.Logf("REDTEAM plan returned: %v", err)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to open /proc/kmsg")
	}
	if f, err := os.Open(path); err != nil {
		t.Skipf("cannot open %s: %v", path, err)
	} else {
		f.Close()
	}
	out, err, timedOut := redteamChild(t, "TestRedteam_PlanBlockingProcFileHangsHost", 5*time.Second)
	if timedOut {
		t.Fatalf("BYPASS (DoS): applypatch.Plan blocked for 5s reading %s (a regular file that blocks); "+
			"warden's own process hangs before any approval or sandbox. err=%v output:\n%s", path, err, tail(out, 800))
	}
}

// A FIFO, /dev/zero, /dev/stdin and a symlink to a FIFO are refused before
// they are opened.
func TestRedteam_PlanRefusesSpecialFilesWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("fifo", filepath.Join(dir, "tofifo")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "tozero")); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"fifo", "tofifo", "tozero", "/dev/zero", "/dev/stdin", "/proc/self/fd/0", "/dev/tty"} {
		for _, confine := range []bool{false, true} {
			done := make(chan error, 1)
			go func() {
				p, err := Parse("*** Begin Patch\n*** Update File: " + target + "\n@@\n-x\n+y\n*** End Patch\n")
				if err != nil {
					done <- err
					return
				}
				_, err = Plan(p, Options{Dir: dir, Confine: confine})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil {
					t.Errorf("%s (confine=%v): planned", target, confine)
				}
			case <-time.After(3 * time.Second):
				t.Fatalf("BYPASS (DoS): Plan blocked on %s (confine=%v)", target, confine)
			}
		}
	}
}

// warden apply-patch -C DIR: nothing outside DIR changes, whatever the
// patch names and whatever links DIR holds.
func TestRedteam_ConfinedApplyStaysInside(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "ws")
	out := filepath.Join(top, "outside")
	for _, d := range []string{dir, out, filepath.Join(dir, "a", "b", "c")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(out, "secret.txt")
	if err := os.WriteFile(secret, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(out, filepath.Join(dir, "outlink")))                                 // dir link out
	must(os.Symlink(secret, filepath.Join(dir, "abslink")))                              // file link out (absolute)
	must(os.Symlink("../outside/secret.txt", filepath.Join(dir, "rellink")))             // file link out (relative)
	must(os.Symlink("a/b/c", filepath.Join(dir, "d")))                                   // dir link in
	must(os.Symlink("../../../../outside/secret.txt", filepath.Join(dir, "a/b/c/deep"))) // physical: outside, lexical via d: outside too
	must(os.Symlink("../outside/new.txt", filepath.Join(dir, "dangling")))               // dangling link out
	must(os.Link(secret, filepath.Join(dir, "hard.txt")))                                // hard link to outside
	patches := []string{
		"*** Update File: ../outside/secret.txt\n@@\n-x\n+PWNED",
		"*** Update File: " + secret + "\n@@\n-x\n+PWNED",
		"*** Update File: outlink/secret.txt\n@@\n-x\n+PWNED",
		"*** Update File: abslink\n@@\n-x\n+PWNED",
		"*** Update File: rellink\n@@\n-x\n+PWNED",
		"*** Update File: d/deep\n@@\n-x\n+PWNED",
		"*** Update File: a/b/c/deep\n@@\n-x\n+PWNED",
		"*** Add File: outlink/new.txt\n+PWNED",
		"*** Add File: dangling\n+PWNED",
		"*** Add File: ../outside/new.txt\n+PWNED",
		"*** Delete File: outlink/secret.txt",
		"*** Delete File: ../outside/secret.txt",
		"*** Update File: hard.txt\n@@\n-x\n+PWNED",
		"*** Update File: hard.txt\n*** Move to: outlink/moved.txt\n@@\n-x\n+PWNED",
		"*** Update File: hard.txt\n*** Move to: ../outside/moved.txt\n@@\n-x\n+PWNED",
		"*** Update File: outlink/secret.txt\n*** Move to: moved.txt\n@@\n-x\n+x",
		"*** Add File: ok.txt\n+ok\n*** Update File: ok.txt\n*** Move to: dangling\n@@\n-ok\n+ok2",
		"*** Delete File: hard.txt",
		"*** Add File: a/b/c/../../../../outside/new.txt\n+PWNED",
		"*** Add File: ./outlink/../../outside/new.txt\n+PWNED",
		"*** Add File: d/../../outside/new.txt\n+PWNED",
	}
	for _, body := range patches {
		p, err := Parse("*** Begin Patch\n" + body + "\n*** End Patch\n")
		if err != nil {
			t.Errorf("parse %q: %v", body, err)
			continue
		}
		_, err = Apply(p, Options{Dir: dir, Confine: true})
		t.Logf("%q: %v", strings.SplitN(body, "\n", 2)[0], firstLine(err))
	}
	if _, err := os.Lstat(filepath.Join(dir, "hard.txt")); err == nil {
		// hard.txt was replaced by rename (its link to secret.txt broken), not written through
	}
	if got, _ := os.ReadFile(secret); string(got) != "x\n" {
		t.Errorf("BYPASS: secret.txt outside DIR now %q", got)
	}
	ents, _ := os.ReadDir(out)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("BYPASS: files appeared outside DIR: %v", names)
	}
}

func firstLine(err error) string {
	if err == nil {
		return "<applied>"
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	if rest := err.Error(); strings.Contains(rest, "Problem") {
		i := strings.Index(rest, "Problem")
		s2, _, _ := strings.Cut(rest[i:], "\n")
		return s2
	}
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// The 64 MiB limit is on the size stat reports. /proc/self/pagemap is a
// regular file of size 0 that any user may read for their own process: read
// from offset 0 it yields 8 bytes per page of the whole address space
// (hundreds of GiB). Plan (on the host, before any approval, in every
// mode) os.ReadFiles it to the end: warden's memory grows until it dies.
// The child runs with RLIMIT_AS 3 GiB so this test cannot hurt the machine.
func TestRedteam_PlanUnboundedProcFileExhaustsHostMemory(t *testing.T) {
	const path = "/proc/self/pagemap"
	if os.Getenv("REDTEAM_CHILD") == "1" {
		lim := &syscall.Rlimit{Cur: 3 << 30, Max: 3 << 30}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
			t.Fatal(err)
		}
		p, err := Parse("*** Begin Patch\n*** Update File: " + path + "\n@@\n-x\n+y\n*** End Patch\n")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = Plan(p, Options{Dir: "/"})
		t.Logf("REDTEAM plan returned after %v: %v", time.Since(start), firstLine(err))
		return
	}
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	out, err, timedOut := redteamChild(t, "TestRedteam_PlanUnboundedProcFileExhaustsHostMemory", 60*time.Second)
	if timedOut || err != nil || !strings.Contains(out, "REDTEAM plan returned") {
		t.Fatalf("BYPASS (DoS): Plan on %s did not return (timed out=%v, err=%v): with a 3 GiB address-space "+
			"limit the process ran out of memory, i.e. warden would read without bound. Output tail:\n%s",
			path, timedOut, err, tail(out, 1200))
	}
	t.Log(tail(out, 400))
}
