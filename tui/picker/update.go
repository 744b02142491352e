package picker

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// defaultPage is how far pgup/pgdn move before the first View has said
// how many rows fit.
const defaultPage = 5

// Update handles a key or a paste. The intent is nil, or one of Chosen,
// Custom, Revoke and Cancel. Nothing the picker does needs a command, so
// it returns none (like the pager).
func (m Model) Update(msg tea.Msg) (Model, any) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if m.opts.Filter && !m.confirming {
			m.notice = ""
			m.setQuery(m.query + oneLine(msg.Content))
		}
	}
	return m, nil
}

func (m Model) key(k tea.KeyPressMsg) (Model, any) {
	km := m.keys
	if m.confirming {
		// Only Confirm revokes: any other key (Keep, esc, a slip) keeps
		// the rule and is spent on closing the question.
		m.confirming = false
		if key.Matches(k, km.Confirm) {
			if it, ok := m.Selected(); ok {
				return m, Revoke{Item: it}
			}
		}
		return m, nil
	}
	m.notice = ""
	filter, letters := m.opts.Filter, !m.opts.Filter
	switch {
	case key.Matches(k, km.Clear) && m.query != "":
		m.setQuery("")
	case key.Matches(k, km.Cancel):
		return m, Cancel{}
	case key.Matches(k, km.Choose):
		return m.choose()
	case key.Matches(k, km.Up) || letters && key.Matches(k, km.LetterUp):
		m.move(-1)
	case key.Matches(k, km.Down) || letters && key.Matches(k, km.LetterDown):
		m.move(1)
	case key.Matches(k, km.PageUp):
		m.move(-m.page())
	case key.Matches(k, km.PageDown):
		m.move(m.page())
	case key.Matches(k, km.First):
		m.move(-len(m.rows))
	case key.Matches(k, km.Last):
		m.move(len(m.rows))
	case m.opts.Revocable && (key.Matches(k, km.Revoke) || letters && key.Matches(k, km.RevokeLetter)):
		m.askRevoke()
	case filter && key.Matches(k, km.Erase):
		if m.query != "" {
			_, size := utf8.DecodeLastRuneInString(m.query)
			m.setQuery(m.query[:len(m.query)-size])
		}
	case filter && typed(k):
		// A space before any text would only keep the filter from
		// matching.
		if t := flat(k.Text); strings.TrimSpace(t) != "" || t != "" && m.query != "" {
			m.setQuery(m.query + t)
		}
	}
	return m, nil
}

// typed: the press is text to type, not a command.
func typed(k tea.KeyPressMsg) bool {
	return k.Text != "" && k.Mod&(tea.ModCtrl|tea.ModAlt|tea.ModMeta|tea.ModSuper|tea.ModHyper) == 0
}

func (m Model) choose() (Model, any) {
	if m.opts.ListOnly || m.sel >= len(m.rows) {
		return m, nil // nothing to choose yet: loading, or no match
	}
	if m.rows[m.sel].item == freeRow {
		return m, Custom{Text: m.freeText()}
	}
	return m, Chosen{Item: m.items[m.rows[m.sel].item]}
}

func (m *Model) move(n int) {
	m.sel = min(max(m.sel+n, 0), max(len(m.rows)-1, 0))
}

func (m Model) page() int {
	if m.frame.page == 0 {
		return defaultPage
	}
	return max(m.frame.page-1, 1) // a row of the last page stays in sight
}

// askRevoke asks on the selected row, or says there why it cannot be
// revoked.
func (m *Model) askRevoke() {
	if m.sel >= len(m.rows) || m.rows[m.sel].item == freeRow {
		return
	}
	if why := m.shown[m.rows[m.sel].item].noRevoke; why != "" {
		m.notice = why
		return
	}
	m.confirming = true
}
