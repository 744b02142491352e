package workspace

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"warden/harness/event"
)

// A snapshot copies at most Options.MaxFiles files, MaxBytes in all (the
// files too big to copy aside, which are compared by stat). The baseline
// refuses past them: warden was started in a home directory, say, and
// there is nothing /diff can usefully compare. A Diff does not: the model
// could otherwise blind /diff by writing 100,000 empty files, which no
// ignore rule written since can hide (ignore.go). So a Diff compares
// every file the baseline holds, whatever it has become, and new files
// only within what the baseline left of the bounds: a directory's new
// files all or none, the directories with the fewest first, so that a
// flood of files in one place does not crowd out a change made in
// another. The new files left out are reported, a FileChange per
// directory (or per ancestor, past maxBudgetNotes directories), whose
// Diff says how many are not compared.

// maxBudgetNotes bounds the FileChanges reporting new files not compared.
const maxBudgetNotes = 100

// newFile is a file a snapshot's index does not hold, to be copied.
type newFile struct {
	path string
	size int64
	fi   os.FileInfo
}

// withinBounds returns the new files to copy. The baseline's must all fit,
// or it fails; a Diff's are chosen (see above), and the rest noted.
func (r *snapshotRun) withinBounds(files []newFile) ([]newFile, error) {
	n := len(files)
	var size int64
	for _, f := range files {
		size += f.size
	}
	g := r.g
	if r.base == nil {
		r.files, r.bytes = n, size
		if n > g.maxFiles || size > g.maxBytes {
			return nil, fmt.Errorf("%d files (%d MB) that no .gitignore leaves out: more than warden copies for /diff (%d files, %d MB); add what need not be compared (build output, dependencies) to .gitignore", n, size>>20, g.maxFiles, g.maxBytes>>20)
		}
		return files, nil
	}
	filesLeft, bytesLeft := g.maxFiles-r.base.files, g.maxBytes-r.base.bytes
	if n <= filesLeft && size <= bytesLeft {
		return files, nil
	}
	type group struct {
		dir   string
		files []newFile
		size  int64
	}
	byDir := make(map[string]*group)
	for _, f := range files {
		d := path.Dir(f.path)
		if byDir[d] == nil {
			byDir[d] = &group{dir: d}
		}
		byDir[d].files = append(byDir[d].files, f)
		byDir[d].size += f.size
	}
	groups := make([]*group, 0, len(byDir))
	for _, gr := range byDir {
		groups = append(groups, gr)
	}
	slices.SortFunc(groups, func(a, b *group) int {
		return cmp.Or(cmp.Compare(len(a.files), len(b.files)), cmp.Compare(a.size, b.size), strings.Compare(a.dir, b.dir))
	})
	var kept, over []newFile
	for _, gr := range groups {
		if len(gr.files) <= filesLeft && gr.size <= bytesLeft {
			filesLeft -= len(gr.files)
			bytesLeft -= gr.size
			kept = append(kept, gr.files...)
		} else {
			over = append(over, gr.files...)
		}
	}
	r.notes = append(r.notes, budgetNotes(over, g.maxFiles, g.maxBytes)...)
	return kept, nil
}

// budgetNotes reports the new files not copied: per directory, or, past
// maxBudgetNotes of them, per ancestor at the depth that keeps within it.
func budgetNotes(over []newFile, maxFiles int, maxBytes int64) []event.FileChange {
	if len(over) == 0 {
		return nil
	}
	depth := 0
	for _, f := range over {
		depth = max(depth, strings.Count(f.path, "/"))
	}
	var counts map[string]int
	for ; ; depth-- {
		counts = make(map[string]int)
		for _, f := range over {
			counts[ancestor(f.path, depth)]++
		}
		if len(counts) <= maxBudgetNotes || depth == 0 {
			break
		}
	}
	var notes []event.FileChange
	for _, d := range slices.Sorted(maps.Keys(counts)) {
		where, p := "under "+d+"/", d+"/"
		if d == "" {
			where, p = "in the work tree", "./"
		}
		files := "files"
		if counts[d] == 1 {
			files = "file"
		}
		notes = append(notes, event.FileChange{Path: p, Kind: kindAdd, Diff: fmt.Sprintf(
			"Not compared: %d new %s %s, past what /diff copies (%d files, %d MB, counting those the session started with). Neither their names nor their content are shown.\n",
			counts[d], files, where, maxFiles, maxBytes>>20)})
	}
	return notes
}

// ancestor is the directory of p at most depth levels deep ("" the root).
func ancestor(p string, depth int) string {
	parts := strings.Split(path.Dir(p), "/")
	if parts[0] == "." {
		return ""
	}
	return strings.Join(parts[:min(depth, len(parts))], "/")
}
