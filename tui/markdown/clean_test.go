package markdown

import (
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"warden/tui/styles"
)

func TestCleanLines(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"padding dropped", "text   \n\x1b[38;5;252m \x1b[m\x1b[38;5;252m \x1b[m", 80, []string{"text", ""}},
		{"styled padding dropped", "\x1b[1mbold\x1b[m\x1b[38;5;252m   \x1b[m", 80, []string{"\x1b[1mbold\x1b[m"}},
		{"spaces with a background kept", "\x1b[48;5;63m title \x1b[m  ", 80, []string{"\x1b[48;5;63m title \x1b[m"}},
		{"spaces underlined kept", "\x1b[4ma \x1b[m", 80, []string{"\x1b[4ma \x1b[m"}},
		{"redundant sequences merged", "\x1b[38;5;1m\x1b[m\x1b[1ma\x1b[m\x1b[1mb\x1b[m", 80, []string{"\x1b[1mab\x1b[m"}},
		{"style across a newline reopened", "\x1b[3mone\ntwo\x1b[m", 80, []string{"\x1b[3mone\x1b[m", "\x1b[3mtwo\x1b[m"}},
		{"other escapes dropped", "a\x1b[2Jb\x1b]0;title\x07c\x07", 80, []string{"abc"}},
		{"hyperlink closed per line", "\x1b]8;id=1;http://x\x07ab\ncd\x1b]8;;\x07", 80, []string{
			"\x1b]8;id=1;http://x\x07ab\x1b]8;;\x07", "\x1b]8;id=1;http://x\x07cd\x1b]8;;\x07",
		}},
		{"wrapped at the width, style kept", "\x1b[1mabcdef\x1b[m", 4, []string{"\x1b[1mabcd\x1b[m", "\x1b[1mef\x1b[m"}},
		{"no invisible space where a line breaks", "ab cd", 3, []string{"ab", "cd"}},
		{"wide characters wrap whole", "日本語", 5, []string{"日本", "語"}},
		{"too wide for the width dropped", "a日b", 1, []string{"a", "b"}},
	}
	for _, tt := range tests {
		if got := cleanLines(tt.in, tt.width); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSpaceShows(t *testing.T) {
	tests := map[string]bool{
		"":                              false,
		"\x1b[1m":                       false,
		"\x1b[38;5;48m":                 false, // 48 here is a colour number
		"\x1b[38;2;48;48;48m":           false,
		"\x1b[48;5;1m":                  true,
		"\x1b[44m":                      true,
		"\x1b[104m":                     true,
		"\x1b[7m":                       true,
		"\x1b[9m":                       true,
		"\x1b[4:0m":                     false,
		"\x1b[4:3m":                     true,
		"\x1b[44m\x1b[49m":              false,
		"\x1b[0;44m":                    true,
		"\x1b[48;2;1;2;3m\x1b[38;5;49m": true,
	}
	for sgr, want := range tests {
		if got := spaceShows(sgr); got != want {
			t.Errorf("spaceShows(%q) = %v, want %v", sgr, got, want)
		}
	}
}

func TestSanitizeLine(t *testing.T) {
	tests := map[string]string{
		"plain":              "plain",
		"a\tb":               "a   b",
		"\t\tx":              "        x",
		"日\tx":               "日   x",
		"bell\x07 esc\x1b[m": "bell esc",
		"c1\u009b31mred":     "c1red",
		"\x1b]0;title\x07ok": "ok",
		"cr\r\x1b[31mx\ty":   "crx y",
		"bad\xff\xfe":        "bad\uFFFD",
	}
	for in, want := range tests {
		if got := sanitizeLine(in); got != want {
			t.Errorf("sanitizeLine(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"ab": "ab", "a\xe6\x97": "a", "\xe6\x97\xa5": "\xe6\x97\xa5", "a\xc3": "a", "\xff": "\xff"} {
		if got := trimIncompleteRune(in); got != want {
			t.Errorf("trimIncompleteRune(%q) = %q, want %q", in, got, want)
		}
	}
}

// Glamour prints a warning on standard output for a node it does not know,
// which would scribble over the TUI. None of what markdown can hold may do
// that.
func TestRenderPrintsNothing(t *testing.T) {
	src := strings.Join([]string{
		"Footnote[^1] and ~~strike~~ and :smile: and <b>html</b> and ![img](x.png)",
		"[^1]: the note", "Term\n: definition", "<div>\nblock html\n</div>",
		"- [ ] task\n- [x] done", "<https://auto.link> and www.example.com", "[ref]\n\n[ref]: https://example.com",
		"Setext\n======", "    indented code",
	}, "\n\n")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	for _, p := range palettes {
		NewRenderer(styles.New(p.opts)).Render(src, 60)
	}
	os.Stdout = stdout
	w.Close()
	if out, _ := io.ReadAll(r); len(out) > 0 {
		t.Errorf("rendering printed %q", out)
	}
}
