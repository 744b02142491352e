// Package termsafe exists so that every renderer makes text from outside
// (the model, a tool, the repository) harmless in the same way before it
// reaches the terminal. Printed as is, an escape sequence in such text
// could move the cursor, retitle the window, rewrite the screen or set
// the clipboard. Sequences are removed whole, not just their ESC, so no
// "[31m" debris is left on the screen.
package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Strip returns s without escape sequences and control characters, with
// invalid UTF-8 replaced by U+FFFD. Newlines and tabs stay: what they
// become (a line break, spaces to the next tab stop) is the caller's
// business.
func Strip(s string) string {
	if IsSafe(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = ansi.Strip(sevenBit(s))
	// ansi.Strip keeps the controls it would execute (a BEL, a DEL); and
	// bytes it sees only in part can come out as invalid UTF-8, which
	// strings.Map turns into U+FFFD.
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

// IsSafe reports whether s is valid UTF-8 without control characters
// other than newline and tab, so that Strip would return it unchanged:
// nearly always the case, and cheap to check.
func IsSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isControl(r) {
			return false
		}
		i += size - 1
	}
	return true
}

// isControl: C0 controls but newline and tab, DEL, and C1 controls.
func isControl(r rune) bool {
	return r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f
}

// sevenBit rewrites C1 controls (U+0080–U+009F) as the ESC sequences they
// stand for (U+009B is ESC [), so that the sequence a C1 control starts,
// which some terminals obey, is recognised and removed whole.
func sevenBit(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if isC1(r) {
			b.WriteByte(0x1b)
			b.WriteByte(byte(r - 0x40))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// Invisible reports whether r draws nothing a reader would notice, or
// changes how the text around it is drawn: format characters (bidi
// controls, zero-width joiners, soft hyphens), line and paragraph
// separators, and the blank fillers some fonts draw as nothing. Text that
// decides something (a command, a rule, a file name) must show them.
func Invisible(r rune) bool {
	switch r {
	case '\u115f', '\u1160', '\u3164', '\uffa0', '\u2800':
		return true
	}
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// Reveal is s with each invisible character (see Invisible) written as
// <U+XXXX>, so that a right-to-left override cannot make one name read as
// another.
func Reveal(s string) string {
	if !strings.ContainsFunc(s, Invisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if Invisible(r) {
			fmt.Fprintf(&b, "<U+%04X>", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
