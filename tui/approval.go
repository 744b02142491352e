package tui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/cells"
)

// The approval question here is deliberately plain: what would run, why it
// is asked, and four keys. Several requests (parallel calls) are answered
// one after another, oldest first.

// approvalGrace is how long a new question ignores answer keys: someone
// typing a message when it appears must not answer it ("a" in "and" would
// approve for the whole session).
const approvalGrace = 400 * time.Millisecond

// answerApproval handles a key while a request waits. A key that is not an
// answer, or comes within approvalGrace of the question, is ignored: a
// stray key never approves.
func (m *Model) answerApproval(msg tea.KeyPressMsg) tea.Cmd {
	req := m.approvals[0]
	if m.now().Sub(m.approvalSince) < approvalGrace {
		return nil
	}
	a := m.keys.Approval
	var d event.Decision
	var said string
	switch {
	case key.Matches(msg, a.Once):
		d, said = event.Decision{Approved: true}, "Approved once"
	case key.Matches(msg, a.Session):
		d, said = event.Decision{Approved: true, Remember: event.RememberSession}, "Approved for this session"
	case key.Matches(msg, a.Deny):
		d, said = event.Decision{Approved: false}, "Denied"
	case key.Matches(msg, a.Stop):
		d, said = event.Decision{Approved: false, Stop: true}, "Denied, and the turn stopped"
	default:
		return nil
	}
	m.approvals = m.approvals[1:]
	m.approvalSince = m.now()
	if c, ok := m.turn.calls[req.CallID].(*cells.Exec); ok {
		c.Resume(m.now())
	}
	// The answer reads before the command it let run (or not).
	m.insertBefore(m.turn.calls[req.CallID], cells.NewNotice(cells.NoticeInfo, said+": "+approvalSubject(req)))
	respond := req.Respond
	if respond == nil {
		return nil
	}
	return func() tea.Msg {
		respond(d)
		return nil
	}
}

// approvalSubject is what the question is about, cleaned of anything that
// would act on the terminal: it comes from the model.
func approvalSubject(req event.ApprovalRequested) string {
	if req.Kind == "patch" {
		var paths []string
		for _, c := range req.Changes {
			paths = append(paths, c.Path)
		}
		return cells.Clean("patch to " + strings.Join(paths, ", "))
	}
	if req.Script != "" {
		return cells.Clean(req.Script)
	}
	return cells.Clean(strings.Join(req.Command, " "))
}

// approvalView is the question for the oldest request. Every line, wrapped
// ones too, carries the gutter, so the question stands apart from the
// transcript.
func (m *Model) approvalView() string {
	st := m.styles
	req := m.approvals[0]
	title := "Run this command?"
	if req.Kind == "patch" {
		title = "Apply this patch?"
	}
	if req.Escalation {
		title = "Run this command outside the sandbox?"
	}
	title = st.Bold.Render(title)
	if n := len(m.approvals); n > 1 {
		title += st.Dim.Render(" (1 of " + strconv.Itoa(n) + ")")
	}
	width := max(m.width-2, 10)
	lines := []string{title}
	// Wrap the plain text first, on spaces only (a command must not be
	// split inside a flag), then style each line, so a wrapped line keeps
	// its style and indent.
	// Everything shown comes from the model or the harness: cleaned first.
	add := func(style lipgloss.Style, indent, text string) {
		for _, part := range wrapWords(cells.Clean(text), width-ansi.StringWidth(indent)) {
			lines = append(lines, indent+style.Render(part))
		}
	}
	if req.Kind == "patch" {
		for _, c := range req.Changes {
			lines = append(lines, "  "+c.Kind+" "+st.Code.Render(cells.Clean(c.Path))+" "+
				st.Added.Render("+"+strconv.Itoa(c.Added))+" "+st.Removed.Render("−"+strconv.Itoa(c.Removed)))
		}
	} else {
		for _, line := range strings.Split(approvalSubject(req), "\n") {
			add(st.Code, "  ", "$ "+line)
		}
		if req.Cwd != "" {
			add(st.Dim, "  ", "in "+tildePath(req.Cwd, m.status.Home))
		}
		if !req.Escalation && m.status.SandboxMode != "" && m.status.SandboxMode != "full-access" {
			// A yes lets it run, not escape: say what it will still not be
			// able to do, so an approved command failing is no surprise.
			where := "inside the sandbox (" + m.status.SandboxMode + ")"
			if m.status.SandboxMode == "read-only" {
				where += ": it cannot change files"
			}
			add(st.Dim, "  ", "runs "+where)
		}
	}
	for _, text := range []string{req.Justification, req.Reason} {
		if text != "" {
			add(st.Dim, "  ", text)
		}
	}
	a := m.keys.Approval
	var keys []string
	for _, k := range []key.Binding{a.Once, a.Session, a.Deny, a.Stop} {
		h := k.Help()
		keys = append(keys, st.Key.Render(h.Key)+" "+st.KeyHelp.Render(h.Desc))
	}
	lines = append(lines, keys...)
	gutter := st.Warning.Render("▌ ")
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(gutter + ansi.Truncate(line, width, "…"))
	}
	return b.String()
}
