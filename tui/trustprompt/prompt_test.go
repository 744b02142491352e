package trustprompt

import (
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/keypress"
	"warden/tui/keys"
	"warden/tui/styles"
)

const home = "/home/ada"

// question asks about ~/src/app, which has a rules file and an AGENTS.md.
func question() Question {
	return Question{
		Root:      home + "/src/app",
		Home:      home,
		TrustFile: home + "/.config/warden/trust.toml",
		Files: []File{
			{Path: ".warden/rules.toml", What: "3 allow rules would apply only if trusted; 1 ask or deny rule applies either way"},
			{Path: "AGENTS.md", What: "instructions for the model (read whether trusted or not)"},
		},
	}
}

func newModel(q Question) Model {
	return New(q, keys.Default(), styles.New(styles.Options{NoColor: true})).WithGrace(0)
}

// press presses the keys named (as bindings name them) and returns the
// model and the command of the last press.
func press(t *testing.T, m Model, names ...string) (Model, tea.Cmd) {
	t.Helper()
	var cmd tea.Cmd
	for _, name := range names {
		k, err := keypress.For(name)
		if err != nil {
			t.Fatal(err)
		}
		var next tea.Model
		next, cmd = m.Update(k)
		m = next.(Model)
	}
	return m, cmd
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

func TestAnswers(t *testing.T) {
	for _, c := range []struct {
		name    string
		keys    []string
		trusted bool
	}{
		{"enter right away is no", []string{"enter"}, false},
		{"y", []string{"y"}, true},
		{"n", []string{"n"}, false},
		{"esc is no", []string{"esc"}, false},
		{"right then enter", []string{"right", "enter"}, true},
		{"down then enter", []string{"down", "enter"}, true},
		{"right, left, enter", []string{"right", "left", "enter"}, false},
		{"right, up, enter", []string{"right", "up", "enter"}, false},
		{"right twice stays on yes", []string{"right", "right", "enter"}, true},
		{"tab switches", []string{"tab", "enter"}, true},
		{"tab twice switches back", []string{"tab", "tab", "enter"}, false},
		{"shift+tab switches too", []string{"shift+tab", "enter"}, true},
		{"n while yes is selected", []string{"right", "n"}, false},
		{"esc while yes is selected", []string{"right", "esc"}, false},
		{"y while no is selected", []string{"right", "left", "y"}, true},
		{"other keys do nothing", []string{"q", "x", "space", "Y", "enter"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, cmd := press(t, newModel(question()), c.keys...)
			trusted, ok := m.Answer()
			if !ok || trusted != c.trusted || m.Aborted() {
				t.Errorf("answer %v, ok %v, aborted %v; want %v", trusted, ok, m.Aborted(), c.trusted)
			}
			if !isQuit(cmd) {
				t.Error("the answer does not end the program")
			}
		})
	}
}

func TestNoAnswerUntilOneIsGiven(t *testing.T) {
	m, cmd := press(t, newModel(question()), "right", "left", "tab", "a", "q")
	if _, ok := m.Answer(); ok || m.Aborted() || cmd != nil {
		t.Errorf("answered without an answer key: ok %v, aborted %v, cmd %v", ok, m.Aborted(), cmd)
	}
}

func TestCtrlCAborts(t *testing.T) {
	m, cmd := press(t, newModel(question()), "right", "ctrl+c")
	if _, ok := m.Answer(); ok || !m.Aborted() || !isQuit(cmd) {
		t.Errorf("ctrl+c: answered %v, aborted %v, quits %v", ok, m.Aborted(), isQuit(cmd))
	}
}

// Once answered, the answer cannot change: a key typed right after
// (the user's next keystrokes) must not flip it.
func TestAnswerIsFinal(t *testing.T) {
	m, _ := press(t, newModel(question()), "y", "n", "ctrl+c", "left", "enter")
	if trusted, ok := m.Answer(); !trusted || !ok || m.Aborted() {
		t.Errorf("after more keys: %v, %v, aborted %v", trusted, ok, m.Aborted())
	}
	m, _ = press(t, newModel(question()), "ctrl+c", "y")
	if _, ok := m.Answer(); ok || !m.Aborted() {
		t.Errorf("y after ctrl+c: answered %v", ok)
	}
}

// The last frame is blank and as tall as the question was, so that no
// line of it is left on the screen (see View).
func TestLastFrameCoversTheQuestion(t *testing.T) {
	m := newModel(question())
	next, _ := m.Update(tea.WindowSizeMsg{Width: 40, Height: 24})
	m = next.(Model)
	asked := m.View().Content
	m, _ = press(t, m, "y")
	last := m.View().Content
	if strings.TrimSpace(last) != "" || strings.Count(last, "\n") != strings.Count(asked, "\n") {
		t.Errorf("last frame %q, for a question of %d lines", last, strings.Count(asked, "\n")+1)
	}
}

func TestWindowSizeAndBackground(t *testing.T) {
	m := New(question(), keys.Default(), styles.New(styles.Options{Dark: true})).WithGrace(0)
	for _, w := range []int{30, 50, 100} {
		next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: 24})
		m = next.(Model)
		for i, line := range strings.Split(m.View().Content, "\n") {
			if got := ansi.StringWidth(line); got > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i+1, got, ansi.Strip(line))
			}
		}
	}
	// However short the terminal, the choices stay on it.
	for _, w := range []int{30, 80} {
		for h := 3; h <= 30; h++ {
			next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			out := ansi.Strip(next.(Model).View().Content)
			if n := lineCount(out); n > h || !strings.Contains(out, noLabel) || !strings.Contains(out, yesLabel) {
				t.Errorf("%dx%d: %d lines, choices shown %v:\n%s", w, h, n, strings.Contains(out, noLabel), out)
			}
		}
	}
	next, _ := m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m = next.(Model); m.st.Options.Dark {
		t.Error("a light background kept the dark palette")
	}
	if m.Init() == nil {
		t.Error("Init does not ask for the background")
	}
}

// Paths from the filesystem cannot reach the terminal as escape
// sequences, nor break the list with a newline.
func TestCleansOutsideText(t *testing.T) {
	q := question()
	q.Root = home + "/src/\x1b]0;owned\x07app\x1b[2J"
	q.TrustFile = home + "/.config/warden/\x1b[31mtrust.toml"
	q.Files = []File{{Path: "sub\n/AGENTS.md\x1b[1A", What: "instructions\u009b31m for the model"}}
	m := newModel(q)
	// Without colour, only bold and faint sequences may be drawn.
	for _, out := range []string{m.View().Content, m.Record()} {
		for _, bad := range []string{"owned", "\x07", "[2J", "[31m", "[1A", "\u009b", "\n/"} {
			if strings.Contains(out, bad) {
				t.Errorf("%q got through: %q", bad, out)
			}
		}
	}
	plain := ansi.Strip(m.View().Content)
	for _, want := range []string{"~/src/app", "~/.config/warden/trust.toml", `sub\n/AGENTS.md`, "instructions for the model"} {
		if !strings.Contains(plain, want) {
			t.Errorf("view lacks %q:\n%s", want, plain)
		}
	}
}

// Keys typed ahead (before the question could be read) do not answer it;
// ctrl+c still quits at once, and after the grace keys count.
func TestTypeAheadDoesNotAnswer(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	m := New(question(), keys.Default(), styles.New(styles.Options{NoColor: true})).WithClock(func() time.Time { return now }, Grace)
	m, _ = press(t, m, "y", "enter")
	if _, ok := m.Answer(); ok {
		t.Fatal("type-ahead answered the question")
	}
	if q, _ := press(t, m, "ctrl+c"); !q.Aborted() {
		t.Fatal("ctrl+c did not quit during the grace")
	}
	now = now.Add(Grace)
	m, _ = press(t, m, "y")
	if trusted, ok := m.Answer(); !ok || !trusted {
		t.Fatalf("y after the grace: %v, %v", trusted, ok)
	}
}

// Started in the home directory (no repository), the "project" is all of
// it: the question says so.
func TestTheHomeDirectoryIsNamedForWhatItIs(t *testing.T) {
	q := question()
	q.Root, q.Home = "/home/ada", "/home/ada"
	m := sized(newModel(q), 80)
	if out := ansi.Strip(m.View().Content); !strings.Contains(out, "whole home directory") {
		t.Fatalf("no warning:\n%s", out)
	}
	q.Root = "/home/ada/src/app"
	if out := ansi.Strip(sized(newModel(q), 80).View().Content); strings.Contains(out, "whole home directory") {
		t.Fatalf("warned for a project:\n%s", out)
	}
}
