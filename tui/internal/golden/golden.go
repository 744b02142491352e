// Package golden exists so that every renderer's golden tests compare
// and rewrite their testdata/*.golden files the same way, and fail with
// the same helpful message: which file differs, how it differs and the
// command that rewrites it. Only tests import it.
//
// Each test package keeps its own -update flag and passes its value in:
//
//	var update = flag.Bool("update", false, "rewrite golden files")
//	…
//	golden.Compare(t, filepath.Join("testdata", name+".golden"), got, *update)
package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
	"github.com/charmbracelet/x/ansi"
)

// Compare checks got against the file at path, or rewrites the file
// (and the folders above it) when update is set.
func Compare(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("rewrite golden: %v", err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("rewrite golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run %s to write it): %v", updateCommand(), err)
	}
	if string(want) == got {
		return
	}
	t.Errorf("%s differs from what the test drew (run %s and review the diff):\n%s",
		path, updateCommand(), describe(path, string(want), got))
}

// describe says how got differs from want: the first line that differs,
// quoted so that escape sequences show, then a unified diff.
func describe(path, want, got string) string {
	var b strings.Builder
	wantLines, gotLines := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wantLines), len(gotLines)) {
		w, g := lineAt(wantLines, i), lineAt(gotLines, i)
		if w != g {
			fmt.Fprintf(&b, "first difference at line %d:\n  want %s\n  got  %s\n", i+1, w, g)
			break
		}
	}
	if ansi.Strip(want) == ansi.Strip(got) {
		b.WriteString("the text is the same: only the styling (escape sequences) differs\n")
	}
	b.WriteString(udiff.Unified(path+" (want)", "drawn (got)", want, got))
	return b.String()
}

// lineAt is line i quoted, or a note that there is no such line.
func lineAt(lines []string, i int) string {
	if i >= len(lines) {
		return "(no such line)"
	}
	return fmt.Sprintf("%q", lines[i])
}

// updateCommand is the command that rewrites the golden files of the
// package under test. go test runs a test in its package's folder, so the
// package's path is the working folder's, below the module's root.
func updateCommand() string {
	dir, err := os.Getwd()
	if err != nil {
		return "go test -update in the package's folder"
	}
	for root := dir; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			rel, err := filepath.Rel(root, dir)
			if err != nil || rel == "." {
				break
			}
			return "go test ./" + filepath.ToSlash(rel) + " -update"
		}
		if filepath.Dir(root) == root {
			break
		}
	}
	return "go test . -update in " + dir
}

// CheckWidth fails the test for every line of out that is wider than
// width terminal columns (escape sequences take none, wide runes two),
// naming it by what. It reports whether every line fits, for callers that
// stop at the first drawing that does not.
func CheckWidth(t testing.TB, what, out string, width int) bool {
	t.Helper()
	fits := true
	for i, line := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(line); w > width {
			t.Errorf("%s: line %d is %d wide, more than %d: %q", what, i+1, w, width, ansi.Strip(line))
			fits = false
		}
	}
	return fits
}
