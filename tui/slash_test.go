package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/tui/status"
)

func withControl(c *fakeControl) func(*Options) {
	return func(o *Options) { o.Control = c }
}

// command types a slash command and sends it, delivering what its
// control calls answer.
func (r *rig) command(name string) {
	r.typeText("/" + name)
	r.deliver(r.press(tea.KeyEnter))
}

func TestModelCommandChoosesAModelAndEffort(t *testing.T) {
	ctl := &fakeControl{models: []string{"gpt-4.1", "gpt-5", "o3", "o4-mini"}}
	r := newRig(t, 80, 30, withControl(ctl))
	r.command("model")
	if r.m.picker == nil || r.m.picker.kind != pickModel {
		t.Fatal("/model opened no model picker")
	}
	r.mustContain("picker", r.view(), "Choose a model", "gpt-4.1", "o4-mini")
	r.typeText("o3")
	r.deliver(r.press(tea.KeyEnter))
	if r.m.picker == nil || r.m.picker.kind != pickEffort {
		t.Fatal("choosing a model did not ask for the effort")
	}
	r.mustContain("effort picker", r.view(), "Reasoning effort for o3", "default", "minimal", "high")
	for range 5 { // default, none, minimal, low, medium → high
		r.press(tea.KeyDown)
	}
	r.deliver(r.press(tea.KeyEnter))
	if len(ctl.setModels) != 1 || ctl.setModels[0] != [2]string{"o3", "high"} {
		t.Fatalf("SetModel calls %v", ctl.setModels)
	}
	if r.m.picker != nil {
		t.Fatal("the picker stayed open")
	}
	r.mustContain("scrollback", r.scrollback(), "Model: o3, reasoning high")
	// The status line follows the session, not the picker.
	r.events(event.SessionUpdated{Model: "o3", ReasoningEffort: "high", SandboxMode: "workspace-write", ApprovalPolicy: "on-request"})
	r.mustContain("status line", r.view(), "o3")
}

// A server that cannot list its models still lets the user name one.
func TestModelCommandTakesATypedNameWhenTheListFails(t *testing.T) {
	ctl := &fakeControl{modelsErr: errors.New("HTTP 404: not found")}
	r := newRig(t, 100, 30, withControl(ctl))
	r.command("model")
	r.mustContain("picker", r.view(), "Could not list the provider's models", "HTTP 404")
	r.typeText("qwen3-coder")
	r.deliver(r.press(tea.KeyEnter))
	r.deliver(r.press(tea.KeyEnter)) // effort: default
	if len(ctl.setModels) != 1 || ctl.setModels[0] != [2]string{"qwen3-coder", ""} {
		t.Fatalf("SetModel calls %v", ctl.setModels)
	}
}

func TestModelAndApprovalsWaitForTheTurn(t *testing.T) {
	ctl := &fakeControl{}
	r := newRig(t, 80, 30, withControl(ctl))
	r.events(event.TurnStarted{TurnID: 1})
	for _, name := range []string{"model", "approvals", "new"} {
		r.command(name)
		if r.m.picker != nil {
			t.Fatalf("/%s opened a picker during a turn", name)
		}
	}
	r.mustContain("scrollback", r.scrollback(), "/model changes the session: wait for the turn to end", "/new changes the session")
	if ctl.newCalls != 0 {
		t.Fatal("/new ran during a turn")
	}
}

func TestApprovalsCommandSetsAPresetAndFullAccessIsConfirmed(t *testing.T) {
	ctl := &fakeControl{access: Access{Mode: "read-only", Why: "chosen", Policy: "on-request"}}
	r := newRig(t, 100, 30, withControl(ctl))
	r.command("approvals")
	r.mustContain("picker", r.view(), "Read Only", "Auto", "Full Access")
	// The current preset (auto: workspace-write, on-request) is selected.
	r.press(tea.KeyUp)
	r.deliver(r.press(tea.KeyEnter))
	if len(ctl.presets) != 1 || ctl.presets[0] != "read-only" {
		t.Fatalf("presets %v", ctl.presets)
	}
	r.mustContain("status line", r.view(), "read-only")
	r.mustContain("scrollback", r.scrollback(), "Sandbox: read-only (chosen)")

	r.command("approvals")
	r.press(tea.KeyEnd)
	r.deliver(r.press(tea.KeyEnter))
	if r.m.picker == nil || r.m.picker.kind != pickFullAccess {
		t.Fatal("full access was not confirmed first")
	}
	r.mustContain("confirmation", r.view(), "Run every command without the sandbox?")
	r.deliver(r.press(tea.KeyEnter)) // the default: no
	if len(ctl.presets) != 1 {
		t.Fatalf("declining full access still set %v", ctl.presets)
	}
	r.command("approvals")
	r.press(tea.KeyEnd)
	r.deliver(r.press(tea.KeyEnter))
	r.press(tea.KeyDown)
	ctl.access = Access{Mode: "full-access", Why: "chosen", Policy: "never", Network: true}
	r.deliver(r.press(tea.KeyEnter))
	if len(ctl.presets) != 2 || ctl.presets[1] != "full-access" {
		t.Fatalf("presets %v", ctl.presets)
	}
	r.mustContain("status line", r.view(), "full-access")
}

func TestPermissionsCommandRevokesAfterAskingAndListsWhatIsLeft(t *testing.T) {
	ctl := &fakeControl{perms: []Permission{
		{Title: "allow git status", Source: "/home/dev/.config/warden/rules.toml:3", Ref: 1},
		{Title: "deny git push", Source: "/home/dev/proj/.warden/rules.toml:1", Ref: 2, NoRevoke: "the repository's own rule"},
		{Title: "allow exactly: make deploy", Source: "this session", Ref: 3},
	}}
	r := newRig(t, 100, 30, withControl(ctl))
	r.command("permissions")
	r.mustContain("picker", r.view(), "allow git status", "~/.config/warden/rules.toml:3", "deny git push", "make deploy")
	r.press(tea.KeyDown)
	r.typeText("x")
	r.mustContain("no revoke", r.view(), "the repository's own rule")
	r.press(tea.KeyDown)
	r.typeText("x")
	r.mustContain("question", r.view(), "Revoke?")
	r.typeText("n")
	if len(ctl.revoked) != 0 {
		t.Fatalf("revoked %v after n", ctl.revoked)
	}
	r.typeText("x")
	for _, msg := range messages(r.send(tea.KeyPressMsg{Code: 'y', Text: "y"})...) {
		if _, ok := msg.(controlDoneMsg); ok {
			r.deliver(r.send(msg))
		}
	}
	if len(ctl.revoked) != 1 || ctl.revoked[0].Ref != 3 {
		t.Fatalf("revoked %v", ctl.revoked)
	}
	r.mustContain("scrollback", r.scrollback(), "Revoked: allow exactly: make deploy")
	if r.m.picker == nil {
		t.Fatal("the picker closed after revoking")
	}
	r.mustNotContain("picker after revoking", r.view(), "make deploy")
	r.press(tea.KeyEscape)
	if r.m.picker != nil {
		t.Fatal("esc did not close the picker")
	}
}

// An approval question takes the screen from an open picker.
func TestAnApprovalClosesThePicker(t *testing.T) {
	ctl := &fakeControl{perms: []Permission{{Title: "allow ls", Source: "this session", Ref: 1}}}
	r := newRig(t, 80, 30, withControl(ctl))
	r.command("permissions")
	r.events(event.TurnStarted{TurnID: 1}, shellStarted("c1", "rm -rf build"),
		event.ApprovalRequested{ID: "1", CallID: "c1", Kind: "command", Script: "rm -rf build", Respond: func(event.Decision) {}})
	if r.m.picker != nil || r.m.dialog == nil {
		t.Fatal("the question did not replace the picker")
	}
}

func TestDiffCommandOpensThePagerAndTogglesSideBySide(t *testing.T) {
	ctl := &fakeControl{diff: []event.FileChange{{
		Path: "main.go", Kind: "update", Added: 1, Removed: 1,
		Diff: "--- a/main.go\n+++ b/main.go\n@@ -1,3 +1,3 @@\n package main\n-var x = 1\n+var x = 2\n func main() {}\n",
	}}}
	r := newRig(t, 160, 30, withControl(ctl))
	r.command("diff")
	if r.m.pager == nil || r.m.diff == nil {
		t.Fatal("/diff opened no pager")
	}
	view := r.view()
	r.mustContain("diff pager", view, "Changes since the session started · 1 file · +1 −1", "main.go", "var x = 2", "s unified")
	split := r.m.diff.split
	r.typeText("s")
	if r.m.diff.split == split {
		t.Fatal("s did not toggle side by side")
	}
	if r.view() == view {
		t.Fatal("toggling side by side changed nothing on screen")
	}
	r.typeText("q")
	if r.m.pager != nil || r.m.diff != nil {
		t.Fatal("q did not close the diff")
	}

	ctl.diff = nil
	r.command("diff")
	r.mustContain("scrollback", r.scrollback(), "No changes in the workspace since the session started.")
	ctl.diffErr = errors.New("/diff needs git, which is not installed")
	r.command("diff")
	r.mustContain("scrollback", r.scrollback(), "/diff: /diff needs git")
}

func TestNewCommandSwapsTheSession(t *testing.T) {
	next := &fakeSession{result: harness.TurnResult{Status: event.TurnCompleted}}
	ctl := &fakeControl{next: next}
	r := newRig(t, 80, 30, withControl(ctl))
	first := r.sess
	r.events(event.TokenUsage{Session: model.Usage{TotalTokens: 1234}})
	r.command("new")
	if ctl.newCalls != 1 {
		t.Fatalf("NewSession called %d times", ctl.newCalls)
	}
	if strings.Count(r.scrollback(), "Type a message and press enter") != 2 {
		t.Fatalf("the welcome was not shown again:\n%s", r.scrollback())
	}
	r.mustContain("scrollback", r.scrollback(), "Started a new session")
	r.typeText("hello")
	r.deliver(r.press(tea.KeyEnter))
	if len(first.turns) != 0 || len(next.turns) != 1 || next.turns[0] != "hello" {
		t.Fatalf("turns: old %v, new %v", first.turns, next.turns)
	}
	if r.m.status.TokensUsed != 0 {
		t.Fatalf("tokens carried over: %d", r.m.status.TokensUsed)
	}
}

// A question appearing while the user types keeps what they typed: the
// keys go to the dialog meanwhile, and the draft is back once it is
// answered.
func TestDraftSurvivesAQuestionAndAPicker(t *testing.T) {
	r := newRig(t, 80, 30, withControl(&fakeControl{}))
	r.events(event.TurnStarted{TurnID: 1})
	r.typeText("half a thought")
	var answered []event.Decision
	r.events(shellStarted("c1", "rm -rf build"),
		event.ApprovalRequested{ID: "1", CallID: "c1", Kind: "command", Script: "rm -rf build",
			Respond: func(d event.Decision) { answered = append(answered, d) }})
	r.typeText("xyz") // ignored by the dialog: not an answer
	r.now = r.now.Add(time.Second)
	r.deliver(r.send(tea.KeyPressMsg{Code: 'n', Text: "n"}))
	if r.m.dialog != nil {
		t.Fatal("the dialog is still open")
	}
	if len(answered) != 1 || answered[0].Approved {
		t.Fatalf("answers %+v", answered)
	}
	r.typeText(" more")
	if got := r.m.composer.Value(); got != "half a thought more" {
		t.Fatalf("draft after the question = %q", got)
	}
}

func TestBranchOfReadsHEADWithoutGit(t *testing.T) {
	root := t.TempDir()
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(root, ".git", "HEAD"), "ref: refs/heads/feature/x\n")
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := branchOf(filepath.Join(root, "a", "b")); got != "feature/x" {
		t.Fatalf("branch = %q", got)
	}
	// A linked worktree: .git is a file naming the real directory.
	wt := t.TempDir()
	write(filepath.Join(wt, ".git"), "gitdir: "+filepath.Join(root, ".git", "worktrees", "wt")+"\n")
	write(filepath.Join(root, ".git", "worktrees", "wt", "HEAD"), "ref: refs/heads/other\n")
	if got := branchOf(wt); got != "other" {
		t.Fatalf("worktree branch = %q", got)
	}
	write(filepath.Join(root, ".git", "HEAD"), "0123456789abcdef0123456789abcdef01234567\n")
	if got := branchOf(root); got != "" {
		t.Fatalf("detached HEAD gave %q", got)
	}
	write(filepath.Join(root, ".git", "HEAD"), "ref: refs/heads/\x1b]0;pwned\x07main\n")
	if got := branchOf(root); strings.ContainsRune(got, 0x1b) {
		t.Fatalf("branch not cleaned: %q", got)
	}
}

// What finishes while the pager has the alternate screen is printed into
// the scrollback when it closes: a print made there would be lost.
func TestCellsFinishedUnderThePagerArePrintedWhenItCloses(t *testing.T) {
	r := newRig(t, 80, 30)
	r.ask("stream something")
	r.events(event.TurnStarted{TurnID: 1, Input: "stream something"})
	r.press('t', tea.ModCtrl)
	if r.m.pager == nil {
		t.Fatal("no pager")
	}
	r.events(event.TextDelta{Delta: "ALPHA paragraph.\n\nBETA paragraph.\n\n"}, answer("ALPHA paragraph.\n\nBETA paragraph."),
		event.TurnFinished{TurnID: 1, Status: event.TurnCompleted})
	r.send(turnDoneMsg{res: harness.TurnResult{Status: event.TurnCompleted}})
	if strings.Contains(r.scrollback(), "ALPHA") {
		t.Fatal("printed while the pager had the screen")
	}
	r.press(tea.KeyEscape)
	if r.m.pager != nil {
		t.Fatal("the pager did not close")
	}
	r.mustContain("scrollback", r.scrollback(), "ALPHA paragraph.", "BETA paragraph.")
}

// A message sent while /new is starting the next session goes to that
// session, shown as queued meanwhile: never to the one being ended.
func TestMessageSentDuringNewGoesToTheNewSession(t *testing.T) {
	next := &fakeSession{result: harness.TurnResult{Status: event.TurnCompleted}}
	ctl := &fakeControl{next: next}
	r := newRig(t, 80, 30, withControl(ctl))
	first := r.sess
	r.typeText("/new")
	cmds := r.press(tea.KeyEnter) // NewSession not answered yet
	r.typeText("try1")
	r.deliver(r.press(tea.KeyEnter))
	r.mustContain("live area", r.view(), "try1")
	if len(first.turns) != 0 {
		t.Fatalf("sent to the old session: %v", first.turns)
	}
	r.deliver(cmds) // the new session is ready
	if len(next.turns) != 1 || next.turns[0] != "try1" {
		t.Fatalf("new session's turns %v", next.turns)
	}
	if len(first.turns) != 0 {
		t.Fatalf("old session's turns %v", first.turns)
	}
}

// Run writes the welcome before the program starts (a print before
// bubbletea's first frame lands at the top of the screen); the program
// then does not print it again, and /new still prints its own.
func TestWelcomeWrittenBeforeStartIsNotPrintedAgain(t *testing.T) {
	ctl := &fakeControl{next: &fakeSession{result: harness.TurnResult{Status: event.TurnCompleted}}}
	var out strings.Builder
	r := newRig(t, 80, 30, withControl(ctl), func(o *Options) {})
	// A fresh model, as Run makes it, with the welcome written first.
	m := New(r.m.opts)
	if err := m.WriteWelcome(&out, 80); err != nil {
		t.Fatal(err)
	}
	r.printed = nil
	r.m = m
	r.m.frame.interval = 0
	r.send(tea.WindowSizeMsg{Width: 80, Height: 30})
	if !strings.Contains(out.String(), "Type a message and press enter") {
		t.Fatalf("welcome written: %q", out.String())
	}
	if strings.Contains(r.scrollback(), "Type a message and press enter") {
		t.Fatal("the welcome was printed again")
	}
	r.command("new")
	if !strings.Contains(r.scrollback(), "Type a message and press enter") {
		t.Fatalf("/new printed no welcome:\n%s", r.scrollback())
	}
}

// The welcome is written straight to the terminal: a directory named with
// escape sequences (a window title, colours) or a bidi override must not
// act on it or hide.
func TestWelcomeCleansTheDirectoryName(t *testing.T) {
	r := newRig(t, 80, 30, func(o *Options) {
		o.Status.Cwd = "/tmp/pp\x1b[31mRED\x1b]0;PWNED\a\u202eevil"
	})
	var out strings.Builder
	m := New(r.m.opts)
	if err := m.WriteWelcome(&out, 80); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, "\x1b]0;") || strings.Contains(got, "\x1b[31m") || strings.ContainsRune(got, '\u202e') || !strings.Contains(got, "<U+202E>") {
		t.Fatalf("welcome: %q", got)
	}
	line := status.Render(r.m.statusInfo(), 200, r.m.styles)
	if strings.ContainsRune(line, '\u202e') || strings.Contains(line, "\x1b]0;") {
		t.Fatalf("status line: %q", line)
	}
}

// Warnings the session gave before the program started (a file it did
// not read) are written with the welcome, not printed before the first
// frame, where bubbletea would put them over the top of the screen.
func TestEarlyWarningsAreWrittenWithTheWelcome(t *testing.T) {
	bridge := NewBridge()
	bridge.Sink(event.SessionStarted{Model: "gpt-5", SandboxMode: "read-only", ApprovalPolicy: "on-request"})
	bridge.Sink(event.Error{Kind: "instructions", Message: "/repo/AGENTS.md was not read: it is a link to a file outside the project"})
	r := newRig(t, 80, 30, func(o *Options) { o.Bridge = bridge })
	m := New(r.m.opts)
	var out strings.Builder
	if err := m.WriteWelcome(&out, 80); err != nil {
		t.Fatal(err)
	}
	got := ansi.Strip(out.String())
	w, n := strings.Index(got, "Type a message"), strings.Index(got, "AGENTS.md was not read")
	if w < 0 || n < 0 || n < w {
		t.Fatalf("welcome and warning: %q", got)
	}
	if len(bridge.take()) != 0 {
		t.Fatal("the events were left in the bridge: they would be printed again")
	}
}

type ctxControl struct {
	fakeControl
	errAtCall error
}

func (c *ctxControl) Models(ctx context.Context) ([]string, error) {
	c.errAtCall = ctx.Err()
	return nil, ctx.Err()
}

// Closing /model stops the request for the provider's list: a server that
// never answers must not keep one connection per /model opened.
func TestClosingTheModelPickerStopsTheListRequest(t *testing.T) {
	ctl := &ctxControl{}
	r := newRig(t, 80, 30, func(o *Options) { o.Control = ctl })
	r.typeText("/model")
	cmds := r.press(tea.KeyEnter)
	r.press(tea.KeyEscape)
	if r.m.picker != nil {
		t.Fatal("esc did not close the picker")
	}
	messages(cmds...)
	if ctl.errAtCall == nil {
		t.Fatal("the list request was not cancelled when the picker closed")
	}
}
