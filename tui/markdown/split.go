package markdown

import (
	"strconv"
	"strings"
)

// The source is cut into blocks that glamour renders one at a time, so that
// a block, once complete, is rendered once and never again, and the live
// tail holds only the block still growing.
//
// A block is complete when a blank line follows it outside a fenced code
// block; a fenced code block at its closing fence; an ATX heading at its
// newline. A fence or a heading also ends the block before it, as they
// interrupt a paragraph in CommonMark.
//
// A block can grow without end (a 2,000-line code block, a long list with no
// blank line), and rendering costs about a millisecond per kilobyte
// (measured at width 100 on a 2-core machine: 20 lines of Go ≈ 1.5 ms to
// highlight, a 16-row table ≈ 1.6 ms, a 2 KB paragraph ≈ 0.9 ms), far too
// much to redo on every frame for an ever larger block. So a growing block is
// cut at a line boundary into pieces rendered on their own and printed one
// after the other without the blank line that separates blocks:
//   - a fenced code block every codeCutLines lines, each piece rendered as
//     code in the same language. Highlighting restarts at each cut (a string
//     or comment spanning one is coloured as code after it), a small price
//     for a flat cost;
//   - a list before one of its items at the list's own indentation, so
//     numbering and nesting survive (goldmark keeps an ordered list's start
//     number);
//   - a table between rows, the continuation rendered with the header rows
//     repeated for goldmark, and their rendering dropped;
//   - anything else (a paragraph, a quote) before a line that starts a new
//     line of text anyway: the paragraph then wraps as two.
//
// Text is cut once it reaches textCutLines lines or textCutBytes bytes, code
// every codeCutLines lines, which keeps a frame's rendering under about 2 ms
// (smaller pieces would save little, as glamour costs some 70 µs for even a
// line, and would change the look more often). A block with no acceptable
// cut is cut anyway at forceFactor times those sizes.
//
// Cuts depend only on the text, never on when it arrived, so a message
// streamed in any pieces renders exactly as the same text rendered at once.
const (
	codeCutLines = 20
	textCutLines = 16
	textCutBytes = 2048
	forceFactor  = 4
)

// block is a piece of the source that renders on its own.
type block struct {
	// src is the block's markdown, dedented by indent, without a final
	// newline; for code, the code.
	src string
	// code: src is the code of a fenced code block, or of a piece of one,
	// in the language lang.
	code bool
	lang string
	// open: the code's last line is still arriving (the live tail).
	open bool
	// indent is how far the rendering is indented: a block that continues a
	// list item after a blank line (a paragraph, a code block, a nested
	// list) stays under the item's text.
	indent int
	// tight: the block is a later piece of a cut block, printed right under
	// the previous piece, without a blank line.
	tight bool
	// dropHeader: a later piece of a table, whose header rows were repeated
	// only so that goldmark reads it as a table.
	dropHeader bool
}

// fence is an open fenced code block.
type fence struct {
	lang   string // the first word of the info string
	char   byte   // '`' or '~'
	length int
}

// splitter cuts markdown arriving in pieces into blocks. Lines are only
// looked at once complete, so a piece may end anywhere: inside a fence
// marker, inside a UTF-8 sequence.
type splitter struct {
	partial []byte // the text after the last newline

	// The block being built: its lines (dedented; inside a fence, the code
	// lines after the opening fence), their size in bytes, its indent.
	lines  []string
	size   int
	indent int
	fence  *fence
	// tight: the block being built continues a cut piece.
	tight bool
	// tableHead holds the header rows of a table once it has been cut.
	tableHead []string
	// listIndent is the column of the text of the last list item while the
	// blocks continue a list, -1 otherwise.
	listIndent int
	// ordinal follows the ordered list the blocks are in.
	ordinal ordinal

	done     []block // complete blocks not handed out yet
	finished bool
}

func newSplitter() splitter {
	return splitter{listIndent: -1}
}

// write takes more of the source.
func (s *splitter) write(p string) {
	if s.finished {
		return
	}
	for len(p) > 0 {
		i := strings.IndexByte(p, '\n')
		if i < 0 {
			s.partial = append(s.partial, p...)
			return
		}
		if len(s.partial) > 0 {
			s.partial = append(s.partial, p[:i]...)
			line := string(s.partial)
			s.partial = s.partial[:0]
			s.line(line)
		} else {
			s.line(p[:i])
		}
		p = p[i+1:]
	}
}

// finish ends the source: the unfinished line and block are complete, and
// an unclosed fence is closed.
func (s *splitter) finish() {
	if s.finished {
		return
	}
	if len(s.partial) > 0 {
		line := string(s.partial)
		s.partial = nil
		s.line(line)
	}
	if s.fence != nil {
		s.emitCode(s.lines)
		s.endBlock()
	} else {
		s.endText()
	}
	s.finished = true
}

// take hands out the blocks completed since the last call.
func (s *splitter) take() []block {
	d := s.done
	s.done = nil
	return d
}

// pending is the unfinished block with the unfinished line, as it would
// render if the source ended here; false when there is none.
func (s *splitter) pending() (block, bool) {
	partial := sanitizeLine(trimIncompleteRune(string(s.partial)))
	if s.fence != nil {
		lines := s.lines
		d := dedent(partial, s.indent)
		open := d != "" && !s.fence.mayClose(d)
		if open {
			lines = append(lines[:len(lines):len(lines)], d)
		}
		b := s.codeBlock(lines)
		b.open = open
		return b, true
	}
	lines, indent, ord := s.lines, s.indent, s.ordinal
	if !isBlank(partial) {
		if len(lines) == 0 && !s.tight {
			var listIndent int
			if indent, listIndent = blockIndent(partial, s.listIndent); listIndent < 0 {
				ord = ordinal{}
			}
		}
		d, _ := ord.number(partial, dedent(partial, indent))
		lines = append(lines[:len(lines):len(lines)], d)
	}
	if len(lines) == 0 {
		return block{}, false
	}
	return s.textBlock(lines, indent), true
}

// line takes one complete line of the source.
func (s *splitter) line(raw string) {
	line := sanitizeLine(raw)
	if s.fence != nil {
		d := dedent(line, s.indent)
		if s.fence.closes(d) {
			s.emitCode(s.lines)
			s.endBlock()
			return
		}
		s.lines = append(s.lines, d)
		s.cutCode()
		return
	}
	if isBlank(line) {
		s.endText()
		return
	}
	building := len(s.lines) > 0 || s.tight
	if building {
		if d := dedent(line, s.indent); openFence(d) != nil || isHeading(d) {
			s.endText()
			building = false
		}
	}
	if !building {
		if s.indent, s.listIndent = blockIndent(line, s.listIndent); s.listIndent < 0 {
			s.ordinal = ordinal{}
		}
	}
	d := dedent(line, s.indent)
	if f := openFence(d); f != nil {
		s.fence = f
		return
	}
	if col, ok := listItem(line); ok {
		s.listIndent = col
	}
	d, s.ordinal = s.ordinal.number(line, d)
	s.lines = append(s.lines, d)
	s.size += len(d) + 1
	if isHeading(d) {
		s.endText()
		return
	}
	s.cutText()
}

// emitCode completes a piece of the open fenced code block: the given code
// lines.
func (s *splitter) emitCode(lines []string) {
	s.done = append(s.done, s.codeBlock(lines))
	s.tight = true
}

func (s *splitter) codeBlock(lines []string) block {
	return block{src: strings.Join(lines, "\n"), code: true, lang: s.fence.lang, indent: s.indent, tight: s.tight}
}

// cutCode cuts a code block every codeCutLines lines.
func (s *splitter) cutCode() {
	if len(s.lines) >= codeCutLines {
		s.emitCode(s.lines)
		s.lines = nil
	}
}

// cutText cuts a text block grown past textCutLines lines or textCutBytes
// bytes, where the rest can render on its own looking the same.
func (s *splitter) cutText() {
	if len(s.lines) < textCutLines && s.size < textCutBytes {
		return
	}
	c := s.textCut()
	if c <= 0 {
		if len(s.lines) < forceFactor*textCutLines && s.size < forceFactor*textCutBytes {
			return
		}
		c = len(s.lines)
	}
	s.done = append(s.done, s.textBlock(s.lines[:c], s.indent))
	if s.tableHead == nil && isTableStart(s.lines) {
		s.tableHead = []string{s.lines[0], s.lines[1]}
	}
	s.tight = true
	s.lines = append([]string(nil), s.lines[c:]...)
	s.size = 0
	for _, l := range s.lines {
		s.size += len(l) + 1
	}
}

// textCut is the last line before which the block can be cut, 0 if none.
func (s *splitter) textCut() int {
	lines := s.lines
	switch {
	case s.tableHead != nil:
		return len(lines)
	case isTableStart(lines):
		if len(lines) > 2 {
			return len(lines)
		}
		return 0
	}
	if _, ok := listItem(lines[0]); ok {
		indent := leadingSpaces(lines[0])
		for c := len(lines) - 1; c > 0; c-- {
			if _, ok := listItem(lines[c]); ok && leadingSpaces(lines[c]) == indent {
				return c
			}
		}
		return 0
	}
	for c := len(lines) - 1; c > 0; c-- {
		l := lines[c]
		if l[0] != ' ' && !isUnderline(l) && !isThematicBreak(l) && !strings.HasPrefix(l, "|") {
			return c
		}
	}
	return 0
}

// textBlock is the block of the given text lines.
func (s *splitter) textBlock(lines []string, indent int) block {
	src := strings.Join(lines, "\n")
	if s.tableHead != nil {
		return block{src: strings.Join(s.tableHead, "\n") + "\n" + src, indent: indent, tight: s.tight, dropHeader: true}
	}
	return block{src: src, indent: indent, tight: s.tight}
}

// endText completes the text block being built, if any.
func (s *splitter) endText() {
	if len(s.lines) > 0 {
		s.done = append(s.done, s.textBlock(s.lines, s.indent))
	}
	s.endBlock()
}

func (s *splitter) endBlock() {
	s.lines = nil
	s.size = 0
	s.fence = nil
	s.tight = false
	s.tableHead = nil
}

// blockIndent is the indent of a block starting with line, and the list
// context after it: an indented block continues the list item before it and
// is dedented up to the item's text column (further indentation is the
// block's own, an indented code block for instance); a block at the margin
// ends the list unless it is a list item itself.
func blockIndent(line string, listIndent int) (indent, newListIndent int) {
	k := leadingSpaces(line)
	if listIndent >= 0 && k > 0 {
		return min(k, listIndent), listIndent
	}
	if _, ok := listItem(line); ok {
		return 0, listIndent
	}
	return 0, -1
}

// ordinal follows an ordered list across the blocks it is cut into (by
// blank lines between its items, or by length), so that its items are
// numbered as in the whole document: goldmark numbers a list from its first
// item's number on, whatever numbers the others have ("1." for every item
// is common), and would start again at each block.
type ordinal struct {
	indent int  // the column of the list's numbers
	delim  byte // '.' or ')'
	next   int  // the number of the next item; 0: no ordered list
}

// number returns d, the dedented line, numbered as the list's next item if
// it is one, and the ordinal after line.
func (o ordinal) number(line, d string) (string, ordinal) {
	k := leadingSpaces(line)
	n, delim, ok := orderedItem(line)
	switch {
	case !ok:
		if _, bullet := listItem(line); bullet && k <= o.indent {
			return d, ordinal{}
		}
		return d, o
	case o.next > 0 && k == o.indent && delim == o.delim:
		dk := leadingSpaces(d)
		digits := runDigits(d[dk:])
		d = d[:dk] + strconv.Itoa(o.next) + d[dk+digits:]
		o.next++
		return d, o
	case o.next > 0 && k > o.indent:
		// A list nested in an item numbers itself.
		return d, o
	}
	return d, ordinal{indent: k, delim: delim, next: n + 1}
}

// orderedItem tells whether line starts an ordered list item, its number
// and delimiter.
func orderedItem(line string) (n int, delim byte, ok bool) {
	if _, ok := listItem(line); !ok {
		return 0, 0, false
	}
	rest := line[leadingSpaces(line):]
	digits := runDigits(rest)
	if digits == 0 {
		return 0, 0, false
	}
	n, err := strconv.Atoi(rest[:digits])
	if err != nil {
		return 0, 0, false
	}
	return n, rest[digits], true
}

func runDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// openFence is the fence that line opens, nil if it opens none.
func openFence(line string) *fence {
	k := leadingSpaces(line)
	if k > 3 || k == len(line) {
		return nil
	}
	c := line[k]
	if c != '`' && c != '~' {
		return nil
	}
	n := runLength(line[k:], c)
	if n < 3 {
		return nil
	}
	info := strings.TrimSpace(line[k+n:])
	if c == '`' && strings.Contains(info, "`") {
		return nil
	}
	lang, _, _ := strings.Cut(info, " ")
	return &fence{lang: lang, char: c, length: n}
}

// closes tells whether line closes the fence.
func (f *fence) closes(line string) bool {
	k := leadingSpaces(line)
	if k > 3 || k == len(line) {
		return false
	}
	n := runLength(line[k:], f.char)
	return n >= f.length && isBlank(line[k+n:])
}

// mayClose tells whether an unfinished line could still become the closing
// fence, and so is better not shown as code.
func (f *fence) mayClose(partial string) bool {
	k := leadingSpaces(partial)
	return k <= 3 && k < len(partial) && runLength(partial[k:], f.char) == len(partial)-k
}

// isHeading tells whether line is an ATX heading.
func isHeading(line string) bool {
	k := leadingSpaces(line)
	if k > 3 {
		return false
	}
	n := runLength(line[k:], '#')
	if n < 1 || n > 6 {
		return false
	}
	rest := line[k+n:]
	return rest == "" || rest[0] == ' '
}

// listItem tells whether line starts a list item, and the column of its
// text.
func listItem(line string) (int, bool) {
	k := leadingSpaces(line)
	rest := line[k:]
	marker := 0
	switch {
	case rest == "":
		return 0, false
	case rest[0] == '-' || rest[0] == '+' || rest[0] == '*':
		marker = 1
	default:
		for marker < len(rest) && marker < 9 && rest[marker] >= '0' && rest[marker] <= '9' {
			marker++
		}
		if marker == 0 || marker == len(rest) || (rest[marker] != '.' && rest[marker] != ')') {
			return 0, false
		}
		marker++
	}
	if marker < len(rest) && rest[marker] != ' ' {
		return 0, false
	}
	if isThematicBreak(line) {
		return 0, false
	}
	spaces := leadingSpaces(rest[marker:])
	if spaces == 0 || spaces > 4 || marker+spaces == len(rest) {
		spaces = 1
	}
	return k + marker + spaces, true
}

// isThematicBreak tells whether line is a thematic break (---, * * *, ___).
func isThematicBreak(line string) bool {
	if leadingSpaces(line) > 3 {
		return false
	}
	var mark byte
	n := 0
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == ' ':
		case (c == '-' || c == '*' || c == '_') && (mark == 0 || c == mark):
			mark = c
			n++
		default:
			return false
		}
	}
	return n >= 3
}

// isUnderline tells whether line could underline a setext heading.
func isUnderline(line string) bool {
	t := strings.TrimSpace(line)
	return t != "" && (runLength(t, '=') == len(t) || runLength(t, '-') == len(t))
}

// isTableStart tells whether lines start with a table's header and
// delimiter rows.
func isTableStart(lines []string) bool {
	if len(lines) < 2 || !strings.Contains(lines[0], "|") {
		return false
	}
	row := strings.TrimSpace(lines[1])
	row = strings.TrimPrefix(strings.TrimSuffix(row, "|"), "|")
	if row == "" {
		return false
	}
	for _, c := range strings.Split(row, "|") {
		c = strings.TrimSpace(c)
		c = strings.TrimSuffix(strings.TrimPrefix(c, ":"), ":")
		if c == "" || runLength(c, '-') != len(c) {
			return false
		}
	}
	return true
}

func leadingSpaces(s string) int {
	return runLength(s, ' ')
}

// runLength is how many times s starts with c.
func runLength(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

func isBlank(s string) bool {
	return leadingSpaces(s) == len(s)
}

// dedent removes up to n leading spaces.
func dedent(s string, n int) string {
	return s[min(n, leadingSpaces(s)):]
}
