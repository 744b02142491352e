package demo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/launch"
)

// recorder is a session's sink: it keeps every event and answers approval
// requests as the user of the test would.
type recorder struct {
	approve bool

	mu     sync.Mutex
	events []event.Event
}

func (r *recorder) sink(e event.Event) {
	if req, ok := e.(event.ApprovalRequested); ok && req.Respond != nil {
		d := event.Decision{Approved: r.approve}
		if !r.approve {
			d.Message = "keep build/ for now"
		}
		req.Respond(d)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) all() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Event(nil), r.events...)
}

// demoRun is one whole demo session played through the real harness,
// tools and sandbox over HTTP.
type demoRun struct {
	dir    string
	rec    *recorder
	sess   *launch.Session
	server *Server
}

func startDemo(t *testing.T, approve bool) *demoRun {
	t.Helper()
	// A race-enabled test binary runs as the sandbox helper for every
	// command; without this each would wait a second at exit.
	t.Setenv("GORACE", "atexit_sleep_ms=0")
	dir, err := Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	server, err := ServeScript(fast(Script()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := server.Close(); err != nil {
			t.Error(err)
		}
	})
	home := t.TempDir()
	env := map[string]string{
		"HOME":            home,
		"XDG_CONFIG_HOME": filepath.Join(home, "config"),
		"XDG_STATE_HOME":  filepath.Join(home, "state"),
		"PATH":            os.Getenv("PATH"),
	}
	getenv := func(k string) string { return env[k] }
	base, err := config.Load(config.Overrides{}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{approve: approve}
	sess, err := launch.Start(launch.Params{
		Settings: Settings(base, server.BaseURL),
		Cwd:      dir,
		Getenv:   getenv,
		Sink:     rec.sink,
		Version:  "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sess.Close(); err != nil {
			t.Error(err)
		}
	})
	return &demoRun{dir: dir, rec: rec, sess: sess, server: server}
}

func (d *demoRun) turn(t *testing.T, input string) event.TurnFinished {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res := d.sess.RunTurn(ctx, input)
	if res.Status != event.TurnCompleted {
		t.Fatalf("the turn ended %s: %v", res.Status, res.Err)
	}
	events := d.rec.all()
	for i := len(events) - 1; i >= 0; i-- {
		if f, ok := events[i].(event.TurnFinished); ok {
			return f
		}
	}
	t.Fatal("no turn_finished event")
	return event.TurnFinished{}
}

func TestDemoApproved(t *testing.T) {
	d := startDemo(t, true)
	fin := d.turn(t, Prompt)
	checkDemo(t, d, true, fin)

	// The script has played; what the user says next gets the epilogue,
	// not an error.
	more := d.turn(t, "thanks! can you also add a --dry-run flag?")
	if !strings.Contains(more.FinalText, "end of this scripted demo") {
		t.Errorf("after the script: %q", more.FinalText)
	}
}

func TestDemoDenied(t *testing.T) {
	d := startDemo(t, false)
	fin := d.turn(t, Prompt)
	checkDemo(t, d, false, fin)
}

// checkDemo asserts what a demo run must have done, whichever way the
// user answered.
func checkDemo(t *testing.T, d *demoRun, approved bool, fin event.TurnFinished) {
	t.Helper()
	if fin.FinalText != summary {
		t.Errorf("the final answer is not the scripted summary:\n%s", fin.FinalText)
	}
	if n := d.server.model.Pending(); n != 0 {
		t.Errorf("%d scripted replies were never asked for", n)
	}

	var asked []event.ApprovalRequested
	var patches []event.PatchApplied
	finished := map[string]event.ToolCallFinished{}
	reasoning, plans := 0, 0
	for _, e := range d.rec.all() {
		switch e := e.(type) {
		case event.ApprovalRequested:
			asked = append(asked, e)
		case event.PatchApplied:
			patches = append(patches, e)
		case event.ToolCallFinished:
			finished[e.CallID] = e
		case event.ReasoningDelta:
			reasoning++
		case event.PlanUpdated:
			plans++
		case event.Error:
			t.Errorf("error event: %+v", e)
		}
	}

	// Only the destructive command is put to the user; exploration runs
	// in the sandbox without asking.
	if len(asked) != 1 {
		t.Fatalf("%d approval requests, want 1: %+v", len(asked), asked)
	}
	if a := asked[0]; a.CallID != "call_demo_clean" || a.Kind != "command" || a.Script != cleanCommand ||
		a.Escalation || a.Justification == "" || !strings.Contains(a.Reason, "destructive") {
		t.Errorf("the approval request: %+v", a)
	}

	// Every call ran as scripted; only the denied command did not.
	wantCalls := []string{"call_demo_ls", "call_demo_readme", "call_demo_grep", "call_demo_read", "call_demo_plan1",
		"call_demo_clean", "call_demo_plan2", "call_demo_patch", "call_demo_plan3", "call_demo_test", "call_demo_plan4"}
	if len(finished) != len(wantCalls) {
		t.Errorf("%d tool calls finished, want %d", len(finished), len(wantCalls))
	}
	for _, id := range wantCalls {
		f, ok := finished[id]
		switch {
		case !ok:
			t.Errorf("%s never finished", id)
		case id == "call_demo_clean" && !approved:
			if f.Status != "denied" || !strings.Contains(f.Output, "keep build/ for now") {
				t.Errorf("%s: %s %q", id, f.Status, f.Output)
			}
		case f.Status != "ok" || (f.ExitCode != nil && *f.ExitCode != 0) || len(f.Denials) > 0:
			t.Errorf("%s failed: %s exit %v denials %v\n%s", id, f.Status, f.ExitCode, f.Denials, f.Output)
		}
	}
	if out := finished["call_demo_grep"].Output; !strings.Contains(out, "./lib/semver.sh:") || !strings.Contains(out, "./build/bumpver:") {
		t.Errorf("grep found:\n%s", out)
	}
	if out := finished["call_demo_test"].Output; !strings.Contains(out, "8/8 passed") {
		t.Errorf("the tests after the fix:\n%s", out)
	}

	if len(patches) != 1 || len(patches[0].Changes) != 2 || !strings.Contains(patches[0].Changes[0].Diff, "+\tminor) minor=$((minor + 1)) patch=0 ;;") {
		t.Errorf("patch_applied: %+v", patches)
	}
	semver, err := os.ReadFile(filepath.Join(d.dir, "lib", "semver.sh"))
	if err != nil || !strings.Contains(string(semver), "\tminor) minor=$((minor + 1)) patch=0 ;;\n") {
		t.Errorf("lib/semver.sh on disk (%v):\n%s", err, semver)
	}
	_, err = os.Stat(filepath.Join(d.dir, "build"))
	if gone := os.IsNotExist(err); gone != approved {
		t.Errorf("approved=%v but build/ gone=%v (%v)", approved, gone, err)
	}

	if reasoning == 0 || plans != 4 {
		t.Errorf("%d reasoning deltas, %d plan updates", reasoning, plans)
	}
}
