package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"warden/fakemodel"
)

func shellCall(id, command string) fakemodel.Reply {
	args, _ := json.Marshal(map[string]string{"command": command})
	return fakemodel.Reply{Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{CallID: id, Name: "shell_command", Arguments: string(args)}}}}
}

func patchCall(id, patch string) fakemodel.Reply {
	return fakemodel.Reply{Output: []fakemodel.Output{{Custom: &fakemodel.CustomCall{CallID: id, Name: "apply_patch", Input: patch}}}}
}

// toolOutputs are the tool outputs a request sent to the model, by call id.
func toolOutputs(t *testing.T, body []byte) map[string]string {
	t.Helper()
	var req struct {
		Input []struct {
			Type   string `json:"type"`
			CallID string `json:"call_id"`
			Output string `json:"output"`
		} `json:"input"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatalf("request body: %v", err)
	}
	out := map[string]string{}
	for _, it := range req.Input {
		if strings.HasSuffix(it.Type, "_output") {
			out[it.CallID] = it.Output
		}
	}
	return out
}

func (c *cli) config(text string) {
	c.t.Helper()
	path := filepath.Join(c.env["XDG_CONFIG_HOME"], "warden", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cli) file(name, content string) {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// The whole loop with the real tools: the model explores a repository,
// edits it, and runs into the sandbox; each time the test checks what the
// model was sent back.
func TestExecAgentExploresEditsAndMeetsTheSandbox(t *testing.T) {
	outside := t.TempDir()
	c := newCLI(t,
		shellCall("c_ls", "ls"),
		shellCall("c_cat", "cat README.md"),
		shellCall("c_grep", "grep -rn 'Hello' src"),
		patchCall("c_patch", "*** Begin Patch\n*** Update File: src/greet.go\n@@ func Greet() string {\n-\treturn \"Hello\"\n+\treturn \"Hello, world\"\n*** End Patch\n"),
		shellCall("c_outside", "echo leak > "+filepath.Join(outside, "leak.txt")),
		shellCall("c_net", "exec 3<>/dev/tcp/1.1.1.1/80"),
		textReply("Done: Greet now says hello to the world."),
	)
	c.env["GORACE"] = "atexit_sleep_ms=0"
	c.config("sandbox_mode = \"workspace-write\"\n")
	c.file("README.md", "# greet\nA tiny package.\n")
	c.file("src/greet.go", "package greet\n\nfunc Greet() string {\n\treturn \"Hello\"\n}\n")

	r := c.run("", "exec", "make Greet greet the world")
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	reqs := c.fm.Requests()
	if len(reqs) != 7 {
		t.Fatalf("%d requests, want 7\nstderr:\n%s", len(reqs), r.stderr)
	}
	sent := toolOutputs(t, reqs[6].Body)
	want := map[string][]string{
		"c_ls":      {"Exit code: 0\n", "Output:\nREADME.md\nsrc\n"},
		"c_cat":     {"Exit code: 0\n", "Output:\n# greet\nA tiny package.\n"},
		"c_grep":    {"Exit code: 0\n", "src/greet.go:4:\treturn \"Hello\"\n"},
		"c_patch":   {"Success. Updated the following files:\nM src/greet.go\n"},
		"c_outside": {"Exit code: 1\n", "Read-only file system", "The sandbox blocked:\n- write " + filepath.Join(outside, "leak.txt")},
		"c_net":     {"Exit code: 1\n", "Network is unreachable", "The sandbox blocked:\n- connect"},
	}
	for id, parts := range want {
		for _, p := range parts {
			if !strings.Contains(sent[id], p) {
				t.Errorf("%s: the model was sent %q, which lacks %q", id, sent[id], p)
			}
		}
	}
	if b, _ := os.ReadFile(filepath.Join(c.dir, "src/greet.go")); !strings.Contains(string(b), `return "Hello, world"`) {
		t.Errorf("greet.go = %q", b)
	}
	if _, err := os.Stat(filepath.Join(outside, "leak.txt")); err == nil {
		t.Error("the command wrote outside the workspace")
	}
	for _, shown := range []string{"▶ $ ls", "  README.md", "  M src/greet.go (+1 −1)", "blocked by the sandbox: connect"} {
		if !strings.Contains(r.stderr, shown) {
			t.Errorf("progress lacks %q:\n%s", shown, r.stderr)
		}
	}
	if r.stdout != "Done: Greet now says hello to the world.\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

// Read-only is the default: a patch would need the user, and exec has
// nobody to ask, so the model is told and nothing changes.
func TestExecReadOnlyRefusesPatchesAndTellsTheModel(t *testing.T) {
	c := newCLI(t,
		patchCall("c_patch", "*** Begin Patch\n*** Add File: new.txt\n+hi\n*** End Patch\n"),
		shellCall("c_touch", "touch made.txt"),
		shellCall("c_heredoc", "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: other.txt\n+hi\n*** End Patch\nEOF"),
		textReply("I cannot write here."),
	)
	c.env["GORACE"] = "atexit_sleep_ms=0"
	r := c.run("", "exec", "--json", "add a file")
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", r.code, r.stderr)
	}
	sent := toolOutputs(t, c.fm.Requests()[3].Body)
	for id, want := range map[string]string{
		"c_patch":   `refused: the session's sandbox is read-only, and the approval policy is "never", so nobody can allow this patch. No file was changed.`,
		"c_touch":   "The sandbox blocked:\n- write " + filepath.Join(c.dir, "made.txt"),
		"c_heredoc": `refused: the session's sandbox is read-only, and the approval policy is "never"`,
	} {
		if !strings.Contains(sent[id], want) {
			t.Errorf("%s: sent %q, want it to contain %q", id, sent[id], want)
		}
	}
	for _, name := range []string{"new.txt", "made.txt", "other.txt"} {
		if _, err := os.Stat(filepath.Join(c.dir, name)); err == nil {
			t.Errorf("%s was created", name)
		}
	}
	// exec has nobody to ask: the model is told the policy is never, and
	// nothing is put to a user who is not there.
	if strings.Contains(r.stdout, `"type":"approval_requested"`) || !strings.Contains(r.stdout, `"approval_policy":"never"`) {
		t.Errorf("event stream:\n%s", r.stdout)
	}
	if body := string(c.fm.Requests()[0].Body); !strings.Contains(body, "Approval policy `never`") {
		t.Errorf("the model was not told the approval policy is never")
	}
}

// On the Chat Completions wire apply_patch is a function taking one
// "input" string; the patch arrives and applies the same.
func TestExecChatWireOffersAndAppliesPatches(t *testing.T) {
	patch := "*** Begin Patch\n*** Add File: notes.txt\n+from chat\n*** End Patch\n"
	args, _ := json.Marshal(map[string]string{"input": patch})
	c := newCLI(t,
		fakemodel.Reply{Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{CallID: "c1", Name: "apply_patch", Arguments: string(args)}}}},
		textReply("added"),
	)
	c.env["GORACE"] = "atexit_sleep_ms=0"
	c.config("sandbox_mode = \"workspace-write\"\n")
	r := c.run("", "exec", "--wire", "chat", "add notes")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(c.dir, "notes.txt")); string(b) != "from chat\n" {
		t.Errorf("notes.txt = %q", b)
	}
	var first struct {
		Tools []struct {
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
	}
	reqs := c.fm.Requests()
	if err := json.Unmarshal(reqs[0].Body, &first); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range first.Tools {
		names = append(names, tl.Function.Name)
		if tl.Function.Name == "apply_patch" && !strings.Contains(string(tl.Function.Parameters), `"input"`) {
			t.Errorf("apply_patch parameters %s", tl.Function.Parameters)
		}
	}
	if strings.Join(names, ",") != "apply_patch,shell_command,update_plan" {
		t.Errorf("tools offered: %v", names)
	}
	if !strings.Contains(string(reqs[1].Body), "Success. Updated the following files:\\nA notes.txt") {
		t.Errorf("the model was not told: %s", reqs[1].Body)
	}
}

// On the Responses wire apply_patch is a freeform tool with its grammar.
func TestExecResponsesWireOffersTheToolsInTheirShapes(t *testing.T) {
	c := newCLI(t, textReply("hi"))
	if r := c.run("", "exec", "hello"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var first struct {
		Tools []struct {
			Type   string `json:"type"`
			Name   string `json:"name"`
			Format struct {
				Type       string `json:"type"`
				Syntax     string `json:"syntax"`
				Definition string `json:"definition"`
			} `json:"format"`
			Parameters struct {
				Properties map[string]any `json:"properties"`
			} `json:"parameters"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(c.fm.Requests()[0].Body, &first); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tl := range first.Tools {
		got[tl.Name] = tl.Type
		switch tl.Name {
		case "apply_patch":
			if tl.Format.Type != "grammar" || tl.Format.Syntax != "lark" || !strings.Contains(tl.Format.Definition, `"*** Begin Patch"`) {
				t.Errorf("apply_patch format %+v", tl.Format)
			}
		case "shell_command":
			for _, p := range []string{"command", "workdir", "timeout_ms", "sandbox_permissions", "justification", "prefix_rule"} {
				if _, ok := tl.Parameters.Properties[p]; !ok {
					t.Errorf("shell_command lacks parameter %s", p)
				}
			}
		}
	}
	if got["apply_patch"] != "custom" || got["shell_command"] != "function" || got["update_plan"] != "function" {
		t.Errorf("tools %v", got)
	}
}

// --sandbox chooses the mode for one run, over the config file.
func TestExecSandboxFlag(t *testing.T) {
	c := newCLI(t, shellCall("c1", "touch made.txt"), textReply("done"))
	c.env["GORACE"] = "atexit_sleep_ms=0"
	if r := c.run("", "exec", "-s", "workspace-write", "make a file"); r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "made.txt")); err != nil {
		t.Errorf("workspace-write did not apply: %v", err)
	}
	if r := c.run("", "exec", "--sandbox", "none", "x"); r.code != 2 || !strings.Contains(r.stderr, `--sandbox must be read-only, workspace-write or full-access, got "none"`) {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// Ctrl+C while the model's command runs ends the turn at once, and the
// command and everything it started are gone when warden exits.
func TestExecInterruptKillsTheRunningCommand(t *testing.T) {
	c := newCLI(t, shellCall("c1", "echo started; sleep 313.25 & sleep 313.25; wait"), textReply("never asked"))
	c.env["GORACE"] = "atexit_sleep_ms=0"
	cmd := c.command("", "exec", "wait a while")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if sc.Text() == "  started" {
			break
		}
	}
	if !strings.Contains(seen.String(), "  started") {
		t.Fatalf("the command never started:\n%s", seen.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	rest, _ := io.ReadAll(stderr)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("exit: %v\n%s%s", err, seen.String(), rest)
	}
	if !strings.Contains(string(rest), "turn interrupted") {
		t.Errorf("stderr:\n%s%s", seen.String(), rest)
	}
	// SIGKILL is sent before warden exits, but the kernel delivers it and
	// tears the command's PID namespace down on its own time: allow it a
	// moment, never the command's 313 s.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var alive []string
		procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
		for _, p := range procs {
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), "313.25") {
				alive = append(alive, fmt.Sprintf("%s %q", filepath.Dir(p), b))
			}
		}
		if len(alive) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("still running 5 s after the interrupt: %v", alive)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(c.fm.Requests()); n != 1 {
		t.Errorf("%d model requests after the interrupt, want 1", n)
	}
}

// In exec, with a policy that asks, a question is refused at once: the
// model is told, and so is the user, and nothing runs.
func TestExecRefusesWhatNeedsAsking(t *testing.T) {
	c := newCLI(t, shellCall("c1", "rm -rf build"), textReply("I could not delete it."))
	c.env["GORACE"] = "atexit_sleep_ms=0"
	c.file("build/out.o", "x")
	r := c.run("", "exec", "-s", "workspace-write", "-a", "on-request", "clean up")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "build", "out.o")); err != nil {
		t.Error("the command ran")
	}
	sent := toolOutputs(t, c.fm.Requests()[1].Body)
	if !strings.Contains(sent["c1"], "Not run: it needs the user's approval (`rm -rf build`: destructive") || !strings.Contains(sent["c1"], "nobody can answer here. warden exec runs without a user to ask") {
		t.Errorf("sent %q", sent["c1"])
	}
	if !strings.Contains(r.stderr, "approval needed (command): rm -rf build (`rm -rf build`: destructive") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}
