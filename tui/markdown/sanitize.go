package markdown

import (
	"strings"
	"unicode/utf8"

	"warden/tui/internal/termsafe"
)

// tabStop is CommonMark's: a tab moves to the next multiple of four columns,
// so expanding tabs this way keeps list and code indentation meaning the
// same.
const tabStop = 4

// sanitizeLine makes one source line (without its newline) safe and
// measurable: escape sequences (which would reach the terminal) are
// removed whole and other control characters dropped (a carriage return
// would move the cursor), invalid UTF-8 becomes U+FFFD, and tabs, whose
// width depends on the column, become spaces.
func sanitizeLine(s string) string {
	s = termsafe.Strip(s)
	if strings.IndexByte(s, '\t') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 3*strings.Count(s, "\t"))
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := tabStop - col%tabStop
			b.WriteString("    "[:n])
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
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
