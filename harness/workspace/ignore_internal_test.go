package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// translateIgnore is checked against git itself: on a tree of .gitignore
// files full of the cases git's parser treats specially, in directories
// with glob characters in their names, `git ls-files --others` lists the
// same files with the rules read from the .gitignore files as with the
// baseline's rules file.
func TestBaselineRulesMatchGit(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	put := func(name, data string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	patterns := "\xef\xbb\xbf*.o\r\n" + // a BOM, and CRLF
		"#comment\n\\#hash\n\\!bang\n" +
		"foo\n/anchored\nbaz/\nx/y\nx/**/z\n**/deep\n" +
		"trail\\ \nspaces   \n   \n\r\n!\n/\n" +
		"*.log\n!keep.log\n" +
		"dironly/\n!dironly/\n" +
		"a?c\n[bc]ad\nnul\x00ignored\n" +
		"last" // no final newline
	// The root's rules are the same text as an exclude file's, and copied
	// as they are; they must not match what the others do.
	put(".gitignore", "\xef\xbb\xbf*.tmp\r\n/other.txt\n")
	dirs := []string{"", "sub", "sub/inner", "we*ird", "br[ack]et", "back\\slash", "q?m", "sp ace"}
	for _, d := range dirs[1:] {
		put(filepath.Join(d, ".gitignore"), patterns)
	}
	put("self/.gitignore", "*\n") // ignores itself
	put("self/inner/.gitignore", "!keep\n")
	names := []string{
		"a.o", "keep", "#hash", "!bang", "foo", "e/foo/in", "anchored", "d/anchored",
		"baz", "e/baz/in", "x/y", "d/x/y", "x/a/b/z", "x/z", "deep", "d/e/deep/f",
		"trail ", "trail", "spaces", "spaces   ", "a.log", "keep.log", "dironly/f",
		"abc", "bad", "cad", "dad", "nul", "last", "e/last/f", "other.txt", "x.tmp", "self/x", "self/inner/keep",
	}
	for _, d := range dirs {
		for _, n := range names {
			put(filepath.Join(d, n), "x")
		}
	}
	g := &gitRepo{bin: bin, dir: t.TempDir(), root: root, env: HermeticEnv(), maxFiles: DefaultMaxFiles, maxBytes: DefaultMaxBytes}
	ctx := t.Context()
	if err := g.init(ctx); err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(g.dir, "index")
	if _, err := g.snapshot(ctx, index, nil, "", nil); err != nil {
		t.Fatal(err)
	}
	rules, err := g.writeBaselineRules(ctx, index, nil)
	if err != nil {
		t.Fatal(err)
	}
	list := func(args ...string) []string {
		t.Helper()
		out, err := g.run(ctx, filepath.Join(g.dir, "empty.index"), nil, append([]string{"ls-files", "-z", "--others"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(string(out), "\x00")
	}
	want := list("--exclude-standard")
	got := list("--exclude-from=" + rules)
	if !slices.Equal(got, want) {
		t.Errorf("with the baseline's rules:\n%q\nwith git's own:\n%q", got, want)
	}
	if len(want) < 100 {
		t.Errorf("only %d files listed: the tree is not what the test means", len(want))
	}
}

func TestTrimTrailingSpaces(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a":      "a",
		"a  ":    "a",
		"a\\ ":   "a\\ ",
		"a\\  ":  "a\\ ",
		"a \\":   "a \\",
		"  ":     "",
		"a b ":   "a b",
		"a\\\\ ": "a\\\\",
	} {
		if got := trimTrailingSpaces(in); got != want {
			t.Errorf("trimTrailingSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}
