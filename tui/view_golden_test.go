package tui

import (
	"flag"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files")

// viewWidths are the terminal widths every root-view golden is drawn at;
// viewHeight is a common terminal's height, small enough that long live
// areas (the help, a running command) must be cut to fit.
var viewWidths = []int{40, 80, 120}

const viewHeight = 24

// viewTheme is a palette the root model can be started with.
type viewTheme struct {
	name string
	opt  func(*Options)
}

// withColor is the rig option for the colour palette: the model starts
// dark, as it does before the terminal reports its background.
func withColor(o *Options) { o.NoColor = false }

var viewThemes = []viewTheme{
	{"nocolor", func(*Options) {}},
	{"dark", withColor},
}

// viewState brings a rig from just after the welcome to the state to draw.
type viewState struct {
	name  string
	opts  []func(*Options)
	drive func(r *rig)
}

var viewStates = []viewState{
	{name: "idle", drive: func(*rig) {}},
	{name: "streaming", drive: func(r *rig) {
		r.ask("Explain the build")
		r.events(event.TurnStarted{TurnID: 1, Input: "Explain the build"},
			event.TextDelta{Delta: "The build has **two stages**: `make gen` writes the generated code, then `go build` compiles it.\n\n"},
			event.TextDelta{Delta: "The second stage is where the tests run, and where the"})
	}},
	{name: "running_command", drive: func(r *rig) {
		r.ask("Run the tests")
		r.events(event.TurnStarted{TurnID: 1, Input: "Run the tests"}, shellStarted("c1", "go test ./..."))
		var out strings.Builder
		for i := 1; i <= 12; i++ {
			fmt.Fprintf(&out, "ok  \twarden/pkg%02d\t0.%02ds\n", i, i)
		}
		r.events(event.ToolOutputDelta{CallID: "c1", Delta: out.String() + "=== RUN   TestSlowIntegration"})
		r.now = r.now.Add(7*time.Second + 400*time.Millisecond)
		r.m.spinner-- // the tick below advances it again: keep the frame golden
		r.send(tickMsg{})
	}},
	{name: "explored_running", drive: func(r *rig) {
		r.ask("Where is the config loaded?")
		r.events(event.TurnStarted{TurnID: 1, Input: "Where is the config loaded?"},
			shellStarted("1", "ls"), finished("1", 0, time.Millisecond),
			shellStarted("2", "cat config/load.go"), finished("2", 0, time.Millisecond),
			shellStarted("3", "grep -rn LoadConfig ."), finished("3", 0, time.Millisecond),
			shellStarted("4", "cat cmd/warden/main.go"))
	}},
	{name: "explored_done", drive: func(r *rig) {
		r.ask("Where is the config loaded?")
		r.events(event.TurnStarted{TurnID: 1, Input: "Where is the config loaded?"},
			shellStarted("1", "ls"), finished("1", 0, time.Millisecond),
			shellStarted("2", "cat config/load.go"), finished("2", 0, time.Millisecond),
			shellStarted("3", "grep -rn LoadConfig ."), finished("3", 0, time.Millisecond),
			event.TextDelta{Delta: "It is loaded in `config/load.go`, by `LoadConfig`"})
	}},
	{name: "approval", drive: func(r *rig) {
		r.ask("Clean up and publish")
		r.events(event.TurnStarted{TurnID: 1, Input: "Clean up and publish"},
			shellStarted("c1", "rm -rf build"),
			event.ApprovalRequested{ID: "1", CallID: "c1", Kind: "command", Script: "rm -rf build", Cwd: "/home/dev/proj",
				Justification: "The stale build directory breaks the incremental compile.",
				Reason:        "destructive: rm -rf deletes recursively", Respond: func(event.Decision) {}},
			shellStarted("c2", "git push --force origin main"),
			event.ApprovalRequested{ID: "2", CallID: "c2", Kind: "command", Command: []string{"git", "push", "--force", "origin", "main"},
				Cwd: "/home/dev/proj", Reason: "rewrites the remote's history", Respond: func(event.Decision) {}})
		r.now = r.now.Add(2 * time.Second)
		r.m.spinner--
		r.send(tickMsg{})
	}},
	{name: "queued", drive: func(r *rig) {
		r.ask("Rename the package")
		r.events(event.TurnStarted{TurnID: 1, Input: "Rename the package"},
			event.TextDelta{Delta: "Renaming `store` to `cache` across the tree"})
		r.ask("also update the docs")
	}},
	{name: "help", drive: func(r *rig) { r.typeText("?") }},
	{name: "permissions", opts: []func(*Options){withControl(&fakeControl{perms: []Permission{
		{Title: "allow git status", Source: "/home/dev/.config/warden/rules.toml:3", Ref: 1},
		{Title: "deny git push", Source: "/home/dev/proj/.warden/rules.toml:1", Ref: 2, NoRevoke: "the repository's own rule"},
		{Title: "allow exactly: make deploy", Source: "this session", Ref: 3},
	}})}, drive: func(r *rig) { r.command("permissions") }},
	{name: "model", opts: []func(*Options){withControl(&fakeControl{models: []string{"gpt-4.1", "gpt-5", "gpt-5-mini", "o3", "o4-mini"}})},
		drive: func(r *rig) { r.command("model"); r.typeText("o") }},
	{name: "diff", opts: []func(*Options){withControl(&fakeControl{diff: []event.FileChange{{
		Path: "main.go", Kind: "update", Added: 1, Removed: 1,
		Diff: "--- a/main.go\n+++ b/main.go\n@@ -1,3 +1,3 @@\n package main\n-var x = 1\n+var x = 2\n func main() {}\n",
	}, {Path: "notes.txt", Kind: "add", Added: 1, Diff: "--- /dev/null\n+++ b/notes.txt\n@@ -0,0 +1 @@\n+made by a shell command\n"}}})},
		drive: func(r *rig) { r.command("diff") }},
	{name: "setup", opts: []func(*Options){func(o *Options) { o.Session = nil; o.Setup = SetupHelp("OPENAI_API_KEY") }}},
	{name: "pager", drive: func(r *rig) {
		for i := 1; i <= 4; i++ {
			q := fmt.Sprintf("Fix failing test number %d", i)
			r.ask(q)
			id := fmt.Sprint(i)
			var out strings.Builder
			for j := 1; j <= 15; j++ {
				fmt.Fprintf(&out, "--- FAIL: TestCase%d_%d (0.00s)\n", i, j)
			}
			reply := fmt.Sprintf("Test %d failed because the fixture was stale.\n\nI regenerated it; the suite passes now.", i)
			r.events(event.TurnStarted{TurnID: i, Input: q},
				shellStarted(id, fmt.Sprintf("go test ./pkg%d", i)),
				event.ToolOutputDelta{CallID: id, Delta: out.String()},
				finished(id, 1, 1500*time.Millisecond),
				event.TextDelta{Delta: reply}, answer(reply),
				event.TurnFinished{TurnID: i, Status: event.TurnCompleted})
			r.send(turnDoneMsg{})
		}
		r.press('t', tea.ModCtrl)
	}},
}

// ask types a message into the composer and sends it. The turn's command
// is not run: the test plays the harness's events itself.
func (r *rig) ask(text string) {
	r.typeText(text)
	r.press(tea.KeyEnter)
}

// TestViewGolden draws the root model's live area and what it printed
// into the scrollback, in every state, theme and width.
func TestViewGolden(t *testing.T) {
	for _, st := range viewStates {
		t.Run(st.name, func(t *testing.T) {
			for _, th := range viewThemes {
				var b strings.Builder
				for _, w := range viewWidths {
					r := newRig(t, w, viewHeight, append([]func(*Options){th.opt}, st.opts...)...)
					if st.drive != nil {
						st.drive(r)
					}
					b.WriteString(drawRig(t, fmt.Sprintf("%s %s width %d", st.name, th.name, w), r, w, viewHeight))
				}
				golden.Compare(t, filepath.Join("testdata", "view_"+st.name+"."+th.name+".golden"), b.String(), *update)
			}
		})
	}
}

// drawRig renders the rig's scrollback and live area for a golden, and
// fails when a line is wider than the terminal or the live area (outside
// the pager's own screen) is taller than it.
func drawRig(t *testing.T, what string, r *rig, width, height int) string {
	t.Helper()
	v := r.m.View()
	for i, p := range r.printed {
		if i == 0 {
			// The welcome is wrapped before the terminal's size is known;
			// TestWelcomeFitsTheTerminal checks it.
			continue
		}
		golden.CheckWidth(t, fmt.Sprintf("%s: print %d", what, i+1), p, width)
	}
	golden.CheckWidth(t, what+": live area", v.Content, width)
	if n := lineCount(v.Content); n > height {
		t.Errorf("%s: live area of %d lines in a %d-line terminal", what, n, height)
	}
	cursor := "none"
	if v.Cursor != nil {
		cursor = fmt.Sprintf("%d,%d", v.Cursor.X, v.Cursor.Y)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "════ width %d · scrollback (%d prints) ════\n", width, len(r.printed))
	for _, p := range r.printed {
		b.WriteString(p + "\n")
	}
	fmt.Fprintf(&b, "════ width %d · live (%d lines, cursor %s, alt screen %v) ════\n", width, lineCount(v.Content), cursor, v.AltScreen)
	b.WriteString(v.Content + "\n")
	return b.String()
}

// The live area keeps the cursor on the composer's line, whatever is drawn
// above it, and hides it when a question or the help has the keys.
func TestViewCursorFollowsTheComposer(t *testing.T) {
	r := newRig(t, 80, viewHeight)
	r.typeText("hello")
	v := r.m.View()
	if v.Cursor == nil {
		t.Fatal("no cursor on an idle composer")
	}
	lines := strings.Split(ansi.Strip(v.Content), "\n")
	if v.Cursor.Y >= len(lines) || !strings.Contains(lines[v.Cursor.Y], "hello") {
		t.Fatalf("cursor on line %d, not the composer's:\n%s", v.Cursor.Y, strings.Join(lines, "\n"))
	}
	r.events(event.TurnStarted{TurnID: 1}, event.ApprovalRequested{ID: "1", Kind: "command", Script: "make", Respond: func(event.Decision) {}})
	if r.m.View().Cursor != nil {
		t.Fatal("the composer's cursor shows while a question waits")
	}
}

// A streamed answer reads the same in the scrollback at every width: the
// finished paragraph is printed once, the tail stays live.
func TestViewStreamingSplitsAtEveryWidth(t *testing.T) {
	for _, w := range viewWidths {
		r := newRig(t, w, viewHeight)
		viewStates[1].drive(r)
		sb := r.scrollback()
		if strings.Count(sb, "two stages") != 1 {
			t.Fatalf("width %d: the finished paragraph is printed %d times:\n%s", w, strings.Count(sb, "two stages"), sb)
		}
		r.mustNotContain("scrollback", sb, "The second stage")
		live := r.view()
		r.mustContain("live area", live, "The second stage")
		r.mustNotContain("live area", live, "two stages")
	}
}

// The welcome is printed once, into the scrollback, where it can never be
// re-wrapped: it must fit the terminal's real width, which bubbletea only
// reports (WindowSizeMsg) after Init has run.
func TestWelcomeFitsTheTerminal(t *testing.T) {
	for _, w := range viewWidths {
		r := newRig(t, w, viewHeight)
		if len(r.printed) == 0 {
			t.Fatal("no welcome printed")
		}
		r.mustContain("welcome", r.printed[0], "warden", "gpt-5")
		golden.CheckWidth(t, fmt.Sprintf("welcome at width %d", w), r.printed[0], w)
	}
}

// The help screen lists every binding of the key map, with its own help
// text: a binding added to keys.Default() and forgotten here fails.
func TestHelpListsEveryBinding(t *testing.T) {
	r := newRig(t, 200, viewHeight)
	help := ansi.Strip(r.m.helpView())
	lines := strings.Split(help, "\n")
	groups := reflect.ValueOf(r.m.keys)
	for i := range groups.NumField() {
		g := groups.Field(i)
		for j := range g.NumField() {
			b, ok := g.Field(j).Interface().(key.Binding)
			if !ok {
				continue
			}
			h := b.Help()
			found := false
			for _, l := range lines {
				if f := strings.Fields(l); len(f) > 1 && f[0] == h.Key && strings.Contains(l, h.Desc) {
					found = true
				}
			}
			if !found {
				t.Errorf("help lacks %s.%s (%q %q):\n%s", groups.Type().Field(i).Name, g.Type().Field(j).Name, h.Key, h.Desc, help)
			}
		}
	}
}

// The help opens at its top in a common 80×24 terminal: its title and the
// first group of keys are on screen, not cut off above the live area.
func TestHelpShowsItsBeginning(t *testing.T) {
	r := newRig(t, 80, viewHeight)
	r.typeText("?")
	r.mustContain("help", r.view(), "Keyboard shortcuts", "General", r.m.keys.Global.Interrupt.Help().Desc)
}
