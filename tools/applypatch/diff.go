package applypatch

import (
	"os"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// FileChange is one operation's effect on one file, for showing before
// approval and for reporting after.
type FileChange struct {
	Path    string `json:"path"` // as written in the patch (relative paths stay relative)
	AbsPath string `json:"abs_path"`
	Kind    OpKind `json:"kind"`
	MoveTo  string `json:"move_to,omitempty"` // "" unless moved (as written)
	// Diff is a unified diff (a/PATH, b/PATH or /dev/null headers, 3 lines
	// of context); "" when the content does not change.
	Diff    string      `json:"diff"`
	Added   int         `json:"added"`
	Removed int         `json:"removed"`
	OldMode os.FileMode `json:"old_mode,omitempty"` // 0 when absent
	NewMode os.FileMode `json:"new_mode,omitempty"`
}

// contextLines matches what diff -u and git show, which is what models and
// people read most easily.
const contextLines = 3

// change describes one operation. edits, when known, are the exact edits
// from old to next; otherwise a line diff computes them.
func change(op *Op, abs string, old, next *fileState, edits []udiff.Edit) FileChange {
	c := FileChange{Path: op.Path, AbsPath: abs, Kind: op.Kind, MoveTo: op.MoveTo}
	if old.exists {
		c.OldMode = old.mode
	}
	if next.exists {
		c.NewMode = next.mode
	}
	from, to := "a/"+op.Path, "b/"+op.Path
	if op.MoveTo != "" {
		to = "b/" + op.MoveTo
	}
	if !old.exists {
		from = "/dev/null"
	}
	if !next.exists {
		to = "/dev/null"
	}
	c.Diff, c.Added, c.Removed = unifiedDiff(from, to, string(old.data), string(next.data), edits)
	return c
}

// maxDiffBytes bounds the text a diff is made of: past it, a whole file
// added or deleted is counted rather than shown, since a diff as large as
// the file helps no one read it and costs as much memory again.
const maxDiffBytes = 4 << 20

func unifiedDiff(from, to, old, new string, edits []udiff.Edit) (diff string, added, removed int) {
	if old == new {
		return "", 0, 0
	}
	if edits == nil && len(old)+len(new) > maxDiffBytes && (old == "" || new == "") {
		return "", lineCount(new), lineCount(old)
	}
	if edits == nil {
		edits = udiff.Lines(old, new)
	}
	u, err := udiff.ToUnifiedDiff(from, to, old, edits, contextLines)
	if err != nil {
		// Only inconsistent edits fail, and udiff.Lines made these from
		// the same text; fall back to no diff rather than fail the patch.
		return "", 0, 0
	}
	for _, h := range u.Hunks {
		for _, l := range h.Lines {
			switch l.Kind {
			case udiff.Insert:
				added++
			case udiff.Delete:
				removed++
			}
		}
	}
	return u.String(), added, removed
}

// Result is what a committed patch did.
type Result struct {
	Changes []FileChange
}

// Summary is the text the model gets on success, one line per operation in
// patch order, in the form Codex uses.
func (r *Result) Summary() string {
	var b strings.Builder
	b.WriteString("Success. Updated the following files:\n")
	for _, c := range r.Changes {
		switch {
		case c.Kind == OpAdd:
			b.WriteString("A " + c.Path)
		case c.Kind == OpDelete:
			b.WriteString("D " + c.Path)
		case c.MoveTo != "":
			b.WriteString("M " + c.MoveTo)
		default:
			b.WriteString("M " + c.Path)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// lineCount counts lines, a last one without a newline included.
func lineCount(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
