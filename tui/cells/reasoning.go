package cells

import (
	"slices"
	"strings"
	"unicode"

	"warden/tui/styles"
)

// liveReasoningLines is how much of a streaming reasoning summary the
// live area shows: the section's title and its last lines.
const liveReasoningLines = 3

// Reasoning is the model's reasoning summary, dimmed. Summaries come as
// sections that start with a "**Title**" line; titles are shown bold,
// without the asterisks.
//
// A summary can grow long while it streams and is drawn every frame, so
// the cell keeps its wrapped lines (each source line is wrapped once) and
// its last drawing: a frame costs the same however long the summary is.
type Reasoning struct {
	text     strings.Builder
	finished bool
	wrapped  wrappedReasoning
	drawn    reasoningDrawing
}

// NewReasoning starts a reasoning summary.
func NewReasoning() *Reasoning { return &Reasoning{} }

// Append adds a delta (event.ReasoningDelta).
func (r *Reasoning) Append(delta string) { r.text.WriteString(delta) }

// Finish says the summary is complete.
func (r *Reasoning) Finish() { r.finished = true }

// Text is the summary received so far.
func (r *Reasoning) Text() string { return r.text.String() }

// Done reports whether the summary is complete.
func (r *Reasoning) Done() bool { return r.finished }

// reasoningLine is one line of the summary, wrapped.
type reasoningLine struct {
	text  string
	title bool
}

// lineSpan is the lines [start, end) of a wrapped summary.
type lineSpan struct{ start, end int }

// reasoningDrawing is the last Render and what it depended on.
type reasoningDrawing struct {
	key drawKey
	out string
}

// drawKey is what a drawing of the summary depends on; the text only
// grows, so its length tells whether it changed.
type drawKey struct {
	size, width int
	styles      *styles.Styles
	live        bool // streaming, outside the pager: only the tail
}

// Render draws the summary; while it streams, only the current title and
// the last lines, so the live area stays small.
func (r *Reasoning) Render(ctx Context) string {
	key := drawKey{size: r.text.Len(), width: ctx.Width, styles: ctx.Styles, live: !r.finished && !ctx.Full}
	if key != r.drawn.key {
		r.drawn = reasoningDrawing{key: key, out: r.draw(ctx, key.live)}
	}
	return r.drawn.out
}

func (r *Reasoning) draw(ctx Context, live bool) string {
	st := ctx.Styles
	show, title := r.lines(atLeast1(ctx.Width - gutterWidth))
	if len(show) == 0 {
		return ""
	}
	if live {
		show = liveTail(show, title)
	}
	out := make([]string, 0, len(show))
	for i, l := range show {
		prefix := gutter
		if i == 0 {
			prefix = paint(st.Dim, bullet) + " "
		}
		switch {
		case l.text == "":
			out = append(out, strings.TrimRight(prefix, " "))
		case l.title:
			out = append(out, prefix+paint(st.Bold, l.text))
		default:
			out = append(out, prefix+paint(st.Dim, l.text))
		}
	}
	return block(out, ctx.Width)
}

// liveTail is the last title (all its wrapped lines) and up to
// liveReasoningLines lines after it. It walks back only over the lines
// it shows and the blank lines between them.
func liveTail(all []reasoningLine, title lineSpan) []reasoningLine {
	var body []reasoningLine
	for i := len(all) - 1; i >= title.end && len(body) < liveReasoningLines; i-- {
		if all[i].text != "" {
			body = append(body, all[i])
		}
	}
	slices.Reverse(body)
	return append(slices.Clone(all[title.start:title.end]), body...)
}

// lines is the summary wrapped at width, titles marked, without trailing
// blank lines, and where its last title is. A blank line separates a
// title from the section before it. The slice is valid until the next
// call.
func (r *Reasoning) lines(width int) ([]reasoningLine, lineSpan) {
	w := &r.wrapped
	if w.width != width {
		*w = wrappedReasoning{width: width}
	}
	text := r.text.String()
	if nl := strings.LastIndexByte(text[w.done:], '\n'); nl >= 0 {
		end := w.done + nl
		for raw := range strings.SplitSeq(text[w.done:end], "\n") {
			w.add(raw)
		}
		w.done = end + 1
	}
	// The unfinished line may still change: it is wrapped after the
	// others in the slice's spare room, and forgotten.
	kept, title := len(w.lines), w.title
	if rest := text[w.done:]; rest != "" {
		w.add(rest)
	}
	all, allTitle := w.lines, w.title
	w.lines, w.title = w.lines[:kept], title
	n := len(all)
	for n > 0 && all[n-1].text == "" {
		n--
	}
	allTitle.start, allTitle.end = min(allTitle.start, n), min(allTitle.end, n)
	return all[:n], allTitle
}

// wrappedReasoning is a summary's complete source lines wrapped at one
// width. The text only grows, so each line is wrapped once, as it
// arrives.
type wrappedReasoning struct {
	width int
	done  int // bytes of the text wrapped: up to the last newline
	lines []reasoningLine
	title lineSpan // the last title's lines
}

// add wraps one source line.
func (w *wrappedReasoning) add(raw string) {
	raw = strings.TrimRightFunc(raw, unicode.IsSpace)
	if len(w.lines) == 0 {
		raw = strings.TrimLeftFunc(raw, unicode.IsSpace)
	}
	if t, ok := titleLine(raw); ok {
		w.separate()
		w.title.start = len(w.lines)
		for _, l := range wrap(t, w.width) {
			w.lines = append(w.lines, reasoningLine{text: l, title: true})
		}
		w.title.end = len(w.lines)
		return
	}
	if raw == "" {
		w.separate()
		return
	}
	for _, l := range wrap(strings.ReplaceAll(raw, "**", ""), w.width) {
		w.lines = append(w.lines, reasoningLine{text: l})
	}
}

// separate ends a section with a blank line, unless one already does.
func (w *wrappedReasoning) separate() {
	if n := len(w.lines); n > 0 && w.lines[n-1].text != "" {
		w.lines = append(w.lines, reasoningLine{})
	}
}

// titleLine recognises a "**Title**" line.
func titleLine(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 4 && strings.HasPrefix(s, "**") && strings.HasSuffix(s, "**") && !strings.Contains(s[2:len(s)-2], "**") {
		return strings.TrimSpace(s[2 : len(s)-2]), true
	}
	return "", false
}
