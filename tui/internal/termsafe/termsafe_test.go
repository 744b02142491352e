package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStripRemovesWholeSequences(t *testing.T) {
	tests := map[string]string{
		"plain text":                          "plain text",
		"tab\tand\nnewline":                   "tab\tand\nnewline",
		"\x1b[31;1mred\x1b[0m":                "red",
		"title\x1b]0;pwned\x07 after":         "title after",
		"title\x1b]0;pwned\x1b\\ after":       "title after",
		"hyperlink \x1b]8;;https://x\x1b\\ok": "hyperlink ok",
		"dcs\x1bP1$r\x1b\\ end":               "dcs end",
		"reset\x1bc!":                         "reset!",
		"charset\x1b(B.":                      "charset.",
		"bell\x07 cr\r del\x7f nul\x00.":      "bell cr del nul.",
		"c1 csi \u009b31mred":                 "c1 csi red",
		"c1 osc \u009d0;t\u009c.":             "c1 osc .",
		"c1 alone \u0085.":                    "c1 alone .",
		"unfinished \x1b[3":                   "unfinished ",
		"unfinished osc \x1b]0;never ends":    "unfinished osc ",
		"bad\xff\xfeutf8":                     "bad\uFFFDutf8",
		"日本語 \x1b[1mé\x1b[m":                  "日本語 é",
	}
	for in, want := range tests {
		if got := Strip(in); got != want {
			t.Errorf("Strip(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsSafe(t *testing.T) {
	for s, want := range map[string]bool{
		"":               true,
		"plain":          true,
		"tab\tnewline\n": true,
		"日本語 é":          true,
		"esc\x1b":        false,
		"del\x7f":        false,
		"cr\r":           false,
		"c1\u009b":       false,
		"bad\xff":        false,
		"cut\xe6\x97":    false,
		"nbsp\u00a0":     true, // just past the C1 range
	} {
		if got := IsSafe(s); got != want {
			t.Errorf("IsSafe(%q) = %v, want %v", s, got, want)
		}
	}
}

// FuzzStrip checks what the renderers rely on: whatever the input, the
// output is valid UTF-8 with no escape or control character but newline
// and tab, Strip leaves it as it is, and safe input is returned unchanged.
func FuzzStrip(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred", "\x1b]0;t\x07", "\u009b1m", "a\x1bΛb", "\xff\x1b", "\x1b\xc2\x9b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Strip(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Strip(%q) = %q: invalid UTF-8", s, out)
		}
		if i := strings.IndexFunc(out, isControl); i >= 0 {
			t.Fatalf("Strip(%q) = %q: control character at %d", s, out, i)
		}
		if !IsSafe(out) || Strip(out) != out {
			t.Fatalf("Strip(%q) = %q, which is not safe", s, out)
		}
		if IsSafe(s) && out != s {
			t.Fatalf("Strip changed safe text %q to %q", s, out)
		}
	})
}

func TestRevealShowsInvisibleCharacters(t *testing.T) {
	for in, want := range map[string]string{
		"allow git status":         "allow git status",
		"allow \u202egnp\u202c ls": "allow <U+202E>gnp<U+202C> ls",
		"zero\u200bwidth":          "zero<U+200B>width",
		"line\u2028sep":            "line<U+2028>sep",
		"héllo wörld":              "héllo wörld",
	} {
		if got := Reveal(in); got != want {
			t.Errorf("Reveal(%q) = %q, want %q", in, got, want)
		}
	}
}
