package markdown

import (
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters"
	"github.com/alecthomas/chroma/v2/lexers"
	chromastyles "github.com/alecthomas/chroma/v2/styles"
)

// codeMargin is the indent of code blocks, glamour's.
const codeMargin = 2

// Fenced code blocks are highlighted here with chroma, in glamour's palette
// and layout (indented by codeMargin), rather than by glamour, because
// glamour wraps a long code line at whatever ',' or '.' comes last and puts
// the rest at the left edge, and pads every line to the full width at a
// cost of over 100 µs per 20 lines. Here a long line breaks at the width
// and goes on under the margin.

// code renders code in language lang as lines at most width wide.
func (r *Renderer) code(code, lang string, width int) []string {
	margin := codeMargin
	if width <= margin {
		margin = 0
	}
	w := width - margin
	n := strings.Count(code, "\n") + 1
	out := code
	if r.codeTheme != "" {
		if h, ok := highlight(code, lang, r.codeTheme); ok {
			out = h
		}
	}
	// chroma ends the code with a newline of its own; the lines are the
	// code's, not one more.
	if raw := strings.Split(out, "\n"); len(raw) > n {
		out = strings.Join(raw[:n], "\n")
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

// highlight colours code for a 256-colour terminal. A language chroma does
// not know is shown plain: guessing from the code costs time, may colour
// program output or prose as a program, and could guess differently for
// each piece of a cut block.
func highlight(code, lang, theme string) (string, bool) {
	lexer := lexers.Get(lang)
	if lexer == nil {
		lexer = lexers.Fallback
	}
	it, err := chroma.Coalesce(lexer).Tokenise(nil, code)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	if err := formatters.TTY256.Format(&b, chromastyles.Get(theme), it); err != nil {
		return "", false
	}
	return b.String(), true
}
