package workspace_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"warden/harness/workspace"
)

// BenchmarkSnapshot measures what /diff costs on a tree of 2,000 small
// files: the baseline snapshot a session starts with, and a Diff after a
// few changes (which rehashes only the files whose stat changed).
func BenchmarkSnapshot(b *testing.B) {
	const dirs, perDir = 40, 50
	root := b.TempDir()
	for d := range dirs {
		for f := range perDir {
			write(b, root, fmt.Sprintf("pkg%02d/file%02d.go", d, f),
				fmt.Sprintf("package pkg%02d\n\n// File %d.\n%s", d, f, strings.Repeat("var x = 1\n", 20+f)))
		}
	}
	b.Run("baseline", func(b *testing.B) {
		for b.Loop() {
			w := workspace.Start(root, workspace.Options{Dir: b.TempDir()})
			<-w.Ready()
			b.StopTimer()
			if _, err := w.Diff(context.Background()); err != nil {
				b.Fatal(err)
			}
			w.Close()
			b.StartTimer()
		}
	})
	b.Run("diff", func(b *testing.B) {
		w := workspace.Start(root, workspace.Options{Dir: b.TempDir()})
		defer w.Close()
		<-w.Ready()
		write(b, root, "pkg00/file00.go", "package pkg00\n// changed\n")
		write(b, root, "pkg10/new.go", "package pkg10\n")
		remove(b, root, "pkg20/file20.go")
		for b.Loop() {
			changes, err := w.Diff(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			if len(changes) != 3 {
				b.Fatalf("%d changes, want 3", len(changes))
			}
		}
	})
}
