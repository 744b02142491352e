package launch

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/rules"
)

// started is a session against a fake model in a fresh project, with its
// events recorded.
type started struct {
	sess *Session
	fm   *fakemodel.Server
	cwd  string
	env  map[string]string
	mu   sync.Mutex
	evs  []event.Event
}

func startSession(t *testing.T, replies ...fakemodel.Reply) *started {
	t.Helper()
	return startSessionWith(t, nil, replies...)
}

// startSessionWith is startSession with the settings changed by edit.
func startSessionWith(t *testing.T, edit func(*config.Settings), replies ...fakemodel.Reply) *started {
	t.Helper()
	fm := fakemodel.New(fakemodel.Script{Replies: replies})
	srv := httptest.NewServer(fm)
	t.Cleanup(srv.Close)
	home := t.TempDir()
	s := &started{fm: fm, cwd: t.TempDir(), env: map[string]string{
		"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"SHELL": "/bin/sh", "PATH": os.Getenv("PATH"),
	}}
	st := settingsFor(t, "responses", srv.URL+"/v1")
	if edit != nil {
		edit(&st)
	}
	sess, err := Start(Params{
		Settings: st,
		Cwd:      s.cwd,
		Getenv:   func(k string) string { return s.env[k] },
		Sink: func(e event.Event) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.evs = append(s.evs, e)
			if a, ok := e.(event.ApprovalRequested); ok {
				a.Respond(event.Decision{Approved: true, Remember: event.RememberSession})
			}
		},
		Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	s.sess = sess
	return s
}

func (s *started) updates() []event.SessionUpdated {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.SessionUpdated
	for _, e := range s.evs {
		if u, ok := e.(event.SessionUpdated); ok {
			out = append(out, u)
		}
	}
	return out
}

func shellCall(id, script string) fakemodel.Output {
	args, _ := json.Marshal(map[string]any{"command": script})
	return fakemodel.Output{Call: &fakemodel.FunctionCall{CallID: id, Name: "shell_command", Arguments: string(args)}}
}

func TestSetModelChangesTheNextRequest(t *testing.T) {
	s := startSession(t,
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "one"}}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "two"}}})
	if res := s.sess.RunTurn(context.Background(), "first"); res.Status != event.TurnCompleted {
		t.Fatalf("turn %+v", res)
	}
	if err := s.sess.SetModel("o3", "high"); err != nil {
		t.Fatal(err)
	}
	if err := s.sess.SetModel("o3", "enormous"); err == nil || !strings.Contains(err.Error(), "reasoning effort") {
		t.Fatalf("a bad effort was accepted: %v", err)
	}
	if res := s.sess.RunTurn(context.Background(), "second"); res.Status != event.TurnCompleted {
		t.Fatalf("turn %+v", res)
	}
	reqs := s.fm.Requests()
	body, err := reqs[1].JSON()
	if err != nil {
		t.Fatal(err)
	}
	reasoning, _ := body["reasoning"].(map[string]any)
	if body["model"] != "o3" || reasoning["effort"] != "high" {
		t.Fatalf("second request: model %v, reasoning %v", body["model"], body["reasoning"])
	}
	if first, _ := reqs[0].JSON(); first["model"] != "gpt-5" {
		t.Fatalf("first request's model %v", first["model"])
	}
	if st := s.sess.Settings(); st.Model != "o3" || st.ReasoningEffort != "high" {
		t.Fatalf("settings %+v", st)
	}
	u := s.updates()
	if len(u) != 1 || u[0].Model != "o3" || u[0].ReasoningEffort != "high" || u[0].SandboxMode != config.SandboxReadOnly {
		t.Fatalf("updates %+v", u)
	}
	// The transcript says from where on the other model answered.
	if err := s.sess.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.sess.TranscriptPath())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"kind":"settings"`) || !strings.Contains(string(data), `"model":"o3","reasoning_effort":"high"`) {
		t.Fatalf("the transcript does not record the change:\n%s", data)
	}
}

// From a reasoning model to one without reasoning, the request must drop
// the reasoning parameters such models reject.
func TestSetModelToANonReasoningModelDropsReasoning(t *testing.T) {
	s := startSessionWith(t, func(st *config.Settings) { st.ReasoningSummary = "auto" },
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "one"}}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "two"}}})
	s.sess.RunTurn(context.Background(), "first")
	if err := s.sess.SetModel("gpt-4.1", ""); err != nil {
		t.Fatal(err)
	}
	s.sess.RunTurn(context.Background(), "second")
	reqs := s.fm.Requests()
	first, _ := reqs[0].JSON()
	second, _ := reqs[1].JSON()
	if first["reasoning"] == nil {
		t.Fatalf("the first request (gpt-5) asked no reasoning: %s", reqs[0].Body)
	}
	if second["model"] != "gpt-4.1" || second["reasoning"] != nil || strings.Contains(string(reqs[1].Body), "encrypted_content") {
		t.Fatalf("the second request still asks for reasoning:\n%s", reqs[1].Body)
	}
}

// Auto lets the next command write the workspace, where read-only stopped
// the same command, and the model is told its new environment.
func TestSetPresetRebuildsTheSandbox(t *testing.T) {
	s := startSession(t,
		fakemodel.Reply{Output: []fakemodel.Output{shellCall("c1", "echo one > made.txt")}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "could not"}}},
		fakemodel.Reply{Output: []fakemodel.Output{shellCall("c2", "echo two > made.txt")}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "done"}}})
	if res := s.sess.RunTurn(context.Background(), "write"); res.Status != event.TurnCompleted {
		t.Fatalf("turn %+v", res)
	}
	if _, err := os.Stat(filepath.Join(s.cwd, "made.txt")); err == nil {
		t.Fatal("read-only let a command write")
	}
	if err := s.sess.SetPreset(config.PresetAuto); err != nil {
		t.Fatal(err)
	}
	if sb := s.sess.Sandbox(); sb.Mode != config.SandboxWorkspaceWrite || sb.Why != "chosen" {
		t.Fatalf("sandbox %+v", sb)
	}
	if res := s.sess.RunTurn(context.Background(), "write again"); res.Status != event.TurnCompleted {
		t.Fatalf("turn %+v", res)
	}
	data, err := os.ReadFile(filepath.Join(s.cwd, "made.txt"))
	if err != nil || string(data) != "two\n" {
		t.Fatalf("made.txt = %q, %v", data, err)
	}
	reqs := s.fm.Requests()
	last := string(reqs[len(reqs)-2].Body)
	if !strings.Contains(last, "sandbox_mode\\u003eworkspace-write") && !strings.Contains(last, "<sandbox_mode>workspace-write") {
		t.Fatalf("the model was not told the new sandbox mode:\n%s", last)
	}
	u := s.updates()
	if len(u) != 1 || u[0].SandboxMode != config.SandboxWorkspaceWrite || u[0].ApprovalPolicy != config.ApprovalOnRequest {
		t.Fatalf("updates %+v", u)
	}
	if err := s.sess.SetPreset("everything"); err == nil {
		t.Fatal("an unknown preset was accepted")
	}
}

func TestReconfigureIsRefusedWhileATurnRuns(t *testing.T) {
	s := startSession(t,
		fakemodel.Reply{Output: []fakemodel.Output{shellCall("c1", "sleep 30")}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "stopped"}}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.sess.RunTurn(context.Background(), "wait")
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		n := len(s.evs)
		running := false
		for _, e := range s.evs[:n] {
			if _, ok := e.(event.ToolCallStarted); ok {
				running = true
			}
		}
		s.mu.Unlock()
		if running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the command never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := s.sess.SetModel("o3", ""); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("SetModel during a turn: %v", err)
	}
	if err := s.sess.SetPreset(config.PresetAuto); err == nil {
		t.Fatal("SetPreset during a turn was accepted")
	}
	if sb := s.sess.Sandbox(); sb.Mode != config.SandboxReadOnly {
		t.Fatalf("a refused change left the sandbox at %+v", sb)
	}
	s.sess.Interrupt()
	<-done
}

// A command allowed for the session stays allowed across a preset change,
// and /permissions lists it and can take it back.
func TestPermissionsListAndRevoke(t *testing.T) {
	s := startSession(t)
	cfgDir := filepath.Join(s.env["XDG_CONFIG_HOME"], "warden")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s.sess.mu.Lock()
	engine := s.sess.engine
	s.sess.mu.Unlock()
	if _, err := engine.Remember(event.Decision{Approved: true, Remember: event.RememberSession}, "make deploy", false); err != nil {
		t.Fatal(err)
	}
	if err := s.sess.perms.Rules.AddSession(rules.Rule{Decision: rules.Allow, Command: []rules.Token{{"go"}, {"test"}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.sess.SetPreset(config.PresetAuto); err != nil {
		t.Fatal(err)
	}
	perms := s.sess.Permissions()
	if len(perms) != 2 || perms[0].Rule == nil || perms[1].Exact == nil || perms[1].Exact.Script != "make deploy" {
		t.Fatalf("permissions %+v", perms)
	}
	for _, p := range perms {
		if err := s.sess.Revoke(p); err != nil {
			t.Fatal(err)
		}
	}
	if left := s.sess.Permissions(); len(left) != 0 {
		t.Fatalf("left after revoking: %+v", left)
	}
	if err := s.sess.Revoke(perms[1]); err == nil {
		t.Fatal("revoking twice succeeded")
	}
}

// Back from Auto to Read Only, the next command can no longer write.
func TestSetPresetNarrowsTheSandbox(t *testing.T) {
	s := startSession(t,
		fakemodel.Reply{Output: []fakemodel.Output{shellCall("c1", "echo one > a.txt")}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "wrote a"}}},
		fakemodel.Reply{Output: []fakemodel.Output{shellCall("c2", "echo two > b.txt")}},
		fakemodel.Reply{Output: []fakemodel.Output{{Text: "could not write b"}}})
	if err := s.sess.SetPreset(config.PresetAuto); err != nil {
		t.Fatal(err)
	}
	s.sess.RunTurn(context.Background(), "write a")
	if _, err := os.Stat(filepath.Join(s.cwd, "a.txt")); err != nil {
		t.Fatalf("auto did not let the command write: %v", err)
	}
	if err := s.sess.SetPreset(config.PresetReadOnly); err != nil {
		t.Fatal(err)
	}
	if sb := s.sess.Sandbox(); sb.Mode != config.SandboxReadOnly {
		t.Fatalf("sandbox %+v", sb)
	}
	s.sess.RunTurn(context.Background(), "write b")
	if _, err := os.Stat(filepath.Join(s.cwd, "b.txt")); err == nil {
		t.Fatal("read-only let the command write")
	}
}

// Back to Read Only, commands allowed for the session to run outside the
// sandbox are asked again; those allowed inside it stay.
func TestReadOnlyForgetsOutsideApprovals(t *testing.T) {
	s := startSession(t)
	if err := s.sess.SetPreset(config.PresetAuto); err != nil {
		t.Fatal(err)
	}
	s.sess.mu.Lock()
	engine := s.sess.engine
	s.sess.mu.Unlock()
	for _, c := range []struct {
		script  string
		outside bool
	}{{"make deploy", true}, {"make test", false}} {
		if _, err := engine.Remember(event.Decision{Approved: true, Remember: event.RememberSession}, c.script, c.outside); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.sess.SetPreset(config.PresetReadOnly); err != nil {
		t.Fatal(err)
	}
	perms := s.sess.Permissions()
	if len(perms) != 1 || perms[0].Exact == nil || perms[0].Exact.Script != "make test" {
		t.Fatalf("permissions after Read Only: %+v", perms)
	}
}
