package tui

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"warden/harness"
	"warden/harness/event"
	"warden/tui/cells"
	"warden/tui/composer"
)

// runningPlaceholder is the composer's hint while the agent works.
const runningPlaceholder = "Type to queue a message for the agent's next step · esc interrupts"

// handleIntent acts on what the composer asked for.
func (m *Model) handleIntent(intent composer.Intent) tea.Cmd {
	switch in := intent.(type) {
	case composer.Submit:
		return m.submit(in.Text)
	case composer.RunCommand:
		return m.runCommand(in.Name, in.Args)
	case composer.UnknownCommand:
		m.add(cells.NewNotice(cells.NoticeWarning, "Unknown command /"+in.Name+": /help lists them."))
	}
	return nil
}

// submit sends the user's message: as a new turn, or queued into the
// running one, where the harness adds it at the next step.
func (m *Model) submit(text string) tea.Cmd {
	if strings.TrimSpace(text) == "" || m.opts.Session == nil {
		return nil
	}
	s := m.opts.Session
	if m.controlPending && !m.turn.running {
		// A change to the session is being made (/new, /model…): the
		// message goes to the session it makes, once it is made.
		u := cells.NewUser(text)
		u.SetQueued(true)
		m.held = append(m.held, queuedInput{text: text, cell: u})
		return nil
	}
	if m.turn.running {
		u := cells.NewUser(text)
		u.SetQueued(true)
		m.turn.queued = append(m.turn.queued, queuedInput{text: text, cell: u})
		s.Queue(text)
		// A queued message is drawn in the live area until the harness
		// takes it; it is not in the transcript order yet.
		return nil
	}
	m.add(cells.NewUser(text))
	return m.startTurn(text)
}

func (m *Model) startTurn(text string) tea.Cmd {
	s := m.opts.Session
	m.turn.running = true
	ctx, cancel := context.WithCancel(context.Background())
	m.turn.cancel = cancel
	return tea.Batch(func() tea.Msg {
		defer cancel()
		return turnDoneMsg{res: s.RunTurn(ctx, text)}
	}, m.startTicking())
}

// inputTaken: the harness took a queued message into the conversation; it
// joins the transcript there.
func (m *Model) inputTaken(text string) {
	for i, q := range m.turn.queued {
		if q.text == text {
			m.turn.queued = append(m.turn.queued[:i:i], m.turn.queued[i+1:]...)
			q.cell.SetQueued(false)
			m.closeExplored()
			m.add(q.cell)
			return
		}
	}
	m.add(cells.NewUser(text))
}

// turnDone runs when RunTurn returns. Input queued too late for the turn
// to take is sent as the next turn after a completed one, and given back
// to the composer after an interrupted or failed one, so the user can
// decide; it is never lost.
func (m *Model) turnDone(res harness.TurnResult) tea.Cmd {
	m.turn.running = false
	m.turn.cancel = nil
	m.turn.lastStatus = res.Status
	if errors.Is(res.Err, harness.ErrShutdown) || errors.Is(res.Err, harness.ErrTurnRunning) {
		// Refused before it began, so the harness said nothing about it.
		m.add(cells.NewNotice(cells.NoticeError, "The message was not sent: "+res.Err.Error()+"."))
	}
	if len(m.turn.queued) == 0 {
		return nil
	}
	s := m.opts.Session
	return func() tea.Msg { return queuedMsg{texts: s.TakeQueued()} }
}

func (m *Model) resumeQueued(texts []string) tea.Cmd {
	m.turn.queued = nil
	if len(texts) == 0 {
		return nil
	}
	text := strings.Join(texts, "\n\n")
	if m.turn.lastStatus == event.TurnCompleted && !m.turn.running {
		m.add(cells.NewUser(text))
		return m.startTurn(text)
	}
	if v := m.composer.Value(); v != "" {
		text += "\n\n" + v
	}
	m.composer.SetValue(text)
	return nil
}

// sendHeld sends the messages typed while a change to the session was
// being made, now that it is: the first starts a turn, the rest queue.
func (m *Model) sendHeld() tea.Cmd {
	held := m.held
	m.held = nil
	var cmds []tea.Cmd
	for _, h := range held {
		cmds = append(cmds, m.submit(h.text))
	}
	return tea.Batch(cmds...)
}
