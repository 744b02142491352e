package tui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/tui/approvaldialog"
	"warden/tui/internal/golden"
)

// Finished blocks of a streaming answer go to the scrollback exactly once;
// the live area keeps only the unfinished tail.
func TestStreamingAnswerPrintsFinishedBlocksOnce(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1, Input: "hi"}, event.TextDelta{Delta: "First paragraph is complete.\n\n"}, event.TextDelta{Delta: "Second one is still str"})
	r.mustContain("scrollback", r.scrollback(), "First paragraph is complete.")
	r.mustNotContain("scrollback", r.scrollback(), "Second one")
	r.mustContain("live area", r.view(), "Second one is still str")
	r.mustNotContain("live area", r.view(), "First paragraph")

	r.events(event.TextDelta{Delta: "eaming."}, answer("First paragraph is complete.\n\nSecond one is still streaming."),
		event.TurnFinished{TurnID: 1, Status: event.TurnCompleted})
	sb := r.scrollback()
	if strings.Count(sb, "First paragraph is complete.") != 1 || strings.Count(sb, "Second one is still streaming.") != 1 {
		t.Fatalf("each block must be printed once:\n%s", sb)
	}
	r.mustNotContain("live area", r.view(), "Second one")
	if r.m.lastAnswer != "First paragraph is complete.\n\nSecond one is still streaming." {
		t.Fatalf("last answer %q", r.m.lastAnswer)
	}
}

// A reply that arrives without deltas is still shown.
func TestAnswerWithoutDeltasIsShown(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, answer("Whole answer at once."), event.TurnFinished{Status: event.TurnCompleted})
	r.mustContain("scrollback", r.scrollback(), "Whole answer at once.")
}

// A running command shows its live output tail and elapsed time; when it
// ends it goes to the scrollback collapsed, and the pager shows it whole.
func TestCommandCellRunsThenCollapsesIntoScrollback(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, shellStarted("c1", "make test"))
	var out strings.Builder
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&out, "output line %d\n", i)
	}
	r.events(event.ToolOutputDelta{CallID: "c1", Delta: out.String()})
	r.now = r.now.Add(3 * time.Second)
	r.send(tickMsg{})
	v := r.view()
	r.mustContain("live area", v, "make test", "output line 30", "3s")
	r.mustNotContain("live area", v, "output line 10\n")
	r.mustNotContain("scrollback", r.scrollback(), "make test")

	r.events(finished("c1", 0, 3*time.Second))
	sb := r.scrollback()
	r.mustContain("scrollback", sb, "make test", "output line 1", "output line 30", "lines")
	r.mustNotContain("scrollback", sb, "output line 15\n")

	r.press('t', tea.ModCtrl)
	if !r.m.View().AltScreen {
		t.Fatal("the pager is not on the alternate screen")
	}
	r.mustContain("pager", r.view(), "Transcript")
	// The pager follows the bottom; page to the top and read everything.
	r.press(tea.KeyHome)
	full := ansi.Strip(r.m.transcript())
	lines := strings.Split(full, "\n")
	for i := 1; i <= 30; i++ {
		want := fmt.Sprintf("output line %d", i)
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "└")) == want }) {
			t.Fatalf("pager transcript lacks %q:\n%s", want, full)
		}
	}
	r.press('q')
	if r.m.pager != nil || r.m.View().AltScreen {
		t.Fatal("q did not close the pager")
	}
}

// Cells print in transcript order: one that finished first waits behind a
// running one that started before it.
func TestCellsWaitBehindAnUnfinishedOne(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, shellStarted("a", "make slow"), shellStarted("b", "make quick"), finished("b", 0, time.Second))
	r.mustNotContain("scrollback", r.scrollback(), "make quick")
	r.mustContain("live area", r.view(), "make slow", "make quick")
	r.events(finished("a", 2, 2*time.Second))
	sb := r.scrollback()
	slow, quick := strings.Index(sb, "make slow"), strings.Index(sb, "make quick")
	if slow < 0 || quick < 0 || slow > quick {
		t.Fatalf("out of order:\n%s", sb)
	}
}

// Consecutive reads collapse into one "explored" cell; a real command
// ends the run.
func TestExplorationCollapsesIntoOneCell(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1},
		shellStarted("1", "cat main.go"), finished("1", 0, time.Millisecond),
		shellStarted("2", "grep -rn TODO src"), finished("2", 0, time.Millisecond),
		shellStarted("3", "cat util.go"), finished("3", 0, time.Millisecond))
	r.mustContain("live area", r.view(), "Exploring", "main.go", "TODO", "util.go")
	r.events(shellStarted("4", "make build"))
	sb := r.scrollback()
	if strings.Count(sb, "Explored") != 1 {
		t.Fatalf("want one explored cell:\n%s", sb)
	}
	r.mustContain("scrollback", sb, "main.go", "TODO", "util.go")
	r.mustNotContain("scrollback", sb, "cat main.go")
}

// Esc interrupts a running turn (unless it closes a completion list).
func TestEscInterruptsTheTurn(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1})
	r.m.turn.running = true
	messages(r.press(tea.KeyEscape)...)
	if r.sess.interrupted != 1 {
		t.Fatalf("interrupted %d times", r.sess.interrupted)
	}

	r.send(filesMsg{paths: []string{"main.go", "README.md"}})
	r.typeText("@ma")
	if !r.m.composer.Completing() {
		t.Fatal("no completion list")
	}
	messages(r.press(tea.KeyEscape)...)
	if r.sess.interrupted != 1 || r.m.composer.Completing() {
		t.Fatalf("esc with completions open: interrupted %d, completing %v", r.sess.interrupted, r.m.composer.Completing())
	}

	r.events(event.TurnFinished{TurnID: 1, Status: event.TurnInterrupted})
	r.mustContain("scrollback", r.scrollback(), "Interrupted")
	if r.m.turn.running {
		t.Fatal("still running")
	}
}

// Ctrl+C clears the composer first; on an empty one it asks once, then
// quits. Ctrl+D quits only on an empty composer.
func TestQuitKeys(t *testing.T) {
	r := newRig(t, 80, 30)
	r.typeText("half a thought")
	r.press('c', tea.ModCtrl)
	if !r.m.composer.Empty() || r.m.quitting {
		t.Fatalf("ctrl+c: value %q quitting %v", r.m.composer.Value(), r.m.quitting)
	}
	r.press('c', tea.ModCtrl)
	r.mustContain("live area", r.view(), "again to quit")
	if r.m.quitting {
		t.Fatal("quit on the first ctrl+c of an empty composer")
	}
	r.typeText("x")
	if r.m.quitArmed {
		t.Fatal("typing did not disarm quitting")
	}
	r.typeText("y")
	r.press('d', tea.ModCtrl)
	if r.m.quitting {
		t.Fatal("ctrl+d quit with text in the composer")
	}
	r.press('c', tea.ModCtrl)
	cmds := r.press('d', tea.ModCtrl)
	if !r.m.quitting {
		t.Fatal("ctrl+d on an empty composer did not quit")
	}
	if !slices.ContainsFunc(messages(cmds...), func(m tea.Msg) bool { _, ok := m.(tea.QuitMsg); return ok }) {
		t.Fatal("no quit message")
	}
}

// Quitting mid-stream prints what was live, so nothing seen is lost.
func TestQuitKeepsTheLiveAreaInTheScrollback(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "Unfinished thought about the code"})
	r.press('c', tea.ModCtrl)
	r.press('c', tea.ModCtrl)
	r.mustContain("scrollback", r.scrollback(), "Unfinished thought about the code")
}

// Messages typed while the agent works are queued into the session and
// join the transcript when the harness takes them.
func TestMessagesTypedWhileWorkingAreQueued(t *testing.T) {
	r := newRig(t, 80, 30)
	r.typeText("first task")
	r.press(tea.KeyEnter)
	if !r.m.turn.running {
		t.Fatal("no turn started")
	}
	r.events(event.TurnStarted{TurnID: 1, Input: "first task"})
	r.typeText("also update the docs")
	r.press(tea.KeyEnter)
	if !slices.Equal(r.sess.queued, []string{"also update the docs"}) {
		t.Fatalf("session queue %q", r.sess.queued)
	}
	r.mustContain("live area", r.view(), "also update the docs", "queued")
	r.mustNotContain("scrollback", r.scrollback(), "also update the docs")
	r.sess.TakeQueued()
	r.events(event.UserInputQueued{TurnID: 1, Input: "also update the docs"})
	r.mustContain("scrollback", r.scrollback(), "also update the docs")
	r.mustNotContain("live area", r.view(), "queued")
}

// Input queued too late for a completed turn becomes the next turn; after
// an interrupted one it goes back to the composer.
func TestLateQueuedInputIsNeverLost(t *testing.T) {
	for _, status := range []string{event.TurnCompleted, event.TurnInterrupted} {
		t.Run(status, func(t *testing.T) {
			r := newRig(t, 80, 30)
			r.typeText("task")
			r.press(tea.KeyEnter)
			r.typeText("one more thing")
			r.press(tea.KeyEnter)
			msgs := messages(r.send(turnDoneMsg{res: harness.TurnResult{Status: status}})...)
			for _, msg := range msgs {
				if q, ok := msg.(queuedMsg); ok {
					r.send(q)
				}
			}
			if status == event.TurnCompleted {
				if !r.m.turn.running {
					t.Fatal("queued input did not start the next turn")
				}
				r.mustContain("scrollback", r.scrollback(), "one more thing")
			} else if got := r.m.composer.Value(); got != "one more thing" {
				t.Fatalf("composer %q", got)
			}
		})
	}
}

// A finished turn or a question rings the terminal only when it is not
// focused.
func TestNotifiesOnlyWhenUnfocused(t *testing.T) {
	r := newRig(t, 80, 30)
	osc := func(cmds []tea.Cmd) bool {
		for _, m := range messages(cmds...) {
			if raw, ok := m.(tea.RawMsg); ok && strings.Contains(fmt.Sprint(raw.Msg), "\x1b]9;warden finished") {
				return true
			}
		}
		return false
	}
	if osc(r.events(event.TurnStarted{TurnID: 1}, event.TurnFinished{TurnID: 1, Status: event.TurnCompleted})) {
		t.Fatal("notified while focused")
	}
	r.send(tea.BlurMsg{})
	if !osc(r.events(event.TurnStarted{TurnID: 2}, event.TurnFinished{TurnID: 2, Status: event.TurnCompleted})) {
		t.Fatal("no notification while unfocused")
	}
	if n := notification("evil\x07\x1b]0;title"); strings.Count(n, "\x07") != 2 || strings.Contains(n, "\x1b]0") {
		t.Fatalf("control characters reach the terminal: %q", n)
	}
}

// Resizing re-wraps the live area: no line is ever wider than the
// terminal, mid-stream too.
func TestResizeRewrapsTheLiveArea(t *testing.T) {
	r := newRig(t, 120, 40)
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: strings.Repeat("a streaming sentence that wraps ", 12)},
		shellStarted("c", "go test ./... -run 'SomethingLong' -count=1 -v"), event.ToolOutputDelta{CallID: "c", Delta: strings.Repeat("x", 300) + "\n"})
	for _, w := range []int{120, 60, 33, 20} {
		r.send(tea.WindowSizeMsg{Width: w, Height: 40})
		if !golden.CheckWidth(t, fmt.Sprintf("live area at width %d", w), r.m.View().Content, w) {
			return
		}
	}
}

// The live area never grows past two thirds of the terminal: the rest is
// where finished cells are printed (see printRoom).
func TestLiveAreaFitsTheTerminal(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1})
	for i := range 6 {
		r.events(shellStarted(fmt.Sprint(i), fmt.Sprintf("make step%d", i)), event.ToolOutputDelta{CallID: fmt.Sprint(i), Delta: "a\nb\nc\nd\ne\nlast output\n"})
	}
	if n := lineCount(r.m.View().Content); n > 20 {
		t.Fatalf("live area of %d lines in a 30-line terminal:\n%s", n, r.view())
	}
	r.mustContain("live area", r.view(), "make step5", "last output")
	for _, h := range []int{12, 5, 3, 1} {
		r.send(tea.WindowSizeMsg{Width: 80, Height: h})
		if n := lineCount(r.m.View().Content); n > max(1, h-max(2, h/3)) {
			t.Fatalf("live area of %d lines in a %d-line terminal:\n%s", n, h, r.view())
		}
	}
}

// A print never has more lines than fit above the tallest live frame, and
// a long answer still reaches the scrollback whole and in order.
func TestLongPrintsAreSplitToFitAboveTheFrame(t *testing.T) {
	r := newRig(t, 80, 16)
	var doc strings.Builder
	doc.WriteString("Here is code:\n\n```\n")
	for i := range 300 {
		fmt.Fprintf(&doc, "line %03d\n", i)
	}
	doc.WriteString("```\n")
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: doc.String()}, answer(doc.String()), event.TurnFinished{Status: event.TurnCompleted})
	for _, p := range r.printed {
		// 16 rows: the live frame may take 11, so a print may have 5.
		if n := lineCount(p); n > 5 {
			t.Fatalf("a print of %d lines in a 16-line terminal", n)
		}
	}
	sb := r.scrollback()
	last := -1
	for i := range 300 {
		at := strings.Index(sb, fmt.Sprintf("line %03d", i))
		if at < 0 || at < last || strings.Count(sb, fmt.Sprintf("line %03d", i)) != 1 {
			t.Fatalf("line %03d missing, repeated or out of order:\n%s", i, sb)
		}
		last = at
	}
}

// Without a model to talk to, the TUI says how to get one and quits on
// the first ctrl+c.
func TestSetupScreen(t *testing.T) {
	r := newRig(t, 80, 30, func(o *Options) { o.Session = nil; o.Setup = "warden needs a model: export OPENAI_API_KEY=..." })
	r.mustContain("scrollback", r.scrollback(), "export OPENAI_API_KEY")
	r.typeText("hello")
	r.press(tea.KeyEnter)
	if len(r.sess.turns) != 0 {
		t.Fatal("a turn ran without a session")
	}
	r.press('c', tea.ModCtrl)
	if !r.m.quitting {
		t.Fatal("ctrl+c did not quit the setup screen")
	}
}

// Approval requests are answered one after another with single keys; any
// other key is ignored, never taken as a yes.
func TestApprovalsAreAnsweredInOrder(t *testing.T) {
	r := newRig(t, 80, 30)
	var got []string
	req := func(id, script string) event.ApprovalRequested {
		return event.ApprovalRequested{ID: id, Kind: "command", Script: script, Reason: "destructive: rm -rf deletes recursively",
			Respond: func(d event.Decision) {
				got = append(got, fmt.Sprintf("%s:%v:%s:%v", id, d.Approved, d.Remember, d.Stop))
			}}
	}
	r.events(event.TurnStarted{TurnID: 1}, req("1", "rm -rf build"), req("2", "git push"))
	r.mustContain("live area", r.view(), "rm -rf build", "destructive", "1 of 2")
	// Keys typed as the question appears are not answers.
	messages(r.send(tea.KeyPressMsg{Code: 'a', Text: "a"})...)
	if len(got) != 0 {
		t.Fatalf("a key typed as the question appeared answered it: %q", got)
	}
	r.now = r.now.Add(approvaldialog.Grace)
	messages(r.send(tea.KeyPressMsg{Code: 'x', Text: "x"})...)
	if len(got) != 0 || r.m.composer.Value() != "" {
		t.Fatalf("a stray key answered or was typed: %q %q", got, r.m.composer.Value())
	}
	messages(r.send(tea.KeyPressMsg{Code: 'a', Text: "a"})...)
	r.mustContain("live area", r.view(), "git push")
	messages(r.press(tea.KeyEscape)...) // the next question's grace has not passed
	if len(got) != 1 {
		t.Fatalf("decisions %q", got)
	}
	r.now = r.now.Add(approvaldialog.Grace)
	messages(r.press(tea.KeyEscape)...)
	if !slices.Equal(got, []string{"1:true:session:false", "2:false::true"}) {
		t.Fatalf("decisions %q", got)
	}
	if r.sess.interrupted != 0 {
		t.Fatal("esc on a question interrupted the turn itself")
	}
}

// A retry drops the partial reply it replaces.
func TestRetryDropsThePartialReply(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "half a rep"},
		event.Retrying{Attempt: 1, MaxAttempts: 5, Delay: time.Second, Reason: "connection reset"})
	r.mustNotContain("live area", r.view(), "half a rep")
	r.events(event.TextDelta{Delta: "The whole reply."}, answer("The whole reply."), event.TurnFinished{Status: event.TurnCompleted})
	sb := r.scrollback()
	r.mustContain("scrollback", sb, "connection reset", "The whole reply.")
	r.mustNotContain("scrollback", sb, "half a rep")
}

// /copy puts the last answer on the clipboard (OSC 52).
func TestCopyCommand(t *testing.T) {
	r := newRig(t, 80, 30)
	r.typeText("/copy")
	r.press(tea.KeyEnter)
	r.mustContain("scrollback", r.scrollback(), "Nothing to copy")
	r.events(event.TurnStarted{TurnID: 1}, answer("copy me"), event.TurnFinished{Status: event.TurnCompleted})
	r.typeText("/copy")
	cmds := r.press(tea.KeyEnter)
	var clip bool
	for _, m := range messages(cmds...) {
		if fmt.Sprintf("%T", m) == "tea.setClipboardMsg" && fmt.Sprint(m) == "copy me" {
			clip = true
		}
	}
	if !clip {
		t.Fatal("no clipboard message")
	}
}

// Reasoning summaries stream into their own cell before the answer.
func TestReasoningCell(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, event.ReasoningDelta{Delta: "**Reading the code**\n\nLooking at main.go"})
	r.mustContain("live area", r.view(), "Reading the code")
	r.events(event.ItemCompleted{Item: model.Item{Type: model.ItemReasoning}}, event.TextDelta{Delta: "Done."}, answer("Done."), event.TurnFinished{Status: event.TurnCompleted})
	sb := r.scrollback()
	if strings.Index(sb, "Reading the code") > strings.Index(sb, "Done.") {
		t.Fatalf("reasoning after the answer:\n%s", sb)
	}
}

// The answer to a question is told before the command it concerns.
func TestApprovalAnswerReadsBeforeTheCommand(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, shellStarted("c1", "rm -rf build"),
		event.ApprovalRequested{ID: "1", CallID: "c1", Kind: "command", Script: "rm -rf build", Respond: func(event.Decision) {}})
	r.now = r.now.Add(approvaldialog.Grace)
	messages(r.send(tea.KeyPressMsg{Code: 'y', Text: "y"})...)
	r.events(finished("c1", 0, time.Second))
	sb := r.scrollback()
	if a, c := strings.Index(sb, "Approved once"), strings.Index(sb, "Ran rm -rf build"); a < 0 || c < 0 || a > c {
		t.Fatalf("order:\n%s", sb)
	}
}

// The quitting frame is blank and as tall as the last one, so bubbletea
// leaves nothing of the live area behind (see view).
func TestQuittingFrameIsBlankAndAsTall(t *testing.T) {
	r := newRig(t, 80, 30)
	before := lineCount(r.m.View().Content)
	r.press('c', tea.ModCtrl)
	r.press('c', tea.ModCtrl)
	v := r.m.View().Content
	if lineCount(v) != before || strings.TrimSpace(v) != "" {
		t.Fatalf("quitting frame of %d lines (want %d blank): %q", lineCount(v), before, v)
	}
}

// While a turn runs the frame keeps its full height, whatever is live, so
// every print lands above a frame of known size; once the turn is over and
// everything is printed, it shrinks to what it shows.
func TestFrameIsPinnedWhileTheAgentWorks(t *testing.T) {
	r := newRig(t, 80, 30)
	idle := lineCount(r.m.View().Content)
	r.events(event.TurnStarted{TurnID: 1})
	r.m.turn.running = true
	for _, delta := range []string{"short", " answer\n\nwith a second paragraph", "\n\n"} {
		r.events(event.TextDelta{Delta: delta})
		if got := lineCount(r.m.View().Content); got != r.m.liveLimit() {
			t.Fatalf("frame of %d lines while working, want %d", got, r.m.liveLimit())
		}
	}
	r.events(answer("short answer\n\nwith a second paragraph"), event.TurnFinished{TurnID: 1, Status: event.TurnCompleted})
	r.send(turnDoneMsg{res: harness.TurnResult{Status: event.TurnCompleted}})
	if got := lineCount(r.m.View().Content); got != idle {
		t.Fatalf("frame of %d lines after the turn, want %d", got, idle)
	}
}

// Nothing in a question reaches the terminal as a control sequence: the
// command, justification and paths come from the model.
func TestApprovalQuestionIsCleaned(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, event.ApprovalRequested{ID: "1", Kind: "command",
		Script:        "\x1b[8mrm -rf ~;\x1b[28m ls",
		Justification: "tidy up\x1b]52;c;aGk=\x07 please", Reason: "\x9b31mreason",
		Respond: func(event.Decision) {}})
	v := r.m.View().Content
	for _, bad := range []string{"\x1b[8m", "\x1b]52", "\x07", "\x9b"} {
		if strings.Contains(v, bad) {
			t.Fatalf("%q reached the terminal:\n%q", bad, v)
		}
	}
	r.mustContain("live area", r.view(), "rm -rf ~;", "tidy up")
}

// A question closes the pager: in the alternate screen it would not be seen.
func TestApprovalClosesThePager(t *testing.T) {
	r := newRig(t, 80, 30)
	r.press('t', tea.ModCtrl)
	if r.m.pager == nil {
		t.Fatal("no pager")
	}
	r.events(event.TurnStarted{TurnID: 1}, event.ApprovalRequested{ID: "1", Kind: "command", Script: "make deploy", Respond: func(event.Decision) {}})
	if r.m.pager != nil || r.m.View().AltScreen {
		t.Fatal("the pager hides the question")
	}
	r.mustContain("live area", r.view(), "make deploy")
}

// Quitting mid-turn prints every live cell, each separated, and calls that
// were still running end as aborted, not "Running" forever.
func TestQuitPrintsEveryLiveCellFinished(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "thinking about it"}, shellStarted("c1", "make build"))
	r.press('c', tea.ModCtrl)
	r.press('c', tea.ModCtrl)
	sb := r.scrollback()
	r.mustContain("scrollback", sb, "thinking about it\n\n", "make build")
	r.mustNotContain("scrollback", sb, "Running")
}

// The first prompt follows the welcome, at the terminal's real width.
func TestFirstPromptFollowsTheWelcome(t *testing.T) {
	r := newRig(t, 60, 30, func(o *Options) { o.FirstPrompt = "fix the build" })
	sb := r.scrollback()
	w, p := strings.Index(sb, "warden test"), strings.Index(sb, "fix the build")
	if w < 0 || p < 0 || w > p {
		t.Fatalf("order:\n%s", sb)
	}
	if !r.m.turn.running {
		t.Fatal("the first prompt did not start a turn")
	}
}

// A retry after part of the reply reached the scrollback leaves that part
// there and prints the new reply, not the rest of the failed one.
func TestRetryAfterAPartlyPrintedReply(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "First paragraph.\n\nSecond one was cut"})
	r.events(event.Retrying{Attempt: 1, MaxAttempts: 5, Delay: time.Second, Reason: "connection reset"},
		event.TextDelta{Delta: "The retried reply."}, answer("The retried reply."), event.TurnFinished{Status: event.TurnCompleted})
	sb := r.scrollback()
	r.mustContain("scrollback", sb, "First paragraph.", "connection reset", "The retried reply.")
	r.mustNotContain("scrollback", sb, "was cut")
}

// A command's time counts from the user's answer, not from the question.
func TestApprovedCommandTimeStartsAtTheAnswer(t *testing.T) {
	r := newRig(t, 80, 30)
	r.events(event.TurnStarted{TurnID: 1}, shellStarted("c1", "rm -rf build"),
		event.ApprovalRequested{ID: "1", CallID: "c1", Kind: "command", Script: "rm -rf build", Respond: func(event.Decision) {}})
	r.now = r.now.Add(30 * time.Second) // the user thinks it over
	messages(r.send(tea.KeyPressMsg{Code: 'y', Text: "y"})...)
	r.now = r.now.Add(200 * time.Millisecond)
	r.events(finished("c1", 0, 30*time.Second+200*time.Millisecond))
	sb := r.scrollback()
	r.mustContain("scrollback", sb, "Ran rm -rf build", "0.2s")
	r.mustNotContain("scrollback", sb, "30.2s")
}

// /init asks the agent to write AGENTS.md; /status shows the report the
// front-end builds, off the UI loop.
func TestInitAndStatusCommands(t *testing.T) {
	r := newRig(t, 80, 30, func(o *Options) {
		o.Control = &fakeControl{report: "Session  s-1\nSandbox  read-only (probe: ready)"}
	})
	r.typeText("/init")
	r.press(tea.KeyEnter)
	if !r.m.turn.running {
		t.Fatal("/init started no turn")
	}
	r.mustContain("scrollback", r.scrollback(), "AGENTS.md")
	r.send(turnDoneMsg{res: harness.TurnResult{Status: event.TurnCompleted}})
	r.typeText("/status")
	r.deliver(r.press(tea.KeyEnter))
	r.mustContain("scrollback", r.scrollback(), "Session  s-1", "probe: ready")
}
