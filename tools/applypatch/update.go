package applypatch

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aymanbagabas/go-udiff"
)

// text is a file split into lines, remembering each line's ending so that
// lines the patch does not touch are written back byte for byte.
type text struct {
	lines []string // without "\n" or "\r\n"
	crlf  []bool   // the line ended in "\r\n"
	// dominantCRLF: new lines get "\r\n" because most of the file's lines
	// end that way; matching always sees lines with the "\r" removed.
	dominantCRLF bool
	// unterminated: the last line had no ending; it gets the dominant one.
	unterminated bool
}

func splitText(content string) text {
	parts := strings.Split(content, "\n")
	if parts[len(parts)-1] == "" {
		// The final "\n" ends the last line rather than starting another.
		parts = parts[:len(parts)-1]
	}
	t := text{lines: parts, crlf: make([]bool, len(parts))}
	crlf, lf := 0, 0
	for i, l := range parts {
		terminated := i < len(parts)-1 || strings.HasSuffix(content, "\n")
		if !terminated {
			continue
		}
		if strings.HasSuffix(l, "\r") {
			parts[i] = l[:len(l)-1]
			t.crlf[i] = true
			crlf++
		} else {
			lf++
		}
	}
	t.dominantCRLF = crlf > lf
	t.unterminated = len(parts) > 0 && !strings.HasSuffix(content, "\n")
	return t
}

// replacement puts repl in place of lines[start:start+n].
type replacement struct {
	start, n int
	repl     []string
}

// hunkError is why one chunk could not be placed; the caller adds the file
// and patch position.
type hunkError struct {
	hunk        int
	reason      string
	missing     []string
	closest     []string
	closestLine int
}

// applyChunks computes the new content of a file, and the edits that turn
// the old content into it. Chunks are placed in order, each searched for
// after the previous one, like Codex.
//
// A chunk that cannot be placed does not stop the search: the chunks after
// it are still looked for, from where the last placed one ended, so that
// one answer names every hunk the model must fix.
func applyChunks(content string, chunks []Chunk) (string, []udiff.Edit, []*hunkError) {
	t := splitText(content)
	m := newMatcher(t.lines)
	var repls []replacement
	var errs []*hunkError
	pos := 0
	for ci, c := range chunks {
		if c.Context != "" {
			idx := m.seek([]string{c.Context}, pos, false)
			if idx < 0 {
				errs = append(errs, notFound(m, ci+1, pos, []string{c.Context},
					fmt.Sprintf("the '@@ %s' context line was not found", strings.TrimSpace(c.Context))))
				continue
			}
			pos = idx + 1
		}
		if len(c.Old) == 0 {
			// Pure addition. Without a context line Codex appends at the end
			// of the file (before a final blank line, if any); after a
			// "@@ context" line the model clearly means "right here".
			at := len(t.lines)
			if c.Context != "" {
				at = pos
			} else if at > 0 && t.lines[at-1] == "" {
				at--
			}
			repls = append(repls, replacement{start: at, repl: c.New})
			continue
		}
		idx, level := m.seekLevel(c.Old, pos, c.EOF)
		if idx < 0 {
			reason := "the lines to replace were not found"
			if c.EOF {
				reason = "the lines to replace were not found at the end of the file ('*** End of File')"
			}
			errs = append(errs, notFound(m, ci+1, pos, c.Old, reason))
			continue
		}
		repl := c.New
		if level != levelExact {
			repl = keepFileContext(c.Old, c.New, t.lines[idx:idx+len(c.Old)])
		}
		repls = append(repls, replacement{start: idx, n: len(c.Old), repl: repl})
		pos = idx + len(c.Old)
	}
	if len(errs) > 0 {
		return "", nil, errs
	}
	out, edits := render(content, t, repls)
	return out, edits, nil
}

// keepFileContext replaces the context lines of a loosely matched chunk
// with the file's own text, so the file's indentation, trailing spaces and
// typographic punctuation survive on lines the model did not mean to
// change. A new line counts as context when it equals the next unused old
// line at or after the previous one, which is how the parser built it.
func keepFileContext(old, new, matched []string) []string {
	out := make([]string, len(new))
	j := 0
	for i, n := range new {
		out[i] = n
		for k := j; k < len(old); k++ {
			if old[k] == n {
				out[i] = matched[k]
				j = k + 1
				break
			}
		}
	}
	return out
}

func notFound(m *matcher, hunk, pos int, pattern []string, reason string) *hunkError {
	e := &hunkError{hunk: hunk, reason: reason, missing: pattern}
	if hunk > 1 && pos > 0 {
		// The lines may be there, only above an earlier hunk: say so, since
		// the fix (reorder the hunks) differs from fixing the lines.
		if idx := m.seek(pattern, 0, false); idx >= 0 && idx < pos {
			e.reason += fmt.Sprintf(" after line %d, where hunk %d ended; they occur at line %d — hunks must be in file order",
				pos, hunk-1, idx+1)
		}
	}
	if best, score := m.closest(pattern, pos); best >= 0 && score > 0 {
		end := min(best+len(pattern), len(m.lines))
		e.closest = slices.Clone(m.lines[best:end])
		e.closestLine = best + 1
	}
	return e
}

// render builds the new file. Untouched lines keep their own endings; lines
// written by the patch take the file's dominant ending. The result always
// ends with a line ending, as in Codex.
//
// It also returns the edits from content to the result, diffing only inside
// each replacement: a whole-file line diff is slower and, on files with many
// repeated lines, much less precise than what the patch itself says changed.
func render(content string, t text, repls []replacement) (string, []udiff.Edit) {
	slices.SortStableFunc(repls, func(a, b replacement) int { return a.start - b.start })
	eol := "\n"
	if t.dominantCRLF {
		eol = "\r\n"
	}
	var b strings.Builder
	size := 0
	for _, l := range t.lines {
		size += len(l) + 2
	}
	b.Grow(size)
	offsets := make([]int, len(t.lines)+1)
	for i, l := range t.lines {
		offsets[i+1] = offsets[i] + len(l) + 1
		if t.crlf[i] {
			offsets[i+1]++
		}
	}
	offsets[len(t.lines)] = len(content)
	var edits []udiff.Edit
	diff := func(from, to int, repl string) {
		for _, e := range udiff.Lines(content[offsets[from]:offsets[to]], repl) {
			e.Start += offsets[from]
			e.End += offsets[from]
			edits = append(edits, e)
		}
	}
	pos := 0
	keep := func(to int) {
		for ; pos < to; pos++ {
			b.WriteString(t.lines[pos])
			switch {
			case t.crlf[pos]:
				b.WriteString("\r\n")
			case t.unterminated && pos == len(t.lines)-1:
				b.WriteString(eol)
			default:
				b.WriteString("\n")
			}
		}
	}
	for _, r := range repls {
		start := max(r.start, pos)
		keep(start)
		from := b.Len()
		for _, l := range r.repl {
			b.WriteString(l)
			b.WriteString(eol)
		}
		end := max(pos, start+r.n)
		diff(start, end, b.String()[from:])
		pos = end
	}
	if t.unterminated && pos < len(t.lines) {
		// The untouched last line gains its line ending.
		keep(len(t.lines) - 1)
		from := b.Len()
		keep(len(t.lines))
		diff(len(t.lines)-1, len(t.lines), b.String()[from:])
	}
	keep(len(t.lines))
	return b.String(), edits
}
