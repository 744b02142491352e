package applypatch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// largeCase builds a 20,000-line file and a 100-hunk patch against it, and
// the expected result computed directly: hunk k replaces line 200k+100 and
// inserts one line after it, with 3 lines of context either side.
func largeCase() (file, patch, want string) {
	const n, hunks = 20000, 100
	lines := make([]string, n)
	for i := range lines {
		// Repetitive lines force the search to rely on context.
		lines[i] = fmt.Sprintf("\tvalue := compute(%d) // row", i%50)
	}
	var p, w strings.Builder
	p.WriteString("*** Begin Patch\n*** Update File: big.go\n")
	target := map[int]bool{}
	for k := range hunks {
		at := 200*k + 100
		lines[at] = fmt.Sprintf("\tunique := %d", k)
		target[at] = true
	}
	for k := range hunks {
		at := 200*k + 100
		p.WriteString("@@\n")
		for i := at - 3; i < at; i++ {
			p.WriteString(" " + lines[i] + "\n")
		}
		fmt.Fprintf(&p, "-%s\n+\tunique := %d // changed\n+\textra(%d)\n", lines[at], k, k)
		for i := at + 1; i <= at+3; i++ {
			p.WriteString(" " + lines[i] + "\n")
		}
	}
	p.WriteString("*** End Patch\n")
	for i, l := range lines {
		if target[i] {
			k := (i - 100) / 200
			fmt.Fprintf(&w, "\tunique := %d // changed\n\textra(%d)\n", k, k)
			continue
		}
		w.WriteString(l + "\n")
	}
	return strings.Join(lines, "\n") + "\n", p.String(), w.String()
}

func TestLargeFile(t *testing.T) {
	file, patch, want := largeCase()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"big.go": file})
	res, err := apply(t, dir, patch, true)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "big.go"))
	if string(got) != want {
		t.Fatal("large file result differs from the expectation")
	}
	if c := res.Changes[0]; c.Added != 200 || c.Removed != 100 {
		t.Errorf("added %d removed %d, want 200 and 100", c.Added, c.Removed)
	}
}

func BenchmarkApplyLargeFile(b *testing.B) {
	file, patchText, _ := largeCase()
	p, err := Parse(patchText)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "big.go")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		pl, err := Plan(p, Options{Dir: dir, Confine: true})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pl.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
