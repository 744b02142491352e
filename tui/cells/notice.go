package cells

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"warden/harness/event"
)

// NoticeKind is what a notice tells.
type NoticeKind int

// The kinds of notice.
const (
	NoticeInfo    NoticeKind = iota // something the user should know: "Interrupted. …"
	NoticeWarning                   // something that may need attention
	NoticeError                     // something failed
	NoticeRetry                     // a model request failed and is retried
)

// Notice is a line from warden itself, not from the model or a tool.
type Notice struct {
	kind NoticeKind
	text string
}

// NewNotice is a notice of the given kind. Its text is cleaned: notices
// carry server errors, rules and prefixes the model wrote.
func NewNotice(kind NoticeKind, text string) *Notice {
	return &Notice{kind: kind, text: strings.TrimSpace(Clean(text))}
}

// NewInfo, NewWarning and NewError are notices of their kind.
func NewInfo(text string) *Notice    { return NewNotice(NoticeInfo, text) }
func NewWarning(text string) *Notice { return NewNotice(NoticeWarning, text) }
func NewError(text string) *Notice   { return NewNotice(NoticeError, text) }

// NewRetry says a model request is retried:
// "Reconnecting… attempt 2/5 in 1.5s: connection reset".
func NewRetry(e event.Retrying) *Notice {
	text := fmt.Sprintf("Reconnecting… attempt %d/%d in %s", e.Attempt, e.MaxAttempts, formatDuration(e.Delay))
	if e.Reason != "" {
		text += ": " + e.Reason
	}
	return NewNotice(NoticeRetry, text)
}

// Kind is what the notice tells.
func (n *Notice) Kind() NoticeKind { return n.kind }

// Text is what the notice says.
func (n *Notice) Text() string { return n.text }

// Done: a notice never changes.
func (n *Notice) Done() bool { return true }

// Render draws the notice with a mark saying its kind, wrapped under it.
func (n *Notice) Render(ctx Context) string {
	st := ctx.Styles
	var markText string
	var markStyle, textStyle lipgloss.Style
	switch n.kind {
	case NoticeWarning:
		markText, markStyle, textStyle = "⚠", st.Warning, st.Warning
	case NoticeError:
		markText, markStyle, textStyle = "■", st.Error, st.Error
	case NoticeRetry:
		markText, markStyle, textStyle = "↻", st.Warning, st.Warning
	default:
		markText, markStyle, textStyle = bullet, st.Info, st.Text
	}
	var lines []string
	for i, l := range wrap(n.text, ctx.Width-gutterWidth) {
		prefix := gutter
		if i == 0 {
			prefix = paint(markStyle, markText) + " "
		}
		lines = append(lines, prefix+paint(textStyle, l))
	}
	return block(lines, ctx.Width)
}
