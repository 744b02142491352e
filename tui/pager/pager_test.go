package pager

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/golden"
	"warden/tui/internal/keypress"
	"warden/tui/keys"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

// numbered is n lines "line 1" … "line n".
func numbered(n int) string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %d", i+1)
	}
	return strings.Join(lines, "\n")
}

// newPager is a pager of width×height showing n numbered lines.
func newPager(t *testing.T, width, height, n int) Model {
	t.Helper()
	m := New(keys.Default(), styles.New(styles.Options{NoColor: true}), "Transcript", width, height)
	m.SetContent(numbered(n))
	return m
}

// press is the key press a terminal sends for a binding's key name, such
// as "ctrl+t", "G" or "pgdown". It fails the test when the name is one no
// key press produces.
func press(t *testing.T, name string) tea.KeyPressMsg {
	t.Helper()
	k, err := keypress.For(name)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.String(); got != name {
		t.Fatalf("key %q: the press built for it reads %q", name, got)
	}
	return k
}

// footer is the pager's last line, plain.
func footer(m Model) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	return lines[len(lines)-1]
}

// position is the footer's "first–last of total".
func position(m Model) string {
	return strings.SplitN(footer(m), " · ", 2)[0]
}

// send delivers each key press of names in turn and fails if one closes
// the pager.
func send(t *testing.T, m Model, names ...string) Model {
	t.Helper()
	for _, n := range names {
		var intent any
		m, intent = m.Update(press(t, n))
		if intent != nil {
			t.Fatalf("%s returned %#v", n, intent)
		}
	}
	return m
}

// Every key of every movement binding moves as its help says. A 10-line
// terminal shows 8 lines of content between the title and the footer.
func TestPagerKeys(t *testing.T) {
	km := keys.Default().Pager
	cases := []struct {
		binding  string
		keys     []string
		from     []string // keys bringing the pager to where the move starts
		wantFrom string
		want     string
	}{
		{"Down", km.Down.Keys(), []string{"g"}, "1–8 of 100", "2–9 of 100"},
		{"Up", km.Up.Keys(), nil, "93–100 of 100", "92–99 of 100"},
		{"PageDown", km.PageDown.Keys(), []string{"g"}, "1–8 of 100", "9–16 of 100"},
		{"PageUp", km.PageUp.Keys(), nil, "93–100 of 100", "85–92 of 100"},
		{"Top", km.Top.Keys(), nil, "93–100 of 100", "1–8 of 100"},
		{"Bottom", km.Bottom.Keys(), []string{"g"}, "1–8 of 100", "93–100 of 100"},
	}
	for _, c := range cases {
		if len(c.keys) == 0 {
			t.Fatalf("%s has no keys", c.binding)
		}
		for _, k := range c.keys {
			m := send(t, newPager(t, 40, 10, 100), c.from...)
			if got := position(m); got != c.wantFrom {
				t.Fatalf("%s %q: starts at %q, want %q", c.binding, k, got, c.wantFrom)
			}
			m = send(t, m, k)
			if got := position(m); got != c.want {
				t.Errorf("%s %q: at %q, want %q", c.binding, k, got, c.want)
			}
		}
	}
}

// Moves stop at the ends instead of scrolling past them.
func TestPagerStopsAtTheEnds(t *testing.T) {
	m := send(t, newPager(t, 40, 10, 20), "G", "j", "pgdown", "space")
	if got := position(m); got != "13–20 of 20" {
		t.Fatalf("past the bottom: %q", got)
	}
	m = send(t, m, "g", "k", "pgup", "b")
	if got := position(m); got != "1–8 of 20" {
		t.Fatalf("past the top: %q", got)
	}
}

// Every key of Close leaves the pager, and nothing else does.
func TestPagerClose(t *testing.T) {
	closes := keys.Default().Pager.Close.Keys()
	if len(closes) == 0 {
		t.Fatal("Close has no keys")
	}
	for _, k := range closes {
		_, intent := newPager(t, 40, 10, 100).Update(press(t, k))
		if _, ok := intent.(Close); !ok {
			t.Errorf("%q returned %#v, not Close", k, intent)
		}
	}
	for _, k := range []string{"x", "enter", "ctrl+c", "left"} {
		if _, intent := newPager(t, 40, 10, 100).Update(press(t, k)); intent != nil {
			t.Errorf("%q returned %#v", k, intent)
		}
	}
}

// A transcript that grows while the user reads its end stays in view; one
// that grows while the user reads something above does not move under
// them.
func TestPagerFollowsTheBottomOnlyWhenThere(t *testing.T) {
	m := newPager(t, 40, 10, 100)
	m.SetContent(numbered(110))
	if got := position(m); got != "103–110 of 110" {
		t.Fatalf("at the bottom, growth not followed: %q", got)
	}
	m = send(t, m, "k", "k", "k")
	m.SetContent(numbered(130))
	if got := position(m); got != "100–107 of 130" {
		t.Fatalf("scrolled up, the view moved: %q", got)
	}
	m = send(t, m, "end")
	m.SetContent(numbered(131))
	if got := position(m); got != "124–131 of 131" {
		t.Fatalf("back at the bottom, growth not followed: %q", got)
	}
}

// The first content opens at the bottom: the pager opens on the latest
// part of the transcript.
func TestPagerOpensAtTheBottom(t *testing.T) {
	m := New(keys.Default(), styles.New(styles.Options{NoColor: true}), "T", 40, 10)
	m.SetContent(numbered(50))
	if got := position(m); got != "43–50 of 50" {
		t.Fatalf("opened at %q", got)
	}
}

// The view is always exactly the terminal's size: title, content (padded
// when short) and footer on the last line; no line is wider than the
// terminal.
func TestPagerViewFillsTheTerminal(t *testing.T) {
	for _, size := range []struct{ w, h, n int }{{40, 10, 100}, {40, 10, 3}, {80, 24, 0}, {20, 5, 1}} {
		m := newPager(t, size.w, size.h, size.n)
		checkView(t, fmt.Sprintf("%dx%d, %d lines", size.w, size.h, size.n), m, size.w, size.h)
	}
	m := newPager(t, 40, 10, 3)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if lines[0] != "Transcript" || strings.TrimSpace(lines[1]) != "line 1" || strings.TrimSpace(lines[3]) != "line 3" {
		t.Fatalf("short content:\n%s", strings.Join(lines, "\n"))
	}
	if got := position(m); got != "1–3 of 3" {
		t.Fatalf("short content: %q", got)
	}
}

func checkView(t *testing.T, what string, m Model, width, height int) {
	t.Helper()
	view := m.View()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Errorf("%s: %d lines, want %d:\n%s", what, len(lines), height, ansi.Strip(view))
	}
	golden.CheckWidth(t, what, view, width)
}

// Resizing keeps the view the terminal's size, and a pager at the bottom
// stays at the bottom, taller or shorter, so it goes on following.
func TestPagerResize(t *testing.T) {
	m := newPager(t, 40, 10, 100)
	m.SetSize(60, 20)
	checkView(t, "grown", m, 60, 20)
	if got := position(m); got != "83–100 of 100" {
		t.Errorf("grown at the bottom: %q, want the last 18 lines", got)
	}
	m.SetSize(30, 6)
	checkView(t, "shrunk", m, 30, 6)
	if got := position(m); got != "97–100 of 100" {
		t.Errorf("shrunk at the bottom: %q, want the last 4 lines", got)
	}
	m.SetContent(numbered(101))
	if got := position(m); got != "98–101 of 101" {
		t.Errorf("after a resize, growth not followed: %q", got)
	}
	// Scrolled to the top, a resize keeps the top.
	m = send(t, m, "g")
	m.SetSize(40, 12)
	if got := position(m); got != "1–10 of 101" {
		t.Errorf("resized at the top: %q", got)
	}
}

// The mouse wheel scrolls three lines a notch.
func TestPagerMouseWheel(t *testing.T) {
	m := newPager(t, 40, 10, 100)
	m, intent := m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if intent != nil {
		t.Fatalf("wheel returned %#v", intent)
	}
	if got := position(m); got != "90–97 of 100" {
		t.Fatalf("wheel up: %q", got)
	}
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	m, _ = m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if got := position(m); got != "93–100 of 100" {
		t.Fatalf("wheel down past the bottom: %q", got)
	}
	m, _ = m.Update(tea.MouseClickMsg{Button: tea.MouseLeft})
	if got := position(m); got != "93–100 of 100" {
		t.Fatalf("a click scrolled: %q", got)
	}
}

// The footer tells the keys with their own help text.
func TestPagerFooterShowsTheKeys(t *testing.T) {
	m := newPager(t, 200, 10, 100)
	f := footer(m)
	km := keys.Default().Pager
	for _, b := range []string{km.Down.Help().Key, km.PageDown.Help().Key, km.Top.Help().Key, km.Bottom.Help().Key, km.Close.Help().Key} {
		if !strings.Contains(f, b) {
			t.Errorf("footer lacks %q: %q", b, f)
		}
	}
}

// TestPagerGolden draws the pager scrolled to the top, in the middle and
// at the bottom of a styled transcript, at 40 and 80 columns.
func TestPagerGolden(t *testing.T) {
	themes := []struct {
		name string
		opts styles.Options
	}{
		{"nocolor", styles.Options{NoColor: true}},
		{"dark", styles.Options{Dark: true}},
	}
	for _, th := range themes {
		st := styles.New(th.opts)
		var b strings.Builder
		for _, w := range []int{40, 80} {
			m := New(keys.Default(), st, "Transcript · everything expanded", w, 12)
			var lines []string
			for i := 1; i <= 30; i++ {
				lines = append(lines, st.Accent.Render("•")+" "+st.Code.Render(fmt.Sprintf("step %d", i))+
					st.Dim.Render(ansi.Truncate(": a line that reaches past forty columns, as the root model wraps it to the width", w-10, "")))
			}
			m.SetContent(strings.Join(lines, "\n"))
			for _, at := range []struct{ name, key string }{{"bottom", ""}, {"top", "home"}, {"middle", "pgdown"}} {
				if at.key != "" {
					m = send(t, m, at.key)
				}
				checkView(t, fmt.Sprintf("%s width %d %s", th.name, w, at.name), m, w, 12)
				fmt.Fprintf(&b, "──── width %d · %s ────\n%s\n", w, at.name, m.View())
			}
		}
		golden.Compare(t, filepath.Join("testdata", "pager."+th.name+".golden"), b.String(), *update)
	}
}
