package cells

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"warden/harness/event"
)

// Tool is a call of any tool without a cell of its own: its name, its
// arguments on one line, how it ended and how long it took:
// `• Called web_search {"query":"bubbletea inline mode"}  ✓ 1.3s`.
type Tool struct {
	callID   string
	name     string
	args     string
	started  time.Time
	finished bool
	result   event.ToolCallFinished
}

// NewTool starts the cell of a call that began at started.
func NewTool(e event.ToolCallStarted, started time.Time) *Tool {
	return &Tool{callID: e.CallID, name: e.Name, args: argsSummary(e), started: started}
}

// argsSummary is the call's input on one line: compact JSON arguments, or
// the first line of a freeform input.
func argsSummary(e event.ToolCallStarted) string {
	if len(e.Arguments) > 0 {
		var b bytes.Buffer
		if json.Compact(&b, e.Arguments) == nil && b.String() != "{}" && b.String() != "null" {
			return b.String()
		}
	}
	first, _, _ := strings.Cut(strings.TrimSpace(e.Input), "\n")
	return first
}

// CallID is the id of the tool call the cell shows.
func (t *Tool) CallID() string { return t.callID }

// Finish records how the call ended.
func (t *Tool) Finish(fin event.ToolCallFinished) {
	t.finished, t.result = true, fin
}

// Done reports whether the call ended.
func (t *Tool) Done() bool { return t.finished }

// Render draws the call, and what the tool said when it failed (all it
// said, in the full view).
func (t *Tool) Render(ctx Context) string {
	st := ctx.Styles
	style := st.Success
	if t.finished && t.result.Status != "ok" {
		style = st.Error
	}
	title := newCallTitle(ctx, "Calling", "Called", t.finished, t.started, t.result, style)
	avail := title.room(ctx.Width)
	subject := ""
	if avail >= minSubjectWidth {
		subject = paint(st.Code, cut(t.name, avail))
		if rest := avail - visibleWidth(t.name) - 1; t.args != "" && rest >= 8 {
			subject += paint(st.Dim, " "+cut(t.args, rest))
		}
	}
	lines := []string{title.line(subject)}
	if t.finished && (t.result.Status != "ok" || ctx.Full) {
		width := atLeast1(ctx.Width - bodyIndent)
		msg := wrap(strings.TrimSpace(t.result.Output), width)
		if len(msg) > messageLines && !ctx.Full {
			msg = append(msg[:messageLines-1], ellipsis)
		}
		var body []string
		for _, l := range msg {
			if l != "" || len(body) > 0 {
				body = append(body, paint(st.Dim, l))
			}
		}
		lines = append(lines, indent(body, bodyPrefix(ctx), bodyRest)...)
	}
	return block(lines, ctx.Width)
}
