package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"warden/harness/config"
	"warden/tui/cells"
	"warden/tui/internal/pathfmt"
	"warden/tui/picker"
)

// The slash commands that change the session (/model, /approvals,
// /permissions, /new) or look at the workspace (/diff). Each opens a
// picker in place of the composer, or runs its Control call off the UI
// loop and reports what changed as a notice in the transcript.

// pickerKind is what the open picker chooses.
type pickerKind int

const (
	pickModel pickerKind = iota + 1
	pickEffort
	pickPreset
	pickFullAccess
	pickPermission
)

// openPicker is the picker in place of the composer, with what it is for.
type openPicker struct {
	kind  pickerKind
	model picker.Model
	// chosenModel is the model picked before its effort is asked.
	chosenModel string
	// cancel stops what the picker waits for (the provider's model list).
	cancel context.CancelFunc
}

// closePicker closes the open picker and stops what it was waiting for.
func (m *Model) closePicker() {
	if m.picker != nil && m.picker.cancel != nil {
		m.picker.cancel()
	}
	m.picker = nil
}

// controlTimeout bounds a Control call that talks to a server.
const controlTimeout = 15 * time.Second

// presets are what /approvals offers, in the order of how much they allow.
func presets() []picker.Item {
	return []picker.Item{
		{Title: "Read Only", Value: config.PresetReadOnly, Detail: "reads anything in the sandbox; asks before a command writes or leaves the sandbox"},
		{Title: "Auto", Value: config.PresetAuto, Detail: "edits files and runs commands in the workspace; asks before leaving the sandbox or using the network"},
		{Title: "Full Access", Value: config.PresetFullAccess, Detail: "no sandbox and no questions: commands can do anything you can, network included"},
	}
}

// efforts are what /model offers after the model.
func efforts(current string) []picker.Item {
	items := []picker.Item{{Title: "default", Value: "", Detail: "leave it to the provider", Current: current == ""}}
	for _, e := range config.ReasoningEfforts() {
		items = append(items, picker.Item{Title: e, Value: e, Current: e == current})
	}
	return items
}

// busy says why a command that changes the session must wait, or "".
func (m *Model) busy(name string) string {
	switch {
	case m.opts.Control == nil:
		return "/" + name + " is not available here."
	case m.controlPending:
		return "/" + name + " must wait: the last change is still being made."
	case m.turn.running:
		return "/" + name + " changes the session: wait for the turn to end, or press esc to interrupt it."
	case len(m.approvals) > 0:
		return "Answer the question first."
	}
	return ""
}

func (m *Model) refuse(why string) tea.Cmd {
	m.add(cells.NewNotice(cells.NoticeWarning, why))
	return nil
}

// runControlCommand runs /model, /approvals, /permissions, /diff and /new.
func (m *Model) runControlCommand(name string) tea.Cmd {
	ctl := m.opts.Control
	switch name {
	case "model":
		if why := m.busy(name); why != "" {
			return m.refuse(why)
		}
		// Empty until the list arrives, so "Loading…" shows; a name can
		// be typed meanwhile.
		p := picker.New(nil, m.keys, m.styles, picker.Options{
			Title:    "Choose a model",
			Hint:     "Type to filter, or type any name your provider serves.",
			Filter:   true,
			FreeText: true,
			Loading:  "Loading the provider's models…",
		})
		ctx, cancel := context.WithTimeout(context.Background(), controlTimeout)
		m.picker = &openPicker{kind: pickModel, model: p, cancel: cancel}
		return func() tea.Msg {
			defer cancel()
			names, err := ctl.Models(ctx)
			return modelsMsg{names: names, err: err}
		}
	case "approvals":
		if why := m.busy(name); why != "" {
			return m.refuse(why)
		}
		items := presets()
		for i := range items {
			items[i].Current = items[i].Value == config.PresetOf(m.status.SandboxMode, m.status.ApprovalPolicy)
		}
		m.picker = &openPicker{kind: pickPreset, model: picker.New(items, m.keys, m.styles, picker.Options{
			Title: "Choose what warden may do without asking",
			Hint:  "From the next message on. The sandbox and you, never the model, decide what leaves it.",
		})}
		return nil
	case "permissions":
		if ctl == nil {
			return m.refuse("/permissions is not available here.")
		}
		return loadPermissions(ctl)
	case "diff":
		if ctl == nil {
			return m.refuse("/diff is not available here.")
		}
		if m.diffPending {
			return nil // the comparison asked for is on its way
		}
		// Said in the live area, not the transcript: it is over in a moment.
		m.diffPending = true
		return tea.Batch(m.startTicking(), func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			changes, err := ctl.Diff(ctx)
			return diffMsg{changes: changes, err: err}
		})
	case "new":
		if why := m.busy(name); why != "" {
			return m.refuse(why)
		}
		m.controlPending = true
		return func() tea.Msg {
			sess, err := ctl.NewSession()
			return newSessionMsg{sess: sess, err: err}
		}
	}
	return nil
}

func loadPermissions(ctl Control) tea.Cmd {
	return func() tea.Msg { return permissionsMsg{perms: ctl.Permissions()} }
}

// toPicker routes a key to the open picker and acts on what it chose.
func (m *Model) toPicker(msg tea.Msg) tea.Cmd {
	p, intent := m.picker.model.Update(msg)
	m.picker.model = p
	if intent == nil {
		return nil
	}
	open := m.picker
	if _, ok := intent.(picker.Cancel); ok {
		m.closePicker()
		return nil
	}
	switch open.kind {
	case pickModel:
		name := ""
		switch in := intent.(type) {
		case picker.Chosen:
			name, _ = in.Item.Value.(string)
		case picker.Custom:
			name = strings.TrimSpace(in.Text)
		}
		if name == "" {
			return nil
		}
		effort := m.status.ReasoningEffort
		m.closePicker()
		m.picker = &openPicker{kind: pickEffort, chosenModel: name, model: picker.New(efforts(effort), m.keys, m.styles, picker.Options{
			Title: "Reasoning effort for " + name,
			Hint:  "More effort thinks longer before answering; models without reasoning ignore it.",
		})}
		return nil
	case pickEffort:
		in, ok := intent.(picker.Chosen)
		if !ok {
			return nil
		}
		effort, _ := in.Item.Value.(string)
		// Sent as the provider listed it; cleaned where it is drawn.
		model := open.chosenModel
		m.closePicker()
		if why := m.busy("model"); why != "" {
			return m.refuse(why)
		}
		m.controlPending = true
		ctl := m.opts.Control
		return func() tea.Msg {
			if err := ctl.SetModel(model, effort); err != nil {
				return controlDoneMsg{err: err}
			}
			text := "Model: " + model
			if effort != "" {
				text += ", reasoning " + effort
			}
			return controlDoneMsg{notice: text + ". It answers from your next message on, for this session (the config file is unchanged)."}
		}
	case pickPreset:
		in, ok := intent.(picker.Chosen)
		if !ok {
			return nil
		}
		preset, _ := in.Item.Value.(string)
		if preset == config.PresetFullAccess && !in.Item.Current {
			m.picker = &openPicker{kind: pickFullAccess, model: picker.New([]picker.Item{
				{Title: "No, keep the sandbox", Value: ""},
				{Title: "Yes, run without the sandbox and without asking", Value: config.PresetFullAccess},
			}, m.keys, m.styles, picker.Options{
				Title: "Run every command without the sandbox?",
				Hint:  "Commands could then change or delete any of your files and use the network, and you would not be asked.",
			})}
			return nil
		}
		m.closePicker()
		return m.setPreset(preset)
	case pickFullAccess:
		in, ok := intent.(picker.Chosen)
		if !ok {
			return nil
		}
		m.closePicker()
		if preset, _ := in.Item.Value.(string); preset != "" {
			return m.setPreset(preset)
		}
		return nil
	case pickPermission:
		in, ok := intent.(picker.Revoke)
		if !ok {
			return nil
		}
		perm, _ := in.Item.Value.(Permission)
		if m.controlPending {
			return m.refuse("The last change is still being made: revoke again in a moment.")
		}
		m.controlPending = true
		ctl := m.opts.Control
		return func() tea.Msg {
			if err := ctl.Revoke(perm); err != nil {
				return controlDoneMsg{err: err, reopen: true}
			}
			return controlDoneMsg{notice: "Revoked: " + perm.Title + " (" + perm.Source + "). It is asked again from now on.", reopen: true}
		}
	}
	return nil
}

func (m *Model) setPreset(preset string) tea.Cmd {
	if why := m.busy("approvals"); why != "" {
		return m.refuse(why)
	}
	m.controlPending = true
	ctl := m.opts.Control
	return func() tea.Msg {
		access, err := ctl.SetPreset(preset)
		if err != nil {
			return controlDoneMsg{err: err}
		}
		return controlDoneMsg{access: &access, notice: fmt.Sprintf("Sandbox: %s, approvals %s. In force from your next message.",
			sandboxLine(access.Mode, access.Why, access.Network), access.Policy)}
	}
}

// handleControlMsg acts on what a Control call returned.
func (m *Model) handleControlMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case modelsMsg:
		if m.picker == nil || m.picker.kind != pickModel {
			return nil
		}
		items := []picker.Item{}
		seen := false
		for _, n := range msg.names {
			items = append(items, picker.Item{Title: n, Value: n, Current: n == m.status.Model})
			seen = seen || n == m.status.Model
		}
		if !seen {
			items = append([]picker.Item{{Title: m.status.Model, Value: m.status.Model, Current: true}}, items...)
		}
		errText := ""
		if msg.err != nil {
			errText = "Could not list the provider's models (" + msg.err.Error() + "): type a name."
		}
		m.picker.model = m.picker.model.SetItems(items, errText)
	case permissionsMsg:
		items := make([]picker.Item, 0, len(msg.perms))
		for _, p := range msg.perms {
			items = append(items, picker.Item{Title: p.Title, Detail: pathfmt.Tilde(p.Source, m.status.Home), Value: p, NoRevoke: p.NoRevoke})
		}
		if m.picker != nil && m.picker.kind == pickPermission {
			m.picker.model = m.picker.model.SetItems(items, "")
			return nil
		}
		m.picker = &openPicker{kind: pickPermission, model: picker.New(items, m.keys, m.styles, picker.Options{
			Title:     "Rules and approvals in force",
			Hint:      "Strictest wins: deny, then ask, then allow.",
			Revocable: true,
			ListOnly:  true,
			Empty:     "Nothing is allowed beyond the approval policy: no rules, and nothing approved for this session.",
		})}
	case controlDoneMsg:
		m.controlPending = false
		if msg.err != nil {
			m.add(cells.NewNotice(cells.NoticeError, msg.err.Error()))
		} else if msg.notice != "" {
			m.add(cells.NewNotice(cells.NoticeInfo, msg.notice))
		}
		if a := msg.access; a != nil {
			m.status.SandboxMode, m.status.SandboxWhy, m.status.Network, m.status.ApprovalPolicy = a.Mode, a.Why, a.Network, a.Policy
		}
		cmd := m.sendHeld()
		if msg.reopen && m.picker != nil && m.picker.kind == pickPermission {
			return tea.Batch(cmd, loadPermissions(m.opts.Control))
		}
		return cmd
	case diffMsg:
		return m.showDiff(msg)
	case newSessionMsg:
		return m.startNewSession(msg)
	}
	return nil
}

// startNewSession puts the fresh session in place of the old one, which
// the Control has ended.
func (m *Model) startNewSession(msg newSessionMsg) tea.Cmd {
	m.controlPending = false
	if msg.err != nil {
		m.add(cells.NewNotice(cells.NoticeError, "/new: "+msg.err.Error()))
		return m.sendHeld()
	}
	m.opts.Session = msg.sess
	m.turn = turnState{calls: map[string]cells.Cell{}}
	m.approvals, m.dialog = nil, nil
	m.lastAnswer = ""
	m.status.TokensUsed, m.status.ContextLeft = 0, -1
	m.add(cells.NewNotice(cells.NoticeInfo, "Started a new session: the model remembers nothing of the last one."))
	welcome := m.welcome()
	return tea.Batch(welcome, m.sendHeld())
}
