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
