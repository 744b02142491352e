package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
	"warden/tui/approvaldialog"
	"warden/tui/cells"
)

// Approval requests wait in a queue and are answered one after another,
// oldest first, each in its own dialog (package approvaldialog).

// openDialog shows the oldest waiting request, if any. Each dialog ignores
// keys for its first moments, so typing cannot answer it.
func (m *Model) openDialog() {
	m.dialog = nil
	if len(m.approvals) == 0 {
		return
	}
	d := approvaldialog.New(m.approvals[0], m.keys, m.styles, approvaldialog.Options{
		SandboxMode: m.status.SandboxMode,
		Home:        m.status.Home,
		Now:         m.now,
	})
	m.dialog = &d
}

// toDialog routes a message to the open dialog and, once the user has
// answered, tells the harness and moves to the next request.
func (m *Model) toDialog(msg tea.Msg) tea.Cmd {
	d, decision, cmd := m.dialog.Update(msg)
	m.dialog = &d
	if decision == nil {
		return cmd
	}
	req := m.approvals[0]
	m.approvals = m.approvals[1:]
	m.openDialog()
	if c, ok := m.turn.calls[req.CallID].(*cells.Exec); ok {
		c.Resume(m.now())
	}
	// The answer reads before the command it let run (or not).
	m.insertBefore(m.turn.calls[req.CallID], cells.NewNotice(cells.NoticeInfo, answerText(*decision)+": "+approvalSubject(req)))
	respond, answer := req.Respond, *decision
	if respond == nil {
		return cmd
	}
	return tea.Batch(cmd, func() tea.Msg {
		respond(answer)
		return nil
	})
}

// answerText says in the transcript what the user decided.
func answerText(d event.Decision) string {
	switch {
	case d.Approved && d.Remember == event.RememberSession:
		return "Approved for this session"
	case d.Approved && d.Remember == event.RememberProject:
		return "Approved, and from now on " + strings.Join(d.Prefix, " ") + " … is allowed in this project"
	case d.Approved && d.Remember == event.RememberUser:
		return "Approved, and from now on " + strings.Join(d.Prefix, " ") + " … is allowed everywhere"
	case d.Approved:
		return "Approved once"
	case d.Stop:
		return "Denied, and the turn stopped"
	case d.Message != "":
		return "Denied (" + d.Message + ")"
	}
	return "Denied"
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
