package sandbox

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello\n\tworld", "hello\n\tworld"},
		{"unicode kept", "héllo — ✓ 日本", "héllo — ✓ 日本"},
		{"colour removed", "\x1b[31mred\x1b[0m ok", "red ok"},
		{"OSC title removed (BEL)", "\x1b]0;owned\x07after", "after"},
		{"OSC removed (ST)", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"},
		{"DCS removed", "\x1bPq#0;2;0;0;0\x1b\\x", "x"},
		{"lone escape", "a\x1b", "a"},
		{"two-byte escape", "a\x1bcb", "ab"},
		{"CRLF", "a\r\nb\r\n", "a\nb\n"},
		{"progress CR", "10%\r20%\rdone\n", "10%\n20%\ndone\n"},
		{"NUL and controls", "a\x00\x01\x02b\x7fc", "a\uFFFDb\uFFFDc"},
		{"invalid UTF-8 run collapses", "a\xff\xfe\xfdb", "a\uFFFDb"},
		{"C1 control", "a\u009bb", "a\uFFFDb"},
		{"backspace", "abc\x08\x08x", "abc\uFFFDx"},
	}
	for _, tt := range tests {
		if got := Sanitize([]byte(tt.in)); got != tt.want {
			t.Errorf("%s: Sanitize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// Live output keeps a lone carriage return, so a progress bar redraws its
// line; everything else is as Sanitize.
func TestSanitizeLiveKeepsLoneCR(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"10%\r20%\rdone\n":            "10%\r20%\rdone\n",
		"a\r\nb\r\n":                  "a\nb\n",
		"\x1b[2K\r\x1b[31m50%\x1b[0m": "\r50%",
		"a\x00b\x1b]0;t\x07":          "a\uFFFDb",
	} {
		if got := SanitizeLive([]byte(in)); got != want {
			t.Errorf("SanitizeLive(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever comes in, what goes out is valid UTF-8 without a byte a
// terminal would act on.
func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "\x1b]52;c;aGk=\x07", "\xc3", "a\r\n", "\x9b31m"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out := Sanitize(b)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", b, out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("control %U left in %q (from %q)", r, out, b)
			}
		}
	})
}

func TestTrimPartialRune(t *testing.T) {
	t.Parallel()
	s := []byte("ab✓") // ✓ is 3 bytes
	if got := string(trimPartialRune(s[:3], false)); got != "ab" {
		t.Errorf("head cut inside a rune: %q", got)
	}
	if got := string(trimPartialRune(s, false)); got != "ab✓" {
		t.Errorf("whole head: %q", got)
	}
	if got := string(trimPartialRune(s[3:], true)); got != "" {
		t.Errorf("tail starting inside a rune: %q", got)
	}
	if got := string(trimPartialRune([]byte("✓x"), true)); got != "✓x" {
		t.Errorf("whole tail: %q", got)
	}
	if got := (Output{Head: s[:4], Tail: s[4:], Dropped: 1}).Text(); !strings.HasPrefix(got, "ab\n[… 1 bytes") || strings.Contains(got, "\uFFFD") {
		t.Errorf("a rune cut by the dropped middle should vanish, not show as U+FFFD: %q", got)
	}
}

func TestCompleteLen(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int{
		"plain":             5,
		"caf\xc3":           3,
		"x\xe2\x9c":         1,
		"x\x1b[3":           1,
		"x\x1b[31m":         6,
		"x\x1b]0;title":     1,
		"x\x1b]0;title\x07": 11,
		"x\x1b":             1,
		"x\x1bc":            3,
		"bad\xff":           4,
	} {
		if got := CompleteLen([]byte(in)); got != want {
			t.Errorf("CompleteLen(%q) = %d, want %d", in, got, want)
		}
	}
}
