package trustprompt

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"warden/tui/internal/golden"
	"warden/tui/keys"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

type theme struct {
	name string
	opts styles.Options
}

var (
	noColorTheme = theme{"nocolor", styles.Options{NoColor: true}}
	darkTheme    = theme{"dark", styles.Options{Dark: true}}
	lightTheme   = theme{"light", styles.Options{}}
)

var goldenWidths = []int{40, 80, 120}

// sized is m after the terminal said its width, and a height that fits
// every question.
func sized(m Model, w int) Model { return sizedTo(m, w, 40) }

func sizedTo(m Model, w, h int) Model {
	next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return next.(Model)
}

func TestGolden(t *testing.T) {
	modeChosen := question()
	modeChosen.ModeChosen, modeChosen.ChosenMode = true, "workspace-write"
	noFiles := question()
	noFiles.Files = nil
	longPaths := question()
	longPaths.Root = "/srv/checkouts/a-rather-long-organisation-name/an-even-longer-repository-name"
	longPaths.Files = []File{
		{Path: ".warden/rules.toml", What: "does not load: line 2: rule 1: decision must be \"allow\", \"ask\" or \"deny\", got \"maybe\""},
		{Path: "AGENTS.md", What: "instructions for the model (read whether trusted or not)"},
		{Path: "services/payments/internal/ledger/reconciliation/AGENTS.md", What: "instructions for the model, cut to the size limit (read whether trusted or not)"},
	}
	hostile := question()
	hostile.Root = home + "/src/\x1b]0;owned\x07app\x1b[2J"
	hostile.Files = []File{
		{Path: "AGENTS.md\x1b[1A\x1b[2K", What: "instructions\u009b31m for the model (read whether trusted or not)"},
		{Path: "docs\n/AGENTS.md", What: "instructions for the model (read whether trusted or not)"},
	}

	for _, c := range []struct {
		name   string
		q      Question
		keys   []string
		themes []theme
		height int // of the terminal; 0 for one that fits every question
	}{
		{"several_files", question(), nil, []theme{noColorTheme, darkTheme, lightTheme}, 0},
		{"mode_chosen", modeChosen, nil, []theme{noColorTheme, darkTheme}, 0},
		{"no_files", noFiles, nil, []theme{noColorTheme, darkTheme}, 0},
		{"long_paths", longPaths, nil, []theme{noColorTheme, darkTheme}, 0},
		{"hostile", hostile, nil, []theme{noColorTheme, darkTheme}, 0},
		{"yes_selected", question(), []string{"right"}, []theme{noColorTheme, darkTheme}, 0},
		{"short_terminal", question(), nil, []theme{noColorTheme}, 14},
		{"tiny_terminal", question(), nil, []theme{noColorTheme}, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, th := range c.themes {
				var b strings.Builder
				for _, w := range goldenWidths {
					h := c.height
					if h == 0 {
						h = 40
					}
					m := sizedTo(New(c.q, keys.Default(), styles.New(th.opts)).WithGrace(0), w, h)
					m, _ = press(t, m, c.keys...)
					out := m.View().Content
					what := fmt.Sprintf("%s %s width %d", c.name, th.name, w)
					golden.CheckWidth(t, what, out, w)
					if n := lineCount(out); n > h {
						t.Errorf("%s: %d lines, more than %d", what, n, h)
					}
					fmt.Fprintf(&b, "──── width %d ────\n%s\n", w, out)
				}
				golden.Compare(t, filepath.Join("testdata", c.name+"."+th.name+".golden"), b.String(), *update)
			}
		})
	}
}

// The line left on the screen for each way the question can end.
func TestGoldenRecords(t *testing.T) {
	modeChosen := question()
	modeChosen.ModeChosen, modeChosen.ChosenMode = true, "workspace-write"
	ends := []struct {
		name string
		q    Question
		key  string
	}{
		{"trusted", question(), "y"},
		{"not trusted", question(), "n"},
		{"not trusted, mode chosen", modeChosen, "esc"},
		{"quit", question(), "ctrl+c"},
	}
	for _, th := range []theme{noColorTheme, darkTheme} {
		var b strings.Builder
		for _, w := range goldenWidths {
			fmt.Fprintf(&b, "──── width %d ────\n", w)
			for _, e := range ends {
				m, _ := press(t, sized(New(e.q, keys.Default(), styles.New(th.opts)).WithGrace(0), w), e.key)
				out := m.Record()
				golden.CheckWidth(t, fmt.Sprintf("%s %s width %d", e.name, th.name, w), out, w)
				fmt.Fprintf(&b, "%s:\n%s\n", e.name, out)
			}
		}
		golden.Compare(t, filepath.Join("testdata", "records."+th.name+".golden"), b.String(), *update)
	}
}
