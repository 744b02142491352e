package diffview

import (
	"strconv"
	"strings"
)

// lineKind is what a line of a hunk is.
type lineKind uint8

const (
	context lineKind = iota
	added
	removed
	// noNewline is the "\ No newline at end of file" note about the line
	// before it.
	noNewline
)

// line is one line of a hunk, with its numbers in the old and the new
// file (0 on the side it is not in) and its text without the +/-/space
// prefix. pieces is the text highlighted, nil when it is drawn plain.
type line struct {
	kind     lineKind
	old, new int
	text     string
	pieces   []piece
}

// hunk is one @@ section. heading is what follows the closing @@ (git's
// function context), "" when nothing does.
type hunk struct {
	heading string
	lines   []line
}

// parse reads a unified diff as go-udiff writes it: optional file headers
// (--- a/x, +++ b/x, and git's extended ones) and then hunks. It is
// lenient where that cannot mislead: an empty line inside a hunk is an
// empty context line, and the counts in a hunk header are not checked
// (the lines themselves say what they are; only the start numbers are
// used). ok is false for text it cannot draw with trustworthy line
// numbers: anything else before the first hunk, a line inside a hunk
// that starts with something other than ' ', '+', '-' or '\', a hunk
// header it cannot read, or no hunk at all.
func parse(diff string) (hunks []hunk, maxLine int, ok bool) {
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	i := 0
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "@@"); i++ {
		if !isFileHeader(lines[i]) {
			return nil, 0, false
		}
	}
	oldNo, newNo := 0, 0
	for ; i < len(lines); i++ {
		text := lines[i]
		if strings.HasPrefix(text, "@@") {
			oldStart, newStart, heading, ok := parseHunkHeader(text)
			if !ok {
				return nil, 0, false
			}
			hunks = append(hunks, hunk{heading: heading})
			oldNo, newNo = oldStart, newStart
			continue
		}
		l := line{kind: context}
		if text != "" {
			switch text[0] {
			case ' ':
			case '+':
				l.kind = added
			case '-':
				l.kind = removed
			case '\\':
				l.kind = noNewline
			default:
				return nil, 0, false
			}
			l.text = text[1:]
		}
		switch l.kind {
		case context:
			l.old, l.new = oldNo, newNo
			oldNo++
			newNo++
		case added:
			l.new = newNo
			newNo++
		case removed:
			l.old = oldNo
			oldNo++
		case noNewline:
			l.text = text // shown as it is
		}
		maxLine = max(maxLine, l.old, l.new)
		h := &hunks[len(hunks)-1]
		h.lines = append(h.lines, l)
	}
	if len(hunks) == 0 {
		return nil, 0, false
	}
	return hunks, maxLine, true
}

// isFileHeader: the line may come before the first hunk of a unified
// diff, and the file's own header line says what it does.
func isFileHeader(l string) bool {
	for _, p := range []string{
		"--- ", "+++ ", "diff ", "index ", "new file mode ", "deleted file mode ",
		"old mode ", "new mode ", "similarity index ", "dissimilarity index ",
		"rename from ", "rename to ", "copy from ", "copy to ",
	} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// maxLineNumber bounds the numbers a hunk header may give, so that
// counting on from them cannot overflow and the number column stays
// narrow enough to leave room for code.
const maxLineNumber = 1_000_000_000

// parseHunkHeader reads "@@ -l[,n] +l[,n] @@ heading": the first line
// numbers of the hunk in the old and new file, and the heading.
func parseHunkHeader(h string) (oldStart, newStart int, heading string, ok bool) {
	rest, ok := strings.CutPrefix(h, "@@ -")
	if !ok {
		return 0, 0, "", false
	}
	oldStart, rest, ok = parseRange(rest)
	if !ok {
		return 0, 0, "", false
	}
	if rest, ok = strings.CutPrefix(rest, " +"); !ok {
		return 0, 0, "", false
	}
	newStart, rest, ok = parseRange(rest)
	if !ok {
		return 0, 0, "", false
	}
	if rest, ok = strings.CutPrefix(rest, " @@"); !ok {
		return 0, 0, "", false
	}
	return oldStart, newStart, strings.TrimSpace(rest), true
}

// parseRange reads "l" or "l,n" at the start of s and returns l.
func parseRange(s string) (start int, rest string, ok bool) {
	start, rest, ok = parseNumber(s)
	if !ok {
		return 0, "", false
	}
	if after, found := strings.CutPrefix(rest, ","); found {
		if _, rest, ok = parseNumber(after); !ok {
			return 0, "", false
		}
	}
	return start, rest, true
}

// parseNumber reads the decimal number at the start of s.
func parseNumber(s string) (n int, rest string, ok bool) {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 || end > 10 {
		return 0, "", false
	}
	n, err := strconv.Atoi(s[:end])
	if err != nil || n > maxLineNumber {
		return 0, "", false
	}
	return n, s[end:], true
}
