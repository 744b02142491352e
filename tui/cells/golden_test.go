package cells

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

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
			checkWidth(t, fmt.Sprintf("%s %s width %d", name, th.name, w), out, w)
			fmt.Fprintf(&b, "──── width %d ────\n%s\n", w, out)
		}
		compareGolden(t, filepath.Join("testdata", name+"."+th.name+".golden"), b.String())
	}
}

// checkWidth fails when a line is wider than width.
func checkWidth(t *testing.T, what, out string, width int) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("%s: line %d is %d wide: %q", what, i+1, w, l)
		}
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test ./tui/cells -update): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test ./tui/cells -update and review the diff):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// plain is a drawing without its styles, for behaviour tests.
func plain(s string) string { return ansi.Strip(s) }
