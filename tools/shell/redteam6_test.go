package shell

// Red-team round 6: shell_command.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warden/sandbox"
	"warden/tools/internal/tooltest"
)

// Through the tool, as a model would: two shell_command calls, the first
// registering a gitlink with no repository behind it (nothing to set
// aside), the second making the repository (the index does not change, so
// nothing is checked). The user's next `git status` on the host runs the
// model's core.fsmonitor outside the sandbox.
func TestRedteam6_GitlinkFirstRepositoryLater(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	marker := filepath.Join(outside, "escaped")
	f := newFixture(t, sandbox.WorkspaceWrite, Config{ApprovalPolicy: "never"})
	hostGit(t, f.dir, "init", "-q")
	hostGit(t, f.dir, "commit", "-q", "--allow-empty", "-m", "init")
	for _, script := range []string{
		`mkdir sub && git update-index --add --cacheinfo 160000,0123456789012345678901234567890123456789,sub && echo planted`,
		`git init -q sub && git -C sub -c user.name=u -c user.email=u@x commit -q --allow-empty -m s && git -C sub config core.fsmonitor "touch ` + marker + `; false" && echo planted`,
	} {
		res := f.mustCall(map[string]any{"command": script})
		if !strings.Contains(res.Output, "planted") {
			t.Fatalf("command failed:\n%s", res.Output)
		}
		t.Logf("%s", res.Output)
	}
	hostGit(t, f.dir, "status", "--short") // what the user does next
	if _, err := os.Stat(marker); err == nil {
		t.Fatalf("BYPASS: the user's `git status` ran the model's core.fsmonitor outside the sandbox (%s exists)", marker)
	}
}

// apply_patch through the shell combined with escalation: the patch goes
// to the patch tool (a double-quoted bash -lc script with $(…) inside is
// not a plain string, is not intercepted, and is put to the user as an
// escalation, which is right), no approval is asked for the shell, and no
// unsandboxed runner is made, in every wrapper form.
func TestRedteam6_InterceptedPatchIsNeverEscalated(t *testing.T) {
	t.Parallel()
	rec := &recPatcher{}
	made := false
	f := newFixture(t, sandbox.WorkspaceWrite, Config{Patcher: rec, ApprovalPolicy: "on-request", Unsandboxed: func() (*sandbox.Runner, error) {
		made = true
		return nil, os.ErrPermission
	}})
	f.env.Answer = tooltest.Approve
	patch := "*** Begin Patch\n*** Add File: x\n+$(touch pwned)\n*** End Patch\n"
	for _, cmd := range []string{
		"apply_patch <<'EOF'\n" + patch + "EOF\n",
		"bash -lc \"apply_patch <<'EOF'\n" + strings.ReplaceAll(patch, "$(touch pwned)", "plain") + "EOF\n\"",
		"apply_patch <<-EOF\n\t" + strings.ReplaceAll(patch, "\n", "\n\t") + "EOF\n",
		"cd . && applypatch '" + patch + "'",
	} {
		res := f.mustCall(map[string]any{"command": cmd, "sandbox_permissions": "require_escalated", "with_escalated_permissions": true})
		if res.Output != "patched" {
			t.Errorf("%q: %s", cmd, res.Output)
		}
	}
	if made || len(f.env.Approvals()) != 0 {
		t.Errorf("escalation happened: runner made %v, approvals %v", made, f.env.Approvals())
	}
	if _, err := os.Lstat(filepath.Join(f.dir, "pwned")); err == nil {
		t.Error("the heredoc's $(…) ran")
	}
}

// The intercept parses every script that mentions apply_patch in warden's
// own process: deep nesting stays cheap and never overflows the stack.
func TestRedteam6_InterceptParserDepth(t *testing.T) {
	t.Parallel()
	// Deep nesting must neither overflow the stack nor be taken for a
	// patch call (its cost is linear: see the analyzer's fuzzing).
	for _, unit := range []string{"$(", "{ ", "`", "a|", "((", "${"} {
		s := "apply_patch " + strings.Repeat(unit, 20_000)
		if _, isPatch, err := findPatchCall(s); isPatch && err == nil {
			t.Errorf("%q x20000 taken for a patch call", unit)
		}
	}
}
