package cells

import (
	"bytes"
	"unicode/utf8"
)

// A command may print megabytes; the transcript shows a few lines of it
// and the pager a few hundred. outputBuffer keeps only those, in memory
// that does not grow with the output, and takes each delta in time
// proportional to the delta.
const (
	keepHeadLines = 5   // the first lines, for a collapsed view's start
	keepTailLines = 200 // the last lines, a ring
	maxLineBytes  = 500 // longer lines are cut, marked with …
	tabWidth      = 8
)

// escState is where the terminal-escape scanner is, kept between deltas
// since a delta may end inside a sequence.
type escState uint8

const (
	escNone   escState = iota
	escStart           // after ESC
	escInter           // ESC and intermediate bytes (ESC ( B …)
	escCSI             // ESC [ … up to a final byte
	escString          // OSC, DCS, SOS, PM, APC: up to BEL or ESC \
	escStrEnd          // ESC inside a string: \ ends it
)

// outputBuffer is a command's output as lines of plain, printable text:
// escape sequences and control characters are dropped, a carriage return
// lets the text after it replace the line (progress bars show their last
// state), tabs become spaces. The ring's lines reuse their buffers, so a
// flood of output allocates nothing once the ring is full.
type outputBuffer struct {
	head  []string
	ring  [keepTailLines][]byte
	first int // index in ring of the oldest kept line
	kept  int // lines in ring
	total int // completed lines, kept or not

	cur    []byte // the line being written, at most maxLineBytes
	curCut bool   // the line was longer than maxLineBytes
	cr     bool   // a carriage return not yet followed by anything
	esc    escState
}

// Write appends a delta of output.
func (b *outputBuffer) Write(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if b.esc != escNone {
			b.escape(c)
			i++
			continue
		}
		if b.cr && c != '\n' && c != '\r' {
			b.cr = false
			b.resetLine()
		}
		if c >= 0x20 && c != 0x7f {
			// A run of text, taken whole.
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] != 0x7f {
				j++
			}
			b.put(s[i:j])
			i = j
			continue
		}
		switch c {
		case '\n':
			b.cr = false
			b.endLine()
		case '\r':
			b.cr = true
		case 0x1b:
			b.esc = escStart
		case '\t':
			b.put(spaces[:tabWidth-columns(b.cur)%tabWidth])
		default:
			// Bell, backspace and the rest: nothing to show.
		}
		i++
	}
}

const spaces = "        " // tabWidth of them

// put appends text to the current line, up to maxLineBytes.
func (b *outputBuffer) put(s string) {
	if b.cur == nil {
		b.cur = make([]byte, 0, maxLineBytes)
	}
	if room := maxLineBytes - len(b.cur); len(s) > room {
		s = s[:room]
		b.curCut = true
	}
	b.cur = append(b.cur, s...)
}

// columns is how many characters a line's bytes hold, for tab stops.
func columns(line []byte) int {
	n := 0
	for _, c := range line {
		if utf8.RuneStart(c) {
			n++
		}
	}
	return n
}

// escape advances the escape scanner by one byte. Sequences are dropped
// whole: colours would clash with the transcript's own styles, and cursor
// movement would corrupt the screen.
func (b *outputBuffer) escape(c byte) {
	switch b.esc {
	case escStart:
		switch {
		case c == '[':
			b.esc = escCSI
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			b.esc = escString
		case c >= 0x20 && c <= 0x2f:
			b.esc = escInter
		default:
			b.esc = escNone
		}
	case escInter:
		if c < 0x20 || c > 0x2f {
			b.esc = escNone
		}
	case escCSI:
		if c >= 0x40 && c <= 0x7e {
			b.esc = escNone
		} else if c == 0x1b {
			b.esc = escStart
		}
	case escString:
		if c == 0x07 {
			b.esc = escNone
		} else if c == 0x1b {
			b.esc = escStrEnd
		}
	case escStrEnd:
		if c == '\\' {
			b.esc = escNone
		} else {
			b.esc = escString
		}
	}
}

func (b *outputBuffer) resetLine() {
	b.cur = b.cur[:0]
	b.curCut = false
}

// endLine completes the current line.
func (b *outputBuffer) endLine() {
	if len(b.head) < keepHeadLines {
		b.head = append(b.head, string(appendLine(nil, b.cur, b.curCut)))
	}
	slot := (b.first + b.kept) % keepTailLines
	if b.kept < keepTailLines {
		b.kept++
	} else {
		slot = b.first
		b.first = (b.first + 1) % keepTailLines
	}
	b.ring[slot] = appendLine(b.ring[slot][:0], b.cur, b.curCut)
	b.resetLine()
	b.total++
}

// Close completes an unfinished last line: the command has ended.
func (b *outputBuffer) Close() {
	b.esc = escNone
	b.cr = false
	if len(b.cur) > 0 || b.curCut {
		b.endLine()
	}
}

// Lines is how many lines the output has, the unfinished one included.
func (b *outputBuffer) Lines() int {
	if len(b.cur) > 0 || b.curCut {
		return b.total + 1
	}
	return b.total
}

// Line returns line i (0-based, the unfinished one last) if it is still
// kept.
func (b *outputBuffer) Line(i int) (string, bool) {
	switch {
	case i < 0 || i >= b.Lines():
		return "", false
	case i == b.total:
		return string(appendLine(nil, b.cur, b.curCut)), true
	case i >= b.total-b.kept:
		return string(b.ring[(b.first+i-(b.total-b.kept))%keepTailLines]), true
	case i < len(b.head):
		return b.head[i], true
	}
	return "", false
}

// Last returns the last n lines, fewer if fewer are kept.
func (b *outputBuffer) Last(n int) []string {
	total := b.Lines()
	var out []string
	for i := max(0, total-n); i < total; i++ {
		if l, ok := b.Line(i); ok {
			out = append(out, l)
		}
	}
	return out
}

// retained is how many bytes of memory the buffer's text holds, for
// tests of its bound.
func (b *outputBuffer) retained() int {
	n := cap(b.cur)
	for _, l := range b.head {
		n += len(l)
	}
	for _, l := range b.ring {
		n += cap(l)
	}
	return n
}

// appendLine appends a line's bytes to dst as printable text: invalid
// UTF-8 (also a character cut by maxLineBytes) and C1 control characters,
// which some terminals obey as escapes, are dropped, and a cut line is
// marked with "…".
func appendLine(dst, raw []byte, wasCut bool) []byte {
	if wasCut {
		for len(raw) > 0 {
			r, size := utf8.DecodeLastRune(raw)
			if r != utf8.RuneError || size != 1 {
				break
			}
			raw = raw[:len(raw)-1]
		}
	}
	if utf8.Valid(raw) && !hasC1(raw) {
		dst = append(dst, raw...)
	} else {
		for _, r := range string(bytes.ToValidUTF8(raw, []byte("\uFFFD"))) {
			if r < 0x80 || r > 0x9f {
				dst = utf8.AppendRune(dst, r)
			}
		}
	}
	if wasCut {
		dst = append(dst, ellipsis...)
	}
	return dst
}

// hasC1 reports whether UTF-8 text holds a C1 control character
// (U+0080–U+009F, encoded C2 80 to C2 9F).
func hasC1(b []byte) bool {
	for {
		i := bytes.IndexByte(b, 0xc2)
		if i < 0 || i+1 >= len(b) {
			return false
		}
		if b[i+1] >= 0x80 && b[i+1] <= 0x9f {
			return true
		}
		b = b[i+1:]
	}
}
