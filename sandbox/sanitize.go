package sandbox

import (
	"strings"
	"unicode/utf8"
)

// Sanitize turns what a command printed into text that is safe to show in a
// terminal and to send to a model: valid UTF-8, with no escape sequences or
// control characters that could move the cursor, retitle the window or
// inject input. Colour and other CSI/OSC sequences are removed; CRLF and
// lone CR (progress bars) become newlines; any other control character and
// every run of invalid bytes becomes one U+FFFD. Tabs and newlines stay.
func Sanitize(b []byte) string { return sanitize(b, false) }

// SanitizeLive is Sanitize for output shown as it streams: a lone carriage
// return is kept, so a progress bar redraws its line in a live view instead
// of becoming a line per update. CRLF still becomes a newline.
func SanitizeLive(b []byte) string { return sanitize(b, true) }

func sanitize(b []byte, keepCR bool) string {
	var sb strings.Builder
	sb.Grow(len(b))
	replaced := false // the last thing written was a U+FFFD
	bad := func() {
		if !replaced {
			sb.WriteRune(utf8.RuneError)
			replaced = true
		}
	}
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '\n' || c == '\t':
			sb.WriteByte(c)
			replaced = false
			i++
		case c == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
				continue
			}
			if keepCR {
				sb.WriteByte('\r')
			} else {
				sb.WriteByte('\n')
			}
			replaced = false
			i++
		case c == 0x1b:
			n, _ := escapeLen(b[i:])
			i += n
		case c < 0x20 || c == 0x7f:
			bad()
			i++
		case c < utf8.RuneSelf:
			sb.WriteByte(c)
			replaced = false
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError || (r >= 0x80 && r <= 0x9f) { // invalid, or a C1 control
				bad()
			} else {
				sb.Write(b[i : i+size])
				replaced = false
			}
			i += size
		}
	}
	return sb.String()
}

// escapeLen is the length of the escape sequence at the start of b (which
// starts with ESC): a CSI sequence up to its final byte, an OSC, DCS, SOS,
// PM or APC string up to BEL or ST, or ESC and one more byte. Complete
// says whether b holds its end; if not, the length is all of b.
func escapeLen(b []byte) (n int, complete bool) {
	if len(b) < 2 {
		return len(b), false
	}
	switch b[1] {
	case '[':
		for i := 2; i < len(b); i++ {
			if b[i] >= 0x40 && b[i] <= 0x7e {
				return i + 1, true
			}
		}
		return len(b), false
	case ']', 'P', 'X', '^', '_':
		for i := 2; i < len(b); i++ {
			if b[i] == 0x07 {
				return i + 1, true
			}
			if b[i] == 0x1b && i+1 < len(b) && b[i+1] == '\\' {
				return i + 2, true
			}
		}
		return len(b), false
	}
	return 2, true
}

// CompleteLen is how much of b, output that goes on in a next chunk, can
// be sanitized now: all but a trailing escape sequence or character that
// the next chunk may complete, which sanitized alone would show as stray
// text or U+FFFD.
func CompleteLen(b []byte) int {
	for i := len(b) - 1; i >= 0 && len(b)-i <= 64; i-- {
		if b[i] == 0x1b {
			if _, complete := escapeLen(b[i:]); !complete {
				return i
			}
			break
		}
	}
	return len(trimPartialRune(b, false))
}

// trimPartialRune drops a rune cut in two where the head ends (or, with
// atStart, where the tail begins), so the cut does not show as U+FFFD.
func trimPartialRune(b []byte, atStart bool) []byte {
	if atStart {
		i := 0
		for i < len(b) && i < utf8.UTFMax-1 && !utf8.RuneStart(b[i]) {
			i++
		}
		return b[i:]
	}
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return b
			}
			return b[:i]
		}
	}
	return b
}
