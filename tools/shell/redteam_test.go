package shell

// Red-team regression tests of shell_command: escalation, workdir,
// timeouts and the apply_patch interception. All passed (the defences
// held) when written.

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/internal/tooltest"
)

type recPatcher struct {
	mu    sync.Mutex
	calls []struct{ patch, dir string }
}

func (r *recPatcher) ApplyPatch(_ context.Context, _ tool.Call, _ tool.Env, patch, dir string) (tool.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, struct{ patch, dir string }{patch, dir})
	return tool.Result{Output: "patched"}, nil
}

// No argument the model sends runs a command outside the sandbox without
// the user's yes; under "never" nobody is asked.
func TestRedteam_EscalationNeedsTheUser(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "escaped")
	for _, policy := range []string{"never", "on-request"} {
		unsandboxed := 0
		f := newFixture(t, sandbox.WorkspaceWrite, Config{ApprovalPolicy: policy})
		f.tool.cfg.Unsandboxed = func() (*sandbox.Runner, error) {
			unsandboxed++
			return tooltest.Runner(t, sandbox.FullAccess, f.dir, sandbox.Config{}), nil
		}
		for _, args := range []map[string]any{
			{"command": "touch " + marker, "sandbox_permissions": "require_escalated", "justification": "x", "prefix_rule": []string{"touch"}},
			{"command": "touch " + marker, "sandbox_permissions": "require_escalated", "login": false, "timeout_ms": 1e300},
			{"command": "touch " + marker, "sandbox_permissions": " require_escalated"},
			{"command": "touch " + marker, "sandbox_permissions": "REQUIRE_ESCALATED"},
			{"command": "touch " + marker, "workdir": "/", "timeout_ms": 5000},
			{"command": "cd / && touch " + marker + " && apply_patch x", "sandbox_permissions": "require_escalated"},
			{"command": "apply_patch '*** Begin Patch\n*** Add File: " + marker + "\n+x\n*** End Patch'", "sandbox_permissions": "require_escalated"},
		} {
			res, err := f.call(args)
			t.Logf("%s %v: %v %.120q", policy, args["command"], err, res.Output)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("BYPASS: a command ran outside the sandbox without approval (policy %s)", policy)
		}
		if unsandboxed != 0 {
			t.Errorf("the unsandboxed runner was made without approval (policy %s)", policy)
		}
	}
}

// timeout_ms: negative, zero and NaN-like values are refused or capped, a
// huge one is capped at the maximum.
func TestRedteam_TimeoutCannotBeUnbounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := tooltest.Runner(t, sandbox.WorkspaceWrite, dir, sandbox.Config{DefaultTimeout: time.Second, MaxTimeout: 2 * time.Second})
	tl, err := New(Config{Runner: r, Shell: "bash"})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		`{"command":"sleep 30","timeout_ms":1e300}`:  "command timed out after 2000 milliseconds",
		`{"command":"sleep 30","timeout_ms":9.3e15}`: "command timed out after 2000 milliseconds",
		`{"command":"sleep 30","timeout_ms":1e-9}`:   "command timed out after 1000 milliseconds",
		`{"command":"sleep 30","timeout_ms":-1}`:     "",
	} {
		// The runner kills at the limit it reports: the message is the check.
		res, err := tl.Run(context.Background(), tool.Call{ID: "c", Name: Name, Input: in}, &tooltest.Env{})
		if want == "" {
			if !errors.Is(err, tool.ErrBadArguments) {
				t.Errorf("%s: err %v", in, err)
			}
		} else if !strings.HasPrefix(res.Output, want) {
			t.Errorf("%s: %q", in, res.Output)
		}
	}
}

// An intercepted apply_patch never reaches a shell, so nothing in it runs;
// scripts that only look like one are run by bash in the sandbox.
func TestRedteam_InterceptNeverRunsShell(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "ran")
	f := newFixture(t, sandbox.FullAccess, Config{})
	rec := &recPatcher{}
	f.tool.cfg.Patcher = rec
	for _, script := range []string{
		"apply_patch <<EOF\n$(touch " + marker + ")\nEOF",
		"apply_patch <<'EOF'\n*** Begin Patch\nEOF\ntouch " + marker,
		"cd $(touch " + marker + ") && apply_patch x",
		"apply_patch \"$(touch " + marker + ")\"",
		"apply_patch x; touch " + marker,
		"touch " + marker + " | apply_patch x",
		"apply_patch <<EOF && touch " + marker + "\nx\nEOF",
		"cd /tmp && apply_patch <<EOF\nx\nEOF\n",
	} {
		res, err := f.call(map[string]any{"command": script})
		if _, serr := os.Stat(marker); serr == nil {
			t.Errorf("BYPASS: %q ran in a shell: %v %.100q", script, err, res.Output)
			os.Remove(marker)
		}
	}
	for _, c := range rec.calls {
		if strings.Contains(c.patch, "touch") && !strings.Contains(c.patch, "$(touch") {
			t.Errorf("patch %q", c.patch)
		}
	}
}

func hostGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=u", "-c", "user.email=u@example.com"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil && args[0] == "init" {
		t.Skipf("git: %v %s", err, out)
	}
	return string(out)
}

// A sandboxed command makes a nested repository (its .git/config is not
// protected yet: protection is computed before the command, and the repo
// does not exist then), sets core.fsmonitor in it, and registers it in the
// workspace's index as a submodule (gitlink). The user's next plain
// `git status` in the workspace, outside the sandbox, checks the submodule
// for changes by running git inside it — which runs the fsmonitor command:
// code the model chose, outside the sandbox, with no approval.
func TestRedteam_NestedRepoFsmonitorRunsOnUsersGitStatus(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "escaped")
	f := newFixture(t, sandbox.WorkspaceWrite, Config{})
	hostGit(t, f.dir, "init", "-q")
	hostGit(t, f.dir, "commit", "-q", "--allow-empty", "-m", "init")
	script := `set -e
git init -q sub
git -C sub -c user.name=u -c user.email=u@x commit -q --allow-empty -m s
git -C sub config core.fsmonitor "touch ` + marker + `; false"
git add sub 2>/dev/null
echo planted`
	res := f.mustCall(map[string]any{"command": script})
	if !strings.Contains(res.Output, "planted") {
		t.Fatalf("setup command failed:\n%s", res.Output)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the marker was made inside the sandbox?")
	}
	hostGit(t, f.dir, "status", "--short") // what the user does next
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("BYPASS: the user's `git status` ran the model's core.fsmonitor command outside the sandbox (%s exists)", marker)
	}
}

// docs/sandbox.md: ".git/config.worktree" is read-only. A sandboxed
// command can create it when it does not exist (extensions.worktreeConfig
// off), and it stays. Git reads it as soon as worktreeConfig is on — which
// `git sparse-checkout init` (and `git worktree`-related workflows) turn on
// — so the model's core.fsmonitor then runs outside the sandbox on every
// git command.
func TestRedteam_ConfigWorktreePlantedThenSparseCheckoutRunsIt(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "escaped")
	f := newFixture(t, sandbox.WorkspaceWrite, Config{})
	hostGit(t, f.dir, "init", "-q")
	hostGit(t, f.dir, "commit", "-q", "--allow-empty", "-m", "init")
	res := f.mustCall(map[string]any{"command": `printf '[core]\n\tfsmonitor = "touch ` + marker + `; false"\n' > .git/config.worktree && echo planted`})
	if _, err := os.Stat(filepath.Join(f.dir, ".git", "config.worktree")); err != nil {
		return // removed when the command ended: the defence held
	}
	t.Logf("sandboxed command: %s", res.Output)
	hostGit(t, f.dir, "sparse-checkout", "init")
	hostGit(t, f.dir, "status", "--short")
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("BYPASS: .git/config.worktree written by a sandboxed command ran its core.fsmonitor outside the sandbox (%s exists)", marker)
	}
}
