package cells

import (
	"strings"
	"testing"
	"time"

	"warden/harness/event"
	"warden/tui/styles"
)

func classified(t *testing.T, script string) Action {
	t.Helper()
	a, ok := Classify(script)
	if !ok {
		t.Fatalf("Classify(%q) is not exploration", script)
	}
	return a
}

func okFinish(code int) event.ToolCallFinished {
	return event.ToolCallFinished{Status: "ok", ExitCode: exitCode(code), Duration: 30 * time.Millisecond}
}

func TestExploredGolden(t *testing.T) {
	t.Run("explored_running", func(t *testing.T) {
		golden(t, "explored_running", false, func(ctx Context) string {
			x := NewExplored("/work/main")
			x.Add("a", classified(t, "cat /work/main/tui/cells/exec.go"))
			x.Finish("a", okFinish(0))
			x.Add("b", classified(t, "rg -n 'func Render' tui/"))
			return x.Render(ctx)
		})
	})
	t.Run("explored_done", func(t *testing.T) {
		golden(t, "explored_done", false, func(ctx Context) string {
			x := NewExplored("/work/main")
			for id, script := range []string{
				"sed -n '1,200p' tui/cells/exec.go",
				"cat tui/cells/layout.go tui/cells/output.go",
				"nl -ba tui/cells/exec.go | sed -n '40,80p'",
				"rg -n 'outputBuffer' tui/ harness/",
				"ls -la tui/cells",
				"cd harness && find . -name '*_test.go' | head",
				"cat /work/main/go.mod",
			} {
				callID := string(rune('a' + id))
				x.Add(callID, classified(t, script))
				x.Finish(callID, okFinish(0))
			}
			x.Close()
			return x.Render(ctx)
		})
	})
	t.Run("explored_failed", func(t *testing.T) {
		golden(t, "explored_failed", false, func(ctx Context) string {
			x := NewExplored("/work/main")
			x.Add("a", classified(t, "cat README.md"))
			x.Finish("a", okFinish(0))
			x.Add("b", classified(t, "cat tui/missing.go"))
			fin := okFinish(1)
			fin.Output = "Exit code: 1\nWall time: 0.0 seconds\nOutput:\ncat: tui/missing.go: No such file or directory\n"
			x.Finish("b", fin)
			x.Add("c", classified(t, "cat go.mod"))
			x.Finish("c", okFinish(0))
			x.Add("d", classified(t, "rg -n NoSuchSymbol tui/"))
			x.Finish("d", okFinish(1))
			x.Add("e", classified(t, "grep -rn TODO src/"))
			x.Finish("e", okFinish(2))
			x.Add("f", classified(t, "ls /root"))
			x.Finish("f", event.ToolCallFinished{Status: "denied", Output: "refused, nothing ran: the user declined."})
			x.Close()
			return x.Render(ctx)
		})
	})
}

// A run is done only when closed and when all its calls ended.
func TestExploredDone(t *testing.T) {
	x := NewExplored("")
	x.Add("a", classified(t, "ls"))
	x.Close()
	if x.Done() {
		t.Error("done with a call running")
	}
	if x.Finish("zzz", okFinish(0)) {
		t.Error("finished a call that is not the cell's")
	}
	if !x.Has("a") || x.Has("b") {
		t.Error("Has is wrong")
	}
	x.Finish("a", okFinish(0))
	if !x.Done() {
		t.Error("not done when closed and finished")
	}
	y := NewExplored("")
	y.Add("a", classified(t, "ls"))
	y.Finish("a", okFinish(0))
	if y.Done() {
		t.Error("done before the run was closed")
	}
	if got := plain(y.Render(newContext(80, themes[0].opts, false))); !strings.HasPrefix(got, "⠋ Exploring") {
		t.Errorf("an open run does not say it explores:\n%s", got)
	}
}

func TestPatchGolden(t *testing.T) {
	diff := "--- a/tui/cells/exec.go\n+++ b/tui/cells/exec.go\n@@ -10,7 +10,8 @@ import (\n \t\"time\"\n \n-\t\"warden/harness/event\"\n+\t\"charm.land/lipgloss/v2\"\n+\n+\t\"warden/harness/event\"\n )\n \n // How much of a command's output the transcript shows: a line long enough to wrap at forty columns.\n"
	changes := []event.FileChange{
		{Path: "tui/cells/exec.go", Kind: "update", Diff: diff, Added: 3, Removed: 1},
		{Path: "tui/cells/new.go", Kind: "add", Diff: "--- /dev/null\n+++ b/tui/cells/new.go\n@@ -0,0 +1,2 @@\n+package cells\n+\n", Added: 2},
		{Path: "tui/old.go", Kind: "delete", Diff: "--- a/tui/old.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-package tui\n", Removed: 1},
		{Path: "tui/a.go", Kind: "update", MoveTo: "tui/b.go"},
	}
	cases := []struct {
		name    string
		full    bool
		changes []event.FileChange
		fin     *event.ToolCallFinished
	}{
		{name: "patch_running"},
		{name: "patch_single", changes: changes[:1], fin: ptr(event.ToolCallFinished{Status: "ok"})},
		{name: "patch_added", changes: changes[1:2], fin: ptr(event.ToolCallFinished{Status: "ok"})},
		{name: "patch_multi", changes: changes, fin: ptr(event.ToolCallFinished{Status: "ok"})},
		{name: "patch_full", full: true, changes: changes, fin: ptr(event.ToolCallFinished{Status: "ok"})},
		{name: "patch_failed", fin: ptr(event.ToolCallFinished{Status: "error", Output: "apply_patch verification failed: Failed to find expected lines in tui/cells/exec.go:\n\t\"warden/harness/event\""})},
		{name: "patch_denied", fin: ptr(event.ToolCallFinished{Status: "denied", Output: "The user denied the patch."})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, tc.full, func(ctx Context) string {
				p := NewPatch("p1")
				if tc.changes != nil {
					p.SetChanges(tc.changes)
				}
				if tc.fin != nil {
					p.Finish(*tc.fin)
				}
				return p.Render(ctx)
			})
		})
	}
}

// A one-file patch's title and its file line say the same of the file:
// the verb of the title goes with the letter of the line.
func TestPatchSaysWhatHappenedToAFile(t *testing.T) {
	for _, tc := range []struct {
		change        event.FileChange
		title, letter string
	}{
		{event.FileChange{Path: "a.go", Kind: "update"}, "Edited a.go", "M a.go"},
		{event.FileChange{Path: "a.go", Kind: "add"}, "Added a.go", "A a.go"},
		{event.FileChange{Path: "a.go", Kind: "delete"}, "Deleted a.go", "D a.go"},
		{event.FileChange{Path: "a.go", Kind: "update", MoveTo: "b.go"}, "Moved a.go → b.go", "R a.go → b.go"},
	} {
		p := NewPatch("p")
		p.SetChanges([]event.FileChange{tc.change})
		p.Finish(event.ToolCallFinished{Status: "ok"})
		lines := strings.Split(plain(p.Render(newContext(80, themes[0].opts, true))), "\n")
		if len(lines) < 2 || !strings.HasSuffix(lines[0], tc.title) || !strings.HasSuffix(lines[1], tc.letter) {
			t.Errorf("%+v: want a title ending %q over a line ending %q, got:\n%s", tc.change, tc.title, tc.letter, strings.Join(lines, "\n"))
		}
	}
}

func TestPlanGolden(t *testing.T) {
	e := event.PlanUpdated{
		Explanation: "Split the renderer first, so that the golden tests stay green while the cells move.",
		Steps: []event.PlanStep{
			{Step: "Read the existing transcript code", Status: "completed"},
			{Step: "Move each cell into its own file, with a constructor and the mutators the root model calls", Status: "in_progress"},
			{Step: "Write golden tests", Status: "pending"},
		},
	}
	golden(t, "plan", false, func(ctx Context) string { return NewPlan(e).Render(ctx) })
	golden(t, "plan_empty", false, func(ctx Context) string { return NewPlan(event.PlanUpdated{}).Render(ctx) })
}

func TestNoticeGolden(t *testing.T) {
	golden(t, "notices", false, func(ctx Context) string {
		var out []string
		for _, n := range []*Notice{
			NewInfo("Interrupted. Tell the model what to do differently."),
			NewWarning("The project is not trusted: the sandbox is read-only."),
			NewError("stream error: unexpected EOF while reading the response from api.openai.com"),
			NewRetry(event.Retrying{Attempt: 2, MaxAttempts: 5, Delay: 1500 * time.Millisecond, Reason: "429 Too Many Requests"}),
		} {
			out = append(out, n.Render(ctx))
		}
		return strings.Join(out, "\n")
	})
}

func TestToolGolden(t *testing.T) {
	started := event.ToolCallStarted{CallID: "t1", Name: "web_search", Arguments: []byte(`{ "query": "bubbletea v2 inline mode", "limit": 5 }`)}
	cases := []struct {
		name string
		full bool
		fin  *event.ToolCallFinished
	}{
		{name: "tool_running"},
		{name: "tool_ok", fin: ptr(event.ToolCallFinished{Status: "ok", Duration: 1300 * time.Millisecond, Output: "3 results"})},
		{name: "tool_failed", fin: ptr(event.ToolCallFinished{Status: "error", Duration: 200 * time.Millisecond, Output: "invalid arguments: limit must be at most 3"})},
		{name: "tool_full", full: true, fin: ptr(event.ToolCallFinished{Status: "ok", Duration: 1300 * time.Millisecond, Output: "1. charm.land/bubbletea\n2. github.com/charmbracelet/bubbletea/discussions\n3. pkg.go.dev"})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, tc.full, func(ctx Context) string {
				c := NewTool(started, t0)
				if tc.fin != nil {
					c.Finish(*tc.fin)
				}
				return c.Render(ctx)
			})
		})
	}
}

func TestUserGolden(t *testing.T) {
	msg := "Make the exec cell show the last five lines of output while it runs.\n\nAlso:\n\t- keep memory bounded\n\t- strip escapes"
	golden(t, "user", false, func(ctx Context) string { return NewUser(msg).Render(ctx) })
	golden(t, "user_queued", false, func(ctx Context) string {
		u := NewUser("and run the tests afterwards")
		u.SetQueued(true)
		return u.Render(ctx)
	})
}

func TestUserQueued(t *testing.T) {
	u := NewUser("later\n")
	u.SetQueued(true)
	if u.Done() || !u.Queued() {
		t.Error("a queued message is done")
	}
	if got := plain(u.Render(newContext(80, themes[0].opts, false))); !strings.Contains(got, "queued") {
		t.Errorf("a queued message does not say so:\n%s", got)
	}
	u.SetQueued(false)
	if !u.Done() || u.Text() != "later" {
		t.Error("a sent message is not done")
	}
	if got := plain(u.Render(newContext(80, themes[0].opts, false))); got != "› later" {
		t.Errorf("sent message drawn as %q", got)
	}
}

const reasoningText = "**Inspecting the exec cell**\n\nThe output buffer keeps the last two hundred lines; I should check that **appending** stays O(delta) and that carriage returns replace the line.\n**Planning the tests**\n\nGolden files at three widths, then a benchmark of appending a megabyte in 4 KB deltas, and one of rendering a running command."

func TestReasoningGolden(t *testing.T) {
	draw := func(finished bool) func(ctx Context) string {
		return func(ctx Context) string {
			r := NewReasoning()
			for _, d := range strings.SplitAfter(reasoningText, " ") {
				r.Append(d)
			}
			if finished {
				r.Finish()
			}
			return r.Render(ctx)
		}
	}
	golden(t, "reasoning_streaming", false, draw(false))
	golden(t, "reasoning_done", false, draw(true))
	golden(t, "reasoning_full", true, draw(false))
}

func TestTitleLine(t *testing.T) {
	for s, want := range map[string]string{"**Title**": "Title", "  **Two words** ": "Two words"} {
		if got, ok := titleLine(s); !ok || got != want {
			t.Errorf("titleLine(%q) = %q, %v", s, got, ok)
		}
	}
	for _, s := range []string{"**a** and **b**", "plain", "****", "**open"} {
		if _, ok := titleLine(s); ok {
			t.Errorf("titleLine(%q) is a title", s)
		}
	}
}

// A notice's text may come from a server or the model: nothing in it acts
// on the terminal.
func TestNoticeIsCleaned(t *testing.T) {
	n := NewNotice(NoticeError, "HTTP 500: \x1b]0;owned\x07bad \x1b[2Jgateway")
	for _, st := range []styles.Options{{NoColor: true}, {Dark: true}} {
		out := n.Render(newContext(80, st, false))
		if strings.Contains(out, "\x1b]") || strings.Contains(out, "\x07") || strings.Contains(out, "\x1b[2J") {
			t.Fatalf("%q", out)
		}
	}
	if !strings.Contains(n.Text(), "HTTP 500: bad gateway") {
		t.Fatalf("text %q", n.Text())
	}
}
