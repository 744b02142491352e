// Package keys is the one place the TUI's key bindings are defined. Every
// binding carries its own help text, so the help screen ("?") and the hints
// under the composer are generated from the bindings themselves and can
// never drift from what the keys really do.
package keys

import "charm.land/bubbles/v2/key"

// Map holds every binding, grouped by where it applies.
type Map struct {
	Global   Global
	Composer Composer
	Pager    Pager
	Approval Approval
}

// Global bindings work whatever has focus.
type Global struct {
	// Interrupt stops the running turn (the stream, and the running
	// command's whole process group).
	Interrupt key.Binding
	// Quit: ctrl+c clears the composer, and quits when pressed again with
	// nothing to clear; ctrl+d quits when the composer is empty.
	Quit       key.Binding
	QuitEmpty  key.Binding
	Transcript key.Binding // the full-transcript pager
	Help       key.Binding // on an empty composer
}

// Composer bindings edit and send the message being typed.
type Composer struct {
	Send     key.Binding
	Newline  key.Binding
	Prev     key.Binding // history, or the previous completion
	Next     key.Binding
	Complete key.Binding // accept the selected completion
	Dismiss  key.Binding // close the completion list
}

// Pager bindings move through the full transcript.
type Pager struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Close    key.Binding
}

// Approval bindings answer the harness when it asks.
type Approval struct {
	Once    key.Binding
	Session key.Binding
	Deny    key.Binding
	Stop    key.Binding
	// Project and User save a rule always allowing the command's prefix
	// (shown first, confirmed with Confirm); Explain denies with a reason
	// typed for the model.
	Project key.Binding
	User    key.Binding
	Explain key.Binding
	// Shorter and Longer change the prefix a rule would allow, a word at
	// a time, while its preview is open.
	Shorter key.Binding
	Longer  key.Binding
	// Confirm saves the previewed rule, or sends the typed reason; Back
	// closes either without answering (esc answers only when neither is
	// open).
	Confirm key.Binding
	Back    key.Binding
	// Up, Down, PageUp and PageDown scroll a long script or diff; Split
	// toggles a side-by-side diff where the terminal is wide enough.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Split    key.Binding
}

// Default is warden's key map.
func Default() Map {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return Map{
		Global: Global{
			Interrupt:  b("esc", "interrupt the agent", "esc"),
			Quit:       b("ctrl+c", "clear input; twice to quit", "ctrl+c"),
			QuitEmpty:  b("ctrl+d", "quit (empty input)", "ctrl+d"),
			Transcript: b("ctrl+t", "full transcript", "ctrl+t"),
			Help:       b("?", "keyboard shortcuts", "?"),
		},
		Composer: Composer{
			Send:     b("enter", "send", "enter"),
			Newline:  b("shift+enter", "newline (also ctrl+j, alt+enter)", "shift+enter", "ctrl+j", "alt+enter"),
			Prev:     b("↑", "previous message", "up"),
			Next:     b("↓", "next message", "down"),
			Complete: b("tab", "complete @file or /command", "tab"),
			Dismiss:  b("esc", "close completions", "esc"),
		},
		Pager: Pager{
			Up:       b("↑/k", "up", "up", "k"),
			Down:     b("↓/j", "down", "down", "j"),
			PageUp:   b("pgup/b", "page up", "pgup", "b"),
			PageDown: b("pgdn/space", "page down", "pgdown", "space", "f"),
			Top:      b("g/home", "top", "g", "home"),
			Bottom:   b("G/end", "bottom", "G", "end"),
			Close:    b("q/esc", "close", "q", "esc", "ctrl+t"),
		},
		Approval: Approval{
			Once:    b("y", "yes, run it once", "y"),
			Session: b("a", "yes, and don't ask again this session", "a"),
			Deny:    b("n", "no, tell the model to do something else", "n"),
			Stop:    b("esc", "no, and stop the turn", "esc"),
			Project: b("p", "always allow commands starting with this prefix, in this project", "p"),
			User:    b("e", "always allow commands starting with this prefix, everywhere", "e"),
			Explain: b("d", "no, and tell the model why", "d"),
			Shorter: b("←", "shorter prefix", "left"),
			Longer:  b("→", "longer prefix", "right"),
			Confirm: b("enter", "save the rule and run / send the reason", "enter"),
			Back:    b("esc", "back to the question", "esc"),

			Up:       b("↑", "scroll up", "up"),
			Down:     b("↓", "scroll down", "down"),
			PageUp:   b("pgup", "page up", "pgup"),
			PageDown: b("pgdn", "page down", "pgdown"),
			Split:    b("s", "side-by-side diff", "s"),
		},
	}
}
