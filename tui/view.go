package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/keys"
	"warden/tui/status"
)

// View draws the live area: unfinished cells, queued messages, an approval
// question, the composer and the status line. Its cost depends on what is
// live, never on how long the session has been.
func (m *Model) View() tea.View {
	if v, ok := m.frame.cached(); ok {
		return v
	}
	v := m.view()
	m.frame.store(v)
	return v
}

func (m *Model) view() tea.View {
	// The pager takes the alternate screen only once no print is on its
	// way: a print landing there would be lost with it.
	if m.pager != nil && !m.printer.inFlight {
		v := tea.NewView(m.pager.View())
		v.AltScreen = true
		v.MouseMode = tea.MouseModeCellMotion
		return v
	}
	var v tea.View
	v.ReportFocus = true
	if m.quitting {
		// A blank frame as tall as the last one: bubbletea v2.0.10 leaves
		// lines of a taller frame behind when the last frame shrinks
		// (it erases from where the cursor was, the composer). Run then
		// takes the cursor back up over the blank frame.
		v.SetContent(strings.Repeat("\n", max(m.lastHeight, 1)-1))
		return v
	}
	var top []string // everything above the composer
	ctx := m.cellContext(false)
	for i, c := range m.live {
		text := c.Render(ctx)
		switch {
		case text == "":
		case i == 0 && m.headPartial:
			// The rest of a cell whose start is in the scrollback brings
			// its own spacing.
			top = append(top, text)
		default:
			top = append(top, "", text)
		}
	}
	for _, q := range m.turn.queued {
		top = append(top, "", q.cell.Render(ctx))
	}
	for _, q := range m.held {
		top = append(top, "", q.cell.Render(ctx))
	}
	// The composer, hints and status line, then the question above them,
	// which is never cut: the live cells above give way.
	var tail []string
	statusLine := status.Render(m.statusInfo(), m.width, m.styles)
	switch {
	case m.picker != nil && m.dialog == nil:
		// The picker takes the composer's place (and its hints: it lists
		// its own keys), with all the room the live area has.
		budget := max(3, m.liveLimit()-lineCount(statusLine)-1)
		tail = append(tail, "", m.picker.model.View(m.width, budget))
	case m.opts.Setup == "":
		tail = append(tail, "", m.composer.View())
	}
	if hint := m.hintLine(); hint != "" && (m.picker == nil || m.dialog != nil) {
		tail = append(tail, hint)
	}
	tail = append(tail, statusLine)
	var bottom []string
	if m.dialog != nil {
		if n := len(m.approvals); n > 1 {
			bottom = append(bottom, "", m.styles.Dim.Render(fmt.Sprintf("Question 1 of %d", n)))
		}
		budget := max(3, m.liveLimit()-lineCount(strings.Join(tail, "\n"))-len(bottom)-1)
		bottom = append(bottom, "", m.dialog.View(m.width, budget))
	}
	composerTop := 0
	if len(bottom) > 0 {
		composerTop = lineCount(strings.Join(bottom, "\n"))
	}
	if m.opts.Setup == "" {
		composerTop++ // the blank line above the composer
	}
	bottom = append(bottom, tail...)

	upper := strings.Join(top, "\n")
	lower := strings.Join(bottom, "\n")
	// The live area keeps a third of the terminal (at least two rows) free
	// above it, where finished cells are printed (see printRoom); what does
	// not fit is the oldest part of the unfinished cells, which the pager
	// shows.
	limit := m.liveLimit()
	room := max(0, limit-lineCount(lower))
	lines := strings.Split(upper, "\n")
	if upper == "" || room == 0 {
		lines = nil
	} else if len(lines) > room {
		lines = lines[len(lines)-room:]
	}
	if m.pinned() {
		// While finished cells are being printed the frame keeps one
		// height, the greatest: each print lands above a frame of known
		// size, and the frame never shrinks while a print is on its way
		// (bubbletea can then leave a line of the taller frame behind,
		// which the print pushes into the scrollback). It also keeps the
		// composer still while the agent works.
		// The blank rows go under the live cells, so they read on from
		// the scrollback and the composer stays at the bottom.
		if pad := room - len(lines); pad > 0 {
			lines = append(lines, make([]string, pad)...)
		}
	}
	content := lower
	above := 0
	if len(lines) > 0 {
		content = strings.Join(lines, "\n") + "\n" + lower
		above = len(lines)
	}
	if n := lineCount(content); n > limit && m.height > 0 {
		// Even the composer and the question do not fit: keep their end.
		all := strings.Split(content, "\n")
		content = strings.Join(all[n-limit:], "\n")
		above -= n - limit
	}
	if pad := min(m.lastHeight, limit) - lineCount(content); pad > 0 {
		// The frame never shrinks (but to fit a smaller terminal):
		// bubbletea v2.0.10 erases a shrinking frame only from the
		// cursor down, so the rows of a taller frame above it (a picker
		// just closed, the pinned frame of a turn just ended) would stay
		// on screen and be pushed into the scrollback by the next print.
		// Blank rows on top keep the frame's height instead.
		content = strings.Repeat("\n", pad) + content
		above += pad
	}
	v.SetContent(content)
	m.lastHeight = lineCount(content)
	if c := m.composer.Cursor(); c != nil && m.opts.Setup == "" && m.dialog == nil && m.picker == nil {
		c.Y += above + composerTop
		v.Cursor = c
	}
	return v
}

// pinned: the frame keeps its full height, while a turn runs or anything
// is still being printed.
func (m *Model) pinned() bool {
	return m.turn.running || m.printer.inFlight || len(m.printer.queue) > 0
}

func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

// statusInfo is the status line's content now.
func (m *Model) statusInfo() status.Info {
	info := m.status
	info.Working = m.turn.running
	info.Queued = len(m.turn.queued)
	return info
}

// hintLine says what the important keys do right now.
func (m *Model) hintLine() string {
	var hints []key.Binding
	switch {
	case m.opts.Setup != "":
		return m.styles.Key.Render("ctrl+c") + " " + m.styles.KeyHelp.Render("quit")
	case m.quitArmed:
		return m.styles.Warning.Render("press ctrl+c again to quit")
	case len(m.approvals) > 0:
		return ""
	case m.diffPending && !m.turn.running:
		return m.styles.Accent.Render(spinnerFrames[m.spinner%len(spinnerFrames)] + " Comparing the workspace with how it was when the session started…")
	case m.turn.running:
		hints = []key.Binding{m.keys.Global.Interrupt, m.keys.Global.Transcript}
	default:
		hints = []key.Binding{m.keys.Composer.Newline, m.keys.Global.Transcript, m.keys.Global.Help}
	}
	parts := make([]string, 0, len(hints))
	for _, b := range hints {
		h := b.Help()
		parts = append(parts, m.styles.Key.Render(h.Key)+" "+m.styles.KeyHelp.Render(h.Desc))
	}
	line := strings.Join(parts, m.styles.Dim.Render(" · "))
	if m.turn.running {
		line = m.styles.Accent.Render(spinnerFrames[m.spinner%len(spinnerFrames)]+" Working") + m.styles.Dim.Render(" · ") + line
	}
	return ansi.Truncate(line, m.width, "…")
}

// helpView lists every key binding with its own help text.
func (m *Model) helpView() string {
	groups := []struct {
		title    string
		bindings []key.Binding
	}{
		{"General (while a question waits, only its answers and ctrl+c)", []key.Binding{m.keys.Global.Interrupt, m.keys.Global.Quit, m.keys.Global.QuitEmpty, m.keys.Global.Transcript, m.keys.Global.Help}},
		{"Composer", []key.Binding{m.keys.Composer.Send, m.keys.Composer.Newline, m.keys.Composer.Prev, m.keys.Composer.Next, m.keys.Composer.Complete, m.keys.Composer.Dismiss}},
		{"Transcript and /diff pager", []key.Binding{m.keys.Pager.Up, m.keys.Pager.Down, m.keys.Pager.PageUp, m.keys.Pager.PageDown, m.keys.Pager.Top, m.keys.Pager.Bottom, m.keys.Pager.Close, m.keys.Pager.Split}},
		{"Approvals", approvalBindings(m.keys.Approval)},
		{"Choosing (/model, /approvals, /permissions)", pickerBindings(m.keys.Picker)},
		{"The trust question (first run in a project)", []key.Binding{m.keys.Trust.Yes, m.keys.Trust.No, m.keys.Trust.Prev, m.keys.Trust.Next, m.keys.Trust.Switch, m.keys.Trust.Choose, m.keys.Trust.Quit}},
	}
	width := 0
	for _, g := range groups {
		for _, b := range g.bindings {
			width = max(width, ansi.StringWidth(b.Help().Key))
		}
	}
	var b strings.Builder
	b.WriteString(m.styles.Bold.Render("Keyboard shortcuts"))
	for _, g := range groups {
		b.WriteString("\n\n" + m.styles.Accent.Render(g.title))
		for _, k := range g.bindings {
			h := k.Help()
			pad := strings.Repeat(" ", width-ansi.StringWidth(h.Key))
			b.WriteString("\n  " + m.styles.Key.Render(h.Key) + pad + "  " + m.styles.KeyHelp.Render(h.Desc))
		}
	}
	b.WriteString("\n\n" + m.styles.Accent.Render("Commands"))
	nameWidth := 0
	for _, c := range slashCommands() {
		nameWidth = max(nameWidth, ansi.StringWidth(c.Name)+1)
	}
	for _, c := range slashCommands() {
		pad := strings.Repeat(" ", nameWidth-ansi.StringWidth(c.Name)-1)
		b.WriteString(fmt.Sprintf("\n  %s%s  %s", m.styles.Key.Render("/"+c.Name), pad, m.styles.KeyHelp.Render(c.Description)))
	}
	b.WriteString("\n\n" + m.styles.Dim.Render("Type @ to complete a file path."))
	return wrapLines(b.String(), m.width)
}

func pickerBindings(p keys.Picker) []key.Binding {
	return []key.Binding{p.Up, p.Down, p.LetterUp, p.LetterDown, p.PageUp, p.PageDown, p.First, p.Last,
		p.Choose, p.Cancel, p.Clear, p.Erase, p.Revoke, p.RevokeLetter, p.Confirm, p.Keep}
}

// wrapLines wraps text to width, keeping its styling.
func wrapLines(s string, width int) string {
	return ansi.Wrap(s, max(width, 20), " ")
}

// wrapWords wraps plain text to width at spaces only, cutting a word only
// when it alone is wider than the line.
func wrapWords(text string, width int) []string {
	width = max(width, 1)
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		for ansi.StringWidth(word) > width {
			if line != "" {
				lines = append(lines, line)
				line = ""
			}
			head := ansi.Truncate(word, width, "")
			lines = append(lines, head)
			word = word[len(head):]
		}
		switch {
		case line == "":
			line = word
		case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" || len(lines) == 0 {
		lines = append(lines, line)
	}
	return lines
}

// wrapKeepingIndent wraps each line of plain text at spaces, continuing a
// wrapped line under its own indent.
func wrapKeepingIndent(text string, width int) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		body := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(body)]
		if ansi.StringWidth(indent) > width/2 {
			indent = ""
		}
		for i, part := range wrapWords(body, width-ansi.StringWidth(indent)) {
			if i == 0 || indent != "" {
				part = indent + part
			}
			out = append(out, part)
		}
	}
	return out
}

// approvalBindings are the dialog's keys, for the help.
func approvalBindings(a keys.Approval) []key.Binding {
	return []key.Binding{a.Once, a.Session, a.Project, a.User, a.Shorter, a.Longer, a.Confirm,
		a.Explain, a.Deny, a.Stop, a.Back, a.Up, a.Down, a.PageUp, a.PageDown, a.Split}
}
