package diffview

import (
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/chroma/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/termsafe"
)

// tabWidth is how many spaces a tab becomes: a fixed four, as everywhere
// in the transcript, since a diff line's tab stops are not the file's.
const tabWidth = 4

// row is one terminal row of a line's code: pieces[start:end] of the
// wrapper that laid it out, and their width.
type row struct {
	start, end int
	width      int
}

// wrapper lays out lines in rows, reusing its memory from one line to
// the next: a large diff has tens of thousands of them.
type wrapper struct {
	pieces []piece
	rows   []row
}

// wrap lays out pieces in rows at most width columns wide. Tabs become
// spaces; a line too long goes on in the next row, broken between
// grapheme clusters, never inside one. There is always at least one row,
// empty for an empty line. The rows are valid until the next call; their
// pieces share the text of the given ones.
func (w *wrapper) wrap(pieces []piece, width int) []row {
	width = max(width, 1)
	w.pieces, w.rows = w.pieces[:0], append(w.rows[:0], row{})
	cur := &w.rows[0]
	newRow := func() {
		cur.end = len(w.pieces)
		w.rows = append(w.rows, row{start: len(w.pieces), end: len(w.pieces)})
		cur = &w.rows[len(w.rows)-1]
	}
	for _, p := range pieces {
		s, start := p.text, 0
		// flush puts s[start:end] in the current row.
		flush := func(end int) {
			if end > start {
				w.pieces = append(w.pieces, piece{text: s[start:end], tok: p.tok})
			}
			start = end
		}
		for i := 0; i < len(s); {
			c := s[i]
			if c == '\t' {
				flush(i)
				for left := tabWidth; left > 0; {
					if cur.width == width {
						newRow()
					}
					n := min(left, width-cur.width)
					w.pieces = append(w.pieces, piece{text: spaces[:n], tok: p.tok})
					cur.width += n
					left -= n
				}
				i++
				start = i
				continue
			}
			size, cw := 1, 1
			if c >= utf8.RuneSelf || i+1 < len(s) && s[i+1] >= utf8.RuneSelf {
				// Not plain ASCII, or ASCII a combining mark may follow.
				var cluster string
				cluster, cw = ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
				size = max(len(cluster), 1)
			}
			if cur.width+cw > width && cur.width > 0 {
				flush(i)
				newRow()
			}
			if cw > width {
				// A wide character in a one-column space: it cannot be
				// shown without overflowing, so a stand-in is.
				flush(i)
				w.pieces = append(w.pieces, piece{text: "?", tok: p.tok})
				cur.width++
				i += size
				start = i
				continue
			}
			cur.width += cw
			i += size
		}
		flush(len(s))
	}
	cur.end = len(w.pieces)
	return w.rows
}

// of is the pieces of a row it laid out.
func (w *wrapper) of(r row) []piece { return w.pieces[r.start:r.end] }

const spaces = "    "

// plainPieces is text as pieces without colour.
func plainPieces(text string) []piece {
	if text == "" {
		return nil
	}
	return []piece{{text: text, tok: chroma.Text}}
}

// wrapPlain breaks text (one line) into plain rows at most width wide.
func wrapPlain(text string, width int) []string {
	var w wrapper
	rows := w.wrap(plainPieces(text), width)
	out := make([]string, len(rows))
	for i, r := range rows {
		var b strings.Builder
		for _, p := range w.of(r) {
			b.WriteString(p.text)
		}
		out[i] = b.String()
	}
	return out
}

// wrapName breaks a file's header into rows at most width wide: after a
// slash or a space where the row has one, so that the parts of a path
// stay whole, anywhere otherwise.
func wrapName(s string, width int) []string {
	if width < 2 {
		return wrapPlain(s, width) // where a wide character needs a stand-in
	}
	var rows []string
	start, w := 0, 0       // the row being filled is s[start:i], w wide
	brk, afterBrk := -1, 0 // where the row could break, and the width after it
	for i := 0; i < len(s); {
		cluster, cw := ansi.FirstGraphemeCluster(s[i:], ansi.GraphemeWidth)
		size := max(len(cluster), 1)
		if cluster == " " && w+cw > width {
			// The space that does not fit is the break.
			rows = append(rows, strings.TrimRight(s[start:i], " "))
			start, w, brk = i+size, 0, -1
			i += size
			continue
		}
		for w+cw > width && w > 0 {
			if brk > start {
				rows = append(rows, strings.TrimRight(s[start:brk], " "))
				start, w = brk, afterBrk
			} else {
				rows = append(rows, s[start:i])
				start, w = i, 0
			}
			brk = -1
		}
		w += cw
		afterBrk += cw
		if cluster == "/" || cluster == " " {
			brk, afterBrk = i+size, 0
		}
		i += size
	}
	return append(rows, s[start:])
}

// cleanName is a path from the patch, safe to print and on one line.
func cleanName(s string) string {
	s = termsafe.Reveal(termsafe.Strip(s))
	return strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
}
