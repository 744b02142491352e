package cells

import (
	"strings"

	"warden/tui/markdown"
)

// Assistant is the model's answer, rendered as markdown as it streams:
// "• " before its first line, its other lines indented under it. Blocks
// the markdown stream completes are flushed to the scrollback while the
// rest still streams, so a long answer never makes the live area tall.
type Assistant struct {
	stream *markdown.Stream
	// bulleted: a flushed chunk already carried the bullet.
	bulleted bool
}

// NewAssistant starts an answer that streams into s.
func NewAssistant(s *markdown.Stream) *Assistant {
	return &Assistant{stream: s}
}

// Append adds a delta of the answer (event.TextDelta).
func (a *Assistant) Append(delta string) { a.stream.Append(delta) }

// Finish says the answer is complete.
func (a *Assistant) Finish() { a.stream.Finish() }

// Source is the markdown received so far.
func (a *Assistant) Source() string { return a.stream.Source() }

// Done reports whether the answer is complete.
func (a *Assistant) Done() bool { return a.stream.Finished() }

// Flush returns the blocks completed since the last Flush, rendered, for
// the scrollback; "" when there are none.
func (a *Assistant) Flush(ctx Context) string {
	md := a.stream.TakeCompleted(ctx.Markdown, atLeast1(ctx.Width-gutterWidth))
	md = strings.TrimSuffix(md, "\n")
	if strings.TrimSpace(md) == "" {
		return ""
	}
	out := a.withGutter(ctx, md, !a.bulleted)
	a.bulleted = true
	return out
}

// Render draws what Flush has not taken, or with Full the whole answer.
func (a *Assistant) Render(ctx Context) string {
	width := atLeast1(ctx.Width - gutterWidth)
	if ctx.Full {
		return a.withGutter(ctx, strings.TrimRight(ctx.Markdown.Render(a.stream.Source(), width), "\n"), true)
	}
	md := strings.TrimRight(a.stream.Tail(ctx.Markdown, width), "\n")
	if strings.TrimSpace(md) == "" {
		return ""
	}
	return a.withGutter(ctx, md, !a.bulleted)
}

// withGutter indents rendered markdown by the gutter, with the bullet on
// its first non-blank line when first.
func (a *Assistant) withGutter(ctx Context, md string, first bool) string {
	lines := strings.Split(md, "\n")
	if first {
		for len(lines) > 1 && strings.TrimSpace(stripANSI(lines[0])) == "" {
			lines = lines[1:]
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		switch {
		case i == 0 && first:
			out[i] = paint(ctx.Styles.Accent, bullet) + " " + l
		case strings.TrimSpace(stripANSI(l)) == "":
			out[i] = ""
		default:
			out[i] = gutter + l
		}
	}
	return block(out, ctx.Width)
}
