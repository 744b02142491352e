// Package pager shows the whole transcript, every cell expanded, in a
// scrollable full-screen view (Ctrl+T). The live TUI prints finished cells
// into the terminal's own scrollback in their collapsed form; the pager is
// where the collapsed parts (long command output, patch diffs) can be read
// in full.
package pager

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/keys"
	"warden/tui/styles"
)

// Close is the intent the pager returns when the user leaves it.
type Close struct{}

// Model is the pager. Its content is set whole by the root model, which
// caches each finished cell's expanded rendering.
type Model struct {
	keys   keys.Pager
	styles *styles.Styles
	title  string
	view   viewport.Model
	width  int
	height int
	// extra are bindings of what the root model shows in the pager
	// (the /diff pager's side-by-side toggle), listed in the footer.
	extra []key.Binding
}

// New makes a pager of the given size; the title heads the screen.
func New(km keys.Map, st *styles.Styles, title string, width, height int) Model {
	m := Model{keys: km.Pager, styles: st, title: title}
	m.view = viewport.New()
	m.SetSize(width, height)
	return m
}

// SetSize fits the pager to the terminal, keeping two lines for the title
// and the footer.
func (m *Model) SetSize(width, height int) {
	follow := m.view.AtBottom()
	m.width, m.height = width, height
	m.view.SetWidth(width)
	m.view.SetHeight(max(1, height-2))
	// A pager at the bottom stays there, so it keeps following new content.
	if follow || m.view.PastBottom() {
		m.view.GotoBottom()
	}
}

// SetExtraHelp lists more bindings in the footer, after the way out: keys
// the root model handles for what it shows in the pager.
func (m *Model) SetExtraHelp(bindings ...key.Binding) { m.extra = bindings }

// Top scrolls to the beginning.
func (m *Model) Top() { m.view.GotoTop() }

// SetContent replaces what the pager shows. When the user was at the bottom
// it stays there, so a transcript that grows while the pager is open
// follows along.
func (m *Model) SetContent(content string) {
	follow := m.view.AtBottom() || m.view.TotalLineCount() == 0
	m.view.SetContent(content)
	if follow {
		m.view.GotoBottom()
	}
}

// Update moves through the content; it returns Close when the user leaves.
func (m Model) Update(msg tea.Msg) (Model, any) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Close):
			return m, Close{}
		case key.Matches(msg, m.keys.Up):
			m.view.ScrollUp(1)
		case key.Matches(msg, m.keys.Down):
			m.view.ScrollDown(1)
		case key.Matches(msg, m.keys.PageUp):
			m.view.PageUp()
		case key.Matches(msg, m.keys.PageDown):
			m.view.PageDown()
		case key.Matches(msg, m.keys.Top):
			m.view.GotoTop()
		case key.Matches(msg, m.keys.Bottom):
			m.view.GotoBottom()
		}
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.view.ScrollUp(3)
		case tea.MouseWheelDown:
			m.view.ScrollDown(3)
		}
	}
	return m, nil
}

// View draws the title, the visible lines and the footer.
func (m Model) View() string {
	title := m.styles.Bold.Render(ansi.Truncate(m.title, m.width, "…"))
	total := m.view.TotalLineCount()
	last := min(total, m.view.YOffset()+m.view.Height())
	pos := fmt.Sprintf("%d–%d of %d", min(m.view.YOffset()+1, total), last, total)
	help := []string{pos}
	// The way out comes first: a narrow terminal cuts the end of the line.
	bindings := append([]key.Binding{m.keys.Close}, m.extra...)
	for _, b := range append(bindings, m.keys.Down, m.keys.PageDown, m.keys.Top, m.keys.Bottom) {
		h := b.Help()
		help = append(help, m.styles.Key.Render(h.Key)+" "+m.styles.KeyHelp.Render(h.Desc))
	}
	footer := ansi.Truncate(strings.Join(help, m.styles.Dim.Render(" · ")), m.width, "…")
	body := m.view.View()
	// Keep the footer on the last line even when the content is short.
	if n := strings.Count(body, "\n") + 1; n < m.view.Height() {
		body += strings.Repeat("\n", m.view.Height()-n)
	}
	return title + "\n" + body + "\n" + footer
}
