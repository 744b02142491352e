package cells

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/internal/termsafe"
)

// The transcript's layout, shared by every cell: a mark (the spinner
// while the cell runs), the cell's title, and its body under a gutter.
//
//	⠋ Running go test ./... (3s)
//	  └ ok  warden/tui  0.3s
//	    ok  warden/cmd  0.1s
const (
	bullet      = "•"
	gutter      = "  "
	bodyRest    = "    "
	ellipsis    = "…"
	gutterWidth = 2
	bodyIndent  = 4
)

// bodyPrefix is the "└" that hangs a cell's body from its title; the
// body's other lines are indented by bodyRest.
func bodyPrefix(ctx Context) string {
	return gutter + paint(ctx.Styles.Dim, "└") + " "
}

// paint styles one line of plain text. Styles are applied per line, never
// to a block: lipgloss pads the lines of a block to one width, which would
// leave trailing spaces in the scrollback.
func paint(st lipgloss.Style, s string) string {
	if s == "" {
		return ""
	}
	return st.Render(s)
}

// atLeast1 keeps widths usable on absurdly narrow terminals; block clamps
// whatever still overflows.
func atLeast1(w int) int {
	if w < 1 {
		return 1
	}
	return w
}

// Clean makes text from outside safe and measurable on a terminal:
// escape sequences are removed whole and other control characters
// dropped, since printed into the scrollback they could move the cursor,
// retitle the window or rewrite the screen; tabs become spaces, which
// have a width; invalid UTF-8 becomes U+FFFD; newlines stay. Anything
// from the model, a tool or the repository must pass through Clean (or a
// cell, which calls it) before it reaches the terminal. Clean text is
// returned as is, cheaply.
func Clean(s string) string {
	s = termsafe.Strip(s)
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", "    ")
	}
	return s
}

// wrap breaks text into lines no wider than width (words first, then
// anywhere), keeping the text's own line breaks.
func wrap(s string, width int) []string {
	width = atLeast1(width)
	s = Clean(s)
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if ansi.StringWidth(line) <= width {
			out = append(out, line)
			continue
		}
		for l := range strings.SplitSeq(ansi.Wrap(line, width, ""), "\n") {
			out = append(out, strings.TrimRight(l, " "))
		}
	}
	return out
}

// visibleWidth is how many columns s takes on the screen.
func visibleWidth(s string) int { return ansi.StringWidth(s) }

// cut shortens one line of text to width, marking the cut with "…".
func cut(s string, width int) string {
	if width < 1 {
		return ""
	}
	s = Clean(s)
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, ellipsis)
}

// block joins rendered lines, clamping each to width: the last guard of
// the rule that no line is wider than the terminal, which matters on tiny
// terminals where even a gutter does not fit.
func block(lines []string, width int) string {
	width = atLeast1(width)
	for i, l := range lines {
		if ansi.StringWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "")
		}
	}
	return strings.Join(lines, "\n")
}

// indent prefixes lines: first before the first line, rest before the
// others. Empty lines stay empty, so the scrollback has no trailing
// spaces.
func indent(lines []string, first, rest string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" {
			out[i] = strings.TrimRight(p, " ")
			continue
		}
		out[i] = p + l
	}
	return out
}

// mark is the bullet of a cell: the spinner while it runs.
func mark(ctx Context, running bool, st lipgloss.Style) string {
	if running {
		s := ctx.Spinner
		if s == "" {
			s = bullet
		}
		return paint(ctx.Styles.Accent, cut(s, 1))
	}
	return paint(st, bullet)
}

// defaultPagerKey is keys.Default()'s transcript key, for a Context
// without PagerKey: building the key map on every collapsed render would
// cost more than the render. A test keeps the two in step.
const defaultPagerKey = "ctrl+t"

// pagerKey is the key that opens the full transcript.
func pagerKey(ctx Context) string {
	if ctx.PagerKey != "" {
		return ctx.PagerKey
	}
	return defaultPagerKey
}

// moreLines is the marker standing for lines left out of a collapsed view.
func moreLines(ctx Context, n int) string {
	return fmt.Sprintf("%s +%d lines (%s to view)", ellipsis, n, pagerKey(ctx))
}

// formatDuration is how long something took: 35ms, 0.4s, 12s, 1m 05s,
// 1h 02m.
func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		d = 0
		fallthrough
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < 9950*time.Millisecond: // would round to 10.0s
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return formatElapsed(d.Round(time.Second))
}

// formatElapsed is a running time in whole seconds: 3s, 1m 05s, 1h 02m.
func formatElapsed(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %02ds", s/60, s%60)
	}
	return fmt.Sprintf("%dh %02dm", s/3600, s%3600/60)
}

// stripANSI is s without its escape sequences.
func stripANSI(s string) string { return ansi.Strip(s) }

// callTitle is the first line of a tool call's cell, "• Ran go vet  ✓ 0.4s"
// or "⠋ Running go vet (3s)": a mark, a verb, the call's subject, and how
// it ended or how long it has run.
type callTitle struct {
	ctx      Context
	head     string // mark and verb
	verb     string
	gap, end string // the end follows the subject after gap
	finished bool
	result   event.ToolCallFinished
}

func newCallTitle(ctx Context, running, ran string, finished bool, started time.Time, r event.ToolCallFinished, markStyle lipgloss.Style) callTitle {
	t := callTitle{ctx: ctx, verb: ran, gap: "  ", finished: finished, result: r}
	if finished {
		t.end = outcome(ctx, r, false)
	} else {
		t.verb, t.gap = running, " "
		t.end = paint(ctx.Styles.Dim, "("+formatElapsed(ctx.Now.Sub(started))+")")
	}
	t.head = mark(ctx, !finished, markStyle) + " " + paint(ctx.Styles.Bold, t.verb)
	return t
}

// minSubjectWidth is the least room worth giving a subject: "…" alone
// says nothing. Below twice that, a finished call's outcome gives up its
// duration first.
const minSubjectWidth = 3

// room is the width left for the subject, after shortening the outcome
// when the terminal is narrow.
func (t *callTitle) room(width int) int {
	avail := width - gutterWidth - len(t.verb) - 1 - len(t.gap) - visibleWidth(t.end)
	if t.finished && avail < 3*minSubjectWidth {
		t.end = outcome(t.ctx, t.result, true)
		avail = width - gutterWidth - len(t.verb) - 1 - len(t.gap) - visibleWidth(t.end)
	}
	return avail
}

// line is the title with subject (rendered); with none the outcome
// follows the verb.
func (t callTitle) line(subject string) string {
	if subject == "" {
		return t.head + " " + t.end
	}
	return t.head + " " + subject + t.gap + t.end
}
