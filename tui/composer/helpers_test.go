package composer

import (
	"flag"
	"testing"

	tea "charm.land/bubbletea/v2"

	"warden/tui/keys"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	enter      = tea.KeyPressMsg{Code: tea.KeyEnter}
	shiftEnter = tea.KeyPressMsg{Code: tea.KeyEnter, Mod: tea.ModShift}
	altEnter   = tea.KeyPressMsg{Code: tea.KeyEnter, Mod: tea.ModAlt}
	ctrlJ      = tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl}
	ctrlD      = tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	ctrlC      = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	up         = tea.KeyPressMsg{Code: tea.KeyUp}
	down       = tea.KeyPressMsg{Code: tea.KeyDown}
	left       = tea.KeyPressMsg{Code: tea.KeyLeft}
	home       = tea.KeyPressMsg{Code: tea.KeyHome}
	tab        = tea.KeyPressMsg{Code: tea.KeyTab}
	esc        = tea.KeyPressMsg{Code: tea.KeyEscape}
	backspace  = tea.KeyPressMsg{Code: tea.KeyBackspace}
	del        = tea.KeyPressMsg{Code: tea.KeyDelete}
	ctrlW      = tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl}
)

var testCommands = []Command{
	{"copy", "copy the last answer"},
	{"compact", "summarise the conversation to free context"},
	{"help", "list commands and shortcuts"},
	{"model", "choose the model"},
	{"quit", "leave warden"},
}

var testFiles = []string{
	"README.md",
	"cmd/warden/main.go",
	"docs/design notes.md",
	"go.mod",
	"harness/loop.go",
	"internal/mainframe/x.go",
	"main.go",
	"tui/composer/complete.go",
	"tui/composer/composer.go",
	"tui/composer/history.go",
	"tui/keys/keys.go",
}

// newTest is a composer as the root sets it up.
func newTest(t testing.TB, width int, opts styles.Options) Model {
	t.Helper()
	m := New(keys.Default(), styles.New(opts))
	m.SetWidth(width)
	m.SetCommands(testCommands)
	m.SetFiles(testFiles)
	return m
}

// send drives one message through Update, failing on any command: the
// composer has no I/O to ask for.
func send(t testing.TB, m Model, msg tea.Msg) (Model, Intent) {
	t.Helper()
	m, intent, cmd := m.Update(msg)
	if cmd != nil {
		if out := cmd(); out != nil {
			t.Fatalf("Update(%v) asked for a command producing %T", msg, out)
		}
	}
	return m, intent
}

// typeText types s one key at a time, failing on any intent.
func typeText(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		var intent Intent
		m, intent = send(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
		if intent != nil {
			t.Fatalf("typing %q returned %#v", r, intent)
		}
	}
	return m
}

// keys presses each key, failing on any intent.
func press(t testing.TB, m Model, ks ...tea.KeyPressMsg) Model {
	t.Helper()
	for _, k := range ks {
		var intent Intent
		m, intent = send(t, m, k)
		if intent != nil {
			t.Fatalf("%s returned %#v", k, intent)
		}
	}
	return m
}
