package approvaldialog

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/lexers"

	"warden/tui/internal/termsafe"
	"warden/tui/styles"
)

// The script is coloured with chroma's bash lexer in warden's own shell
// styles (the terminal's ANSI colours, none with NoColor) rather than in a
// chroma palette: the dialog reads like the rest of the live area, and
// the user's theme decides the shades.

// bash is the lexer, coalesced so that runs of one token type come as one.
var bash = chroma.Coalesce(lexers.Get("bash"))

// highlight renders a script as styled lines, one per line of the script.
// Styles never span lines, so each line stands alone when wrapped or cut.
func highlight(script string, st *styles.Styles) []string {
	script = termsafe.Strip(script)
	it, err := bash.Tokenise(nil, script)
	if err != nil {
		var out []string
		for line := range strings.SplitSeq(script, "\n") {
			out = append(out, visible(line, st.Text, st))
		}
		return out
	}
	var lines []string
	var line strings.Builder
	for t := it(); t != chroma.EOF; t = it() {
		style := shellStyle(st, t.Type)
		for i, part := range strings.Split(t.Value, "\n") {
			if i > 0 {
				lines = append(lines, line.String())
				line.Reset()
			}
			line.WriteString(visible(part, style, st))
		}
	}
	lines = append(lines, line.String())
	// The lexer ends what it read with a newline of its own.
	if len(lines) > 1 && lines[len(lines)-1] == "" && !strings.HasSuffix(script, "\n") {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// shellStyle is the style of a token of type t.
func shellStyle(st *styles.Styles, t chroma.TokenType) lipgloss.Style {
	switch {
	case t.InCategory(chroma.Comment):
		return st.ShellComment
	case t == chroma.LiteralStringInterpol || t == chroma.NameVariable:
		return st.ShellVariable
	case t == chroma.LiteralStringBacktick || t.InCategory(chroma.Keyword) || t == chroma.NameBuiltin:
		return st.ShellKeyword
	case t.InSubCategory(chroma.LiteralString):
		return st.ShellString
	case t.InCategory(chroma.Operator) || t.InCategory(chroma.Punctuation):
		return st.ShellOperator
	}
	return st.Text
}

// visible draws text from outside in style: escape sequences and control
// characters removed, tabs as spaces, and every character that shows
// nothing or turns the text around (zero-width spaces, direction
// overrides) as a marked <U+XXXX>, so that what the user reads is what
// would run.
func visible(s string, style lipgloss.Style, st *styles.Styles) string {
	s = strings.ReplaceAll(termsafe.Strip(s), "\t", "    ")
	if s == "" {
		return ""
	}
	if !strings.ContainsFunc(s, termsafe.Invisible) {
		return style.Render(s)
	}
	var b strings.Builder
	for s != "" {
		i := strings.IndexFunc(s, termsafe.Invisible)
		if i < 0 {
			b.WriteString(style.Render(s))
			break
		}
		if i > 0 {
			b.WriteString(style.Render(s[:i]))
		}
		r := []rune(s[i:])[0]
		b.WriteString(st.Invisible.Render(fmt.Sprintf("<U+%04X>", r)))
		s = s[i+len(string(r)):]
	}
	return b.String()
}

// shellJoin writes an argv as a shell command, quoting what the shell
// would otherwise split or expand.
func shellJoin(argv []string) string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = shellQuote(a)
	}
	return strings.Join(out, " ")
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
