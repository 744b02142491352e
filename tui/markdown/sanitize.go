package markdown

import (
	"strings"
	"unicode/utf8"
)

// tabStop is CommonMark's: a tab moves to the next multiple of four columns,
// so expanding tabs this way keeps list and code indentation meaning the
// same.
const tabStop = 4

// sanitizeLine makes one source line (without its newline) safe and
// measurable: invalid UTF-8 becomes U+FFFD, control characters (an escape
// sequence in the model's text would otherwise reach the terminal, and a
// carriage return would move the cursor) are dropped, and tabs, whose width
// depends on the column, become spaces.
func sanitizeLine(s string) string {
	if isClean(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	col := 0
	for _, r := range s {
		switch {
		case r == '\t':
			n := tabStop - col%tabStop
			b.WriteString("    "[:n])
			col += n
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		default:
			b.WriteRune(r)
			col++
		}
	}
	return b.String()
}

// isClean tells whether s is valid UTF-8 without control characters, which
// is nearly always the case and cheap to check.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || r <= 0x9f {
				return false
			}
			i += size - 1
		}
	}
	return true
}

// trimIncompleteRune drops a UTF-8 sequence cut short at the end of s: the
// rest of it has not arrived yet.
func trimIncompleteRune(s string) string {
	for i := 1; i <= utf8.UTFMax && i <= len(s); i++ {
		c := s[len(s)-i]
		if c < 0x80 {
			return s
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRuneInString(s[len(s)-i:]) {
				return s[:len(s)-i]
			}
			return s
		}
	}
	return s
}
