package markdown

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// splitAll cuts src, given in pieces of the given size, into blocks.
func splitAll(src string, piece int) []block {
	s := newSplitter()
	for len(src) > 0 {
		n := min(piece, len(src))
		s.write(src[:n])
		src = src[n:]
	}
	s.finish()
	return s.take()
}

func text(src string) block { return block{src: src} }

func codeIn(lang, src string) block { return block{src: src, code: true, lang: lang} }

func TestSplitBlocks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []block
	}{
		{"paragraphs", "one\ntwo\n\n\n\nthree\n", []block{text("one\ntwo"), text("three")}},
		{"heading ends at its newline", "# Title\nText right under\n## Next\n", []block{
			text("# Title"), text("Text right under"), text("## Next"),
		}},
		{"hashes without a space are text", "#hashtag\n####### seven\n", []block{text("#hashtag\n####### seven")}},
		{"fence keeps blank lines", "intro\n```go\na\n\n\nb\n```\nafter\n", []block{
			text("intro"), codeIn("go", "a\n\n\nb"), text("after"),
		}},
		{"tilde fence and longer fences", "~~~~ python extra words\n```\n~~~\n~~~~~\n", []block{
			codeIn("python", "```\n~~~"),
		}},
		{"backtick info with a backtick is no fence", "```a`b\n\nx\n", []block{text("```a`b"), text("x")}},
		{"closing fence needs the opening's length", "````\n```\n````\n", []block{codeIn("", "```")}},
		{"four spaces is no fence", "    ```\n    code\n", []block{text("    ```\n    code")}},
		{"unclosed fence at the end is code", "```sh\nls -l", []block{codeIn("sh", "ls -l")}},
		{"empty fence", "```\n```\n", []block{codeIn("", "")}},
		{"CRLF and controls", "a\r\nb\x1b[31m\r\n\r\nc\x00d", []block{text("a\nb"), text("cd")}},
		{"tabs to CommonMark stops", "-\tx\n\ty", []block{text("-   x\n    y")}},
		{"invalid UTF-8", "a\xffb", []block{text("a\uFFFDb")}},
		{"list continuation stays under its item", "1. Install:\n\n   ```sh\n   npm i\n   ```\n\n   then run\n\nDone.\n", []block{
			text("1. Install:"),
			{src: "npm i", code: true, lang: "sh", indent: 3},
			{src: "then run", indent: 3},
			text("Done."),
		}},
		{"nested list after a blank line", "- a\n  - b\n\n    more b\n\n  more a\n", []block{
			text("- a\n  - b"), {src: "more b", indent: 4}, {src: "more a", indent: 2},
		}},
		{"indented code after a list keeps its own indent", "- a\n\n        code\n", []block{
			text("- a"), {src: "      code", indent: 2},
		}},
		{"indent outside a list is the block's", "para\n\n  indented para\n", []block{text("para"), text("  indented para")}},
		{"an ordered list counts on across blocks", "1. a\n\n1) other\n\n1. b\n7. c\n   1. nested\n\nend\n\n5. new", []block{
			text("1. a"), text("1) other"), text("1. b\n2. c\n   1. nested"), text("end"), text("5. new"),
		}},
		{"a fence interrupts a list item", "1. Step:\n   ```go\n   x\n   ```\n2. Next\n", []block{
			text("1. Step:"), {src: "x", code: true, lang: "go", indent: 3}, text("2. Next"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, piece := range []int{1, 3, len(tt.src) + 1} {
				if got := splitAll(tt.src, piece); !reflect.DeepEqual(got, tt.want) {
					t.Errorf("in pieces of %d:\ngot  %+v\nwant %+v", piece, got, tt.want)
				}
			}
		})
	}
}

func TestSplitCutsLongCode(t *testing.T) {
	var lines []string
	for i := range 2*codeCutLines + 5 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	got := splitAll("```go\n"+strings.Join(lines, "\n")+"\n```\nafter\n", 7)
	want := []block{
		codeIn("go", strings.Join(lines[:codeCutLines], "\n")),
		{src: strings.Join(lines[codeCutLines:2*codeCutLines], "\n"), code: true, lang: "go", tight: true},
		{src: strings.Join(lines[2*codeCutLines:], "\n"), code: true, lang: "go", tight: true},
		text("after"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestSplitCutsLongListBeforeAnItem(t *testing.T) {
	var src strings.Builder
	for i := 1; i <= textCutLines+4; i++ {
		fmt.Fprintf(&src, "%d. item\n   - sub %d\n", i, i)
	}
	blocks := splitAll(src.String(), 5)
	if len(blocks) < 2 {
		t.Fatalf("a %d-line list was not cut: %+v", 2*(textCutLines+4), blocks)
	}
	for i, b := range blocks {
		if _, ok := listItem(b.src); !ok || b.src[0] == ' ' {
			t.Errorf("piece %d does not start with a top-level item: %q", i, b.src)
		}
		if b.tight != (i > 0) {
			t.Errorf("piece %d: tight = %v", i, b.tight)
		}
		if n := strings.Count(b.src, "\n") + 1; n > textCutLines {
			t.Errorf("piece %d has %d lines, more than %d", i, n, textCutLines)
		}
	}
}

func TestSplitCutsLongTableRepeatingItsHeader(t *testing.T) {
	var src strings.Builder
	src.WriteString("| a | b |\n|---|:-:|\n")
	for i := range textCutLines * 2 {
		fmt.Fprintf(&src, "| %d | x |\n", i)
	}
	blocks := splitAll(src.String(), 4)
	if len(blocks) < 2 {
		t.Fatalf("the table was not cut: %+v", blocks)
	}
	rows := 0
	for i, b := range blocks {
		lines := strings.Split(b.src, "\n")
		if lines[0] != "| a | b |" || lines[1] != "|---|:-:|" {
			t.Errorf("piece %d lacks the header: %q", i, b.src)
		}
		if b.dropHeader != (i > 0) || b.tight != (i > 0) {
			t.Errorf("piece %d: dropHeader %v, tight %v", i, b.dropHeader, b.tight)
		}
		rows += len(lines) - 2
	}
	if rows != textCutLines*2 {
		t.Errorf("%d rows in the pieces, want %d", rows, textCutLines*2)
	}
}

func TestSplitCutsLongParagraphAtLineStarts(t *testing.T) {
	var src strings.Builder
	for i := range textCutLines * 3 {
		fmt.Fprintf(&src, "sentence %d goes on\n", i)
		if i%5 == 0 {
			src.WriteString("    lazily indented continuation\n")
		}
	}
	blocks := splitAll(src.String(), 9)
	if len(blocks) < 3 {
		t.Fatalf("the paragraph was not cut: %d blocks", len(blocks))
	}
	var joined []string
	for i, b := range blocks {
		if strings.HasPrefix(b.src, " ") {
			t.Errorf("piece %d starts indented, it would render as code: %q", i, b.src)
		}
		joined = append(joined, b.src)
	}
	if got := strings.Join(joined, "\n") + "\n"; got != src.String() {
		t.Error("the pieces do not add up to the paragraph")
	}
}

func TestSplitForcesACutWithoutAGoodPlace(t *testing.T) {
	src := "x\n" + strings.Repeat(" lazy continuation line\n", forceFactor*textCutLines+10)
	blocks := splitAll(src, 64)
	if len(blocks) < 2 {
		t.Fatalf("an endless block with no good cut was not cut")
	}
	for i, b := range blocks {
		if n := strings.Count(b.src, "\n") + 1; n > forceFactor*textCutLines {
			t.Errorf("piece %d has %d lines", i, n)
		}
	}
}

// The block still growing, which the tail re-renders on every frame, stays
// small however long the block gets.
func TestPendingBlockStaysSmall(t *testing.T) {
	sources := map[string]string{
		"code":      "```go\n" + strings.Repeat("fmt.Println(\"a line of code\")\n", 2000),
		"list":      strings.Repeat("- an item of a list that never ends\n", 2000),
		"paragraph": strings.Repeat("a line of a paragraph that never ends\n", 2000),
		"table":     "| a | b |\n|---|---|\n" + strings.Repeat("| cell | cell |\n", 2000),
		"quote":     strings.Repeat("> a quoted line that never ends\n", 2000),
	}
	for name, src := range sources {
		s := newSplitter()
		biggest := 0
		for len(src) > 0 {
			n := min(13, len(src))
			s.write(src[:n])
			src = src[n:]
			s.take()
			if b, ok := s.pending(); ok {
				biggest = max(biggest, len(b.src))
			}
		}
		if biggest > textCutBytes+200 {
			t.Errorf("%s: the pending block reached %d bytes", name, biggest)
		}
	}
}

func TestPendingBlock(t *testing.T) {
	tests := []struct {
		name, src string
		want      block
		ok        bool
	}{
		{"nothing", "", block{}, false},
		{"after a blank line", "para\n\n", block{}, false},
		{"unfinished line", "a\nb", text("a\nb"), true},
		{"half a rune", "caf\xc3", text("caf"), true},
		{"open fence", "```go\nx := 1\ny", block{src: "x := 1\ny", code: true, lang: "go", open: true}, true},
		{"closing fence arriving", "```go\nx := 1\n``", codeIn("go", "x := 1"), true},
		{"list continuation", "- a\n\n  b", block{src: "b", indent: 2}, true},
		{"list item numbered on", "1. a\n\n1. b", text("2. b"), true},
	}
	for _, tt := range tests {
		s := newSplitter()
		s.write(tt.src)
		got, ok := s.pending()
		if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v %v, want %+v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestListItem(t *testing.T) {
	tests := []struct {
		line string
		col  int
		ok   bool
	}{
		{"- a", 2, true}, {"  * a", 4, true}, {"1. a", 3, true}, {"10) a", 4, true},
		{"-", 2, true}, {"1.     code", 3, true}, {"-a", 0, false}, {"1.a", 0, false},
		{"- - -", 0, false}, {"1234567890. a", 0, false}, {"text", 0, false},
	}
	for _, tt := range tests {
		col, ok := listItem(tt.line)
		if col != tt.col || ok != tt.ok {
			t.Errorf("listItem(%q) = %d, %v; want %d, %v", tt.line, col, ok, tt.col, tt.ok)
		}
	}
}
