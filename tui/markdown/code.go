package markdown

import (
	"strconv"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
)

// codeMargin is the indent of code blocks, glamour's.
const codeMargin = 2

// Fenced code blocks are highlighted here with chroma, in glamour's palette
// and layout (indented by codeMargin), rather than by glamour, because
// glamour wraps a long code line at whatever ',' or '.' comes last and puts
// the rest at the left edge, and rebuilds chroma's colour table for every
// block. Here a long line breaks at the width and goes on under the margin.

// code renders code in language lang as lines at most width wide. open:
// the last line is still arriving.
func (r *Renderer) code(code, lang string, open bool, width int) []string {
	margin := codeMargin
	if width <= margin {
		margin = 0
	}
	w := width - margin
	out := code
	if r.highlighter != nil {
		out = r.highlighter.code(code, lang, open)
	}
	lines := cleanLines(out, w)
	if code == "" {
		lines = nil
	}
	pad := strings.Repeat(" ", margin)
	for i, line := range lines {
		if line != "" {
			lines[i] = pad + line
		}
	}
	return lines
}

// highlighter colours code for a 256-colour terminal in a chroma style.
type highlighter struct {
	style *chroma.Style
	sgr   map[chroma.TokenType]string // the SGR sequence of each token type met

	// The complete lines of the code block being streamed, and their
	// colouring: while the last line is still arriving they do not change,
	// and lexing them again on every frame would cost the most of it.
	lastLang, lastCode, lastOut string
}

func newHighlighter(theme string) *highlighter {
	return &highlighter{style: chromastyles.Get(theme), sgr: map[chroma.TokenType]string{}}
}

// code colours code. With open, the unfinished last line is coloured on its
// own, after the complete lines (kept from the last call); once complete it
// is coloured with the rest, and may change colour then, inside a string
// that spans lines for instance.
func (h *highlighter) code(code, lang string, open bool) string {
	last := strings.LastIndexByte(code, '\n')
	if !open || last < 0 {
		return h.highlight(code, lang)
	}
	done, partial := code[:last], code[last+1:]
	if lang != h.lastLang || done != h.lastCode {
		h.lastLang, h.lastCode, h.lastOut = lang, done, h.highlight(done, lang)
	}
	return h.lastOut + "\n" + h.highlight(partial, lang)
}

// highlight colours code, which keeps its lines: chroma's final newline is
// dropped. A language chroma does not know is shown plain: guessing from the
// code costs time, may colour program output or prose as a program, and
// could guess differently for each piece of a cut block.
func (h *highlighter) highlight(code, lang string) string {
	lexer := lexers.Get(lang)
	if lexer == nil {
		lexer = lexers.Fallback
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		return code
	}
	var b strings.Builder
	for t := it(); t != chroma.EOF; t = it() {
		if sgr := h.sgrOf(t.Type); sgr != "" {
			// One sequence per line, so that the lines stand alone.
			for i, line := range strings.Split(t.Value, "\n") {
				if i > 0 {
					b.WriteByte('\n')
				}
				if line != "" {
					b.WriteString(sgr + line + "\x1b[m")
				}
			}
		} else {
			b.WriteString(t.Value)
		}
	}
	out := b.String()
	if !strings.HasSuffix(code, "\n") {
		out = strings.TrimSuffix(out, "\n")
	}
	return out
}

// sgrOf is the SGR sequence drawing a token of type t.
func (h *highlighter) sgrOf(t chroma.TokenType) string {
	if sgr, ok := h.sgr[t]; ok {
		return sgr
	}
	e := h.style.Get(t)
	var params []string
	if e.Bold == chroma.Yes {
		params = append(params, "1")
	}
	if e.Italic == chroma.Yes {
		params = append(params, "3")
	}
	if e.Underline == chroma.Yes {
		params = append(params, "4")
	}
	if e.Colour.IsSet() {
		params = append(params, "38;5;"+strconv.Itoa(nearest256(e.Colour)))
	}
	if e.Background.IsSet() {
		params = append(params, "48;5;"+strconv.Itoa(nearest256(e.Background)))
	}
	sgr := ""
	if len(params) > 0 {
		sgr = "\x1b[" + strings.Join(params, ";") + "m"
	}
	h.sgr[t] = sgr
	return sgr
}
