package cells

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	goldenfile "warden/tui/internal/golden"
	"warden/tui/markdown"
)

// everyCell is one cell of each kind in each interesting state.
func everyCell(t *testing.T) []Cell {
	t.Helper()
	long := strings.Repeat("very-long-word-", 12)
	var cs []Cell
	u := NewUser("› 日本語のテキスト " + long + "\n\nsecond paragraph")
	q := NewUser(long)
	q.SetQueued(true)
	cs = append(cs, u, q)

	a := NewAssistant(markdown.NewStream())
	a.Append("# Title\n\n" + long + "\n\n```\n" + long + "\n```\n\n| a | b |\n|---|---|\n| " + long + " | x |\n")
	cs = append(cs, a)

	r := NewReasoning()
	r.Append("**" + long + "**\n\n" + long)
	cs = append(cs, r)

	running := NewExec("1", long, "some/dir/"+long, t0)
	running.AppendOutput("日本語 " + long + "\n\ttab\n")
	done := NewExec("2", long+"\nsecond line", long, t0)
	done.AppendOutput(numbered(long, 30))
	done.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(3), Duration: 3 * time.Hour,
		Denials: []event.SandboxDenial{{Op: "write", Target: "/" + long, Reason: long}}})
	denied := NewExec("3", "x", "", t0)
	denied.Finish(event.ToolCallFinished{Status: "denied", Output: long})
	cs = append(cs, running, done, denied)

	x := NewExplored("/")
	x.Add("a", classified(t, "cat /"+long+" b.go"))
	x.Add("b", classified(t, "rg '"+long+"' /"+long))
	x.Finish("b", event.ToolCallFinished{Status: "ok", ExitCode: exitCode(2), Output: "Output:\n" + long})
	cs = append(cs, x)

	p := NewPatch("p")
	p.SetChanges([]event.FileChange{
		{Path: long, Kind: "update", MoveTo: long, Added: 12345, Removed: 678,
			Diff: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-" + long + "\n+日本語" + long + "\n"},
		{Path: "b", Kind: "add", Added: 1},
	})
	p.Finish(event.ToolCallFinished{Status: "ok"})
	pf := NewPatch("q")
	pf.Finish(event.ToolCallFinished{Status: "error", Output: long})
	cs = append(cs, p, pf, NewPatch("r"))

	cs = append(cs, NewPlan(event.PlanUpdated{Explanation: long, Steps: []event.PlanStep{
		{Step: long, Status: "completed"}, {Step: long, Status: "in_progress"}, {Step: long, Status: "pending"}}}))
	for _, k := range []NoticeKind{NoticeInfo, NoticeWarning, NoticeError, NoticeRetry} {
		cs = append(cs, NewNotice(k, long))
	}
	tool := NewTool(event.ToolCallStarted{Name: long, Arguments: []byte(`{"q":"` + long + `"}`)}, t0)
	toolDone := NewTool(event.ToolCallStarted{Name: "t", Input: long}, t0)
	toolDone.Finish(event.ToolCallFinished{Status: "error", Output: long})
	return append(cs, tool, toolDone)
}

// At any width, down to nothing, no cell panics or draws a line wider
// than the terminal (a width below 1 is drawn as 1).
func TestNarrowWidths(t *testing.T) {
	for _, th := range themes {
		widths := []int{30, 40, 57, 80, 120, 200}
		for w := -1; w <= 24; w++ {
			widths = append(widths, w)
		}
		for _, w := range widths {
			for _, full := range []bool{false, true} {
				for i, c := range everyCell(t) {
					ctx := newContext(w, th.opts, full)
					out := c.Render(ctx)
					if f, ok := c.(Flusher); ok {
						out += "\n" + f.Flush(ctx)
					}
					goldenfile.CheckWidth(t, fmt.Sprintf("%s cell %d (%T) full=%v width %d", th.name, i, c, full, w), out, max(w, 1))
				}
			}
		}
	}
}

// sgr matches the style sequences the cells themselves write.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// Text from the model, tools or a paste never reaches the terminal with
// its escape sequences or control characters: printed into the
// scrollback they could rewrite the screen or the window title.
func TestNoInjectedEscapes(t *testing.T) {
	evil := "a\x1b]0;pwned\x07b\x1b[2J\x1b[1;1Hc\rd\x08e\x9b31mf\u009b31mg\th\x00i\x1bPq#0\x1b\\j\xff"
	ev := func() event.ToolCallFinished {
		return event.ToolCallFinished{Status: "error", ExitCode: exitCode(1), Output: evil,
			Denials: []event.SandboxDenial{{Op: evil, Target: evil, Reason: evil}}}
	}
	u := NewUser(evil)
	r := NewReasoning()
	r.Append("**" + evil + "**\n" + evil)
	e := NewExec("1", evil+"\n"+evil, evil, t0)
	e.Finish(ev())
	e2 := NewExec("2", "x", "", t0)
	e2.AppendOutput(evil + "\n" + evil)
	x := NewExplored("")
	x.Add("a", Action{Ops: []Op{{Kind: OpSearch, Query: evil, Paths: []string{evil}}, {Kind: OpRead, Files: []string{evil}}}})
	x.Finish("a", ev())
	p := NewPatch("p")
	p.SetChanges([]event.FileChange{{Path: evil, MoveTo: evil, Diff: "@@ -1 +1 @@\n-" + evil + "\n+" + evil + "\n", Added: 1}, {Path: evil}})
	p.Finish(ev())
	tool := NewTool(event.ToolCallStarted{Name: evil, Input: evil}, t0)
	tool.Finish(ev())
	cs := []Cell{u, r, e, e2, x, p, tool, NewPlan(event.PlanUpdated{Explanation: evil, Steps: []event.PlanStep{{Step: evil}}}), NewError(evil)}
	for _, full := range []bool{false, true} {
		for _, c := range cs {
			out := c.Render(newContext(80, themes[1].opts, full))
			rest := sgr.ReplaceAllString(out, "")
			if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x20 && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f }); i >= 0 {
				t.Errorf("%T (full %v) draws a control character %q: %q", c, full, rest[i], rest)
			}
			// Sequences go whole, C1 ones (U+009B is CSI) too; a lone
			// 0x9b byte is not UTF-8 and becomes U+FFFD. A command's
			// output has its own scanner (it sees escapes split across
			// deltas), which keeps its carriage return and tab stops and
			// drops a C1 control alone.
			plain := ansi.Strip(out)
			want := "abcde\uFFFD31mfg    hij"
			if c == e2 {
				want = "de\uFFFD31mf31mg     hij"
			}
			if !strings.Contains(plain, want) {
				t.Errorf("%T (full %v) lost the text around the escapes: %q", c, full, plain)
			}
			for _, debris := range []string{"pwned", "[2J", "q#0"} {
				if strings.Contains(plain, debris) {
					t.Errorf("%T (full %v) left %q of an escape sequence: %q", c, full, debris, plain)
				}
			}
		}
	}
}
