package applypatch

import (
	"fmt"
	"slices"
	"strings"
)

// Failure is why a patch could not be applied. Its Error text is written for
// the model: it must be enough to fix the patch in one try.
type Failure struct {
	Path      string // as written in the patch
	Op        OpKind
	Hunk      int // 1-based chunk index; 0 if not a chunk problem
	PatchLine int // line in the patch text of the hunk (or of the file header)
	Reason    string
	Missing   []string // the old lines (or "@@" context line) not found
	Closest   []string // the file's lines most like Missing
	// ClosestLine is the 1-based line in the file where Closest starts; 0 if none.
	ClosestLine int
	// Err is the underlying error, if any.
	Err error
	// Others are the further problems found in the same patch, in patch
	// order, so the model can fix them all at once.
	Others []*Failure

	hint    string
	undoErr error // Commit failed and could not put everything back
}

func (f *Failure) Unwrap() error { return f.Err }

// maxShown caps each listing so a failure on a huge hunk stays readable.
const maxShown = 20

func (f *Failure) Error() string {
	var b strings.Builder
	if f.undoErr != nil {
		fmt.Fprintf(&b, "apply_patch failed, and undoing its partial changes also failed (%v); check the files listed below.\n", f.undoErr)
	} else {
		b.WriteString("apply_patch failed; no file was changed.\n")
	}
	if len(f.Others) > 0 {
		fmt.Fprintf(&b, "%d problems; fix them all before sending the patch again.\n", len(f.Others)+1)
	}
	f.describe(&b)
	hints := []string{f.hintText()}
	for _, o := range f.Others {
		b.WriteByte('\n')
		o.describe(&b)
		if h := o.hintText(); !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	b.WriteString(strings.Join(hints, "\n"))
	return b.String()
}

func (f *Failure) hintText() string {
	if f.hint == "" {
		return "Check the path and the file's current state, then send a corrected patch."
	}
	return f.hint
}

// describe writes where the problem is, and the lines not found with the
// closest match.
func (f *Failure) describe(b *strings.Builder) {
	b.WriteString("Problem in '*** ")
	b.WriteString(opTitle(f.Op))
	b.WriteString(": ")
	b.WriteString(f.Path)
	b.WriteString("'")
	if f.Hunk > 0 {
		fmt.Fprintf(b, ", hunk %d", f.Hunk)
	}
	if f.PatchLine > 0 {
		fmt.Fprintf(b, " (patch line %d)", f.PatchLine)
	}
	b.WriteString(": ")
	b.WriteString(f.Reason)
	b.WriteString(".\n")
	if len(f.Missing) > 0 {
		fmt.Fprintf(b, "Not found in %s:\n", f.Path)
		writeCapped(b, f.Missing, func(_ int, l string) string { return "  " + l })
	}
	if len(f.Closest) > 0 {
		fmt.Fprintf(b, "Closest match in %s (line %d):\n", f.Path, f.ClosestLine)
		writeCapped(b, f.Closest, func(i int, l string) string {
			return fmt.Sprintf("  %d: %s", f.ClosestLine+i, l)
		})
	} else if len(f.Missing) > 0 {
		fmt.Fprintf(b, "No similar lines exist in %s.\n", f.Path)
	}
}

func writeCapped(b *strings.Builder, lines []string, format func(i int, l string) string) {
	for i, l := range lines {
		if i == maxShown {
			fmt.Fprintf(b, "  ... (%d more lines)\n", len(lines)-maxShown)
			break
		}
		b.WriteString(format(i, l))
		b.WriteByte('\n')
	}
}

func opTitle(k OpKind) string {
	switch k {
	case OpAdd:
		return "Add File"
	case OpDelete:
		return "Delete File"
	default:
		return "Update File"
	}
}

const rereadHint = "Re-read %s and resend the whole patch with the failing hunks rewritten against its current contents: " +
	"context (' ') and removed ('-') lines must match the file's lines in order."

// failure builds a Failure for an operation, not a particular hunk.
func failure(op *Op, path, reason string, err error) *Failure {
	return &Failure{Path: path, Op: op.Kind, PatchLine: op.Line, Reason: reason, Err: err}
}
