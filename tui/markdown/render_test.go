package markdown

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

// palettes are the styles every golden test runs in.
var palettes = []struct {
	name string
	opts styles.Options
}{
	{"dark", styles.Options{Dark: true}},
	{"light", styles.Options{}},
	{"nocolor", styles.Options{NoColor: true}},
}

var widths = []int{40, 80, 120}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRenderGolden(t *testing.T) {
	src := readTestdata(t, "sample.md")
	for _, p := range palettes {
		r := NewRenderer(styles.New(p.opts))
		for _, w := range widths {
			t.Run(fmt.Sprintf("%s/%d", p.name, w), func(t *testing.T) {
				out := r.Render(src, w)
				golden.CheckWidth(t, "render", out, w)
				golden.Compare(t, filepath.Join("testdata", fmt.Sprintf("render_%s_%d.golden", p.name, w)), out, *update)
			})
		}
	}
}

func TestRenderShape(t *testing.T) {
	src := readTestdata(t, "sample.md")
	for _, p := range palettes {
		out := NewRenderer(styles.New(p.opts)).Render(src, 80)
		lines := strings.Split(out, "\n")
		if strings.HasSuffix(out, "\n") || lines[0] == "" || lines[len(lines)-1] == "" {
			t.Errorf("%s: blank line or newline at an end: %q … %q", p.name, lines[0], lines[len(lines)-1])
		}
		// No document margin: a paragraph starts at the left edge.
		if !strings.Contains("\n"+ansi.Strip(out), "\nThe test fails about") {
			t.Errorf("%s: the first paragraph does not start at the left edge:\n%s", p.name, ansi.Strip(out))
		}
		for i, line := range lines {
			if strings.HasSuffix(line, " ") {
				t.Errorf("%s: line %d ends in spaces nothing shows: %q", p.name, i, line)
			}
			if strings.Contains(line, "\t") {
				t.Errorf("%s: line %d holds a tab: %q", p.name, i, line)
			}
		}
	}
}

// containsLine tells whether out has a line reading exactly line once its
// escape sequences are stripped.
func containsLine(out, line string) bool {
	for _, l := range strings.Split(ansi.Strip(out), "\n") {
		if l == line {
			return true
		}
	}
	return false
}

// colourParam matches an SGR sequence that sets a colour.
var colourParam = regexp.MustCompile(`\x1b\[([0-9;:]*;)?(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;:m]`)

func TestNoColorHasNoColourButEmphasis(t *testing.T) {
	src := readTestdata(t, "sample.md")
	out := NewRenderer(styles.New(styles.Options{NoColor: true})).Render(src, 80)
	if m := colourParam.FindString(out); m != "" {
		t.Errorf("NoColor output sets a colour: %q", m)
	}
	for _, want := range []string{"\x1b[1m", "\x1b[3m"} {
		if !strings.Contains(out, want) {
			t.Errorf("NoColor output lacks emphasis %q", want)
		}
	}
	if !strings.Contains(ansi.Strip(out), "The test fails about one run in ten because the upload worker") {
		t.Error("emphasis markers were left in NoColor output")
	}
	for _, p := range palettes[:2] {
		out := NewRenderer(styles.New(p.opts)).Render(src, 80)
		if colourParam.FindString(out) == "" {
			t.Errorf("%s output has no colour", p.name)
		}
	}
}

// Glamour registers every style's code palette under one name, first come
// first served: the light palette must still reach light terminals after a
// dark renderer ran, and the other way round.
func TestCodePaletteFollowsTheTerminal(t *testing.T) {
	src := "```go\nfunc main() {}\n```"
	render := func(o styles.Options) string { return NewRenderer(styles.New(o)).Render(src, 80) }
	dark, light := render(styles.Options{Dark: true}), render(styles.Options{})
	if dark == light {
		t.Fatalf("dark and light code look the same: %q", dark)
	}
	if render(styles.Options{Dark: true}) != dark || render(styles.Options{}) != light {
		t.Error("a code palette changed after the other one was used")
	}
	// The light palette's text colour is dark grey (#2A2A2A, 235), the
	// dark one's light grey (#C4C4C4, 251).
	if !strings.Contains(light, "38;5;235m") || !strings.Contains(dark, "38;5;251m") {
		t.Errorf("unexpected code colours:\ndark  %q\nlight %q", dark, light)
	}
}

func TestRenderSanitizes(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{Dark: true}))
	out := r.Render("evil \x1b]0;owned\x07title \x1b[2J and \x1b[31mred\r\n\n```\n\tindented\x00\n```", 40)
	if strings.Contains(out, "\x1b]0;") || strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\x1b[31m") {
		t.Errorf("escape sequences from the source reached the output: %q", out)
	}
	if strings.ContainsAny(out, "\t\r\x00\x07") {
		t.Errorf("control characters reached the output: %q", out)
	}
	// Sequences go whole: no parameters are left to read.
	if plain := ansi.Strip(out); strings.Contains(plain, "owned") || strings.Contains(plain, "[2J") || strings.Contains(plain, "[31m") {
		t.Errorf("what is left of escape sequences shows: %q", plain)
	}
	if !containsLine(out, "      indented") {
		t.Errorf("a tab did not become spaces at CommonMark's tab stop:\n%s", ansi.Strip(out))
	}
}

func TestRenderNonPositiveWidth(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{}))
	for _, w := range []int{0, -5} {
		if out := r.Render("# hello", w); out != "" {
			t.Errorf("width %d: got %q, want nothing", w, out)
		}
	}
}

func TestRenderFitsNarrowWidths(t *testing.T) {
	src := readTestdata(t, "sample.md") + "\n" + readTestdata(t, "stream.md")
	for _, p := range palettes {
		r := NewRenderer(styles.New(p.opts))
		for _, w := range []int{1, 2, 3, 5, 8, 13, 21} {
			golden.CheckWidth(t, fmt.Sprintf("%s render at width %d", p.name, w), r.Render(src, w), w)
		}
	}
}

func TestLongCodeLineWrapsUnderTheMargin(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	out := r.Render("```\n"+strings.Repeat("abcdefghij", 5)+"\n```", 22)
	want := "  abcdefghijabcdefghij\n  abcdefghijabcdefghij\n  abcdefghij"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestQuoteFitsItsWidth(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	src := "> " + strings.Repeat("word ", 30)
	out := r.Render(src, 40)
	golden.CheckWidth(t, "quote", out, 40)
	for _, line := range strings.Split(ansi.Strip(out), "\n") {
		if !strings.HasPrefix(line, "| word") {
			t.Errorf("a quoted line lost its bar or broke short: %q", line)
		}
	}
}

func TestListItemTextFlows(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	out := r.Render("1. one line\n   that goes on\n2. two  \n   hard break\n   - nested\n     text", 80)
	want := "1. one line that goes on\n2. two\nhard break\n    • nested text"
	if got := ansi.Strip(out); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestListContinuationStaysUnderItsItem(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	out := ansi.Strip(r.Render("1. Install:\n\n   ```sh\n   npm install\n   ```\n\n   Then run it.\n\nDone.", 80))
	want := "1. Install:\n\n     npm install\n\n   Then run it.\n\nDone."
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestSplitOrderedListKeepsNumbers(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	out := ansi.Strip(r.Render("1. one\n2. two\n\n3. three\n\n   more\n\n10. ten\n\n- other list\n\n1. new\n\n1. again", 80))
	// As goldmark numbers the whole document: a list counts on from its
	// first number, whatever the other items say.
	want := "1. one\n2. two\n\n3. three\n\n   more\n\n4. ten\n\n• other list\n\n1. new\n\n2. again"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

// Rendering block by block must show what glamour shows for the whole
// document, for documents glamour renders well (it glues the paragraphs of
// a loose list item together, for one). Equivalence here: the same
// non-blank lines in the same order, escape sequences and trailing spaces
// aside; blank lines may differ, block by block rendering puts exactly one
// between blocks.
func TestRenderShowsWhatGlamourShows(t *testing.T) {
	src := strings.Join([]string{
		"# Title", "Intro with *emphasis*, **strong** and `code`.",
		"## Steps", "1. first\n2. second\n3. third", "1. loose\n\n1. list\n\n1. counts", "- a\n- b\n  - nested",
		"```go\n" + strings.Repeat("fmt.Println(\"line\")\n", 45) + "```",
		"> a quote", "| a | b |\n|---|---|\n| 1 | 2 |", "---", "The end.",
	}, "\n\n")
	for _, p := range palettes {
		for _, w := range widths {
			r := NewRenderer(styles.New(p.opts))
			got := visibleLines(r.Render(src, w))
			style, _ := glamourStyle(p.opts)
			// The code block is ours; glamour's own code wrapping differs
			// only on lines wider than the width, and these are not.
			term, err := glamour.NewTermRenderer(glamour.WithStyles(style), glamour.WithWordWrap(w))
			if err != nil {
				t.Fatal(err)
			}
			whole, err := term.Render(src)
			if err != nil {
				t.Fatal(err)
			}
			want := visibleLines(whole)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s/%d: block by block:\n%s\nglamour:\n%s", p.name, w, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
}

// visibleLines is the non-blank lines of out, escape sequences and
// trailing spaces removed.
func visibleLines(out string) []string {
	var lines []string
	for _, l := range strings.Split(ansi.Strip(out), "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// Code colours stay readable on the background they are meant for: black
// for the dark palette, white for the light one. Glamour's own light
// palette fails this (#FA7878 punctuation: 2.6).
func TestCodeColoursAreReadable(t *testing.T) {
	for _, p := range palettes[:2] {
		h := NewRenderer(styles.New(p.opts)).highlighter
		for _, tt := range h.style.Types() {
			c := h.style.Get(tt).Colour
			if !c.IsSet() {
				continue
			}
			if got := contrast(c, p.opts.Dark); got < minContrast {
				t.Errorf("%s: %v is %s, contrast %.1f", p.name, tt, c, got)
			}
		}
	}
}
