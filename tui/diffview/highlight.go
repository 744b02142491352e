package diffview

import (
	"path"
	"strings"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"
)

// piece is a run of a line's text that is drawn in one token colour.
type piece struct {
	text string
	tok  chroma.TokenType
}

// maxHighlightBytes is how much code one Render colours. chroma's lexers
// take 1 to 4 µs a byte (a line of Go costs about 60 µs), so colouring
// everything would make a large diff take seconds; past the budget, files
// are drawn plain. A file is coloured whole or not at all, so that the
// colour does not stop in the middle of one.
const maxHighlightBytes = 8 << 10

// highlighter colours the code of one Render call's files, within
// maxHighlightBytes, in the language their names say.
type highlighter struct {
	budget int
	// lexers found so far, by file extension or name: chroma's search of
	// its file name patterns takes milliseconds.
	lexers map[string]chroma.Lexer
}

func newHighlighter() *highlighter {
	return &highlighter{budget: maxHighlightBytes, lexers: map[string]chroma.Lexer{}}
}

// lexer is the lexer for a file called name, nil when chroma knows none
// or the file is plain text.
func (h *highlighter) lexer(name string) chroma.Lexer {
	base := path.Base(name)
	key := strings.ToLower(path.Ext(base))
	if key == "" {
		key = base // Makefile, Dockerfile
	}
	if l, ok := h.lexers[key]; ok {
		return l
	}
	var l chroma.Lexer
	if ext := strings.TrimPrefix(key, "."); ext != key && ext != "" {
		// By name or alias first: a map look-up, where Match tries every
		// lexer's patterns.
		l = lexers.Get(ext)
	} else {
		l = lexers.Match(base)
	}
	if l == nil || l == lexers.Fallback || l.Config().Name == "plaintext" {
		l = nil
	}
	h.lexers[key] = l
	return l
}

// colour sets the pieces of the lines of hunks, the code of a file named
// name, when it fits in the budget. Each hunk is lexed twice, as the old
// text (context and removed lines) and as the new (context and added),
// so that a string or comment spanning lines is coloured as one; context
// lines take the new text's colours.
func (h *highlighter) colour(name string, hunks []hunk) {
	size := 0
	for _, hk := range hunks {
		for _, l := range hk.lines {
			size += len(l.text) + 1
			if l.kind == context {
				size += len(l.text) + 1
			}
		}
	}
	if size > h.budget {
		return
	}
	lexer := h.lexer(name)
	if lexer == nil {
		return
	}
	h.budget -= size
	for i := range hunks {
		lines := hunks[i].lines
		colourSide(lexer, lines, added)
		colourSide(lexer, lines, removed)
	}
}

// colourSide lexes the side of a hunk that has the lines of kind side
// (added: the new text, removed: the old) and gives each of them, and
// the context lines not yet coloured, its pieces.
func colourSide(lexer chroma.Lexer, lines []line, side lineKind) {
	var idx []int
	changed := false
	for i, l := range lines {
		if l.kind == side {
			changed = true
		}
		if l.kind == side || l.kind == context {
			idx = append(idx, i)
		}
	}
	if !changed && side == removed {
		return // the new side coloured the context already
	}
	if len(idx) == 0 {
		return
	}
	var b strings.Builder
	for _, i := range idx {
		b.WriteString(lines[i].text)
		b.WriteByte('\n')
	}
	tokens, ok := tokenise(lexer, b.String())
	if !ok {
		return
	}
	perLine := make([][]piece, len(idx))
	n := 0
	for _, t := range tokens {
		for value := t.Value; value != "" && n < len(idx); {
			text, after, newline := strings.Cut(value, "\n")
			if text != "" {
				perLine[n] = append(perLine[n], piece{text: text, tok: t.Type})
			}
			if newline {
				n++
			}
			value = after
		}
	}
	for k, i := range idx {
		l := &lines[i]
		if l.pieces != nil || !sameText(perLine[k], l.text) {
			continue
		}
		l.pieces = perLine[k]
		if l.pieces == nil {
			l.pieces = []piece{} // coloured, and empty
		}
	}
}

// sameText: the pieces spell text, as they do unless a lexer rewrote
// some of it; then the line is drawn plain rather than wrong.
func sameText(pieces []piece, text string) bool {
	n := 0
	for _, p := range pieces {
		if !strings.HasPrefix(text[n:], p.text) {
			return false
		}
		n += len(p.text)
	}
	return n == len(text)
}

// tokenise runs a lexer over text. A lexer is third-party code, with
// regular expressions, run on whatever a patch holds: should one fail or
// panic, the code is drawn plain rather than take the TUI down.
func tokenise(lexer chroma.Lexer, text string) (tokens []chroma.Token, ok bool) {
	defer func() {
		if recover() != nil {
			tokens, ok = nil, false
		}
	}()
	it, err := chroma.Coalesce(lexer).Tokenise(nil, text)
	if err != nil {
		return nil, false
	}
	for t := it(); t != chroma.EOF; t = it() {
		tokens = append(tokens, t)
	}
	return tokens, true
}
