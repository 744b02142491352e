package cells

import "strings"

// liveReasoningLines is how much of a streaming reasoning summary the
// live area shows: the section's title and its last lines.
const liveReasoningLines = 3

// Reasoning is the model's reasoning summary, dimmed. Summaries come as
// sections that start with a "**Title**" line; titles are shown bold,
// without the asterisks.
type Reasoning struct {
	text     strings.Builder
	finished bool
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

// Render draws the summary; while it streams, only the current title and
// the last lines, so the live area stays small.
func (r *Reasoning) Render(ctx Context) string {
	st := ctx.Styles
	all := r.lines(atLeast1(ctx.Width - gutterWidth))
	if len(all) == 0 {
		return ""
	}
	show := all
	if !r.finished && !ctx.Full {
		show = liveTail(all)
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
// liveReasoningLines lines after it.
func liveTail(all []reasoningLine) []reasoningLine {
	end := len(all) // the last title ends before end
	for end > 0 && !all[end-1].title {
		end--
	}
	start := end
	for start > 0 && all[start-1].title {
		start--
	}
	var body []reasoningLine
	for _, l := range all[end:] {
		if l.text != "" {
			body = append(body, l)
		}
	}
	if len(body) > liveReasoningLines {
		body = body[len(body)-liveReasoningLines:]
	}
	return append(append([]reasoningLine(nil), all[start:end]...), body...)
}

// lines splits the summary into wrapped lines, titles marked. A blank
// line separates a title from the section before it.
func (r *Reasoning) lines(width int) []reasoningLine {
	var out []reasoningLine
	for raw := range strings.SplitSeq(strings.TrimSpace(r.text.String()), "\n") {
		raw = strings.TrimRight(raw, " \t")
		if t, ok := titleLine(raw); ok {
			if len(out) > 0 && out[len(out)-1].text != "" {
				out = append(out, reasoningLine{})
			}
			for _, w := range wrap(t, width) {
				out = append(out, reasoningLine{text: w, title: true})
			}
			continue
		}
		if raw == "" {
			if len(out) > 0 && out[len(out)-1].text != "" {
				out = append(out, reasoningLine{})
			}
			continue
		}
		for _, w := range wrap(strings.ReplaceAll(raw, "**", ""), width) {
			out = append(out, reasoningLine{text: w})
		}
	}
	for len(out) > 0 && out[len(out)-1].text == "" {
		out = out[:len(out)-1]
	}
	return out
}

// titleLine recognises a "**Title**" line.
func titleLine(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 4 && strings.HasPrefix(s, "**") && strings.HasSuffix(s, "**") && !strings.Contains(s[2:len(s)-2], "**") {
		return strings.TrimSpace(s[2 : len(s)-2]), true
	}
	return "", false
}
