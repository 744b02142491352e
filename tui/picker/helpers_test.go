package picker

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/keypress"
	"warden/tui/keys"
	"warden/tui/styles"
)

var noColor = styles.New(styles.Options{NoColor: true})

// models is a provider's list: n models, the third in force, a few with a
// detail.
func models(n int) []Item {
	names := []string{"gpt-5", "gpt-5-mini", "gpt-5-codex", "gpt-5-nano", "o3", "o4-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini"}
	details := map[string]string{
		"gpt-5":       "the flagship: best at hard, long tasks",
		"gpt-5-mini":  "faster and cheaper; good for small edits",
		"gpt-5-codex": "tuned for agentic coding",
		"gpt-5-nano":  "fastest, for simple questions",
	}
	items := make([]Item, n)
	for i := range items {
		name := names[i%len(names)]
		if i >= len(names) {
			name = fmt.Sprintf("%s-%04d", name, 2024+i/len(names))
		}
		items[i] = Item{Title: name, Detail: details[name], Value: i, Current: i == 2}
	}
	return items
}

// presets are /approvals' choices, Auto in force.
func presets() []Item {
	return []Item{
		{Title: "Read Only", Detail: "Reads files and answers; asks before editing or running anything.", Value: "read-only"},
		{Title: "Auto", Detail: "Edits files and runs commands in the workspace; asks to go outside it or use the network.", Value: "auto", Current: true},
		{Title: "Full Access", Detail: "Edits anything and runs anything, with the network, without asking. Use with care.", Value: "full"},
	}
}

// rules are /permissions' rows: the repository's own rules cannot be
// revoked from here.
func rules() []Item {
	return []Item{
		{Title: "allow go test", Detail: "~/.config/warden/rules.toml:12", Value: 1},
		{Title: "allow git status", Detail: "~/.config/warden/rules.toml:14", Value: 2},
		{Title: "allow make", Detail: ".warden/rules.toml:3", Value: 3, NoRevoke: "set by the repository: edit .warden/rules.toml"},
		{Title: "allow npm run lint", Detail: "session", Value: 4},
		{Title: "allow curl -fsSL https://proxy.golang.org/golang.org/x/tools/@v/list", Detail: "session", Value: 5},
		{Title: "deny rm -rf", Detail: "~/.config/warden/rules.toml:20", Value: 6},
	}
}

func newPicker(items []Item, st *styles.Styles, o Options) Model {
	return New(items, keys.Default(), st, o)
}

// modelOptions are /model's.
var modelOptions = Options{
	Title:    "Choose a model",
	Hint:     "Type to filter, or type a name that is not listed.",
	Filter:   true,
	FreeText: true,
	Loading:  "Loading models…",
	Empty:    "The provider lists no models.",
}

var approvalOptions = Options{Title: "Approvals", Hint: "When warden asks before acting."}

var permissionOptions = Options{Title: "Rules in force", Revocable: true, Empty: "No rules."}

// press presses the keys named (as bindings name them), one after
// another, and returns the picker and every intent returned.
func press(t *testing.T, m Model, names ...string) (Model, []any) {
	t.Helper()
	var got []any
	for _, name := range names {
		k, err := keypress.For(name)
		if err != nil {
			t.Fatal(err)
		}
		var intent any
		m, intent = m.Update(k)
		if intent != nil {
			got = append(got, intent)
		}
	}
	return m, got
}

// typeText types s, a key per rune, and fails on any intent.
func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		var intent any
		m, intent = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		if intent != nil {
			t.Fatalf("typing %q returned %#v", r, intent)
		}
	}
	return m
}

// only is the one intent of got, failing unless there is exactly one.
func only(t *testing.T, got []any) any {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("got %d intents %#v, want one", len(got), got)
	}
	return got[0]
}

// plain is a drawing without its styles.
func plain(s string) string { return ansi.Strip(s) }

// selectedLine is the line of the drawing with the selection marker.
func selectedLine(t *testing.T, view string) string {
	t.Helper()
	for _, l := range strings.Split(plain(view), "\n") {
		if strings.HasPrefix(l, marker+" ") {
			return l
		}
	}
	t.Fatalf("no selected row in\n%s", plain(view))
	return ""
}
