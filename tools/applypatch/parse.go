package applypatch

import (
	"fmt"
	"regexp"
	"strings"
)

// Patch is a parsed patch: its file operations in the order written.
type Patch struct {
	Ops []Op
}

// OpKind names what an operation does to its file.
type OpKind string

const (
	OpAdd    OpKind = "add"
	OpDelete OpKind = "delete"
	OpUpdate OpKind = "update"
)

// Op is one "*** Add/Delete/Update File:" section.
type Op struct {
	Kind     OpKind
	Path     string  // as written in the patch
	MoveTo   string  // Update only, "" if none
	Contents string  // Add only
	Chunks   []Chunk // Update only
	Line     int     // line of the header in the patch text (1-based)
}

// Chunk is one hunk of an Update: the old lines to find and the new lines to
// put in their place.
type Chunk struct {
	Context string // text after "@@ ", a line to find before the old lines; "" if none
	Old     []string
	New     []string
	EOF     bool // "*** End of File": the old lines must end the file
	Line    int  // line of the "@@" (or of the first line, when it has none)
}

// ParseError reports a malformed patch.
type ParseError struct {
	Line int // 1-based line in the patch text; 0 when not line-specific
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("invalid patch: line %d: %s", e.Line, e.Msg)
	}
	return "invalid patch: " + e.Msg
}

const (
	beginMarker  = "*** Begin Patch"
	endMarker    = "*** End Patch"
	addHeader    = "*** Add File:"
	deleteHeader = "*** Delete File:"
	updateHeader = "*** Update File:"
	moveHeader   = "*** Move to:"
	eofMarker    = "*** End of File"

	validHeaders = "'*** Add File: PATH', '*** Delete File: PATH', '*** Update File: PATH' " +
		"(optionally followed by '*** Move to: PATH'), and '*** End Patch' as the last line"
)

// unifiedRange matches the line numbers of a unified-diff hunk header
// ("@@ -12,7 +12,8 @@ func f()"), which models sometimes write out of habit.
// The numbers carry no information this format uses, so they are dropped and
// only the trailing text (if any) is kept as the context line.
var unifiedRange = regexp.MustCompile(`^-\d+(,\d+)? \+\d+(,\d+)? @@ ?`)

// Parse parses patch text. It is lenient about what models get wrong without
// ambiguity (padding around markers and headers, a heredoc wrapper, a first
// hunk without "@@", blank lines inside hunks) and strict about the rest.
func Parse(text string) (*Patch, error) {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		// Patches written with CRLF line ends must parse like LF ones; the
		// target file's own line ends are handled when applying.
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	first, last := 0, len(lines)-1
	skipBlank := func() {
		for first <= last && strings.TrimSpace(lines[first]) == "" {
			first++
		}
		for last >= first && strings.TrimSpace(lines[last]) == "" {
			last--
		}
	}
	skipBlank()
	if first > last {
		return nil, &ParseError{Msg: "the patch is empty; expected '" + beginMarker + "' ... '" + endMarker + "'"}
	}
	if isHeredocStart(strings.TrimSpace(lines[first])) && last > first &&
		strings.HasSuffix(strings.TrimSpace(lines[last]), "EOF") {
		first++
		last--
		skipBlank()
	}
	if first > last || strings.TrimSpace(lines[first]) != beginMarker {
		return nil, &ParseError{Line: min(first, len(lines)-1) + 1,
			Msg: fmt.Sprintf("the first line of the patch must be '%s'", beginMarker)}
	}
	if last == first || strings.TrimSpace(lines[last]) != endMarker {
		return nil, &ParseError{Line: last + 1,
			Msg: fmt.Sprintf("the last line of the patch must be '%s'", endMarker)}
	}
	p := &parser{lines: lines, i: first + 1, end: last}
	patch := &Patch{}
	for {
		op, err := p.op()
		if err != nil {
			return nil, err
		}
		if op == nil {
			break
		}
		patch.Ops = append(patch.Ops, *op)
	}
	if len(patch.Ops) == 0 {
		return nil, &ParseError{Msg: "the patch contains no file operations; expected at least one of " + validHeaders}
	}
	return patch, nil
}

// Paths returns every path the patch touches (Path and MoveTo), as written,
// each once, in patch order.
func (p *Patch) Paths() []string {
	var out []string
	seen := map[string]bool{}
	for _, op := range p.Ops {
		for _, path := range []string{op.Path, op.MoveTo} {
			if path != "" && !seen[path] {
				seen[path] = true
				out = append(out, path)
			}
		}
	}
	return out
}

func isHeredocStart(s string) bool {
	for _, h := range []string{"<<EOF", "<<'EOF'", `<<"EOF"`} {
		// Also accept the shell form "apply_patch <<'EOF'" pasted whole.
		if s == h || strings.HasSuffix(s, " "+h) {
			return true
		}
	}
	return false
}

// parser walks the lines between the Begin and End markers; end is the
// index of the End marker.
type parser struct {
	lines []string
	i     int
	end   int
}

// op parses the next file operation, or returns nil at the End marker.
func (p *parser) op() (*Op, error) {
	for p.i < p.end && strings.TrimSpace(p.lines[p.i]) == "" {
		p.i++
	}
	if p.i >= p.end {
		return nil, nil
	}
	line := strings.TrimSpace(p.lines[p.i])
	lineNo := p.i + 1
	var op *Op
	switch {
	case strings.HasPrefix(line, addHeader):
		op = &Op{Kind: OpAdd, Path: strings.TrimSpace(line[len(addHeader):]), Line: lineNo}
	case strings.HasPrefix(line, deleteHeader):
		op = &Op{Kind: OpDelete, Path: strings.TrimSpace(line[len(deleteHeader):]), Line: lineNo}
	case strings.HasPrefix(line, updateHeader):
		op = &Op{Kind: OpUpdate, Path: strings.TrimSpace(line[len(updateHeader):]), Line: lineNo}
	default:
		return nil, &ParseError{Line: lineNo,
			Msg: fmt.Sprintf("'%s' is not a valid file header; valid headers are %s", line, validHeaders)}
	}
	if op.Path == "" {
		return nil, &ParseError{Line: lineNo, Msg: fmt.Sprintf("empty path in '%s'", line)}
	}
	p.i++
	switch op.Kind {
	case OpAdd:
		p.addBody(op)
	case OpUpdate:
		if err := p.updateBody(op); err != nil {
			return nil, err
		}
	}
	return op, nil
}

func (p *parser) addBody(op *Op) {
	var b strings.Builder
	for p.i < p.end {
		l := p.lines[p.i]
		if strings.HasPrefix(l, "+") {
			b.WriteString(l[1:])
			b.WriteByte('\n')
			p.i++
			continue
		}
		if strings.TrimSpace(l) != "" {
			break
		}
		// A blank line is a forgotten "+" only if the file goes on after it;
		// otherwise it merely separates this section from the next.
		j := p.i
		for j < p.end && strings.TrimSpace(p.lines[j]) == "" {
			j++
		}
		if j >= p.end || !strings.HasPrefix(p.lines[j], "+") {
			break
		}
		for ; p.i < j; p.i++ {
			b.WriteByte('\n')
		}
	}
	op.Contents = b.String()
}

func (p *parser) updateBody(op *Op) error {
	if p.i < p.end {
		if t := strings.TrimSpace(p.lines[p.i]); strings.HasPrefix(t, moveHeader) {
			op.MoveTo = strings.TrimSpace(t[len(moveHeader):])
			if op.MoveTo == "" {
				return &ParseError{Line: p.i + 1, Msg: fmt.Sprintf("empty path in '%s'", t)}
			}
			p.i++
		}
	}
	for {
		for p.i < p.end && strings.TrimSpace(p.lines[p.i]) == "" {
			p.i++
		}
		if p.i >= p.end {
			break
		}
		l := p.lines[p.i]
		if strings.HasPrefix(l, "***") || isHeader(strings.TrimSpace(l)) {
			break
		}
		c, err := p.chunk(op, len(op.Chunks) == 0)
		if err != nil {
			return err
		}
		op.Chunks = append(op.Chunks, c)
	}
	if len(op.Chunks) == 0 {
		return &ParseError{Line: op.Line, Msg: fmt.Sprintf(
			"'*** Update File: %s' has no hunks; follow it with '@@' and the ' ' (context), '-' (removed) and '+' (added) lines",
			op.Path)}
	}
	return nil
}

// isHeader reports whether a trimmed line is a marker that ends a hunk even
// when a model indented it.
func isHeader(t string) bool {
	for _, h := range []string{addHeader, deleteHeader, updateHeader, moveHeader, endMarker, eofMarker} {
		if strings.HasPrefix(t, h) {
			return true
		}
	}
	return false
}

func (p *parser) chunk(op *Op, first bool) (Chunk, error) {
	hunkNo := len(op.Chunks) + 1
	c := Chunk{Line: p.i + 1}
	if l := p.lines[p.i]; strings.HasPrefix(l, "@@") {
		ctx := strings.TrimPrefix(l[2:], " ")
		if m := unifiedRange.FindString(ctx); m != "" {
			ctx = ctx[len(m):]
		}
		if strings.TrimSpace(ctx) != "" {
			c.Context = ctx
		}
		p.i++
	} else if !first {
		return c, &ParseError{Line: p.i + 1, Msg: fmt.Sprintf(
			"hunk %d of '%s' must start with '@@', got '%s'", hunkNo, op.Path, l)}
	}
	n, trailingBlank := 0, 0
loop:
	for ; p.i < p.end; p.i++ {
		l := p.lines[p.i]
		if strings.TrimSpace(l) == eofMarker {
			if n == 0 {
				break
			}
			c.EOF = true
			p.i++
			break
		}
		if l == "" {
			// An empty line is an empty context line whose leading space
			// was lost (editors strip it).
			c.Old = append(c.Old, "")
			c.New = append(c.New, "")
			n++
			trailingBlank++
			continue
		}
		switch l[0] {
		case ' ':
			if isHeader(strings.TrimSpace(l)) {
				break loop
			}
			c.Old = append(c.Old, l[1:])
			c.New = append(c.New, l[1:])
		case '-':
			c.Old = append(c.Old, l[1:])
		case '+':
			c.New = append(c.New, l[1:])
		default:
			if n == 0 && !strings.HasPrefix(l, "@@") && !strings.HasPrefix(l, "***") {
				return c, &ParseError{Line: p.i + 1, Msg: fmt.Sprintf(
					"unexpected line in hunk %d of '%s': '%s'; every hunk line starts with ' ' (context), '-' (removed) or '+' (added)",
					hunkNo, op.Path, l)}
			}
			break loop
		}
		n++
		trailingBlank = 0
	}
	if n == 0 {
		return c, &ParseError{Line: c.Line, Msg: fmt.Sprintf("hunk %d of '%s' has no lines", hunkNo, op.Path)}
	}
	// Blank lines that merely separate hunks are not context: dropping them
	// lets the hunk match a file that has no blank line there.
	c.Old = c.Old[:len(c.Old)-trailingBlank]
	c.New = c.New[:len(c.New)-trailingBlank]
	return c, nil
}
