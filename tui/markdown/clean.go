package markdown

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Glamour's output is made for a full-screen pager: every line is padded
// with (often styled) spaces to the full width, styles may run on from one
// line to the next, and a line can exceed the width (a long word in a code
// block, a wide character at a tiny width). Printed into the terminal's
// scrollback that would reflow badly when the window shrinks and cost bytes
// on every frame, so each line is rebuilt here: invisible trailing spaces
// dropped, lines wider than the width broken, every line opening and closing
// its own styles and hyperlink, and any escape sequence other than SGR and
// hyperlinks removed.

// cell is one printable grapheme with the pen it is drawn with.
type cell struct {
	text  string
	width int
	pen   pen
}

// pen is the drawing state: the SGR sequences in effect since the last
// reset, in order, and the OSC 8 sequence of the open hyperlink.
type pen struct {
	sgr  string
	link string
}

// cleanLines rebuilds glamour's output as lines at most width cells wide.
func cleanLines(out string, width int) []string {
	var (
		lines []string
		cur   pen
		cells []cell
		state byte
	)
	flush := func() {
		cells = trimInvisibleSpaces(cells)
		lines = append(lines, wrapCells(cells, width)...)
		cells = cells[:0]
	}
	for len(out) > 0 {
		seq, w, n, newState := ansi.DecodeSequence(out, state, nil)
		state = newState
		out = out[n:]
		switch {
		case seq == "\n":
			flush()
		case isEscape(seq):
			cur = cur.apply(seq)
		case w > 0:
			cells = append(cells, cell{text: seq, width: w, pen: cur})
		case len(cells) > 0:
			// A zero-width grapheme (a lone joiner or mark) belongs with the
			// cell before it.
			cells[len(cells)-1].text += seq
		}
	}
	flush()
	return lines
}

// isEscape tells whether seq is a control character or escape sequence
// rather than text.
func isEscape(seq string) bool {
	c := seq[0]
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)
}

// apply returns the pen after the escape sequence seq. Sequences other than
// SGR and OSC 8 do not change it, and so are dropped from the output.
func (p pen) apply(seq string) pen {
	switch {
	case strings.HasPrefix(seq, "\x1b[") && strings.HasSuffix(seq, "m"):
		params := seq[2 : len(seq)-1]
		switch {
		case params == "" || params == "0":
			p.sgr = ""
		case strings.HasPrefix(params, "0;"):
			p.sgr = seq
		default:
			p.sgr += seq
		}
	case strings.HasPrefix(seq, "\x1b]8;"):
		// OSC 8 ; params ; URI ST: an empty URI closes the link.
		body := strings.TrimSuffix(strings.TrimSuffix(seq[4:], "\x1b\\"), "\x07")
		if i := strings.IndexByte(body, ';'); i >= 0 && i+1 < len(body) {
			p.link = seq
		} else {
			p.link = ""
		}
	}
	return p
}

// trimInvisibleSpaces drops the spaces at the end of a line that nothing
// would show: those without a background, reverse video, underline or
// strike-through.
func trimInvisibleSpaces(cells []cell) []cell {
	for len(cells) > 0 {
		c := cells[len(cells)-1]
		if c.text != " " || spaceShows(c.pen.sgr) {
			break
		}
		cells = cells[:len(cells)-1]
	}
	return cells
}

// wrapCells lays the cells out in lines of at most width cells, each line
// opening the styles and hyperlink it needs and closing them at its end.
func wrapCells(cells []cell, width int) []string {
	var (
		lines []string
		row   []cell
		used  int
	)
	for _, c := range cells {
		if c.width > width {
			// Wider than the whole line (a wide character at width 1):
			// nothing can show it.
			continue
		}
		if used+c.width > width {
			lines = append(lines, drawCells(trimInvisibleSpaces(row)))
			row, used = row[:0], 0
		}
		row = append(row, c)
		used += c.width
	}
	return append(lines, drawCells(row))
}

// drawCells draws one line of cells.
func drawCells(cells []cell) string {
	var (
		b     strings.Builder
		drawn pen
	)
	for _, c := range cells {
		if c.pen.sgr != drawn.sgr {
			if drawn.sgr != "" {
				b.WriteString(ansi.ResetStyle)
			}
			b.WriteString(c.pen.sgr)
		}
		if c.pen.link != drawn.link {
			if drawn.link != "" {
				b.WriteString(ansi.ResetHyperlink())
			}
			b.WriteString(c.pen.link)
		}
		drawn = c.pen
		b.WriteString(c.text)
	}
	if drawn.sgr != "" {
		b.WriteString(ansi.ResetStyle)
	}
	if drawn.link != "" {
		b.WriteString(ansi.ResetHyperlink())
	}
	return b.String()
}

// spaceShows tells whether a space drawn with the SGR sequences sgr is
// visible.
func spaceShows(sgr string) bool {
	if sgr == "" {
		return false
	}
	var bg, reverse, underline, strike bool
	for _, seq := range strings.Split(sgr, "\x1b[") {
		params := strings.Split(strings.TrimSuffix(seq, "m"), ";")
		for i := 0; i < len(params); i++ {
			head, sub, _ := strings.Cut(params[i], ":")
			switch head {
			case "", "0":
				if seq != "" {
					bg, reverse, underline, strike = false, false, false, false
				}
			case "4":
				underline = sub != "0"
			case "7":
				reverse = true
			case "9":
				strike = true
			case "24":
				underline = false
			case "27":
				reverse = false
			case "29":
				strike = false
			case "49":
				bg = false
			case "38", "48", "58":
				if head == "48" {
					bg = true
				}
				if sub == "" && i+1 < len(params) {
					// 5;n or 2;r;g;b follow as separate parameters.
					if params[i+1] == "5" {
						i += 2
					} else if params[i+1] == "2" {
						i += 4
					}
				}
			default:
				if (head >= "40" && head <= "47" && len(head) == 2) ||
					(head >= "100" && head <= "107" && len(head) == 3) {
					bg = true
				}
			}
		}
	}
	return bg || reverse || underline || strike
}
