package shell

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warden/harness/event"
	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/internal/tooltest"
)

// The test binary doubles as the sandbox helper.
func TestMain(m *testing.M) {
	if sandbox.IsHelper() {
		sandbox.HelperMain()
	}
	os.Exit(m.Run())
}

type fixture struct {
	t    *testing.T
	dir  string
	tool *Tool
	env  *tooltest.Env
	cfg  Config
}

func newFixture(t *testing.T, mode sandbox.Mode, cfg Config) *fixture {
	t.Helper()
	dir := t.TempDir()
	cfg.Runner = tooltest.Runner(t, mode, dir, sandbox.Config{})
	if cfg.Unsandboxed == nil {
		cfg.Unsandboxed = func() (*sandbox.Runner, error) {
			return tooltest.Runner(t, sandbox.FullAccess, dir, sandbox.Config{}), nil
		}
	}
	if cfg.Shell == "" {
		cfg.Shell = "bash"
	}
	tl, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, tool: tl, env: &tooltest.Env{}, cfg: cfg}
}

func (f *fixture) call(args map[string]any) (tool.Result, error) {
	f.t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		f.t.Fatal(err)
	}
	return f.tool.Run(context.Background(), tool.Call{ID: "call_1", Name: Name, Input: string(b)}, f.env)
}

func (f *fixture) mustCall(args map[string]any) tool.Result {
	f.t.Helper()
	res, err := f.call(args)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func TestRunsACommandAndStreamsItsOutput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{})
	if err := os.WriteFile(filepath.Join(f.dir, "hello.txt"), []byte("hello from the workspace\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := f.mustCall(map[string]any{"command": "cat hello.txt; echo to-stderr >&2; exit 3"})
	if res.ExitCode == nil || *res.ExitCode != 3 {
		t.Fatalf("exit code %v", res.ExitCode)
	}
	if !strings.HasPrefix(res.Output, "Exit code: 3\nWall time: ") ||
		!strings.HasSuffix(res.Output, "Output:\nhello from the workspace\nto-stderr\n") {
		t.Errorf("output:\n%s", res.Output)
	}
	var streamed strings.Builder
	for _, e := range f.env.Events() {
		if d, ok := e.(event.ToolOutputDelta); ok {
			if d.CallID != "call_1" {
				t.Errorf("delta for %q", d.CallID)
			}
			streamed.WriteString(d.Delta)
		}
	}
	if streamed.String() != "hello from the workspace\nto-stderr\n" {
		t.Errorf("streamed %q", streamed.String())
	}
}

func TestWorkdir(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{})
	if err := os.MkdirAll(filepath.Join(f.dir, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	res := f.mustCall(map[string]any{"command": "pwd", "workdir": "sub/deeper"})
	if !strings.HasSuffix(res.Output, "Output:\n"+filepath.Join(f.dir, "sub", "deeper")+"\n") {
		t.Errorf("output:\n%s", res.Output)
	}
	res = f.mustCall(map[string]any{"command": "pwd", "workdir": "nowhere"})
	if res.Status != "error" || !strings.Contains(res.Output, "workdir "+filepath.Join(f.dir, "nowhere")+" does not exist") {
		t.Errorf("missing workdir: %+v", res)
	}
}

func TestTimeoutKillsTheCommandAndSaysSoFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{})
	res := f.mustCall(map[string]any{"command": "echo started; sleep 30 & wait", "timeout_ms": 300})
	if !strings.HasPrefix(res.Output, "command timed out after 300 milliseconds") || !strings.Contains(res.Output, "\nExit code: 124\n") || !strings.HasSuffix(res.Output, "Output:\nstarted\n") {
		t.Errorf("output:\n%s", res.Output)
	}
}

func TestAWriteRefusedByTheReadOnlySandboxIsExplained(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{})
	res := f.mustCall(map[string]any{"command": "touch made.txt"})
	if res.ExitCode == nil || *res.ExitCode == 0 {
		t.Fatalf("touch succeeded in a read-only sandbox:\n%s", res.Output)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "made.txt")); err == nil {
		t.Fatal("the file was created")
	}
	if len(res.Denials) == 0 || res.Denials[0].Op != "write" || !strings.Contains(res.Output, "The sandbox blocked:\n- write "+filepath.Join(f.dir, "made.txt")) {
		t.Errorf("denials %+v, output:\n%s", res.Denials, res.Output)
	}
}

func TestLongOutputIsCutToTheBudget(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{OutputTokens: 500})
	res := f.mustCall(map[string]any{"command": "seq 1 100000"})
	if !strings.Contains(res.Output, "Total output lines: 100000\nOutput:\n1\n2\n") || !strings.HasSuffix(res.Output, "99999\n100000\n") || !strings.Contains(res.Output, "tokens truncated…") {
		t.Errorf("output:\n%s", res.Output)
	}
	if len(res.Output) > 500*bytesPerToken+200 {
		t.Errorf("%d bytes sent, budget %d", len(res.Output), 500*bytesPerToken)
	}
}

func TestEscalationAsksTheUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{ApprovalPolicy: "on-request"})
	f.env.Answer = tooltest.Approve
	res := f.mustCall(map[string]any{
		"command": "touch escaped.txt", "sandbox_permissions": "require_escalated",
		"justification": "Create the marker file the build needs.", "prefix_rule": []string{"touch"},
	})
	if res.ExitCode == nil || *res.ExitCode != 0 {
		t.Fatalf("approved command failed:\n%s", res.Output)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "escaped.txt")); err != nil {
		t.Errorf("the approved command did not run outside the sandbox: %v", err)
	}
	reqs := f.env.Approvals()
	if len(reqs) != 1 {
		t.Fatalf("%d approval requests", len(reqs))
	}
	r := reqs[0]
	if !r.Escalation || r.Kind != "command" || r.Script != "touch escaped.txt" || r.Cwd != f.dir ||
		r.Justification != "Create the marker file the build needs." || len(r.PrefixRule) != 1 || r.Command[len(r.Command)-1] != "touch escaped.txt" {
		t.Errorf("request %+v", r)
	}
}

func TestADeniedEscalationRunsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.WorkspaceWrite, Config{ApprovalPolicy: "on-request"})
	f.env.Answer = func(event.ApprovalRequested) event.Decision {
		return event.Decision{Approved: false, Message: "not on my machine"}
	}
	res := f.mustCall(map[string]any{"command": "touch " + filepath.Join(t.TempDir(), "x"), "sandbox_permissions": "require_escalated"})
	if res.Status != "denied" || !strings.Contains(res.Output, "The user denied running this command outside the sandbox. They said: not on my machine") {
		t.Errorf("%+v", res)
	}
	if res.ExitCode != nil {
		t.Error("a denied command has an exit code")
	}
}

func TestNeverPolicyRefusesEscalationWithoutAsking(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{ApprovalPolicy: "never"})
	f.env.Answer = tooltest.Approve
	res := f.mustCall(map[string]any{"command": "touch x", "sandbox_permissions": "require_escalated"})
	if res.Status != "denied" || !strings.Contains(res.Output, `the approval policy is "never"`) || len(f.env.Approvals()) != 0 {
		t.Errorf("%+v, %d requests", res, len(f.env.Approvals()))
	}
	if _, err := os.Stat(filepath.Join(f.dir, "x")); err == nil {
		t.Error("the command ran")
	}
}

type recordingPatcher struct{ patch, dir string }

func (p *recordingPatcher) ApplyPatch(_ context.Context, _ tool.Call, _ tool.Env, patch, dir string) (tool.Result, error) {
	p.patch, p.dir = patch, dir
	return tool.Result{Output: "Success. Updated the following files:\nA a.txt\n"}, nil
}

func TestApplyPatchThroughTheShellGoesToThePatchTool(t *testing.T) {
	t.Parallel()
	p := &recordingPatcher{}
	f := newFixture(t, sandbox.ReadOnly, Config{Patcher: p})
	if err := os.Mkdir(filepath.Join(f.dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	patch := "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch\n"
	res := f.mustCall(map[string]any{"command": "cd sub && apply_patch <<'EOF'\n" + patch + "EOF\n"})
	if res.Output != "Success. Updated the following files:\nA a.txt\n" || p.patch != patch || p.dir != filepath.Join(f.dir, "sub") {
		t.Errorf("result %+v, patcher got %q in %q", res, p.patch, p.dir)
	}
	res = f.mustCall(map[string]any{"command": "echo x | apply_patch"})
	if res.Status != "error" || !strings.Contains(res.Output, "apply_patch must be called on its own") {
		t.Errorf("%+v", res)
	}
}

func TestBadArguments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{})
	for _, args := range []map[string]any{
		{"command": "  "},
		{"command": "ls", "timeout_ms": -5},
		{"command": "ls", "sandbox_permissions": "off"},
		{"workdir": "."},
	} {
		if _, err := f.call(args); !errors.Is(err, tool.ErrBadArguments) {
			t.Errorf("%v: err = %v", args, err)
		}
	}
}

// A login shell runs the profile, and Debian's /etc/profile sets PATH
// outright; the PATH warden started with still comes first.
func TestLoginShellKeepsThePathWardenStartedWith(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	home := t.TempDir()
	bin := filepath.Join(t.TempDir(), "it's bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bin, "mytool"), []byte("#!/bin/sh\necho mytool ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A profile that, like Debian's, replaces PATH.
	if err := os.WriteFile(filepath.Join(home, ".bash_profile"), []byte("PATH=/usr/bin:/bin:/profile/added\nexport PATH\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	runner := tooltest.Runner(t, sandbox.ReadOnly, dir, sandbox.Config{Environ: []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + home}})
	tl, err := New(Config{Runner: runner, Shell: "bash"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := tl.Run(context.Background(), tool.Call{ID: "c", Input: `{"command": "mytool; echo \"$PATH\"; echo line-no; false_cmd_x"}`}, &tooltest.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Output, "mytool ran\n"+bin+":") || !strings.Contains(res.Output, ":/usr/bin:/bin:/profile/added\n") ||
		!strings.Contains(res.Output, "line 1: false_cmd_x: command not found") {
		t.Errorf("output:\n%s", res.Output)
	}
}

// Mistakes in the arguments are explained in the tool's own terms.
func TestArgumentMistakesAreExplained(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{})
	for in, want := range map[string]string{
		`{"cmd": "ls"}`:                                `command is missing; the script goes in "command" ("cmd" is not a parameter of shell_command)`,
		`{"command": ["bash", "-lc", "ls"]}`:           `command must be a string holding the whole script (e.g. "ls -la src"), not a JSON array`,
		`{"command": "ls", "timeout_ms": "10s"}`:       `timeout_ms must be a JSON number, not a JSON string`,
		`{"command": "ls", "prefix_rule": "git pull"}`: `prefix_rule must be a JSON array, not a JSON string`,
	} {
		_, err := f.tool.Run(context.Background(), tool.Call{ID: "c", Input: in}, f.env)
		if !errors.Is(err, tool.ErrBadArguments) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", in, err)
		}
	}
}

// Older Codex models ask for escalation with with_escalated_permissions.
func TestOlderEscalationFlagAsksToo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sandbox.ReadOnly, Config{ApprovalPolicy: "on-request"})
	res := f.mustCall(map[string]any{"command": "touch x", "with_escalated_permissions": true})
	if res.Status != "denied" || len(f.env.Approvals()) != 1 || !f.env.Approvals()[0].Escalation {
		t.Errorf("%+v", res)
	}
}
