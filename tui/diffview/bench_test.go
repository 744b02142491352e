package diffview

import (
	"fmt"
	"strings"
	"testing"

	"warden/harness/event"
	"warden/tui/styles"
)

// largeDiff is a diff of lines lines of Go: an added file, or an update
// whose hunks each replace one line in five, both as go-udiff writes them.
func largeDiff(lines int, add bool) event.FileChange {
	var old, new strings.Builder
	for i := range lines {
		code := fmt.Sprintf("\tvalue%d := compute(%d, \"label %d\") // step %d of the\tpipeline\n", i, i*7, i, i)
		if !add {
			old.WriteString(code)
		}
		if i%5 == 0 {
			code = strings.Replace(code, "compute", "recompute", 1)
		}
		new.WriteString(code)
	}
	if add {
		return change("add", "big/generated.go", "", "", new.String())
	}
	return change("update", "big/generated.go", "", old.String(), new.String())
}

// A 10,000-line diff must draw in well under 100 ms, so that showing a
// large patch never stalls the TUI: the drawing is linear in the diff,
// and the colouring, whose cost is not, is bounded.
func BenchmarkRenderLargeDiff(b *testing.B) {
	update := largeDiff(10000, false)
	if n := strings.Count(update.Diff, "\n"); n < 10000 {
		b.Fatalf("the update diff has %d lines", n)
	}
	cases := []struct {
		name    string
		changes []event.FileChange
		o       Options
	}{
		{"add/unified", []event.FileChange{largeDiff(10000, true)}, Options{Width: 120}},
		{"update/unified", []event.FileChange{update}, Options{Width: 120}},
		{"update/split", []event.FileChange{update}, Options{Width: 200, Split: true}},
		{"update/unified/narrow", []event.FileChange{update}, Options{Width: 40}},
		// Small files, each within what is coloured: the colouring
		// budget is spent in full.
		{"files/unified", manyFiles(200, 50), Options{Width: 120}},
	}
	for _, c := range cases {
		c.o.Styles = styles.New(styles.Options{Dark: true})
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Render(c.changes, c.o)
			}
		})
	}
}

// manyFiles is files updates of lines lines each.
func manyFiles(files, lines int) []event.FileChange {
	out := make([]event.FileChange, files)
	for i := range out {
		out[i] = largeDiff(lines, false)
		out[i].Path = fmt.Sprintf("pkg%d/file.go", i)
	}
	return out
}
