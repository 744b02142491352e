package diffview

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"

	"warden/tui/styles"
)

// reset ends every styled run.
const reset = "\x1b[m"

// palette holds the escape sequences one Render call draws with, worked
// out once: a diff has many thousands of runs, and styling each through
// lipgloss would cost more than all the rest of the drawing.
type palette struct {
	header, hunk, number, note, border string // opening sequences; "" draws plain
	addSign, removeSign                string
	addTint, removeTint                string // behind the code of added and removed lines

	tokenColours map[chroma.TokenType]int // nil: code is not coloured
	tokenSGR     map[chroma.TokenType]string
}

func newPalette(st *styles.Styles) *palette {
	p := &palette{
		header:     opening(st.DiffHeader),
		hunk:       opening(st.DiffHunk),
		number:     opening(st.DiffLineNumber),
		note:       opening(st.Dim),
		border:     opening(st.Border),
		addSign:    opening(st.Added),
		removeSign: opening(st.Removed),
		addTint:    opening(st.DiffAdd),
		removeTint: opening(st.DiffRemove),
		tokenSGR:   map[chroma.TokenType]string{},
	}
	if !st.Options.NoColor {
		p.tokenColours = lightTokenColours
		if st.Options.Dark {
			p.tokenColours = darkTokenColours
		}
	}
	return p
}

// opening is the sequence that starts text drawn in style s, exactly as
// lipgloss writes it, so that a diff looks like the rest of the TUI; ""
// when the style draws plain text.
func opening(s lipgloss.Style) string {
	const marker = "x"
	out := s.Render(marker)
	open, ok := strings.CutSuffix(out, marker+reset)
	if !ok {
		return "" // plain, or drawn in a way a run cannot reuse
	}
	return open
}

// tint is the background behind the code of a line of kind k.
func (p *palette) tint(k lineKind) string {
	switch k {
	case added:
		return p.addTint
	case removed:
		return p.removeTint
	}
	return ""
}

// token is the sequence colouring a token of type t: the colour of t,
// else of its subcategory, else of its category; "" for none.
func (p *palette) token(t chroma.TokenType) string {
	if p.tokenColours == nil {
		return ""
	}
	if sgr, ok := p.tokenSGR[t]; ok {
		return sgr
	}
	sgr := ""
	for _, k := range []chroma.TokenType{t, t.SubCategory(), t.Category()} {
		if n, ok := p.tokenColours[k]; ok {
			sgr = "\x1b[38;5;" + strconv.Itoa(n) + "m"
			break
		}
	}
	p.tokenSGR[t] = sgr
	return sgr
}

// Code colours, numbers of the fixed 256-colour palette so that they are
// the same on every terminal: glamour's code palettes (which the markdown
// renderer draws code blocks in) snapped to it, with comments lighter or
// darker so they read on the tints of changed lines, and operators and
// punctuation neutral where glamour has them red, the colour of removal.
// Names and ordinary text keep the terminal's own colour.
var darkTokenColours = map[chroma.TokenType]int{
	chroma.Comment:             245,
	chroma.CommentPreproc:      209,
	chroma.Keyword:             39,
	chroma.KeywordReserved:     206,
	chroma.KeywordNamespace:    204,
	chroma.KeywordType:         105,
	chroma.Operator:            187,
	chroma.Punctuation:         187,
	chroma.NameBuiltin:         212,
	chroma.NameTag:             141,
	chroma.NameAttribute:       105,
	chroma.NameDecorator:       228,
	chroma.NameFunction:        42,
	chroma.LiteralNumber:       121,
	chroma.LiteralString:       180,
	chroma.LiteralStringEscape: 158,
}

var lightTokenColours = map[chroma.TokenType]int{
	chroma.Comment:             243,
	chroma.CommentPreproc:      166,
	chroma.Keyword:             26,
	chroma.KeywordReserved:     163,
	chroma.KeywordNamespace:    161,
	chroma.KeywordType:         97,
	chroma.Operator:            241,
	chroma.Punctuation:         241,
	chroma.NameBuiltin:         19,
	chroma.NameTag:             54,
	chroma.NameAttribute:       98,
	chroma.NameConstant:        54,
	chroma.NameDecorator:       100,
	chroma.NameFunction:        29,
	chroma.LiteralNumber:       30,
	chroma.LiteralString:       94,
	chroma.LiteralStringEscape: 37,
}
