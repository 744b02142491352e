package main

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// `warden sandbox` as a user runs it: a process, its exit status, its
// streams.

func TestSandboxStatus(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "sandbox", "--status")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"Landlock: ABI", "filesystem rights enforced", "Namespaces:", "seccomp:", "read-only:", "workspace-write:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "ready") {
		t.Fatalf("this machine should be able to sandbox:\n%s", r.stdout)
	}
}

func TestSandboxRunsConfined(t *testing.T) {
	c := newCLI(t)
	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	os.WriteFile(victim, []byte("precious\n"), 0o644)

	r := c.run("", "sandbox", "--", "sh", "-c", "cat "+victim+"; echo attack > "+victim)
	if r.code == 0 || r.stdout != "precious\n" {
		t.Fatalf("exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Fatalf("victim changed: %q", b)
	}
	if !strings.Contains(r.stderr, "warden sandbox: blocked write "+victim+": the sandbox is read-only") {
		t.Errorf("stderr does not explain the denial:\n%s", r.stderr)
	}

	r = c.run("", "sandbox", "--mode", "workspace-write", "-C", c.dir, "--", "sh", "-c", "echo made > out.txt && echo $WARDEN_SANDBOX $WARDEN_NETWORK_DISABLED")
	if r.code != 0 || r.stdout != "workspace-write 1\n" {
		t.Fatalf("exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(c.dir, "out.txt")); err != nil || string(b) != "made\n" {
		t.Errorf("out.txt: %q %v", b, err)
	}
}

func TestSandboxExitStatuses(t *testing.T) {
	c := newCLI(t)
	for _, tt := range []struct {
		args    []string
		code    int
		inError string
	}{
		{[]string{"sandbox", "--", "sh", "-c", "exit 3"}, 3, ""},
		{[]string{"sandbox", "--", "no-such-command-xyz"}, 127, "command not found"},
		{[]string{"sandbox", "--timeout", "1s", "--", "sleep", "100"}, 124, "timed out after 1s"},
		{[]string{"sandbox"}, 2, "needs a command"},
		{[]string{"sandbox", "--status", "--", "true"}, 2, "takes no command"},
		{[]string{"sandbox", "--mode", "full-access", "--", "true"}, 2, "--mode must be read-only or workspace-write"},
		{[]string{"sandbox", "--writable-root", "/nonexistent/dir", "--mode", "workspace-write", "--", "true"}, 2, "/nonexistent/dir"},
	} {
		r := c.run("", tt.args...)
		if r.code != tt.code || !strings.Contains(r.stderr, tt.inError) {
			t.Errorf("%q: exit %d, want %d; stderr %q should hold %q", tt.args, r.code, tt.code, r.stderr, tt.inError)
		}
	}
}

func TestSandboxPassesStdinThrough(t *testing.T) {
	c := newCLI(t)
	r := c.run("line one\nline two\n", "sandbox", "--", "sort", "-r")
	if r.code != 0 || r.stdout != "line two\nline one\n" {
		t.Fatalf("exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}
}

// The config file's [sandbox] table applies, and the API key never reaches
// the command.
func TestSandboxUsesTheConfig(t *testing.T) {
	c := newCLI(t)
	extra := t.TempDir()
	cfg := filepath.Join(c.env["XDG_CONFIG_HOME"], "warden", "config.toml")
	os.MkdirAll(filepath.Dir(cfg), 0o755)
	os.WriteFile(cfg, []byte("sandbox_mode = \"workspace-write\"\n[sandbox]\nnetwork = true\nwritable_roots = [\""+extra+"\"]\nenv_exclude = [\"HIDE_*\"]\n"), 0o644)
	c.env["HIDE_ME"] = "x"
	c.env["INNOCENT"] = c.env["OPENAI_API_KEY"]
	r := c.run("", "sandbox", "--", "sh", "-c", "env; echo x > "+extra+"/written")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, leak := range []string{c.env["OPENAI_API_KEY"], "HIDE_ME", "WARDEN_NETWORK_DISABLED"} {
		if strings.Contains(r.stdout, leak) {
			t.Errorf("%q in the command's environment:\n%s", leak, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "WARDEN_SANDBOX=workspace-write") {
		t.Errorf("mode from the config not applied:\n%s", r.stdout)
	}
	if _, err := os.Stat(extra + "/written"); err != nil {
		t.Errorf("writable root from the config: %v", err)
	}

	// A flag wins over the file, both ways.
	if r := c.run("", "sandbox", "--network=false", "--", "sh", "-c", "echo $WARDEN_NETWORK_DISABLED"); r.code != 0 || r.stdout != "1\n" {
		t.Errorf("--network=false against network = true: exit %d stdout %q stderr %s", r.code, r.stdout, r.stderr)
	}

	os.WriteFile(cfg, []byte("[sandbox]\ncommand_timeout = 5\n"), 0o644)
	r = c.run("", "sandbox", "--", "true")
	if r.code != 2 || !strings.Contains(r.stderr, "config.toml: line 2: sandbox.command_timeout must be a duration") {
		t.Errorf("broken config: exit %d: %s", r.code, r.stderr)
	}
}

// Ctrl+C reaches the command, which decides what to do with it.
func TestSandboxForwardsSignals(t *testing.T) {
	c := newCLI(t)
	cmd := c.command("", "sandbox", "--", "sh", "-c", "trap 'echo caught; exit 9' INT; echo ready; sleep 100 & wait")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	if !sc.Scan() || sc.Text() != "ready" {
		t.Fatalf("first line %q", sc.Text())
	}
	cmd.Process.Signal(syscall.SIGINT)
	if !sc.Scan() || sc.Text() != "caught" {
		t.Errorf("after SIGINT: %q", sc.Text())
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 9 {
		t.Errorf("exit %d, want the command's 9", code)
	}
}

// Where the kernel will not let warden sandbox (here: user namespaces
// turned off, inside a namespace of the test's own), the command is
// refused, with what to do, and never run unconfined.
func TestSandboxRefusesWhereItCannotConfine(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("turning user namespaces off needs root")
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare (util-linux) is not installed")
	}
	c := newCLI(t)
	marker := filepath.Join(t.TempDir(), "ran-unconfined")
	cmd := c.command("", "sandbox", "--", "touch", marker)
	script := `echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"`
	cmd.Args = append([]string{unshare, "--user", "--map-root-user", "sh", "-c", script, "sh", cmd.Path}, cmd.Args[1:]...)
	cmd.Path = unshare
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 {
		t.Fatalf("exit %v, want 125: %s", err, out)
	}
	for _, want := range []string{"user namespace", "max_user_namespaces", `sandbox_mode = "full-access"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the refusal does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran without the sandbox")
	}
}
