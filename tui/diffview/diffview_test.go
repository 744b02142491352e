package diffview

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var noColor = styles.New(styles.Options{NoColor: true})

// plainRender draws changes without colour and without escape sequences,
// for tests that read the text.
func plainRender(changes []event.FileChange, width int, split bool) []string {
	out := Render(changes, Options{Width: width, Split: split, Styles: noColor})
	return strings.Split(ansi.Strip(out), "\n")
}

// unifiedRow is a row of a unified drawing, read back.
type unifiedRow struct {
	old, new int // 0: blank
	mark     bool
	sign     byte
	text     string
}

// readUnified reads the rows of a unified drawing whose number columns
// are digits wide, the header lines and separators left out.
func readUnified(t *testing.T, rows []string, digits int) []unifiedRow {
	t.Helper()
	// Two number columns (numbers, blanks or continuation marks), not a
	// header or a separator.
	col := fmt.Sprintf(`( *[0-9]+| *%s| {%d})`, continued, digits)
	numbers := regexp.MustCompile("^" + col + " " + col + "( |$)")
	var out []unifiedRow
	for _, r := range rows {
		if !numbers.MatchString(r) {
			continue
		}
		oldCol, newCol, rest := cutColumn(r, digits), "", ""
		r = strings.TrimPrefix(r, oldCol+" ")
		newCol = cutColumn(r, digits)
		rest = strings.TrimPrefix(r, newCol)
		u := unifiedRow{sign: ' '}
		if len(rest) > 1 {
			u.sign = rest[1]
		}
		if len(rest) > 3 {
			u.text = rest[3:]
		}
		u.old, _ = strconv.Atoi(strings.TrimSpace(oldCol))
		u.new, _ = strconv.Atoi(strings.TrimSpace(newCol))
		u.mark = strings.Contains(oldCol+newCol, continued)
		out = append(out, u)
	}
	return out
}

// cutColumn is the number column at the start of r, digits columns wide
// (the continuation mark is one column but three bytes).
func cutColumn(r string, digits int) string {
	n, w := 0, 0
	for _, c := range r {
		if w == digits {
			break
		}
		n += len(string(c))
		w++
	}
	return r[:n]
}

// Every numbered row says the truth: the line it shows under an old
// number is that line of the old file, under a new number that line of
// the new file; the numbers rise one by one within a hunk; and every
// changed line is shown once, with its sign.
func TestLineNumbersMatchTheFiles(t *testing.T) {
	oldText := numbered("line", 60)
	newLines := strings.Split(strings.TrimSuffix(oldText, "\n"), "\n")
	newLines[4] = "changed 5"
	newLines = append(newLines[:20], append([]string{"inserted a", "inserted b"}, newLines[20:]...)...)
	newLines = append(newLines[:40], newLines[43:]...) // drop three lines
	newText := strings.Join(newLines, "\n") + "\n"
	oldLines := strings.Split(strings.TrimSuffix(oldText, "\n"), "\n")

	c := change("update", "f.txt", "", oldText, newText)
	rows := readUnified(t, plainRender([]event.FileChange{c}, 100, false), 2)
	if len(rows) == 0 {
		t.Fatal("no numbered rows")
	}
	added, removed := 0, 0
	lastOld, lastNew := 0, 0
	for _, r := range rows {
		switch r.sign {
		case '+':
			added++
			if r.old != 0 || r.new == 0 {
				t.Errorf("added row numbered old %d new %d", r.old, r.new)
			}
		case '-':
			removed++
			if r.new != 0 || r.old == 0 {
				t.Errorf("removed row numbered old %d new %d", r.old, r.new)
			}
		case ' ':
			if r.old == 0 || r.new == 0 {
				t.Errorf("context row numbered old %d new %d", r.old, r.new)
			}
		}
		if r.old != 0 {
			if got, want := r.text, oldLines[r.old-1]; got != want {
				t.Errorf("old line %d shown as %q, is %q", r.old, got, want)
			}
			if r.old <= lastOld {
				t.Errorf("old line %d after %d", r.old, lastOld)
			}
			lastOld = r.old
		}
		if r.new != 0 {
			if got, want := r.text, newLines[r.new-1]; got != want {
				t.Errorf("new line %d shown as %q, is %q", r.new, got, want)
			}
			if r.new <= lastNew {
				t.Errorf("new line %d after %d", r.new, lastNew)
			}
			lastNew = r.new
		}
	}
	if added != c.Added || removed != c.Removed {
		t.Errorf("drew +%d -%d, the diff has +%d -%d", added, removed, c.Added, c.Removed)
	}
}

func numbered(prefix string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return b.String()
}

// Side by side, context is on both sides with each side's number; in a
// run of changes the removed lines are on the left, paired in order with
// the added lines on the right, and the longer side goes on alone.
func TestSplitPairsRemovedWithAdded(t *testing.T) {
	c := event.FileChange{Path: "f.txt", Kind: "update", Added: 2, Removed: 3,
		Diff: "--- a/f.txt\n+++ b/f.txt\n@@ -7,5 +9,4 @@\n a\n-b\n-c\n-d\n+B\n+C\n e\n"}
	rows := plainRender([]event.FileChange{c}, 120, true)
	want := [][2]string{
		{" 7   a", " 9   a"},
		{" 8 - b", "10 + B"},
		{" 9 - c", "11 + C"},
		{"10 - d", ""},
		{"11   e", "12   e"},
	}
	if len(rows) != 1+len(want) {
		t.Fatalf("want a header and %d rows, got:\n%s", len(want), strings.Join(rows, "\n"))
	}
	for i, w := range want {
		left, right, ok := strings.Cut(rows[i+1], " │")
		if !ok {
			t.Fatalf("row %d has no bar: %q", i, rows[i+1])
		}
		if ansi.StringWidth(left) != (120-splitBarWidth)/2 {
			t.Errorf("row %d: the left side is %d wide", i, ansi.StringWidth(left))
		}
		left, right = strings.TrimRight(left, " "), strings.TrimPrefix(right, " ")
		if left != w[0] || right != w[1] {
			t.Errorf("row %d: got %q | %q, want %q | %q", i, left, right, w[0], w[1])
		}
	}
}

// Interleaved changes pair within each run, never across context.
func TestSplitPairsWithinRuns(t *testing.T) {
	c := event.FileChange{Path: "f", Diff: "@@ -1,5 +1,5 @@\n-a\n+A\n x\n-b\n-c\n+B\n"}
	rows := plainRender([]event.FileChange{c}, 120, true)[1:]
	var got []string
	for _, r := range rows {
		left, right, _ := strings.Cut(r, " │")
		got = append(got, strings.TrimSpace(left)+"|"+strings.TrimSpace(right))
	}
	want := []string{"1 - a|1 + A", "2   x|2   x", "3 - b|3 + B", "4 - c|"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Below the width side by side needs, a split diff is drawn unified.
func TestSplitFallsBackToUnifiedWhenNarrow(t *testing.T) {
	if CanSplit(119) || !CanSplit(120) {
		t.Errorf("CanSplit(119) = %v, CanSplit(120) = %v: want the line at 120", CanSplit(119), CanSplit(120))
	}
	changes := fixtures()["update_go"]
	for _, w := range []int{1, 20, 80, 119} {
		split := Render(changes, Options{Width: w, Split: true, Styles: noColor})
		unified := Render(changes, Options{Width: w, Styles: noColor})
		if split != unified {
			t.Errorf("width %d: the split drawing is not the unified one:\n%s", w, split)
		}
	}
	if wide := Render(changes, Options{Width: 120, Split: true, Styles: noColor}); !strings.Contains(wide, "│") {
		t.Errorf("width 120 is not drawn side by side:\n%s", wide)
	}
}

// The header says what happened to each file, as the brief has it.
func TestHeaders(t *testing.T) {
	for _, tc := range []struct {
		c    event.FileChange
		want string
	}{
		{event.FileChange{Path: "a.go", Kind: "update", Added: 3, Removed: 1}, "M a.go  +3 −1"},
		{event.FileChange{Path: "new.go", Kind: "add", Added: 20}, "A new.go  +20"},
		{event.FileChange{Path: "old.go", Kind: "delete", Removed: 5}, "D old.go  −5"},
		{event.FileChange{Path: "old", Kind: "update", MoveTo: "new"}, "R old → new"},
		{event.FileChange{Path: "weird\tname\nhere"}, "M weird name here"},
	} {
		if got := plainRender([]event.FileChange{tc.c}, 80, false); len(got) != 1 || got[0] != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.c, got, tc.want)
		}
	}
}

// A long line is wrapped, not cut: the rows after the first have no
// number but a continuation mark, and together they hold the whole line.
func TestLongLinesWrapWithMarks(t *testing.T) {
	long := strings.Repeat("abcdefghij", 12)
	c := event.FileChange{Path: "f", Diff: "@@ -1 +1 @@\n-short\n+" + long + "\n"}
	rows := readUnified(t, plainRender([]event.FileChange{c}, 40, false), 1)
	var text strings.Builder
	for i, r := range rows[1:] {
		if r.sign != '+' {
			t.Fatalf("row %d: sign %q", i+1, r.sign)
		}
		if (i == 0) != (r.new == 1) || (i > 0) != r.mark {
			t.Errorf("row %d: number %d, mark %v", i+1, r.new, r.mark)
		}
		text.WriteString(r.text)
	}
	if text.String() != long {
		t.Errorf("the rows hold %q, want %q", text.String(), long)
	}
}

// Tabs become four spaces; the drawing has none.
func TestTabsExpanded(t *testing.T) {
	c := event.FileChange{Path: "f.go", Diff: "@@ -1 +1 @@\n-\tx\n+\t\ty\n"}
	for _, st := range []*styles.Styles{noColor, styles.New(styles.Options{Dark: true})} {
		for _, split := range []bool{false, true} {
			out := Render([]event.FileChange{c}, Options{Width: 160, Split: split, Styles: st})
			if strings.Contains(out, "\t") {
				t.Errorf("split %v: a tab reached the drawing: %q", split, out)
			}
			if plain := ansi.Strip(out); !strings.Contains(plain, "-     x") || !strings.Contains(plain, "+         y") {
				t.Errorf("split %v: tabs not four spaces:\n%s", split, plain)
			}
		}
	}
}

// The note that a file ends without a newline is kept, on the side of
// the line it is about, without a number.
func TestNoNewlineNote(t *testing.T) {
	diff := "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -6,4 +6,4 @@\n 6\n 7\n 8\n-9\n\\ No newline at end of file\n+9\n"
	c := event.FileChange{Path: "f", Diff: diff, Added: 2, Removed: 2}
	unified := plainRender([]event.FileChange{c}, 80, false)
	if want := "      \\ No newline at end of file"; unified[len(unified)-2] != want {
		t.Errorf("unified: the note is %q, want %q:\n%s", unified[len(unified)-2], want, strings.Join(unified, "\n"))
	}
	split := plainRender([]event.FileChange{c}, 120, true)
	last := split[len(split)-2:]
	if !strings.HasPrefix(last[0], "9 - 9") || !strings.HasSuffix(last[0], "9 + 9") {
		t.Errorf("split: the last change is %q", last[0])
	}
	if left, right, _ := strings.Cut(last[1], " │"); strings.TrimSpace(left) != `\ No newline at end of file` || right != "" {
		t.Errorf("split: the note row is %q", last[1])
	}
}

// evil is text with escape sequences and control characters, which the
// repository or the model could put in a patch.
const evil = "a\x1b]0;x\x07b\x1b[2J\x1b[1;1Hc\rd\x08e\u009b31mf\x1bPq#0\x1b\\g\x00h"

// sgr matches the style sequences the renderer itself writes.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Nothing from the diff reaches the terminal but its text: no escape
// sequence other than the renderer's own styling, no control character.
func TestNoEscapesFromTheDiff(t *testing.T) {
	changes := []event.FileChange{
		{Path: "x" + evil + ".go", MoveTo: evil, Kind: "update", Added: 1, Removed: 1,
			Diff: "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@ func " + evil + "\n " + evil + "\n-" + evil + "\n+\x1b]0;x\x07" + evil + "\n"},
		{Path: "malformed", Diff: "not a diff " + evil + "\n"},
	}
	for _, th := range themes {
		for _, split := range []bool{false, true} {
			out := Render(changes, Options{Width: 160, Split: split, Styles: styles.New(th.opts)})
			rest := sgr.ReplaceAllString(out, "")
			if i := strings.IndexFunc(rest, func(r rune) bool {
				return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f
			}); i >= 0 {
				t.Errorf("%s split %v: control character %q at %d: %q", th.name, split, rest[i], i, rest)
			}
			plain := ansi.Strip(out)
			for _, debris := range []string{"]0;x", "[2J", "q#0", "31m"} {
				if strings.Contains(plain, debris) {
					t.Errorf("%s split %v: %q of an escape sequence is left: %q", th.name, split, debris, plain)
				}
			}
			if !strings.Contains(plain, "abcdefgh") {
				t.Errorf("%s split %v: the text around the escapes is lost: %q", th.name, split, plain)
			}
		}
	}
}

// Text that is not a diff is shown as it is, whole, without numbers.
func TestMalformedDiffsShownPlainly(t *testing.T) {
	for _, diff := range []string{
		"just some text\nand more\n",
		"--- a/x\n+++ b/x\nno hunk here\n",
		"@@ -a +b @@\n+x\n",
		"@@ -1 +1 @@\n+x\n*weird line\n",
		"@@ -99999999999 +1 @@\n+x\n",
	} {
		got := plainRender([]event.FileChange{{Path: "f", Diff: diff}}, 80, false)
		want := append([]string{"M f"}, strings.Split(strings.TrimSuffix(diff, "\n"), "\n")...)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%q drawn as\n%s", diff, strings.Join(got, "\n"))
		}
	}
}

// Colour: tokens in their colours and changed lines tinted; without
// colour, neither, and the +/- signs still say what changed.
func TestColours(t *testing.T) {
	c := event.FileChange{Path: "main.go", Diff: "@@ -1 +1 @@\n-func a() {}\n+func b() {}\n"}
	dark := Render([]event.FileChange{c}, Options{Width: 80, Styles: styles.New(styles.Options{Dark: true})})
	func256 := "\x1b[38;5;" + strconv.Itoa(darkTokenColours[chroma.Keyword]) + "mfunc"
	if !strings.Contains(dark, func256) {
		t.Errorf("the keyword is not coloured: %q", dark)
	}
	for _, tint := range []string{"48;5;22", "48;5;52"} {
		if !strings.Contains(dark, tint) {
			t.Errorf("no tint %s: %q", tint, dark)
		}
	}
	plain := Render([]event.FileChange{c}, Options{Width: 80, Styles: noColor})
	if strings.Contains(plain, "38;") || strings.Contains(plain, "48;") {
		t.Errorf("colour without colour: %q", plain)
	}
	if p := ansi.Strip(plain); !strings.Contains(p, "- func a() {}") || !strings.Contains(p, "+ func b() {}") {
		t.Errorf("signs lost without colour:\n%s", p)
	}
	// A file past the colouring budget is drawn plain, still tinted.
	big := change("add", "big.go", "", "", strings.Repeat("func x() {}\n", maxHighlightBytes/10))
	out := Render([]event.FileChange{big}, Options{Width: 80, Styles: styles.New(styles.Options{Dark: true})})
	keyword := "\x1b[38;5;" + strconv.Itoa(darkTokenColours[chroma.Keyword]) + "m"
	if strings.Contains(out, keyword) || !strings.Contains(out, "48;5;22") {
		t.Errorf("a file past the budget: coloured %v, tinted %v", strings.Contains(out, keyword), strings.Contains(out, "48;5;22"))
	}
	small := Render([]event.FileChange{change("add", "small.go", "", "", "func x() {}\n")}, Options{Width: 80, Styles: styles.New(styles.Options{Dark: true})})
	if !strings.Contains(small, keyword) {
		t.Errorf("the budget check proves nothing: a small file is not coloured either: %q", small)
	}
}

// Whatever the width, no line is wider, and there is no final newline.
func TestNeverWiderThanTheWidth(t *testing.T) {
	var all []event.FileChange
	for _, cs := range fixtures() {
		all = append(all, cs...)
	}
	widths := []int{39, 41, 59, 61, 79, 81, 99, 119, 120, 121, 139, 159, 161, 200}
	for w := -1; w <= 32; w++ {
		widths = append(widths, w)
	}
	for _, th := range themes[:2] { // light is laid out as dark is
		for _, w := range widths {
			for _, split := range []bool{false, true} {
				out := Render(all, Options{Width: w, Split: split, Styles: styles.New(th.opts)})
				if !golden.CheckWidth(t, fmt.Sprintf("%s width %d split %v", th.name, w, split), out, max(w, 1)) {
					return
				}
				if strings.HasSuffix(out, "\n") {
					t.Fatalf("width %d: a final newline", w)
				}
			}
		}
	}
}

func TestNothingToDraw(t *testing.T) {
	if got := Render(nil, Options{Width: 80}); got != "" {
		t.Errorf("no changes drawn as %q", got)
	}
	if got := ansi.Strip(Render([]event.FileChange{{Path: "a", Kind: "add"}}, Options{Width: 80})); got != "A a" {
		t.Errorf("a change without a diff drawn as %q", got)
	}
}

// Whatever the diff text, Render neither panics nor breaks its promises.
func FuzzRender(f *testing.F) {
	for _, cs := range fixtures() {
		for _, c := range cs {
			f.Add(c.Diff, c.Path, 40, false)
		}
	}
	f.Add("@@ -1 +1 @@\n\\\n\\ x\n-\t\x1b[31m\n", "a.py", 7, true)
	f.Add("@@ -1 +1 @@ func\tx() {\n-a\n+b\n", "a.go", 130, true)
	f.Add("@@ -0,0 +0,0 @@\n+x\n@@ -1,2 +3 @@ h\n", "Makefile", 130, true)
	f.Add("@@ -1 +1 @@\n+日本語\u0301\u200d👍🏽\n", "x.txt", 1, false)
	f.Fuzz(func(t *testing.T, diff, path string, width int, split bool) {
		width %= 300
		for _, th := range themes {
			out := Render([]event.FileChange{{Path: path, Diff: diff}}, Options{Width: width, Split: split, Styles: styles.New(th.opts)})
			golden.CheckWidth(t, th.name, out, max(width, 1))
			if rest := sgr.ReplaceAllString(out, ""); strings.ContainsAny(rest, "\x1b\x07\r\t") {
				t.Fatalf("%s: a control character in %q", th.name, out)
			}
		}
	})
}

// Trojan Source: a right-to-left override in a changed line shows as a
// marker, so the code reads as it runs.
func TestBidiOverridesAreRevealed(t *testing.T) {
	c := event.FileChange{Path: "auth.go", Kind: "update", Added: 1, Removed: 1,
		Diff: "--- a/auth.go\n+++ b/auth.go\n@@ -1 +1 @@\n-if isAdmin {\n+if isAdmin \u202e} \u2066// check later\u2069 \u2066{\n"}
	out := Render([]event.FileChange{c}, Options{Width: 100, Styles: styles.New(styles.Options{NoColor: true})})
	if strings.ContainsAny(out, "\u202e\u2066\u2069") || !strings.Contains(out, "<U+202E>") {
		t.Fatalf("bidi controls not revealed:\n%q", out)
	}
}
