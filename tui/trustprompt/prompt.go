// Package trustprompt asks, the first time warden opens in a project,
// whether the user trusts it. It exists apart from the TUI because the
// answer must be known before the session starts: the sandbox mode and
// the rules in force depend on it. So it is a small program of its own,
// run inline before the TUI, that says what trust would change and which
// of the project's files warden would load, defaults to no, and returns
// the answer for the caller to record.
package trustprompt

import (
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"warden/tui/internal/pathfmt"
	"warden/tui/internal/termsafe"
	"warden/tui/keys"
	"warden/tui/styles"
)

// Question is what the prompt asks about.
type Question struct {
	Root string // the project root (absolute)
	Home string // $HOME, to show paths as ~/...
	// TrustFile is where the answer is saved (rules.TrustFile), shown so
	// the user knows where to find and change it.
	TrustFile string
	// Files are the project files warden would load, with what each does.
	Files []File
	// ModeChosen: the user chose the sandbox mode (ChosenMode, by flag or
	// config), so trust does not change it; the prompt says so instead of
	// offering "Auto" over "Read Only".
	ModeChosen bool
	ChosenMode string

	// wide: the "project" is the whole filesystem or the home directory
	// (warden started outside any repository there), set by clean.
	wide bool
}

// File is one project file warden would load.
type File struct {
	Path string // relative to Root
	What string // what it would do, trusted or not
}

// state is how far the question has got.
type state int

const (
	asking state = iota
	answered
	aborted
)

// Model is the question as a tea.Model. Update returns the copy to keep.
type Model struct {
	q    Question // cleaned for the terminal
	keys keys.Trust
	st   *styles.Styles
	// width and height are the terminal's; height 0 is unknown.
	width, height int
	yes           bool // the selected choice; no until the user moves
	state         state
	// trusted is the answer, once state is answered.
	trusted bool
	// shown is how many lines the question took when it was answered,
	// which the last frame covers so that none of it is left behind.
	shown int
	// keysFrom is when keys start to count (see Grace); now is the clock.
	keysFrom time.Time
	now      func() time.Time
}

// defaultWidth is used until the terminal tells its size.
const defaultWidth = 80

// New is the question q, drawn with st.
func New(q Question, km keys.Map, st *styles.Styles) Model {
	return Model{q: clean(q), keys: km.Trust, st: st, width: defaultWidth, now: time.Now}.WithGrace(Grace)
}

// Grace is how long after the question appears keys are ignored (but
// ctrl+c): text typed ahead, before the question could be read ("warden"
// then "yes please fix it" at once), must not answer it.
const Grace = 400 * time.Millisecond

// WithGrace is m ignoring keys for d from now on its clock (0: none), and
// WithClock m on another clock; tests use them.
func (m Model) WithGrace(d time.Duration) Model {
	m.keysFrom = m.now().Add(d)
	return m
}

// WithClock is m on the clock now, its grace counted again from it.
func (m Model) WithClock(now func() time.Time, grace time.Duration) Model {
	m.now = now
	return m.WithGrace(grace)
}

// clean makes everything that came from the filesystem harmless to draw,
// and one line each: a newline in a file name must not pass for the next
// entry of the list.
func clean(q Question) Question {
	one := strings.NewReplacer("\n", `\n`, "\t", " ")
	path := func(p string) string { return one.Replace(termsafe.Reveal(pathfmt.Tilde(termsafe.Strip(p), q.Home))) }
	out := q
	out.wide = q.Root == "/" || (q.Home != "" && filepath.Clean(q.Root) == filepath.Clean(q.Home))
	out.Root = path(q.Root)
	out.TrustFile = path(q.TrustFile)
	out.ChosenMode = one.Replace(termsafe.Strip(q.ChosenMode))
	out.Files = make([]File, len(q.Files))
	for i, f := range q.Files {
		out.Files[i] = File{Path: one.Replace(termsafe.Reveal(termsafe.Strip(f.Path))), What: one.Replace(termsafe.Reveal(termsafe.Strip(f.What)))}
	}
	return out
}

// Init asks the terminal for its background, to pick the palette.
func (m Model) Init() tea.Cmd { return tea.RequestBackgroundColor }

// Update handles the keys; an answer (or ctrl+c) ends the program.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width > 0 {
			m.width = msg.Width
		}
		m.height = max(msg.Height, 0)
	case tea.BackgroundColorMsg:
		if dark := msg.IsDark(); dark != m.st.Options.Dark {
			m.st = styles.New(styles.Options{Dark: dark, NoColor: m.st.Options.NoColor})
		}
	case tea.KeyPressMsg:
		if m.state != asking {
			return m, nil
		}
		return m.press(msg)
	}
	return m, nil
}

func (m Model) press(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if !key.Matches(k, m.keys.Quit) && m.now().Before(m.keysFrom) {
		return m, nil // typed ahead: see Grace
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.finish(aborted, false)
	case key.Matches(k, m.keys.Yes):
		return m.finish(answered, true)
	case key.Matches(k, m.keys.No):
		return m.finish(answered, false)
	case key.Matches(k, m.keys.Choose):
		return m.finish(answered, m.yes)
	case key.Matches(k, m.keys.Prev):
		m.yes = false
	case key.Matches(k, m.keys.Next):
		m.yes = true
	case key.Matches(k, m.keys.Switch):
		m.yes = !m.yes
	}
	return m, nil
}

func (m Model) finish(s state, trusted bool) (tea.Model, tea.Cmd) {
	m.shown = lineCount(m.question())
	m.state, m.trusted = s, trusted
	return m, tea.Quit
}

// Answer is the user's answer: ok is false while the question is open
// and when the user quit without answering (see Aborted).
func (m Model) Answer() (trusted, ok bool) { return m.trusted, m.state == answered }

// Aborted reports whether the user quit instead of answering.
func (m Model) Aborted() bool { return m.state == aborted }

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }
