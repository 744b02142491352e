package approvaldialog

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"warden/harness/event"
	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

type theme struct {
	name string
	opts styles.Options
}

var themes = []theme{
	{"nocolor", styles.Options{NoColor: true}},
	{"dark", styles.Options{Dark: true}},
	{"light", styles.Options{}},
}

var goldenWidths = []int{40, 80, 120}

// goldenCase is a dialog in some state, drawn at every width in height
// lines.
type goldenCase struct {
	name   string
	height int
	// wider is a width drawn besides goldenWidths.
	wider int
	// build is the dialog in its state, drawn once at w×h (as the root
	// would have before the keys were pressed).
	build func(t *testing.T, st *styles.Styles, w, h int) Model
}

// state is a dialog for req after the keys named, and typed text.
func state(req func() event.ApprovalRequested, mode string, keys []string, typed string) func(*testing.T, *styles.Styles, int, int) Model {
	return func(t *testing.T, st *styles.Styles, w, h int) Model {
		m := dialog(t, req(), st, mode)
		m.View(w, h)
		m, _ = press(t, m, keys...)
		return typeText(m, typed)
	}
}

// escalation asks to run `curl` outside the sandbox.
func escalation() event.ApprovalRequested {
	script := "curl -fsSL https://proxy.golang.org/golang.org/x/tools/@v/list | tail -n 3"
	req := commandRequest()
	req.Command = []string{"bash", "-lc", script}
	req.Script = script
	req.Justification = "List the released versions of x/tools; the sandbox has no network."
	req.Reason = "asks to run outside the sandbox"
	req.Escalation = true
	req.ProposedPrefix = []string{"curl", "-fsSL"}
	req.MinPrefix = 1
	req.PrefixOf = []string{"curl", "-fsSL", "https://proxy.golang.org/golang.org/x/tools/@v/list"}
	return req
}

// multiline is a script with a loop, a comment and quoting, no prefix
// offered (it has more than one command to ask about).
func multiline() event.ApprovalRequested {
	req := commandRequest()
	req.Script = "# format what changed, then commit\nfor f in $(git diff --name-only -- '*.go'); do\n\tgofmt -w \"$f\" && echo \"formatted ${f}\"\ndone\ngit commit -am 'gofmt' > /dev/null"
	req.Justification = "Format the changed files and commit them."
	req.Reason = "`git commit -am gofmt`: not known to be safe; cannot be judged without running it: command substitution"
	req.ProposedPrefix, req.PrefixOf, req.MinPrefix = nil, nil, 0
	return req
}

func goldenCases() []goldenCase {
	return []goldenCase{
		{"command", 40, 0, state(commandRequest, "workspace-write", nil, "")},
		{"command_readonly_no_prefix", 40, 0, state(multiline, "read-only", nil, "")},
		{"escalation", 40, 0, state(escalation, "workspace-write", nil, "")},
		{"preview_project", 40, 0, state(commandRequest, "workspace-write", []string{"p", "right"}, "")},
		{"preview_user_escalation", 40, 0, state(escalation, "workspace-write", []string{"e", "left"}, "")},
		{"reason", 40, 0, state(commandRequest, "workspace-write", []string{"d"}, "use make test: it sets the build tags")},
		{"long_script_scrolled", 22, 0, state(func() event.ApprovalRequested { return longScript(40) }, "workspace-write", []string{"down", "down", "down"}, "")},
		{"short_height", 9, 0, state(commandRequest, "workspace-write", nil, "")},
		{"patch", 40, 0, state(patchRequest, "workspace-write", nil, "")},
		{"patch_split", 40, 160, state(patchRequest, "workspace-write", []string{"s"}, "")},
		{"patch_reason", 40, 0, state(patchRequest, "workspace-write", []string{"d"}, "leave /etc alone")},
		{"hostile", 40, 0, state(hostile, "read-only", nil, "")},
	}
}

// Every state at every width, per theme, against testdata/<case>.<theme>.golden.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, th := range themes {
				var b strings.Builder
				widths := goldenWidths
				if c.wider > 0 {
					widths = append(widths[:len(widths):len(widths)], c.wider)
				}
				for _, w := range widths {
					m := c.build(t, styles.New(th.opts), w, c.height)
					out := m.View(w, c.height)
					what := fmt.Sprintf("%s %s width %d", c.name, th.name, w)
					golden.CheckWidth(t, what, out, w)
					if n := strings.Count(out, "\n") + 1; n > c.height {
						t.Errorf("%s: %d lines, more than %d", what, n, c.height)
					}
					fmt.Fprintf(&b, "──── width %d ────\n%s\n", w, out)
				}
				golden.Compare(t, filepath.Join("testdata", c.name+"."+th.name+".golden"), b.String(), *update)
			}
		})
	}
}
