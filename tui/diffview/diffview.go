// Package diffview draws what a patch changes, file by file, as a diff
// for the terminal: a header line per file, then its hunks with line
// numbers, +/- gutters, the code coloured by its language, and on a wide
// terminal the old and new text side by side. It is the one diff
// renderer of the TUI (patch approvals, the transcript's full view,
// /diff), so that a change looks the same wherever it is shown.
//
// The diffs come from the harness (event.FileChange, unified diffs made
// by go-udiff) but their text comes from the repository and the model, so
// it is stripped of escape sequences before anything else, and text that
// is not a diff this package can read is shown as it is rather than
// guessed at.
package diffview

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/internal/termsafe"
	"warden/tui/styles"
)

// Options say how to draw.
type Options struct {
	Width int // total width; no line is wider (a width below 1 is drawn as 1)
	// Split draws the old and new text side by side; below the width
	// CanSplit accepts, the diff is drawn unified anyway.
	Split  bool
	Styles *styles.Styles // the palette; nil draws without colour
}

// minSplitWidth is the narrowest terminal a side-by-side diff is drawn
// on: each side then has about 50 columns of code, the least that reads.
const minSplitWidth = 120

// CanSplit says whether a side-by-side diff fits in width columns.
func CanSplit(width int) bool { return width >= minSplitWidth }

// Render draws every file of changes: its header line ("M path  +N −M",
// "A new.go  +20", "D old.go  −5", "R old → new"), then its hunks. Files
// are set apart by an empty line. There is no final newline.
func Render(changes []event.FileChange, o Options) string {
	st := o.Styles
	if st == nil {
		st = styles.New(styles.Options{NoColor: true})
	}
	r := &renderer{
		width:   max(o.Width, 1),
		split:   o.Split && CanSplit(o.Width),
		palette: newPalette(st),
		colours: newHighlighter(),
	}
	size := 0
	for _, c := range changes {
		size += len(c.Diff)
	}
	// Drawn, a diff takes about three times its bytes (numbers, escape
	// sequences); growing to that by doubling would copy it over and over.
	r.out = make([]byte, 0, 3*size+256)
	for i, c := range changes {
		if i > 0 {
			r.row("")
		}
		r.file(c)
	}
	return string(r.out)
}

// renderer draws the files of one Render call into out, row by row.
type renderer struct {
	width   int
	split   bool
	palette *palette
	colours *highlighter

	out      []byte
	rows     int // rows drawn so far
	rowStart int // where in out the row being drawn starts

	// How the file being drawn is laid out.
	digits           int  // width of its number columns
	showOld, showNew bool // it has old lines, new lines: their number columns are shown
	fileSplit        bool // it is drawn side by side

	// Memory reused from line to line.
	left, right wrapper // the unified rows, or the two sides
	olds, news  []*line
	plain       [1]piece
}

// file draws one file's header and diff.
func (r *renderer) file(c event.FileChange) {
	for _, h := range r.header(c) {
		r.row(h)
	}
	// Invisible and bidi characters are shown as <U+XXXX>: a right-to-left
	// override can make code read other than it runs ("Trojan Source").
	diff := termsafe.Reveal(termsafe.Strip(c.Diff))
	if strings.TrimSpace(diff) == "" {
		return
	}
	hunks, maxLine, ok := parse(diff)
	if !ok {
		r.plainText(diff)
		return
	}
	name := c.Path
	if c.MoveTo != "" {
		name = c.MoveTo
	}
	if r.palette.tokenColours != nil {
		r.colours.colour(name, hunks)
	}
	r.digits = len(strconv.Itoa(max(maxLine, 1)))
	r.showOld, r.showNew = sides(hunks)
	// A file only added or only deleted has one side: drawn unified, its
	// code gets the whole width rather than half of it beside nothing.
	r.fileSplit = r.split && r.showOld && r.showNew
	for i, h := range hunks {
		if i > 0 || h.heading != "" {
			r.row(r.separator(h.heading))
		}
		if r.fileSplit {
			r.splitHunk(h.lines)
		} else {
			r.unifiedHunk(h.lines)
		}
	}
}

// sides says whether hunks have lines of the old file, and of the new.
func sides(hunks []hunk) (old, new bool) {
	for _, h := range hunks {
		for _, l := range h.lines {
			old = old || l.kind == context || l.kind == removed
			new = new || l.kind == context || l.kind == added
		}
	}
	return old, new
}

// plainText draws text that is not a diff this package reads, as it is:
// no numbers, no colour, only broken to fit.
func (r *renderer) plainText(text string) {
	for l := range strings.SplitSeq(strings.TrimSuffix(text, "\n"), "\n") {
		for _, row := range wrapPlain(l, r.width) {
			r.row(row)
		}
	}
}

// header is the file's line: a letter for what happened to it, as git
// status has it, its path and its counts. A path too long for the width
// goes on in the next lines.
func (r *renderer) header(c event.FileChange) []string {
	letter, name := "M", cleanName(c.Path)
	switch {
	case c.Kind == "add":
		letter = "A"
	case c.Kind == "delete":
		letter = "D"
	case c.MoveTo != "":
		letter, name = "R", name+" → "+cleanName(c.MoveTo)
	}
	var counts, plainCounts []string
	if c.Added > 0 {
		s := fmt.Sprintf("+%d", c.Added)
		counts, plainCounts = append(counts, painted(r.palette.addSign, s)), append(plainCounts, s)
	}
	if c.Removed > 0 {
		s := fmt.Sprintf("−%d", c.Removed)
		counts, plainCounts = append(counts, painted(r.palette.removeSign, s)), append(plainCounts, s)
	}
	countsWidth := ansi.StringWidth(strings.Join(plainCounts, " "))
	rows := wrapName(letter+" "+name, r.width)
	out := make([]string, len(rows))
	for i, row := range rows {
		out[i] = painted(r.palette.header, row)
	}
	switch last := len(out) - 1; {
	case countsWidth == 0:
	case ansi.StringWidth(rows[last])+2+countsWidth <= r.width:
		out[last] += "  " + strings.Join(counts, " ")
	case countsWidth <= r.width:
		out = append(out, strings.Join(counts, " "))
	default:
		for _, c := range plainCounts {
			out = append(out, wrapPlain(c, r.width)...)
		}
	}
	return out
}

// separator is the line between two hunks: a "⋮" in each number column,
// and the hunk's heading when it has one, cut to fit.
func (r *renderer) separator(heading string) string {
	mark := "⋮"
	if g := r.unifiedGutter(); r.fileSplit || g.numbers {
		columns := []string{pad(mark, r.digits)}
		if !r.fileSplit && r.showOld && r.showNew {
			columns = append(columns, columns[0])
		}
		mark = strings.Join(columns, " ")
	}
	if heading != "" {
		mark += "   " + strings.ReplaceAll(heading, "\t", spaces[:tabWidth])
	}
	if ansi.StringWidth(mark) > r.width {
		mark = ansi.Truncate(mark, r.width, "…")
	}
	return painted(r.palette.hunk, mark)
}

// painted is s drawn with the opening sequence open.
func painted(open, s string) string {
	if open == "" || s == "" {
		return s
	}
	return open + s + reset
}

// pad right-aligns s (one column wide or a number) in width columns.
func pad(s string, width int) string {
	n := width - ansi.StringWidth(s)
	if n <= 0 {
		return s
	}
	return strings.Repeat(" ", n) + s
}
