package composer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A paste is folded into a placeholder token when it is larger than this:
// beyond it the text is more to scroll past than to edit, and keeping a
// megabyte in the textarea would make every keystroke re-wrap it.
const (
	foldChars = 1000
	foldLines = 10
)

// tabStandIn holds the place of a tab inside the textarea, whose sanitiser
// would otherwise turn each tab into four spaces and so change pasted code
// (Go and Makefiles mean their tabs). It is a rarely used space character of
// width one, which the textarea draws as a space; Value turns it back. A
// paste that already contains it is folded, so it can never be mistaken for
// a tab.
const tabStandIn = '\u2008' // PUNCTUATION SPACE

// paste is one folded paste: the token shown in the text and what it
// stands for.
type paste struct{ token, content string }

// pastes are the folded pastes of the message being typed. It is a small
// slice: a message rarely holds more than a few.
type pastes struct {
	list []paste
	last int // the number of the most recent token, for "#n"
}

// foldIfLarge returns the token for text, recorded, when text is too large
// to go in as is (or holds the tab stand-in); ok is false otherwise.
func (p *pastes) foldIfLarge(text string) (token string, ok bool) {
	lines := lineCount(text)
	if len(text) <= foldChars && lines <= foldLines && !strings.ContainsRune(text, tabStandIn) {
		return "", false // the common case, a short paste or a typed key, costs no count
	}
	chars := utf8.RuneCountInString(text)
	if chars <= foldChars && lines <= foldLines && !strings.ContainsRune(text, tabStandIn) {
		return "", false
	}
	return p.fold(text, chars, lines), true
}

// fold records text, of chars characters on lines lines, and returns the
// token that stands for it.
func (p *pastes) fold(text string, chars, lines int) string {
	p.last++
	token := fmt.Sprintf("[Pasted text #%d · %s %s · %s %s]",
		p.last, thousands(chars), plural(chars, "char", "chars"), thousands(lines), plural(lines, "line", "lines"))
	p.list = append(p.list, paste{token: token, content: text})
	return token
}

// expand turns the textarea's text into the message: tokens back into what
// was pasted, stand-ins back into tabs. One pass, so a paste that happens
// to contain a token's text is not expanded twice.
func (p pastes) expand(raw string) string {
	if len(p.list) == 0 {
		return strings.ReplaceAll(raw, string(tabStandIn), "\t")
	}
	pairs := make([]string, 0, 2*len(p.list)+2)
	for _, x := range p.list {
		pairs = append(pairs, x.token, x.content)
	}
	pairs = append(pairs, string(tabStandIn), "\t")
	return strings.NewReplacer(pairs...).Replace(raw)
}

// prune forgets the pastes whose token is no longer in the text: the user
// deleted (or broke) it, so it must not come back on send.
func (p *pastes) prune(raw string) {
	kept := p.list[:0]
	for _, x := range p.list {
		if strings.Contains(raw, x.token) {
			kept = append(kept, x)
		}
	}
	clear(p.list[len(kept):])
	p.list = kept
	if len(p.list) == 0 {
		p.last = 0
	}
}

// tokenBefore returns the token that text ends with, if any.
func (p pastes) tokenBefore(text string) (string, bool) {
	for _, x := range p.list {
		if strings.HasSuffix(text, x.token) {
			return x.token, true
		}
	}
	return "", false
}

// tokenAfter returns the token that text starts with, if any.
func (p pastes) tokenAfter(text string) (string, bool) {
	for _, x := range p.list {
		if strings.HasPrefix(text, x.token) {
			return x.token, true
		}
	}
	return "", false
}

// clone copies the list, so the history and the composer never share (and
// so overwrite) one backing array.
func (p pastes) clone() pastes {
	return pastes{list: append([]paste(nil), p.list...), last: p.last}
}

// normalizeNewlines turns CRLF and lone CR (what some terminals and
// Windows clipboards paste) into LF, in one pass.
func normalizeNewlines(s string) string {
	i := strings.IndexByte(s, '\r')
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for ; i >= 0; i = strings.IndexByte(s, '\r') {
		b = append(b, s[:i]...)
		b = append(b, '\n')
		s = strings.TrimPrefix(s[i+1:], "\n")
	}
	return string(append(b, s...))
}

// lineCount counts lines the way a user would: a final newline does not
// start another line.
func lineCount(s string) int {
	if s == "" {
		return 0
	}
	n := strings.Count(s, "\n")
	if !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// thousands writes n with comma separators: 12,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	lead := len(s) % 3
	if lead > 0 {
		b.WriteString(s[:lead])
	}
	for i := lead; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
