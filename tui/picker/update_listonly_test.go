package picker

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"warden/tui/keys"
	"warden/tui/styles"
)

// A list only shown (and revoked from) neither chooses on enter nor
// offers it.
func TestListOnlyNeverChooses(t *testing.T) {
	m := New([]Item{{Title: "allow git status"}, {Title: "deny git push"}}, keys.Default(), styles.New(styles.Options{NoColor: true}),
		Options{Revocable: true, ListOnly: true})
	m, intent := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if intent != nil {
		t.Fatalf("enter returned %#v", intent)
	}
	if v := m.View(80, 10); strings.Contains(v, "choose") || !strings.Contains(v, "revoke") {
		t.Fatalf("footer:\n%s", v)
	}
}

// Two rules reading the same, from two files: a revoke question asked
// about one must not pass to the other when the list is reloaded.
func TestRevokeQuestionDoesNotPassToATwin(t *testing.T) {
	st := styles.New(styles.Options{NoColor: true})
	user := Item{Title: "allow make", Detail: "~/.config/warden/rules.toml:1", Value: 1}
	personal := Item{Title: "allow make", Detail: "~/.config/warden/projects/p/rules.toml:1", Value: 2}
	m := New([]Item{user, personal}, keys.Default(), st, Options{Revocable: true, ListOnly: true})
	m, _ = m.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	if !strings.Contains(m.View(100, 10), "Revoke?") {
		t.Fatal("x did not ask")
	}
	// The user's rule went (revoked elsewhere): the personal one is left.
	m = m.SetItems([]Item{personal}, "")
	_, intent := m.Update(tea.KeyPressMsg{Code: 'y', Text: "y"})
	if intent != nil {
		t.Fatalf("y revoked the twin: %#v", intent)
	}
}

// A rule's text from a repository cannot use a right-to-left override to
// read as another rule.
func TestPickerRevealsBidiOverrides(t *testing.T) {
	m := New([]Item{{Title: "allow \u202ehsup tig\u202c"}}, keys.Default(), styles.New(styles.Options{NoColor: true}), Options{ListOnly: true})
	if v := m.View(80, 6); strings.ContainsRune(v, '\u202e') || !strings.Contains(v, "<U+202E>") {
		t.Fatalf("view:\n%q", v)
	}
}
