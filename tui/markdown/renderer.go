// Package markdown renders the assistant's markdown answers for the
// terminal with glamour, while they stream in.
//
// The TUI prints finished output once into the terminal's scrollback and
// redraws only a small live area, so an answer is rendered block by block:
// each block, once complete, is rendered a single time and printed for good
// (Stream.TakeCompleted), and only the unfinished block is re-rendered on
// each frame (Stream.Tail). The cost of a frame therefore depends on the
// size of that block, never on the length of the answer; blocks that keep
// growing are cut into pieces (see split.go). A whole document rendered at
// once (Renderer.Render) is cut into the same blocks, so it looks exactly
// like the same answer streamed.
package markdown

import (
	"strings"

	"charm.land/glamour/v2"
	"charm.land/glamour/v2/ansi"
	xansi "github.com/charmbracelet/x/ansi"

	"warden/tui/styles"
)

// maxCachedWidths bounds the glamour renderers kept: one per width in use
// (a block continuing a list item renders a little narrower), plus a few
// for the widths a resize passes through.
const maxCachedWidths = 8

// minIndentedWidth is the narrowest a block continuing a list item is
// rendered at; below it the block gives up its indent.
const minIndentedWidth = 20

// Renderer renders markdown for the terminal with glamour. It caches
// glamour term renderers per width (glamour's constructor is costly); it is
// not safe for concurrent use (the TUI uses it from its Update/View
// goroutine only).
type Renderer struct {
	style       ansi.StyleConfig
	highlighter *highlighter // colours fenced code; nil: no colour
	terms       []sizedTerm  // most recently used first
}

type sizedTerm struct {
	width int
	term  *glamour.TermRenderer
}

// NewRenderer returns a renderer for the palette of st: glamour's dark or
// light style, or, with NoColor, no colours at all but bold, italic and
// underline.
func NewRenderer(st *styles.Styles) *Renderer {
	style, codeTheme := glamourStyle(st.Options)
	r := &Renderer{style: style}
	if codeTheme != "" {
		r.highlighter = newHighlighter(codeTheme)
	}
	return r
}

// Render renders a whole markdown document at the given total width: no
// left margin, no leading/trailing blank lines, no trailing newline, lines
// never wider than width. A width below 1 leaves nothing to draw in and
// renders "".
func (r *Renderer) Render(src string, width int) string {
	if width < 1 {
		return ""
	}
	s := newSplitter()
	s.write(src)
	s.finish()
	var (
		l layout
		b strings.Builder
	)
	for _, blk := range s.take() {
		l.add(&b, blk, r.block(blk, width))
	}
	return b.String()
}

// layout places rendered blocks one after the other as they are printed:
// one blank line between blocks, none between the pieces of a cut block,
// none around a block that renders to nothing.
type layout struct {
	printed bool // something was printed already
	gap     bool // a blank line is owed before the next printed line
}

// add appends the lines of blk, rendered, to b.
func (l *layout) add(b *strings.Builder, blk block, lines []string) {
	if !blk.tight {
		l.gap = l.printed
	}
	if len(lines) == 0 {
		return
	}
	if b.Len() > 0 {
		b.WriteByte('\n')
	}
	if l.gap {
		b.WriteByte('\n')
	}
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	l.printed, l.gap = true, false
}

// block renders one block as lines at most width wide, without blank lines
// at either end.
func (r *Renderer) block(blk block, width int) []string {
	indent := blk.indent
	if width-indent < minIndentedWidth {
		indent = 0
	}
	w := width - indent
	var lines []string
	if blk.code {
		lines = r.code(blk.src, blk.lang, blk.open, w)
	} else {
		lines = r.text(blk, w)
	}
	if indent > 0 {
		pad := strings.Repeat(" ", indent)
		for i, line := range lines {
			if line != "" {
				lines[i] = pad + line
			}
		}
	}
	return lines
}

// text renders a block of markdown other than fenced code with glamour.
func (r *Renderer) text(blk block, width int) []string {
	src := blk.src
	if _, ok := listItem(src); ok {
		src = joinSoftBreaks(src)
	}
	out, ok := r.glamour(src, width)
	if !ok {
		// Glamour failed: the markdown as plain text beats nothing.
		out = src
	}
	lines := trimBlankLines(cleanLines(out, width))
	if blk.dropHeader {
		lines = dropTableHeader(lines)
	}
	return lines
}

// glamour renders src with glamour at width. Glamour is not ours and the
// text is the model's: should it panic on some input, the text shows plain
// and the TUI lives on.
func (r *Renderer) glamour(src string, width int) (out string, ok bool) {
	term := r.term(width)
	if term == nil {
		return "", false
	}
	defer func() {
		if recover() != nil {
			// The renderer's state is unknown after a panic: drop it.
			r.forget(width)
			out, ok = "", false
		}
	}()
	out, err := term.Render(src)
	return out, err == nil
}

// term is the glamour renderer for width, made on first use.
func (r *Renderer) term(width int) *glamour.TermRenderer {
	for i, t := range r.terms {
		if t.width == width {
			copy(r.terms[1:i+1], r.terms[:i])
			r.terms[0] = t
			return t.term
		}
	}
	term, err := glamour.NewTermRenderer(
		glamour.WithStyles(r.style),
		glamour.WithWordWrap(width),
	)
	if err != nil {
		return nil
	}
	if len(r.terms) == maxCachedWidths {
		r.terms = r.terms[:maxCachedWidths-1]
	}
	r.terms = append([]sizedTerm{{width, term}}, r.terms...)
	return term
}

func (r *Renderer) forget(width int) {
	for i, t := range r.terms {
		if t.width == width {
			r.terms = append(r.terms[:i], r.terms[i+1:]...)
			return
		}
	}
}

// joinSoftBreaks joins the lines of a list item's text into one line, as
// for a paragraph: glamour would show each line break of the source.
func joinSoftBreaks(src string) string {
	lines := strings.Split(src, "\n")
	out := lines[:1]
	for _, line := range lines[1:] {
		prev := out[len(out)-1]
		if continuesText(prev, line) {
			out[len(out)-1] = prev + " " + strings.TrimLeft(line, " ")
		} else {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// continuesText tells whether line only continues the text of prev: it
// starts no block of its own, and prev ends without a hard line break.
func continuesText(prev, line string) bool {
	if strings.HasSuffix(prev, "  ") || strings.HasSuffix(prev, "\\") || startsBlock(prev) {
		return false
	}
	if _, ok := listItem(line); ok {
		return false
	}
	return !startsBlock(line) && !isUnderline(line)
}

// startsBlock tells whether line is a block of its own rather than text: a
// fence, heading, rule, quote, table row or HTML.
func startsBlock(line string) bool {
	t := strings.TrimLeft(line, " ")
	return t == "" || openFence(t) != nil || isHeading(t) || isThematicBreak(t) ||
		strings.HasPrefix(t, ">") || strings.HasPrefix(t, "|") || strings.HasPrefix(t, "<")
}

// trimBlankLines drops the blank lines glamour puts around blocks.
func trimBlankLines(lines []string) []string {
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// dropTableHeader drops the rendered header of a table, up to and with the
// rule under it.
func dropTableHeader(lines []string) []string {
	for i, line := range lines {
		if isTableRule(xansi.Strip(line)) {
			return lines[i+1:]
		}
	}
	return lines
}

// isTableRule tells whether s is the rule glamour draws under a table's
// header.
func isTableRule(s string) bool {
	s = strings.TrimSpace(s)
	if !strings.ContainsAny(s, "─-") {
		return false
	}
	return strings.Trim(s, "─┼-|+ ") == ""
}
