package cells

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// lines is every kept line of b, "?" for one not kept.
func lines(b *outputBuffer) []string {
	var out []string
	for i := range b.Lines() {
		l, ok := b.Line(i)
		if !ok {
			l = "?"
		}
		out = append(out, l)
	}
	return out
}

func written(deltas ...string) *outputBuffer {
	var b outputBuffer
	for _, d := range deltas {
		b.Write(d)
	}
	return &b
}

func TestOutputLines(t *testing.T) {
	cases := []struct {
		name   string
		deltas []string
		want   []string
	}{
		{"split lines", []string{"hel", "lo\nwor", "ld\n", "tail"}, []string{"hello", "world", "tail"}},
		{"empty lines", []string{"a\n\n\nb\n"}, []string{"a", "", "", "b"}},
		{"crlf", []string{"a\r\nb\r", "\nc"}, []string{"a", "b", "c"}},
		{"progress bar", []string{"[#  ] 33%\r[## ] 66%\r", "[###] 100%\n", "done\n"}, []string{"[###] 100%", "done"}},
		{"cr at the end stays", []string{"50%\r"}, []string{"50%"}},
		{"double cr", []string{"a\r\r\nb"}, []string{"a", "b"}},
		{"colours", []string{"\x1b[1;32mok\x1b[0m  pkg\n"}, []string{"ok  pkg"}},
		{"escape split across deltas", []string{"a\x1b", "[3", "1mred\x1b[", "0m\n"}, []string{"ared"}},
		{"osc title, bel and st", []string{"\x1b]0;title\x07x\x1b]8;;http://e.x\x1b\\link\x1b]8;;\x1b\\\n"}, []string{"xlink"}},
		{"cursor movement", []string{"\x1b[2K\x1b[1Gbuilding\x1b[?25l\n"}, []string{"building"}},
		{"charset designation", []string{"\x1b(Bplain\n"}, []string{"plain"}},
		{"controls dropped", []string{"a\x07b\x08c\x00d\x7fe\n"}, []string{"abcde"}},
		{"tabs", []string{"ok\twarden\t0.1s\n\tx\n"}, []string{"ok      warden  0.1s", "        x"}},
		{"utf-8 split across deltas", []string{"h\xc3", "\xa9llo ", "\xe2\x9c", "\x93\n"}, []string{"héllo ✓"}},
		{"invalid utf-8", []string{"a\xffb\n"}, []string{"a\uFFFDb"}},
		{"c1 controls", []string{"a\u009b31mb\n"}, []string{"a31mb"}},
		{"cr then colour", []string{"50%\r\x1b[K\x1b[32m100%\x1b[0m\n"}, []string{"100%"}},
	}
	for _, c := range cases {
		got := lines(written(c.deltas...))
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// A line longer than maxLineBytes is cut, on a character boundary, and
// marked.
func TestOutputLongLine(t *testing.T) {
	long := strings.Repeat("é", maxLineBytes) // two bytes each
	b := written(long, long, "\nnext\n")
	got := lines(b)
	if len(got) != 2 || got[1] != "next" {
		t.Fatalf("got %d lines: %q", len(got), got)
	}
	l := got[0]
	if !strings.HasSuffix(l, ellipsis) || !utf8.ValidString(l) || len(l) > maxLineBytes+len(ellipsis) {
		t.Errorf("long line kept as %d bytes, valid %v, ends %q", len(l), utf8.ValidString(l), l[len(l)-8:])
	}
}

// However much output comes, the buffer keeps a bounded amount: the first
// lines, the last lines and the line being written.
func TestOutputBounded(t *testing.T) {
	var b outputBuffer
	line := strings.Repeat("x", 99) + "\n"
	delta := strings.Repeat(line, 40) // 4 KB
	total := 0
	for total < 10<<20 {
		b.Write(delta)
		total += len(delta)
	}
	b.Write(strings.Repeat("y", 3*maxLineBytes)) // one endless line, too
	bound := (keepHeadLines+keepTailLines)*(maxLineBytes+len(ellipsis)) + maxLineBytes
	if got := b.retained(); got > bound {
		t.Errorf("retained %d bytes after 10 MB; bound %d", got, bound)
	}
	if got, want := b.Lines(), total/100+1; got != want {
		t.Errorf("counted %d lines, want %d", got, want)
	}
	last := b.Last(2)
	if len(last) != 2 || last[0] != strings.Repeat("x", 99) || !strings.HasPrefix(last[1], "yyy") {
		t.Errorf("last lines wrong: %q", last)
	}
	// The ring holds the last keepTailLines completed lines; the unfinished
	// one comes after them.
	if l, ok := b.Line(b.Lines() - 1 - keepTailLines - 1); ok {
		t.Errorf("a line before the ring is still kept: %q", l)
	}
	if l, ok := b.Line(0); !ok || l != strings.Repeat("x", 99) {
		t.Error("the first line was not kept")
	}
}

// Appending costs what the delta costs: the same total output in small
// or big deltas takes about the same time, and allocation does not grow
// with what was already written.
func TestOutputAppendAllocations(t *testing.T) {
	var b outputBuffer
	delta := strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz\n", 100)
	for range 100 {
		b.Write(delta) // fill the ring
	}
	allocs := testing.AllocsPerRun(50, func() { b.Write(delta) })
	// One string per completed line, at most.
	if allocs > 101 {
		t.Errorf("a 100-line delta allocates %v times", allocs)
	}
}

func TestOutputClose(t *testing.T) {
	b := written("no newline")
	if b.Lines() != 1 {
		t.Fatalf("unfinished line not counted")
	}
	b.Close()
	b.Close()
	if got := lines(b); len(got) != 1 || got[0] != "no newline" {
		t.Errorf("after close: %q", got)
	}
	c := written("\x1b]0;never ends")
	c.Close()
	c.Write("after\n")
	if got := lines(c); len(got) != 1 || got[0] != "after" {
		t.Errorf("an escape cut by close swallowed later output: %q", got)
	}
}

func ExampleClassify() {
	a, ok := Classify("cd tui && rg -n 'func Render' cells/ | head -20")
	fmt.Println(ok, describe(a))
	// Output: true Search func Render in tui/cells
}
