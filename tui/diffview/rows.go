package diffview

import (
	"strconv"

	"github.com/alecthomas/chroma/v2"
)

// minCodeWidth is the least room for code that line numbers may leave:
// narrower than that, the numbers give way.
const minCodeWidth = 8

// continued marks, in the number column, the rows a long line goes on in.
const continued = "↪"

// gutter is how the columns before the code are laid out at a width.
type gutter struct {
	numbers bool // the line number columns are shown
	signs   bool // the +/- column is (it gives way only below 3 columns)
	digits  int  // width of a number column
	code    int  // width of the code
}

// layoutGutter lays out columns number columns of digits each, the sign,
// and the code in width.
func layoutGutter(width, columns, digits int) gutter {
	g := gutter{digits: digits}
	numbersWidth := columns * (digits + 1)
	switch {
	case width >= numbersWidth+2+minCodeWidth:
		g.numbers, g.signs, g.code = true, true, width-numbersWidth-2
	case width >= 3:
		g.signs, g.code = true, width-2
	default:
		g.code = max(width, 1)
	}
	return g
}

// unifiedGutter is the unified layout of the file being drawn: its old
// and new numbers (each when it has lines on that side), then code.
func (r *renderer) unifiedGutter() gutter {
	columns := 0
	for _, shown := range []bool{r.showOld, r.showNew} {
		if shown {
			columns++
		}
	}
	return layoutGutter(r.width, columns, r.digits)
}

// unifiedHunk draws the rows of a hunk's lines, one after the other.
func (r *renderer) unifiedHunk(lines []line) {
	g := r.unifiedGutter()
	for i := range lines {
		l := &lines[i]
		for j, rw := range r.left.wrap(r.piecesOf(l), g.code) {
			r.startRow()
			if g.numbers {
				oldMark, newMark := marks(l, j)
				r.write(r.palette.number)
				if r.showOld {
					r.number(l.old, oldMark, j, g.digits)
					r.out = append(r.out, ' ')
				}
				if r.showNew {
					r.number(l.new, newMark, j, g.digits)
					r.out = append(r.out, ' ')
				}
				if r.showOld || r.showNew {
					r.out = r.out[:len(r.out)-1] // the space after the last column
				}
				r.endRun(r.palette.number)
				r.out = append(r.out, ' ')
			}
			r.code(l, r.left.of(rw), g)
			r.endRow()
		}
	}
}

// marks says which number column marks the continuation rows of l: the
// one its number is in.
func marks(l *line, row int) (old, new bool) {
	if row == 0 || l.kind == noNewline {
		return false, false
	}
	if l.kind == removed {
		return true, false
	}
	return false, true
}

// splitHunk draws the rows of a hunk side by side: context on both
// sides; in each run of changes, the removed lines on the left paired in
// order with the added lines on the right.
func (r *renderer) splitHunk(lines []line) {
	leftWidth := (r.width - splitBarWidth) / 2
	left := layoutGutter(leftWidth, 1, r.digits)
	right := layoutGutter(r.width-splitBarWidth-leftWidth, 1, r.digits)
	for i := 0; i < len(lines); {
		if l := &lines[i]; l.kind == context || l.kind == noNewline && (i == 0 || lines[i-1].kind == context) {
			r.splitRows(l, l, left, right, leftWidth)
			i++
			continue
		}
		olds, news := r.olds[:0], r.news[:0]
		side := context
		for ; i < len(lines) && lines[i].kind != context; i++ {
			l := &lines[i]
			if l.kind != noNewline { // a note goes with the line before it
				side = l.kind
			}
			if side == removed {
				olds = append(olds, l)
			} else {
				news = append(news, l)
			}
		}
		for j := range max(len(olds), len(news)) {
			var o, n *line
			if j < len(olds) {
				o = olds[j]
			}
			if j < len(news) {
				n = news[j]
			}
			r.splitRows(o, n, left, right, leftWidth)
		}
		r.olds, r.news = olds, news
	}
}

// splitBarWidth is the width of " │ ", which parts the two sides.
const splitBarWidth = 3

// splitRows draws the rows of old (left) beside new (right); either may
// be nil. The side with fewer rows is left blank below.
func (r *renderer) splitRows(old, new *line, left, right gutter, leftWidth int) {
	var oldRows, newRows []row
	if old != nil {
		oldRows = r.left.wrap(r.piecesOf(old), left.code)
	}
	if new != nil {
		newRows = r.right.wrap(r.piecesOf(new), right.code)
	}
	for j := range max(len(oldRows), len(newRows)) {
		r.startRow()
		w := 0
		if j < len(oldRows) {
			w = r.side(old, old.old, j, r.left.of(oldRows[j]), oldRows[j].width, left)
		}
		r.spaces(leftWidth - w)
		r.out = append(r.out, ' ')
		r.write(r.palette.border)
		r.write("│")
		r.endRun(r.palette.border)
		if j < len(newRows) {
			r.out = append(r.out, ' ')
			r.side(new, new.new, j, r.right.of(newRows[j]), newRows[j].width, right)
		}
		r.endRow()
	}
}

// side draws row j of l on one side, numbered n, and returns its width.
func (r *renderer) side(l *line, n, j int, pieces []piece, width int, g gutter) int {
	w := 0
	if g.numbers {
		oldMark, newMark := marks(l, j)
		r.write(r.palette.number)
		r.number(n, oldMark || newMark, j, g.digits)
		r.endRun(r.palette.number)
		r.out = append(r.out, ' ')
		w += g.digits + 1
	}
	r.code(l, pieces, g)
	if g.signs {
		w++
		if len(pieces) > 0 {
			w++
		}
	}
	return w + width
}

// number writes a number column: n on a line's first row, blank when
// the line has no number on this side, and on later rows, where mark puts
// the continuation mark instead.
func (r *renderer) number(n int, mark bool, row, digits int) {
	switch {
	case mark:
		r.spaces(digits - 1)
		r.write(continued)
	case row == 0 && n > 0:
		var buf [20]byte
		text := strconv.AppendInt(buf[:0], int64(n), 10)
		r.spaces(digits - len(text))
		r.out = append(r.out, text...)
	default:
		r.spaces(digits)
	}
}

// code draws a row's sign and code: the sign in its colour, then a space
// and the code on the line's tint, each token in its colour.
func (r *renderer) code(l *line, pieces []piece, g gutter) {
	if g.signs {
		switch l.kind {
		case added:
			r.paint(r.palette.addSign, "+")
		case removed:
			r.paint(r.palette.removeSign, "-")
		default:
			r.out = append(r.out, ' ')
		}
	}
	if len(pieces) == 0 {
		return
	}
	// The tint stays on for the whole row; token colours, which are
	// foreground colours only, replace one another on top of it.
	tint := r.palette.tint(l.kind)
	r.write(tint)
	styled, current := tint != "", ""
	if g.signs {
		r.out = append(r.out, ' ')
	}
	for _, p := range pieces {
		fg := r.palette.token(p.tok)
		if l.kind == noNewline {
			fg = r.palette.note
		}
		if fg != current {
			if fg != "" {
				r.write(fg)
				styled = true
			} else {
				r.write(defaultForeground)
			}
			current = fg
		}
		r.write(p.text)
	}
	if styled {
		r.write(reset)
	}
}

// defaultForeground goes back to the terminal's own text colour, leaving
// the background as it is.
const defaultForeground = "\x1b[39m"

// piecesOf is l's text as pieces: coloured, or plain.
func (r *renderer) piecesOf(l *line) []piece {
	if l.pieces != nil {
		return l.pieces
	}
	if l.text == "" {
		return nil
	}
	// The wrapper copies the pieces, so one buffer serves every line.
	r.plain[0] = piece{text: l.text, tok: chroma.Text}
	return r.plain[:]
}

// startRow begins a new line of the drawing.
func (r *renderer) startRow() {
	if r.rows > 0 {
		r.out = append(r.out, '\n')
	}
	r.rows++
	r.rowStart = len(r.out)
}

// endRow ends the row, without trailing blanks: the scrollback keeps no
// spaces that only pad.
func (r *renderer) endRow() {
	end := len(r.out)
	for end > r.rowStart && r.out[end-1] == ' ' {
		end--
	}
	r.out = r.out[:end]
}

// row draws a whole row of text.
func (r *renderer) row(s string) {
	r.startRow()
	r.write(s)
	r.endRow()
}

func (r *renderer) write(s string) { r.out = append(r.out, s...) }

// paint writes s in the style opened by open.
func (r *renderer) paint(open, s string) {
	r.write(open)
	r.write(s)
	r.endRun(open)
}

// endRun ends a run begun with open.
func (r *renderer) endRun(open string) {
	if open != "" {
		r.write(reset)
	}
}

// spaces writes n spaces.
func (r *renderer) spaces(n int) {
	for ; n > 0; n -= len(blanks) {
		r.write(blanks[:min(n, len(blanks))])
	}
}

const blanks = "                                "
