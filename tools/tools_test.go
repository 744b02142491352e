package tools

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/internal/tooltest"
	"warden/tools/patch"
)

// The test binary doubles as the sandbox helper and the patch writer.
func TestMain(m *testing.M) {
	if sandbox.IsHelper() {
		sandbox.HelperMain()
	}
	if patch.IsChild() {
		os.Exit(patch.ChildMain())
	}
	os.Exit(m.Run())
}

func newSet(t *testing.T, mode sandbox.Mode) (*Set, string) {
	t.Helper()
	dir := t.TempDir()
	set, err := New(Config{
		Sandbox: sandbox.Config{
			Policy:   sandbox.Policy{Mode: mode, Workspace: dir},
			Environ:  []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "GORACE=atexit_sleep_ms=0"},
			CacheDir: t.TempDir(),
		},
		Shell:     "bash",
		Approvals: &approval.Engine{Policy: approval.OnRequest},
	})
	if err != nil {
		t.Fatal(err)
	}
	return set, dir
}

func run(t *testing.T, set *Set, env tool.Env, name string, args any) tool.Result {
	t.Helper()
	tl, ok := set.Registry.Lookup(name)
	if !ok {
		t.Fatalf("no tool %s", name)
	}
	in, ok := args.(string)
	if !ok {
		b, _ := json.Marshal(args)
		in = string(b)
	}
	res, err := tl.Run(context.Background(), tool.Call{ID: "c", Name: name, Input: in}, env)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A session's tools: the three the models know, one sandbox for commands
// and patches, and an unsandboxed runner made only when the user first lets
// a command out, then kept for the session.
func TestSetRunsTheSessionsTools(t *testing.T) {
	set, dir := newSet(t, sandbox.WorkspaceWrite)
	if got := strings.Join(set.Registry.Names(), ","); got != "apply_patch,shell_command,update_plan" {
		t.Fatalf("tools %s", got)
	}
	env := &tooltest.Env{Answer: tooltest.Approve}
	if res := run(t, set, env, "apply_patch", "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\n"); res.Status != "" {
		t.Fatalf("%+v", res)
	}
	if res := run(t, set, env, "shell_command", map[string]any{"command": "cat a.txt"}); !strings.HasSuffix(res.Output, "Output:\na\n") {
		t.Fatalf("%+v", res)
	}
	if set.unsandboxed != nil {
		t.Fatal("the unsandboxed runner exists before any escalation")
	}
	outside := filepath.Join(t.TempDir(), "out.txt")
	var runners []*sandbox.Runner
	for range 2 {
		res := run(t, set, env, "shell_command", map[string]any{"command": "echo x >> " + outside, "sandbox_permissions": "require_escalated"})
		if res.ExitCode == nil || *res.ExitCode != 0 {
			t.Fatalf("approved escalation: %+v", res)
		}
		runners = append(runners, set.unsandboxed)
	}
	if b, _ := os.ReadFile(outside); string(b) != "x\nx\n" {
		t.Fatalf("out.txt = %q", b)
	}
	if runners[0] == nil || runners[0] != runners[1] {
		t.Error("the unsandboxed runner was not made once and kept")
	}
	if len(env.Approvals()) != 2 {
		t.Errorf("%d approvals, want one per escalation", len(env.Approvals()))
	}
	if res := run(t, set, env, "update_plan", map[string]any{"plan": []event.PlanStep{{Step: "a", Status: "pending"}}}); res.Output != "Plan updated" {
		t.Errorf("%+v", res)
	}
	tmp := set.runner.TempDir()
	if err := set.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("Close left the sandbox's temporary directory")
	}
	if _, err := os.Stat(filepath.Join(dir, "a.txt")); err != nil {
		t.Error(err)
	}
}
