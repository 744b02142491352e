package cells

import "strings"

// User is a message the user sent: "› " and the text, wrapped, its own
// line breaks kept. A message typed while the agent works is queued until
// the harness adds it to the conversation at a step boundary; until then it
// is shown as queued, in the live area.
type User struct {
	text   string
	queued bool
}

// NewUser is a message the user sent.
func NewUser(text string) *User {
	return &User{text: strings.Trim(text, "\n")}
}

// SetQueued marks the message as waiting (typed while the agent works),
// or, with false, as taken into the conversation (event.UserInputQueued).
func (u *User) SetQueued(queued bool) { u.queued = queued }

// Queued reports whether the message still waits to be sent.
func (u *User) Queued() bool { return u.queued }

// Text is the message as typed.
func (u *User) Text() string { return u.text }

// Done reports whether the message was sent: then it never changes.
func (u *User) Done() bool { return !u.queued }

// Render draws the message.
func (u *User) Render(ctx Context) string {
	st := ctx.Styles
	markStyle, textStyle := st.UserMarker, st.User
	if u.queued {
		markStyle, textStyle = st.Dim, st.Dim
	}
	var lines []string
	for i, l := range wrap(strings.ReplaceAll(u.text, "\t", "    "), ctx.Width-gutterWidth) {
		prefix := gutter
		if i == 0 {
			prefix = paint(markStyle, "›") + " "
		}
		if l == "" {
			lines = append(lines, strings.TrimRight(prefix, " "))
			continue
		}
		lines = append(lines, prefix+paint(textStyle, l))
	}
	if u.queued {
		lines = append(lines, gutter+paint(st.Warning, "queued")+paint(st.Dim, cut(" · sent after the current step", ctx.Width-gutterWidth-len("queued"))))
	}
	return block(lines, ctx.Width)
}
