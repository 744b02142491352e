package cells

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	// Named apart from this package's golden, which draws a cell for it.
	goldenfile "warden/tui/internal/golden"
	"warden/tui/markdown"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

// t0 is when every test's calls start; frames are drawn at t0+3s.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

const frameDelay = 3 * time.Second

type theme struct {
	name string
	opts styles.Options
}

var themes = []theme{
	{"nocolor", styles.Options{NoColor: true}},
	{"dark", styles.Options{Dark: true}},
}

// goldenWidths are the widths every golden is drawn at: the usual ones
// and a tiny one, where cells must still draw something sensible.
var goldenWidths = []int{40, 80, 120, 16}

// newContext is a context for a frame at t0+3s.
func newContext(width int, o styles.Options, full bool) Context {
	st := styles.New(o)
	return Context{
		Width:    width,
		Styles:   st,
		Markdown: markdown.NewRenderer(st),
		Now:      t0.Add(frameDelay),
		Spinner:  "⠋",
		Full:     full,
	}
}

// golden draws a cell at every golden width in every theme and compares
// the drawings with testdata/<name>.<theme>.golden. draw gets a fresh
// cell each time, since drawing a Flusher changes it.
func golden(t *testing.T, name string, full bool, draw func(ctx Context) string) {
	t.Helper()
	for _, th := range themes {
		var b strings.Builder
		for _, w := range goldenWidths {
			ctx := newContext(w, th.opts, full)
			out := draw(ctx)
			goldenfile.CheckWidth(t, fmt.Sprintf("%s %s width %d", name, th.name, w), out, w)
			fmt.Fprintf(&b, "──── width %d ────\n%s\n", w, out)
		}
		goldenfile.Compare(t, filepath.Join("testdata", name+"."+th.name+".golden"), b.String(), *update)
	}
}

// plain is a drawing without its styles, for behaviour tests.
func plain(s string) string { return ansi.Strip(s) }
