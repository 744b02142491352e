// Package approvaldialog is the question warden's TUI asks when the harness
// needs the user's decision on a command or a patch. It exists so that the
// one screen where the user lets something run (or out of the sandbox) shows
// everything that decision rests on — what would run or change, where, why
// the model wants it, why warden asks, and exactly which rule "always allow"
// would save, in which file — before any key can answer it.
//
// It is a component: it turns keys into an event.Decision and does no I/O.
// The root shows it in the live area above the composer and, once Update
// returns a Decision, hands it to the request's Respond.
package approvaldialog

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/tui/diffview"
	"warden/tui/internal/pathfmt"
	"warden/tui/internal/termsafe"
	"warden/tui/keys"
	"warden/tui/styles"
)

// Grace is how long a new dialog ignores every key: someone typing a
// message when it appears must not answer it ("a" in "and" would allow the
// command for the whole session).
const Grace = 400 * time.Millisecond

// Options are the session facts the dialog states next to the request.
type Options struct {
	// SandboxMode is the session's: read-only, workspace-write or
	// full-access ("" if unknown: nothing is said about it).
	SandboxMode string
	// Home is the user's home directory, shown as ~ in paths.
	Home string
	// Now is the clock the Grace period is measured with; nil is time.Now.
	Now func() time.Time
}

// mode is what the dialog is doing with the keys.
type mode int

const (
	asking     mode = iota // the choices are shown
	previewing             // a rule "always allow" would save is shown, waiting for Confirm
	explaining             // the user types why they deny
)

// Model is one approval question. Update returns the copy to keep.
type Model struct {
	req    event.ApprovalRequested
	keys   keys.Approval
	st     *styles.Styles
	opts   Options
	shown  time.Time
	mode   mode
	scope  string // event.RememberProject or RememberUser, while previewing
	prefix prefixChooser
	reason textinput.Model
	scroll int  // the first line of the script or diff shown
	split  bool // the diff is shown side by side (where it fits)
	done   bool // answered: further keys do nothing

	// text is what the request says, cleaned once; frame remembers what
	// the last View drew, for paging and for the split toggle.
	text  *cleaned
	frame *frame
}

// New is the question for req.
func New(req event.ApprovalRequested, km keys.Map, st *styles.Styles, o Options) Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	return Model{
		req:    req,
		keys:   km.Approval,
		st:     st,
		opts:   o,
		shown:  o.Now(),
		prefix: newPrefixChooser(req),
		reason: newReasonField(st),
		text:   clean(req, o.Home, st),
		frame:  &frame{},
	}
}

// Request is the request the dialog asks about.
func (m Model) Request() event.ApprovalRequested { return m.req }

// isPatch: the request is about a patch, not a command.
func (m Model) isPatch() bool { return m.req.Kind == "patch" }

// canRemember reports whether "always allow" may be offered in scope: a
// prefix was proposed and the harness said where such a rule would go.
func (m Model) canRemember(scope string) bool {
	return !m.isPatch() && m.prefix.offered() && m.req.RuleFiles[scope] != ""
}

// Update handles a key, a paste or the text field's own messages. A
// non-nil Decision means the user answered; the dialog is finished then.
func (m Model) Update(msg tea.Msg) (Model, *event.Decision, tea.Cmd) {
	if m.done {
		return m, nil, nil
	}
	press, isKey := msg.(tea.KeyPressMsg)
	if !isKey {
		if m.mode == explaining {
			var cmd tea.Cmd
			m.reason, cmd = m.reason.Update(msg)
			return m, nil, cmd
		}
		return m, nil, nil
	}
	if m.opts.Now().Sub(m.shown) < Grace {
		return m, nil, nil
	}
	if m.scrollKey(press) {
		return m, nil, nil
	}
	switch m.mode {
	case previewing:
		return m.previewKey(press)
	case explaining:
		return m.explainKey(press)
	}
	return m.askKey(press)
}

// scrollKey moves through a long script or diff, whatever is open.
func (m *Model) scrollKey(k tea.KeyPressMsg) bool {
	page := max(m.frame.bodyHeight-1, 1)
	switch {
	case key.Matches(k, m.keys.Up):
		m.scrollBy(-1)
	case key.Matches(k, m.keys.Down):
		m.scrollBy(1)
	case key.Matches(k, m.keys.PageUp):
		m.scrollBy(-page)
	case key.Matches(k, m.keys.PageDown):
		m.scrollBy(page)
	default:
		return false
	}
	return true
}

// scrollBy moves the body by n lines, within what the last frame could
// show.
func (m *Model) scrollBy(n int) {
	m.scroll = min(max(m.scroll+n, 0), m.frame.maxScroll)
}

func (m Model) askKey(k tea.KeyPressMsg) (Model, *event.Decision, tea.Cmd) {
	a := m.keys
	switch {
	case key.Matches(k, a.Once):
		return m.answer(event.Decision{Approved: true})
	case key.Matches(k, a.Session):
		return m.answer(event.Decision{Approved: true, Remember: event.RememberSession})
	case key.Matches(k, a.Deny):
		return m.answer(event.Decision{})
	case key.Matches(k, a.Stop):
		return m.answer(event.Decision{Stop: true})
	case key.Matches(k, a.Explain):
		m.mode = explaining
		m.reason.Reset()
		return m, nil, m.reason.Focus()
	case key.Matches(k, a.Project) && m.canRemember(event.RememberProject):
		m.mode, m.scope = previewing, event.RememberProject
	case key.Matches(k, a.User) && m.canRemember(event.RememberUser):
		m.mode, m.scope = previewing, event.RememberUser
	case key.Matches(k, a.Split) && m.isPatch() && diffview.CanSplit(m.frame.bodyWidth):
		m.split = !m.split
		m.scroll = 0 // line n of one layout is not line n of the other
	}
	return m, nil, nil
}

func (m Model) previewKey(k tea.KeyPressMsg) (Model, *event.Decision, tea.Cmd) {
	a := m.keys
	switch {
	case key.Matches(k, a.Confirm):
		return m.answer(event.Decision{Approved: true, Remember: m.scope, Prefix: m.prefix.chosen()})
	case key.Matches(k, a.Back):
		m.mode = asking
	case key.Matches(k, a.Shorter):
		m.prefix.shorten()
	case key.Matches(k, a.Longer):
		m.prefix.lengthen()
	}
	return m, nil, nil
}

func (m Model) explainKey(k tea.KeyPressMsg) (Model, *event.Decision, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Confirm):
		m.reason.Blur()
		return m.answer(event.Decision{Message: strings.TrimSpace(m.reason.Value())})
	case key.Matches(k, m.keys.Back):
		m.reason.Blur()
		m.mode = asking
		return m, nil, nil
	}
	var cmd tea.Cmd
	m.reason.SetWidth(m.frame.fieldWidth) // so it scrolls sideways as drawn
	m.reason, cmd = m.reason.Update(k)
	return m, nil, cmd
}

func (m Model) answer(d event.Decision) (Model, *event.Decision, tea.Cmd) {
	m.done = true
	return m, &d, nil
}

// ruleText is the rule "always allow" would save for the chosen prefix,
// exactly as the harness would write it.
func (m Model) ruleText() string {
	return approval.RuleFor(m.prefix.chosen(), m.req.Escalation).String()
}

// newReasonField is the text field a denial's reason is typed in, in
// warden's styles. Its cursor is drawn in the text and does not blink:
// the dialog's View is a string the root places, with no terminal cursor
// of its own, and a steady cursor needs no ticks.
func newReasonField(st *styles.Styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = "› "
	ti.Placeholder = "what should it do instead?"
	ti.CharLimit = 2000
	state := textinput.StyleState{Text: st.Text, Placeholder: st.Dim, Suggestion: st.Dim, Prompt: st.Accent}
	ti.SetStyles(textinput.Styles{
		Focused: state,
		Blurred: state,
		Cursor:  textinput.CursorStyle{Color: st.Text.GetForeground(), Shape: tea.CursorBlock},
	})
	return ti
}

// prefixChooser is the command prefix an "always allow" rule would
// allow: the proposed one, shortened or lengthened a word at a time
// between the fewest words allowed and the whole command.
type prefixChooser struct {
	of       []string // the command the prefix is taken from, as the model wrote it
	n        int      // words chosen
	min, max int
}

func newPrefixChooser(req event.ApprovalRequested) prefixChooser {
	proposed := req.ProposedPrefix
	of := proposed
	// Lengthening is offered only along the command the harness named,
	// and only if the proposal is its beginning.
	if len(req.PrefixOf) >= len(proposed) && slices.Equal(req.PrefixOf[:len(proposed)], proposed) {
		of = req.PrefixOf
	}
	least := req.MinPrefix
	if least <= 0 || least > len(proposed) {
		least = len(proposed) // no lower bound given: never shorter than proposed
	}
	return prefixChooser{of: slices.Clone(of), n: len(proposed), min: least, max: len(of)}
}

func (p prefixChooser) offered() bool { return p.n > 0 }

func (p prefixChooser) chosen() []string { return slices.Clone(p.of[:p.n]) }

// rest is the part of the command the chosen prefix leaves out.
func (p prefixChooser) rest() []string { return p.of[p.n:] }

func (p *prefixChooser) shorten()  { p.n = max(p.n-1, p.min) }
func (p *prefixChooser) lengthen() { p.n = min(p.n+1, p.max) }

// adjustable reports whether the prefix can change at all.
func (p prefixChooser) adjustable() bool { return p.min < p.max }

// cleaned is the request's text, made safe to draw once: all of it comes
// from the model.
type cleaned struct {
	script  []string // the script's lines, highlighted
	cwd     string
	purpose string // the model's justification
	reason  string // why warden asks
	changes []event.FileChange
}

func clean(req event.ApprovalRequested, home string, st *styles.Styles) *cleaned {
	c := &cleaned{
		cwd:     visible(pathfmt.Tilde(req.Cwd, home), st.Text, st),
		purpose: visible(req.Justification, st.Text, st),
		reason:  visible(req.Reason, st.Text, st),
	}
	if req.Kind == "patch" {
		for _, fc := range req.Changes {
			fc.Path, fc.MoveTo, fc.Diff = termsafe.Strip(fc.Path), termsafe.Strip(fc.MoveTo), termsafe.Strip(fc.Diff)
			c.changes = append(c.changes, fc)
		}
		return c
	}
	script := req.Script
	if script == "" {
		script = shellJoin(req.Command)
	}
	c.script = highlight(strings.TrimRight(script, "\n"), st)
	return c
}
