package composer

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Update edits the message for keys and pastes and returns what, if
// anything, the root should do. It never does I/O. Ctrl+C, Ctrl+D and Esc
// are the root's: the composer ignores them, except Esc while a
// completion list is open, which closes the list.
func (m Model) Update(msg tea.Msg) (Model, Intent, tea.Cmd) {
	if !m.ta.Focused() {
		return m, nil, nil
	}
	switch msg := msg.(type) {
	case tea.PasteMsg:
		m.ta.DeleteSelection()
		m.insert(msg.Content)
		m.sync()
		return m, nil, nil
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(msg)
	return m, nil, cmd
}

func (m Model) key(k tea.KeyPressMsg) (Model, Intent, tea.Cmd) {
	ck := m.km.Composer
	if m.comp.open() {
		switch {
		case key.Matches(k, ck.Prev):
			m.comp.move(-1)
			return m, nil, nil
		case key.Matches(k, ck.Next):
			m.comp.move(1)
			return m, nil, nil
		case key.Matches(k, ck.Complete):
			m.accept()
			return m, nil, nil
		case key.Matches(k, ck.Send):
			if m.comp.ctx.kind == commandCompletion {
				return m.runSelected()
			}
			m.accept()
			return m, nil, nil
		case key.Matches(k, ck.Dismiss):
			m.comp.dismiss()
			return m, nil, nil
		}
	}

	tk := m.ta.KeyMap
	switch {
	case key.Matches(k, ck.Newline):
		m.newline()
		return m, nil, nil
	case key.Matches(k, ck.Send):
		return m.send()
	case key.Matches(k, ck.Prev) && m.onFirstRow():
		if e, ok := m.history.back(m.current()); ok {
			m.load(e, true)
			return m, nil, nil
		}
	case key.Matches(k, ck.Next) && m.onLastRow():
		if e, ok := m.history.forward(); ok {
			m.load(e, false)
			return m, nil, nil
		}
	case key.Matches(k, ck.Complete):
		// Tab brings back a list Esc closed; otherwise it has nothing to
		// do (a tab character is pasted, not typed, in a chat box).
		m.comp.dismissed = completionContext{}
		m.refresh()
		return m, nil, nil
	case key.Matches(k, tk.DeleteCharacterBackward, tk.DeleteWordBackward) && m.deleteToken(true):
		return m, nil, nil
	case key.Matches(k, tk.DeleteCharacterForward, tk.DeleteWordForward) && m.deleteToken(false):
		return m, nil, nil
	}

	var cmd tea.Cmd
	m.ta, cmd = m.ta.Update(k)
	m.refresh()
	return m, nil, cmd
}

// send handles Enter: a trailing backslash breaks the line (as in Claude
// Code, for terminals that cannot report Shift+Enter); otherwise the
// message goes.
func (m Model) send() (Model, Intent, tea.Cmd) {
	before, _ := m.split()
	if strings.HasSuffix(before, `\`) {
		_, after := m.split()
		m.setText(strings.TrimSuffix(before, `\`)+"\n", after)
		return m, nil, nil
	}
	return m.submit()
}

// submit turns the whole text into an intent: RunCommand for a known
// "/name", UnknownCommand (keeping the text) for any other "/name", Submit
// for the rest, nothing for blank text. Sent messages enter the history
// and leave an empty composer.
func (m Model) submit() (Model, Intent, tea.Cmd) {
	text := trimBlankEdges(m.Value())
	if text == "" {
		return m, nil, nil
	}
	var intent Intent = Submit{Text: text}
	if name, args, ok := parseCommand(text); ok {
		c, known := m.command(name)
		if !known {
			return m, UnknownCommand{Name: name}, nil
		}
		intent = RunCommand{Name: c.Name, Args: args}
	}
	m.history.add(m.current())
	m.Reset()
	return m, intent, nil
}

// runSelected handles Enter on the command list: the selected command runs
// with whatever follows the word being completed as its arguments.
func (m Model) runSelected() (Model, Intent, tea.Cmd) {
	m.replaceWord(m.comp.ctx, m.comp.items[m.comp.selected].text)
	return m.submit()
}

// accept puts the selected completion in place of the word being
// completed, followed by a space.
func (m *Model) accept() {
	it := m.comp.items[m.comp.selected]
	text := it.text
	if m.comp.ctx.kind == fileCompletion {
		text = quotePath(text)
	}
	m.replaceWord(m.comp.ctx, text+" ")
}

func (m Model) command(name string) (Command, bool) {
	for _, c := range m.commands {
		if c.Name == name {
			return c, true
		}
	}
	for _, c := range m.commands {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return Command{}, false
}

// parseCommand splits "/name args" into its parts; ok is false when the
// text does not start with something shaped like a command.
func parseCommand(text string) (name, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		end = len(text)
	}
	name = text[1:end]
	if !isCommandName(name, false) {
		return "", "", false
	}
	return name, strings.TrimSpace(text[end:]), true
}

// trimBlankEdges drops blank lines before the message and whitespace after
// it, but keeps the first line's indentation (pasted code needs it).
func trimBlankEdges(s string) string {
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	for {
		nl := strings.IndexByte(s, '\n')
		if nl < 0 || strings.TrimSpace(s[:nl]) != "" {
			return s
		}
		s = s[nl+1:]
	}
}

// insert puts typed or pasted text at the cursor: folded into a token
// when large, with newlines normalised and tabs kept (as stand-ins).
func (m *Model) insert(s string) {
	s = normalizeNewlines(s)
	if token, ok := m.pastes.foldIfLarge(s); ok {
		s = token
	} else {
		s = strings.ReplaceAll(s, "\t", string(tabStandIn))
	}
	m.ta.InsertString(s)
}

// newline breaks the line at the cursor.
func (m *Model) newline() {
	m.ta.DeleteSelection()
	m.ta.InsertRune('\n')
	m.sync()
}

// deleteToken deletes a whole placeholder token when a delete key is
// pressed right after (backward) or before (forward) it: a half-deleted
// token would be neither the paste nor readable text.
func (m *Model) deleteToken(backward bool) bool {
	if len(m.pastes.list) == 0 || m.ta.HasSelection() {
		return false
	}
	before, after := m.split()
	if backward {
		if tok, ok := m.pastes.tokenBefore(before); ok {
			m.setText(strings.TrimSuffix(before, tok), after)
			return true
		}
		return false
	}
	if tok, ok := m.pastes.tokenAfter(after); ok {
		m.setText(before, strings.TrimPrefix(after, tok))
		return true
	}
	return false
}

// replaceWord replaces the word of ctx with text, leaving the cursor after
// it; a space at the end of text swallows a space already following the
// word rather than doubling it.
func (m *Model) replaceWord(ctx completionContext, text string) {
	lines := strings.Split(m.ta.Value(), "\n")
	line := []rune(lines[ctx.row])
	rest := line[ctx.end:]
	if strings.HasSuffix(text, " ") && len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	before := strings.Join(append(lines[:ctx.row:ctx.row], string(line[:ctx.start])+text), "\n")
	after := strings.Join(append([]string{string(rest)}, lines[ctx.row+1:]...), "\n")
	m.setText(before, after)
}

// split returns the textarea's text before and after the cursor.
func (m Model) split() (before, after string) {
	value := m.ta.Value()
	row, col := m.ta.Line(), m.ta.Column()
	offset := 0
	for range row {
		offset += strings.IndexByte(value[offset:], '\n') + 1
	}
	lineEnd := strings.IndexByte(value[offset:], '\n')
	if lineEnd < 0 {
		lineEnd = len(value) - offset
	}
	line := []rune(value[offset : offset+lineEnd])
	offset += len(string(line[:min(col, len(line))]))
	return value[:offset], value[offset:]
}

// setText replaces the whole text with before+after and puts the cursor
// between them. The textarea can only place the cursor after an insert,
// so after goes in first and before is inserted at its start.
func (m *Model) setText(before, after string) {
	m.ta.SetValue(after)
	m.ta.MoveToBegin()
	m.ta.InsertString(before)
	m.sync()
}

// current is the message being typed, as a history entry.
func (m Model) current() entry {
	return entry{raw: m.ta.Value(), pastes: m.pastes.clone()}
}

// load shows a history entry (or the draft): with the cursor at its start
// when walking back, so the next Up keeps walking, and at its end when
// walking forward.
func (m *Model) load(e entry, atStart bool) {
	m.ta.SetValue(e.raw)
	m.pastes = e.pastes.clone()
	if atStart {
		m.ta.MoveToBegin()
	}
	m.comp.reset()
	m.sync()
}

// onFirstRow reports whether the cursor is on the first visual row, where
// Up has nowhere to go within the text.
func (m Model) onFirstRow() bool {
	return m.ta.Line() == 0 && m.ta.LineInfo().RowOffset == 0
}

// onLastRow reports whether the cursor is on the last visual row.
func (m Model) onLastRow() bool {
	li := m.ta.LineInfo()
	return m.ta.Line() == m.ta.LineCount()-1 && li.RowOffset >= li.Height-1
}

// sync lets the textarea catch up after a direct edit (its scroll position
// follows the cursor only inside its own Update), then refreshes the
// composer's view of the text.
func (m *Model) sync() {
	m.ta, _ = m.ta.Update(nil)
	m.refresh()
}

// refresh brings the pastes and the completion list up to date with the
// text and the cursor.
func (m *Model) refresh() {
	value := m.ta.Value()
	if len(m.pastes.list) > 0 {
		m.pastes.prune(value)
	}
	if !m.ta.Focused() {
		m.comp.close()
		return
	}
	row := m.ta.Line()
	lines := strings.Split(value, "\n")
	ctx := contextAt([]rune(lines[min(row, len(lines)-1)]), row, m.ta.Column())
	switch {
	case ctx.kind == noCompletion:
		m.comp.reset()
		return
	case ctx == m.comp.dismissed:
		m.comp.close()
		return
	case ctx == m.comp.ctx:
		return // same word, same query: keep the selection
	}
	m.comp.dismissed = completionContext{}
	m.comp.ctx = ctx
	m.comp.selected = 0
	if ctx.kind == fileCompletion {
		m.comp.items, m.comp.hits = m.files.match(ctx.query, m.comp.hits)
	} else {
		m.comp.items = matchCommands(m.commands, ctx.query)
	}
}

// fitHint shortens a " · "-separated hint to fit width by dropping parts
// from the end, and cuts it when even the first part is too wide.
func fitHint(s string, width int) string {
	if ansi.StringWidth(s) <= width {
		return s
	}
	parts := strings.Split(s, " · ")
	for n := len(parts) - 1; n >= 1; n-- {
		if c := strings.Join(parts[:n], " · "); ansi.StringWidth(c) <= width {
			return c
		}
	}
	return ansi.Truncate(parts[0], width, "…")
}
