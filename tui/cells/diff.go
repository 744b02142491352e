package cells

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"warden/tui/styles"
)

// renderDiff draws a unified diff: added lines in the added style,
// removed ones in the removed style, hunk headers dim, the file headers
// (--- a/x, +++ b/x) left out since the caller names the file. Long lines
// wrap at width, keeping their colour. It is the one place diffs are
// drawn, so that syntax highlighting can be added here.
func renderDiff(diff string, width int, st *styles.Styles) []string {
	width = atLeast1(width)
	var out []string
	inHunk := false
	for line := range strings.SplitSeq(strings.TrimRight(diff, "\n"), "\n") {
		if !inHunk && !strings.HasPrefix(line, "@@") {
			continue // file headers
		}
		inHunk = true
		line = Clean(line)
		s := st.Text // context
		switch {
		case strings.HasPrefix(line, "@@"):
			s = st.Info
		case strings.HasPrefix(line, "+"):
			s = st.Added
		case strings.HasPrefix(line, "-"):
			s = st.Removed
		case strings.HasPrefix(line, `\`): // \ No newline at end of file
			s = st.Dim
		}
		if visibleWidth(line) <= width {
			out = append(out, paint(s, line))
			continue
		}
		// Wrapped parts continue under the text, right of the +/- column.
		_, size := utf8.DecodeRuneInString(line)
		mark, text := line[:size], line[size:]
		for i, seg := range strings.Split(ansi.Hardwrap(text, atLeast1(width-1), true), "\n") {
			if i > 0 {
				mark = " "
			}
			out = append(out, paint(s, mark+seg))
		}
	}
	return out
}
