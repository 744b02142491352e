package composer

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"warden/tui/styles"
)

// unprintableNames are file names a cloned repository may hold and the
// completion list must never print: an OSC that retitles the window, a
// bare BEL and ESC, a C1 CSI, invalid UTF-8, a tab, a newline.
var unprintableNames = []string{
	"evil\x1b]0;pwned\x07.go",
	"bell\x07.go",
	"clear\x1b[2J.go",
	"c1\u009b2J.go",
	"bad\xff.go",
	"tab\there.go",
	"new\nline.go",
}

func writeRaw(t *testing.T, root string, names ...string) {
	t.Helper()
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(root, n), []byte("x\n"), 0o644); err != nil {
			t.Fatalf("create %q: %v", n, err)
		}
	}
}

func TestListFilesLeavesOutUnprintableNames(t *testing.T) {
	t.Run("git", func(t *testing.T) {
		root := t.TempDir()
		git(t, root, "init", "-q")
		writeFiles(t, root, "main.go")
		writeRaw(t, root, unprintableNames...)
		git(t, root, "add", "-A")
		git(t, root, "commit", "-q", "-m", "init")
		writeRaw(t, root, "untracked\x1b]0;pwned\x07.go") // listed by --others
		got, err := ListFiles(root, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"main.go"}; !slices.Equal(got, want) {
			t.Fatalf("ListFiles = %q, want %q", got, want)
		}
	})
	t.Run("walk", func(t *testing.T) {
		root := t.TempDir()
		writeFiles(t, root, "main.go", "ok/x.go")
		writeRaw(t, root, unprintableNames...)
		dir := filepath.Join(root, "dir\x1b]0;pwned\x07")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeRaw(t, dir, "inside.go")
		got, err := ListFiles(root, 0)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"main.go", "ok/x.go"}; !slices.Equal(got, want) {
			t.Fatalf("ListFiles = %q, want %q", got, want)
		}
	})
}

// ownSGR matches the style sequences the composer itself writes.
var ownSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// checkPrintable fails if a view holds anything but the composer's own
// styles and printable text, or what is left of an escape sequence.
func checkPrintable(t *testing.T, what, view string) {
	t.Helper()
	rest := ownSGR.ReplaceAllString(view, "")
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f }); i >= 0 {
		t.Fatalf("%s draws control character %q: %q", what, rest[i], view)
	}
	for _, debris := range []string{"pwned", "[2J"} {
		if strings.Contains(rest, debris) {
			t.Fatalf("%s shows %q of an escape sequence: %q", what, debris, rest)
		}
	}
}

func TestCompletionNeverShowsUnprintablePaths(t *testing.T) {
	for _, opts := range []styles.Options{plain, {Dark: true}} {
		m := newTest(t, 80, opts)
		m.SetFiles(append([]string{"main.go", "evil.go"}, unprintableNames...))
		if got := m.Files(); !slices.Equal(got, []string{"main.go", "evil.go"}) {
			t.Fatalf("Files() = %q, want only the printable paths", got)
		}
		for _, query := range []string{"@", "@evil", "@e", "@go"} {
			m := typeText(t, m, query)
			if !m.Completing() {
				t.Fatalf("%q: no completion list", query)
			}
			checkPrintable(t, "the list for "+query, m.View())
			for range 3 {
				m = press(t, m, down)
				checkPrintable(t, "the list for "+query+" with a selection", m.View())
			}
		}
	}
}

// Whatever a list is given, its rows print no escape sequence: the file
// index filters paths, the rows are the last guard.
func TestCompletionRowsCleanWhatTheyDraw(t *testing.T) {
	st := styles.New(styles.Options{Dark: true})
	for _, kind := range []completionKind{fileCompletion, commandCompletion} {
		c := completion{ctx: completionContext{kind: kind}}
		for _, n := range unprintableNames {
			c.items = append(c.items, candidate{text: n, desc: "runs " + n, matched: []int{0, 1, 5, 6, 7}})
		}
		for sel := range c.items {
			c.selected = sel
			view := c.view(st, 60)
			checkPrintable(t, "a list row", view)
			if got := strings.Count(view, "\n") + 1; got != len(unprintableNames) {
				t.Fatalf("%d rows for %d entries:\n%s", got, len(unprintableNames), view)
			}
			if !strings.Contains(ansi.Strip(view), "evil.go") {
				t.Fatalf("the cleaned name is missing:\n%s", ansi.Strip(view))
			}
		}
	}
}
