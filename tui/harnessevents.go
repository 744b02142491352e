package tui

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
	"warden/harness/model"
	"warden/tui/cells"
	"warden/tui/internal/pathfmt"
	"warden/tui/markdown"
)

// handleEvent turns one harness event into cells and status.
func (m *Model) handleEvent(e event.Event) tea.Cmd {
	switch e := e.(type) {
	case event.SessionStarted:
		m.status.Model = e.Model
		m.status.SandboxMode = e.SandboxMode
		m.status.ApprovalPolicy = e.ApprovalPolicy
	case event.SessionUpdated:
		m.status.Model = e.Model // cleaned where drawn: it may come from the provider's list
		m.status.ReasoningEffort = e.ReasoningEffort
		m.status.SandboxMode = e.SandboxMode
		m.status.ApprovalPolicy = e.ApprovalPolicy
	case event.TurnStarted:
		m.turn.running = true
	case event.UserInputQueued:
		m.inputTaken(e.Input)
	case event.ReasoningDelta:
		m.reasoning().Append(e.Delta)
	case event.TextDelta:
		m.closeExplored()
		if m.turn.reasoning != nil {
			m.turn.reasoning.Finish()
			m.turn.reasoning = nil
		}
		m.assistant().Append(e.Delta)
	case event.ItemCompleted:
		m.itemCompleted(e.Item)
	case event.ToolCallStarted:
		m.toolStarted(e)
	case event.ToolOutputDelta:
		if c, ok := m.turn.calls[e.CallID].(*cells.Exec); ok {
			c.AppendOutput(e.Delta)
		}
	case event.ToolCallFinished:
		m.toolFinished(e)
	case event.PatchApplied:
		if c, ok := m.turn.calls[e.CallID].(*cells.Patch); ok {
			c.SetChanges(e.Changes)
		} else {
			p := cells.NewPatch(e.CallID)
			p.SetChanges(e.Changes)
			m.add(p)
		}
	case event.PlanUpdated:
		m.closeExplored()
		m.add(cells.NewPlan(e))
	case event.RuleSaved:
		rule := strings.ReplaceAll(strings.TrimSpace(e.Rule), "\n", "\n  ")
		m.add(cells.NewNotice(cells.NoticeInfo, fmt.Sprintf("Saved to %s:\n  %s", pathfmt.Tilde(e.File, m.status.Home), rule)))
	case event.ApprovalRequested:
		m.approvals = append(m.approvals, e)
		if len(m.approvals) == 1 {
			m.openDialog()
		}
		if c, ok := m.turn.calls[e.CallID].(*cells.Exec); ok {
			c.Await()
		}
		// The question must be seen: the pager (alternate screen) would
		// hide it, and the agent would wait with nothing on the screen.
		m.pager, m.helpOpen, m.diff = nil, false, nil
		// A picker open meanwhile (/permissions) gives way to it too.
		m.closePicker()
		return m.notify("warden needs your approval")
	case event.TokenUsage:
		m.status.TokensUsed = e.Session.TotalTokens
		m.status.ContextLeft = e.ContextLeftPercent()
	case event.Retrying:
		m.discardPartialReply()
		m.add(cells.NewRetry(e))
	case event.Error:
		kind := cells.NoticeError
		if !e.Fatal {
			kind = cells.NoticeWarning
		}
		m.add(cells.NewNotice(kind, e.Message))
	case event.TurnFinished:
		return m.turnFinished(e)
	}
	return nil
}

func (m *Model) reasoning() *cells.Reasoning {
	if m.turn.reasoning == nil {
		m.closeExplored()
		m.turn.reasoning = cells.NewReasoning()
		m.add(m.turn.reasoning)
	}
	return m.turn.reasoning
}

func (m *Model) assistant() *cells.Assistant {
	if m.turn.assistant == nil {
		m.turn.assistant = cells.NewAssistant(markdown.NewStream())
		m.add(m.turn.assistant)
	}
	return m.turn.assistant
}

// itemCompleted finishes the streaming cell the item belongs to. A reply
// that arrived without deltas (some servers do not stream) is shown whole.
func (m *Model) itemCompleted(it model.Item) {
	switch {
	case it.Type == model.ItemMessage && it.Role == model.RoleAssistant:
		a := m.turn.assistant
		if a == nil {
			a = m.assistant()
			a.Append(it.Text)
		}
		a.Finish()
		m.lastAnswer = it.Text
		m.turn.assistant = nil
	case it.Type == model.ItemReasoning:
		if m.turn.reasoning != nil {
			m.turn.reasoning.Finish()
			m.turn.reasoning = nil
		}
	}
}

// discardPartialReply drops what a failed attempt streamed: the retry
// starts the reply again. What already reached the scrollback stays there,
// the rest is dropped unprinted, and the notice that follows says a retry
// happened.
func (m *Model) discardPartialReply() {
	var partial []cells.Cell
	if m.turn.assistant != nil {
		partial = append(partial, m.turn.assistant)
	}
	if m.turn.reasoning != nil {
		partial = append(partial, m.turn.reasoning)
	}
	for _, c := range partial {
		if len(m.live) > 0 && m.live[0] == c {
			m.headPartial = false
		}
		m.remove(c)
	}
	m.turn.assistant, m.turn.reasoning = nil, nil
}

func (m *Model) remove(c cells.Cell) {
	drop := func(list []cells.Cell) []cells.Cell {
		for i, x := range list {
			if x == c {
				return append(list[:i:i], list[i+1:]...)
			}
		}
		return list
	}
	m.live = drop(m.live)
	if j := slices.Index(m.all, c); j >= 0 {
		m.all = slices.Delete(m.all, j, j+1)
		m.fullCache = m.fullCache[:min(j, len(m.fullCache))]
	}
}

func (m *Model) toolStarted(e event.ToolCallStarted) {
	if m.turn.reasoning != nil {
		m.turn.reasoning.Finish()
		m.turn.reasoning = nil
	}
	now := m.now()
	switch e.Name {
	case cells.ShellCommandTool:
		// A malformed call still gets a cell (with no command): the tool
		// reports what was wrong when it finishes.
		command, workdir, _ := cells.ParseShellCall(e)
		if action, ok := cells.Classify(command); ok && (workdir == "" || workdir == m.status.Cwd) {
			if m.turn.explored == nil {
				m.turn.explored = cells.NewExplored(m.status.Cwd)
				m.add(m.turn.explored)
			}
			m.turn.explored.Add(e.CallID, action)
			m.turn.calls[e.CallID] = m.turn.explored
			return
		}
		m.closeExplored()
		c := cells.NewExec(e.CallID, command, m.relWorkdir(workdir), now)
		m.turn.calls[e.CallID] = c
		m.add(c)
	case cells.PatchTool:
		m.closeExplored()
		c := cells.NewPatch(e.CallID)
		m.turn.calls[e.CallID] = c
		m.add(c)
	case "update_plan":
		// The plan_updated event draws it.
	default:
		m.closeExplored()
		c := cells.NewTool(e, now)
		m.turn.calls[e.CallID] = c
		m.add(c)
	}
}

func (m *Model) toolFinished(e event.ToolCallFinished) {
	c := m.turn.calls[e.CallID]
	delete(m.turn.calls, e.CallID)
	if x, ok := c.(*cells.Exec); ok && x.Asked() {
		// The harness's duration includes waiting for the user's answer;
		// the cell says how long the command itself took.
		if d := m.now().Sub(x.Started()); d >= 0 && d < e.Duration {
			e.Duration = d
		}
	}
	finishCall(c, e)
}

// finishCall ends the cell of a tool call.
func finishCall(c cells.Cell, e event.ToolCallFinished) {
	switch c := c.(type) {
	case *cells.Exec:
		c.Finish(e)
	case *cells.Explored:
		c.Finish(e.CallID, e)
	case *cells.Patch:
		c.Finish(e)
	case *cells.Tool:
		c.Finish(e)
	}
}

// abortCalls ends every call that never reported an end (the turn was
// interrupted, or the user quit).
func (m *Model) abortCalls() {
	for id, c := range m.turn.calls {
		finishCall(c, event.ToolCallFinished{CallID: id, Status: "aborted"})
	}
	clear(m.turn.calls)
}

// closeExplored ends the current run of exploration: the next read starts
// a new "explored" cell.
func (m *Model) closeExplored() {
	if m.turn.explored != nil {
		m.turn.explored.Close()
		m.turn.explored = nil
	}
}

// relWorkdir shows a workdir only when it differs from the session's.
func (m *Model) relWorkdir(dir string) string {
	if dir == "" || dir == m.status.Cwd {
		return ""
	}
	if rest, ok := strings.CutPrefix(dir, m.status.Cwd+"/"); ok {
		return rest
	}
	return dir
}

// turnFinished closes whatever the turn left open and says how it ended.
func (m *Model) turnFinished(e event.TurnFinished) tea.Cmd {
	m.turn.running = false
	m.closeExplored()
	if m.turn.assistant != nil {
		m.turn.assistant.Finish()
	}
	if m.turn.reasoning != nil {
		m.turn.reasoning.Finish()
	}
	m.turn.assistant, m.turn.reasoning = nil, nil
	m.abortCalls()
	m.approvals, m.dialog = nil, nil
	switch e.Status {
	case event.TurnInterrupted:
		m.add(cells.NewNotice(cells.NoticeInfo, "Interrupted. Tell the model what to do differently, or send a message to continue."))
	case event.TurnFailed:
		if e.Error != "" && !m.errorShown(e.Error) {
			m.add(cells.NewNotice(cells.NoticeError, e.Error))
		}
	}
	return tea.Batch(m.notify(turnNotice(e)), listFiles(m.opts.Root), readBranch(m.opts.Root))
}

// errorShown: a fatal error event already said this.
func (m *Model) errorShown(msg string) bool {
	for i := len(m.all) - 1; i >= 0 && i >= len(m.all)-3; i-- {
		if n, ok := m.all[i].(*cells.Notice); ok && strings.Contains(n.Text(), msg) {
			return true
		}
	}
	return false
}

func turnNotice(e event.TurnFinished) string {
	switch e.Status {
	case event.TurnCompleted:
		return "warden finished"
	case event.TurnInterrupted:
		return "warden was interrupted"
	}
	return "warden stopped: the turn failed"
}
