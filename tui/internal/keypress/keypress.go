// Package keypress exists so that tests can press a key by the name a
// key binding lists ("ctrl+t", "G", "pgdown") and get the very press a
// terminal would send, built one way for every package that needs it.
// Only tests import it.
package keypress

import (
	"fmt"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
)

// namedKeys are the non-printable keys a binding may name, as bubbletea
// spells them.
var namedKeys = map[string]rune{
	"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
	"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
	"esc": tea.KeyEscape, "enter": tea.KeyEnter, "tab": tea.KeyTab, "space": tea.KeySpace,
	"backspace": tea.KeyBackspace, "delete": tea.KeyDelete,
}

// For builds the key press a terminal sends for a key name such as
// "ctrl+t", "shift+enter", "G" or "pgdown", and fails for a name no key
// press has. A press of a printable key without modifiers carries its
// text, as a typed key does.
func For(name string) (tea.KeyPressMsg, error) {
	var k tea.KeyPressMsg
	base := name
	for {
		mod, rest, ok := strings.Cut(base, "+")
		if !ok || rest == "" {
			break
		}
		switch mod {
		case "ctrl":
			k.Mod |= tea.ModCtrl
		case "alt":
			k.Mod |= tea.ModAlt
		case "shift":
			k.Mod |= tea.ModShift
		default:
			return k, fmt.Errorf("key %q: unknown modifier %q", name, mod)
		}
		base = rest
	}
	if code, ok := namedKeys[base]; ok {
		k.Code = code
		return k, nil
	}
	r, size := utf8.DecodeRuneInString(base)
	if size != len(base) || r == utf8.RuneError {
		return k, fmt.Errorf("key %q: no key press is named %q", name, base)
	}
	k.Code = r
	if k.Mod == 0 {
		k.Text = base
	}
	return k, nil
}
