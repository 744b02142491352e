package keypress

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// A press built for a name reads back as that name, which is what
// key.Matches compares, and has the code, modifiers and text a terminal
// would send.
func TestForBuildsThePressTheNameSays(t *testing.T) {
	for _, tc := range []struct {
		name string
		want tea.KeyPressMsg
	}{
		{"G", tea.KeyPressMsg{Code: 'G', Text: "G"}},
		{"?", tea.KeyPressMsg{Code: '?', Text: "?"}},
		{"ctrl+t", tea.KeyPressMsg{Code: 't', Mod: tea.ModCtrl}},
		{"shift+enter", tea.KeyPressMsg{Code: tea.KeyEnter, Mod: tea.ModShift}},
		{"ctrl+alt+x", tea.KeyPressMsg{Code: 'x', Mod: tea.ModCtrl | tea.ModAlt}},
		{"pgdown", tea.KeyPressMsg{Code: tea.KeyPgDown}},
		{"esc", tea.KeyPressMsg{Code: tea.KeyEscape}},
		{"ctrl++", tea.KeyPressMsg{Code: '+', Mod: tea.ModCtrl}},
	} {
		got, err := For(tc.name)
		if err != nil {
			t.Errorf("%q: %v", tc.name, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%q: got %#v, want %#v", tc.name, got, tc.want)
		}
		if got.String() != tc.name {
			t.Errorf("%q: the press reads %q", tc.name, got.String())
		}
	}
}

// Names no key press has fail, so a typo in a binding cannot pass as a
// key.
func TestForRefusesNamesOfNoKey(t *testing.T) {
	for _, name := range []string{"pgdn", "Ctrl+T", "super+a", "ctrl+", "ab", ""} {
		if k, err := For(name); err == nil {
			t.Errorf("%q built %#v", name, k)
		}
	}
}
