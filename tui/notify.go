package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// notify rings the bell and posts a desktop notification (OSC 9, which
// iTerm2, WezTerm, Ghostty, kitty and Windows Terminal show) when the
// terminal is not focused: a finished turn or a question for the user
// should reach someone who switched away. Terminals that do not report
// focus count as focused, so they are never rung at.
func (m *Model) notify(text string) tea.Cmd {
	if m.focused || text == "" {
		return nil
	}
	return tea.Raw(notification(text))
}

// notification is the bell and the OSC 9 sequence for text, with control
// characters removed so the text cannot end the sequence early.
func notification(text string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, text)
	return "\a\x1b]9;" + clean + "\x07"
}
