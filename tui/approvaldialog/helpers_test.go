package approvaldialog

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/internal/keypress"
	"warden/tui/keys"
	"warden/tui/styles"
)

// t0 is when every test's dialog appears.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// clock is a settable time for the grace period.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

const home = "/home/ada"

// ruleFiles are where the harness says rules go.
var ruleFiles = map[string]string{
	event.RememberProject: home + "/.config/warden/projects/5f3a9c/rules.toml",
	event.RememberUser:    home + "/.config/warden/rules.toml",
}

// commandRequest asks about `go test -run TestParse ./internal/parse`,
// offering "go test" (at least "go test") to always allow.
func commandRequest() event.ApprovalRequested {
	script := "go test -run TestParse ./internal/parse"
	return event.ApprovalRequested{
		ID: "a1", CallID: "c1", Kind: "command",
		Command:        []string{"bash", "-lc", script},
		Script:         script,
		Cwd:            home + "/src/warden",
		Justification:  "Run the parser tests to check the fix for empty input.",
		Reason:         "`go test -run TestParse ./internal/parse`: not known to be safe",
		ProposedPrefix: []string{"go", "test"},
		MinPrefix:      2,
		PrefixOf:       []string{"go", "test", "-run", "TestParse", "./internal/parse"},
		ProposedRule:   "[[rule]]\n",
		RuleFiles:      ruleFiles,
	}
}

// patchRequest asks about a patch to two files.
func patchRequest() event.ApprovalRequested {
	return event.ApprovalRequested{
		ID: "a2", CallID: "c2", Kind: "patch",
		Cwd:    home + "/src/warden",
		Reason: "/etc/hosts is outside the writable roots (/home/ada/src/warden, /tmp)",
		Changes: []event.FileChange{
			{Path: "internal/parse/parse.go", Kind: "update", Added: 2, Removed: 1, Diff: "@@ -10,4 +10,5 @@ func Parse(s string) (*Node, error) {\n \tif s == \"\" {\n-\t\treturn nil, nil\n+\t\treturn nil, ErrEmpty\n+\t\t// an empty input is an error, not an empty tree\n \t}\n"},
			{Path: "/etc/hosts", Kind: "update", Added: 1, Removed: 0, Diff: "@@ -1,2 +1,3 @@\n 127.0.0.1 localhost\n+127.0.0.1 warden.test\n ::1 localhost\n"},
		},
	}
}

// dialog is a dialog for req whose grace period is over.
func dialog(t *testing.T, req event.ApprovalRequested, st *styles.Styles, mode string) Model {
	t.Helper()
	c := &clock{now: t0}
	m := New(req, keys.Default(), st, Options{SandboxMode: mode, Home: home, Now: c.Now})
	c.now = t0.Add(Grace)
	return m
}

// press presses the keys named (as bindings name them), one after
// another, and returns the dialog and the first decision made.
func press(t *testing.T, m Model, names ...string) (Model, *event.Decision) {
	t.Helper()
	var got *event.Decision
	for _, name := range names {
		k, err := keypress.For(name)
		if err != nil {
			t.Fatal(err)
		}
		var d *event.Decision
		m, d, _ = m.Update(k)
		if d != nil && got == nil {
			got = d
		}
	}
	return m, got
}

// typeText types s into the dialog, a key per rune.
func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// plain is a drawing without its styles and gutter.
func plain(s string) string {
	lines := strings.Split(ansi.Strip(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, gutter)
	}
	return strings.Join(lines, "\n")
}
