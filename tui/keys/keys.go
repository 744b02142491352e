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
	Picker   Picker
	Trust    Trust
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
	// Split toggles side-by-side in the /diff pager, where the terminal is
	// wide enough.
	Split key.Binding
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

// Picker bindings choose from a list shown in place of the composer
// (/model, /approvals, /permissions). The picker has the keys alone while
// it is open. When it filters as the user types, printable keys are text:
// the letter bindings (LetterUp, LetterDown, RevokeLetter) then do nothing
// and Erase has backspace.
type Picker struct {
	Up         key.Binding
	Down       key.Binding
	LetterUp   key.Binding // k, only when typing does not filter
	LetterDown key.Binding // j, likewise
	PageUp     key.Binding
	PageDown   key.Binding
	First      key.Binding
	Last       key.Binding
	Choose     key.Binding
	// Cancel closes the picker; Clear empties the typed filter first,
	// on the same key, so esc never loses the list by surprise.
	Cancel key.Binding
	Clear  key.Binding
	Erase  key.Binding // the last typed character of the filter
	// Revoke and RevokeLetter ask to revoke the selected rule
	// (/permissions); RevokeLetter's keys type or erase text while
	// filtering. Confirm and Keep answer the question that follows.
	Revoke       key.Binding
	RevokeLetter key.Binding
	Confirm      key.Binding
	Keep         key.Binding
}

// Trust bindings answer whether to trust a project, asked once before the
// first session in it, alone on the screen.
type Trust struct {
	Yes key.Binding
	// No is the safe answer, so esc (the key for "get me out") gives it.
	No key.Binding
	// Prev and Next move between the two choices; Switch flips between
	// them, since with two choices tab has nowhere else to go.
	Prev   key.Binding
	Next   key.Binding
	Switch key.Binding
	Choose key.Binding
	// Quit leaves warden without answering and without starting anything.
	Quit key.Binding
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
			Split:    b("s", "side by side", "s"),
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
		Picker: Picker{
			Up:           b("↑", "up", "up", "ctrl+p"),
			Down:         b("↓", "down", "down", "ctrl+n"),
			LetterUp:     b("k", "up", "k"),
			LetterDown:   b("j", "down", "j"),
			PageUp:       b("pgup", "page up", "pgup"),
			PageDown:     b("pgdn", "page down", "pgdown"),
			First:        b("home", "first", "home"),
			Last:         b("end", "last", "end"),
			Choose:       b("enter", "choose", "enter"),
			Cancel:       b("esc", "cancel", "esc"),
			Clear:        b("esc", "clear", "esc"),
			Erase:        b("backspace", "erase a character", "backspace"),
			Revoke:       b("del", "revoke", "delete"),
			RevokeLetter: b("x", "revoke", "x", "backspace"),
			Confirm:      b("y", "yes, revoke", "y"),
			Keep:         b("n", "no, keep it", "n"),
		},
		Trust: Trust{
			Yes:    b("y", "trust", "y"),
			No:     b("n/esc", "don't trust", "n", "esc"),
			Prev:   b("←/↑", "previous choice", "left", "up"),
			Next:   b("→/↓", "next choice", "right", "down"),
			Switch: b("tab", "other choice", "tab", "shift+tab"),
			Choose: b("enter", "answer", "enter"),
			Quit:   b("ctrl+c", "quit warden", "ctrl+c"),
		},
	}
}
