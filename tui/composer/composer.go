// Package composer is the text box at the bottom of the live area where the
// user types to the agent. It is a component, not a program: Update turns
// keys and pastes into edits and returns intents (Submit, RunCommand,
// UnknownCommand) for the root model to act on, and never does I/O itself.
// The one piece of I/O it needs, listing the repository's files for @
// completion, is ListFiles, which the root runs in a tea.Cmd and hands back
// through SetFiles.
//
// On top of bubbles' textarea it adds what users of other coding agents
// expect: Enter sends and Shift+Enter / Ctrl+J / Alt+Enter (or a trailing
// backslash) break the line; the box grows with its content up to a limit;
// Up and Down walk the messages sent earlier in this session (the history is
// session-only: nothing is written to disk); large pastes fold into a
// placeholder token that expands again on send; and @ completes repository
// paths while / completes commands.
package composer

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"warden/tui/keys"
	"warden/tui/styles"
)

// DefaultPlaceholder is the hint shown in an empty composer. Its " · "
// separated parts are dropped from the end when the terminal is too narrow
// for all of them.
const DefaultPlaceholder = "Ask warden to do anything · @ files · / commands · ? shortcuts"

const (
	// defaultHeightLimit is how many rows the text may take before it
	// scrolls, unless the root asks for fewer (SetHeightLimit).
	defaultHeightLimit = 10
	// promptWidth is the width of the "› " before the first line (and of
	// the indent before the others).
	promptWidth = 2
	// rightMargin keeps the text off the terminal's last column, where a
	// cursor at the end of a full line would otherwise sit outside it.
	rightMargin = 1
	// textareaMaxLines mirrors the textarea's fixed capacity; setting it as
	// the content limit turns off the textarea's legacy rule that stops new
	// lines once MaxHeight lines exist, so the box scrolls instead.
	textareaMaxLines = 10000
)

// Command is a slash command the composer completes and recognises.
type Command struct{ Name, Description string }

// Intent is what an Update asks the root model to do. A nil Intent means
// the message only edited the composer.
type Intent interface{ isIntent() }

// Submit sends Text to the agent: the whole message, with paste
// placeholders expanded back into what was pasted.
type Submit struct{ Text string }

// RunCommand runs a known slash command; Args is the text after its name.
type RunCommand struct{ Name, Args string }

// UnknownCommand reports Enter on "/name" that is not a known command. The
// composer keeps the text so the user can fix it.
type UnknownCommand struct{ Name string }

func (Submit) isIntent()         {}
func (RunCommand) isIntent()     {}
func (UnknownCommand) isIntent() {}

// Model is the composer's state. It is a value, like every bubbletea model;
// the few pointer methods are setters the root calls on its own copy. Keep
// only the copy Update returns: copies share the textarea's rows, so
// editing one copy can change another.
type Model struct {
	km keys.Map
	st *styles.Styles
	ta textarea.Model

	width       int    // the full width given by the root
	placeholder string // the current hint, before fitting it to the width

	pastes  pastes
	history history
	comp    completion

	files    fileIndex
	commands []Command
}

// New returns a focused, empty composer.
func New(km keys.Map, st *styles.Styles) Model {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.CharLimit = 0 // a pasted log is not the composer's business to cut
	ta.MaxWidth = 0
	ta.DynamicHeight = true
	ta.MinHeight = 1
	ta.MaxHeight = defaultHeightLimit
	ta.MaxContentHeight = textareaMaxLines
	ta.EndOfBufferCharacter = ' '
	ta.KeyMap = textareaKeys(km)
	ta.SetVirtualCursor(false) // the terminal's own cursor: IME-friendly, no blink ticks
	ta.Focus()

	m := Model{km: km, ta: ta, placeholder: DefaultPlaceholder}
	m.SetStyles(st)
	m.SetWidth(80)
	return m
}

// SetStyles switches the palette (the terminal reported its background)
// without losing the text or the history.
func (m *Model) SetStyles(st *styles.Styles) {
	m.st = st
	m.ta.SetStyles(textareaStyles(st))
	m.ta.SetPromptFunc(promptWidth, func(p textarea.PromptInfo) string {
		if p.LineNumber > 0 {
			return "  "
		}
		if p.Focused {
			return st.UserMarker.Render("›") + " "
		}
		return st.Dim.Render("›") + " "
	})
}

// textareaKeys adapts the textarea's own bindings to warden's: Enter,
// newlines and pasting are the composer's, and keys the root owns globally
// (ctrl+c, ctrl+d, esc, ctrl+t…) must not also edit the text — the
// textarea binds ctrl+d to delete and ctrl+t to transpose.
func textareaKeys(km keys.Map) textarea.KeyMap {
	tk := textarea.DefaultKeyMap()
	tk.InsertNewline.SetEnabled(false)
	tk.Paste.SetEnabled(false) // pastes arrive as tea.PasteMsg, and must fold when large
	global := map[string]bool{}
	for _, b := range []key.Binding{km.Global.Interrupt, km.Global.Quit, km.Global.QuitEmpty, km.Global.Transcript, km.Global.Help} {
		for _, k := range b.Keys() {
			global[k] = true
		}
	}
	for _, b := range []*key.Binding{
		&tk.CharacterBackward, &tk.CharacterForward, &tk.DeleteAfterCursor, &tk.DeleteBeforeCursor,
		&tk.DeleteCharacterBackward, &tk.DeleteCharacterForward, &tk.DeleteWordBackward, &tk.DeleteWordForward,
		&tk.LineEnd, &tk.LineNext, &tk.LinePrevious, &tk.LineStart, &tk.PageUp, &tk.PageDown,
		&tk.WordBackward, &tk.WordForward, &tk.InputBegin, &tk.InputEnd,
		&tk.UppercaseWordForward, &tk.LowercaseWordForward, &tk.CapitalizeWordForward, &tk.TransposeCharacterBackward,
		&tk.SelectCharacterForward, &tk.SelectCharacterBackward, &tk.SelectWordForward, &tk.SelectWordBackward,
		&tk.SelectLineUp, &tk.SelectLineDown, &tk.SelectAll, &tk.CopySelection,
	} {
		var kept []string
		for _, k := range b.Keys() {
			if !global[k] {
				kept = append(kept, k)
			}
		}
		if len(kept) == 0 {
			b.SetEnabled(false)
			continue
		}
		b.SetKeys(kept...)
	}
	return tk
}

// textareaStyles maps warden's semantic styles onto the textarea's: no
// highlighted cursor line, no line numbers, a dim hint, and dimmed text
// while something else has the focus.
func textareaStyles(st *styles.Styles) textarea.Styles {
	focused := textarea.StyleState{
		Base:             st.Text,
		Text:             st.Text,
		CursorLine:       st.Text,
		Placeholder:      st.Dim,
		Prompt:           st.Text,
		EndOfBuffer:      st.Text,
		LineNumber:       st.Dim,
		CursorLineNumber: st.Dim,
		Selection:        st.Selected,
	}
	blurred := focused
	blurred.Text = st.Dim
	blurred.CursorLine = st.Dim
	return textarea.Styles{
		Focused: focused,
		Blurred: blurred,
		Cursor:  textarea.CursorStyle{Shape: tea.CursorBlock, Blink: true},
	}
}

// SetWidth sets the full terminal width; the composer draws its rules and
// prompt inside it and re-wraps the text.
func (m *Model) SetWidth(w int) {
	m.width = max(w, promptWidth+rightMargin+1)
	m.ta.SetWidth(m.width - rightMargin)
	m.fitPlaceholder()
}

// SetHeightLimit caps how many rows the text takes before it scrolls; the
// root lowers it on short terminals. The view is this many rows plus the
// two rules, plus the completion list when one is open.
func (m *Model) SetHeightLimit(rows int) {
	m.ta.MaxHeight = max(rows, 1)
	m.ta.SetWidth(m.width - rightMargin) // recomputes the height against the new limit
}

// SetPlaceholder sets the hint shown while the composer is empty, e.g.
// "Queue a message for the next step · esc to interrupt" while a turn
// runs; "" restores DefaultPlaceholder.
func (m *Model) SetPlaceholder(s string) {
	if s == "" {
		s = DefaultPlaceholder
	}
	m.placeholder = s
	m.fitPlaceholder()
}

// fitPlaceholder keeps the hint on one row: the textarea would wrap it
// onto rows the one-row empty box does not show, leaving a dangling " ·".
func (m *Model) fitPlaceholder() {
	m.ta.Placeholder = fitHint(m.placeholder, m.ta.Width())
}

// SetFiles gives the repository's files (slash-separated, relative) for @
// completion. Paths with control characters or invalid UTF-8 are left
// out: they cannot be shown safely, nor typed.
func (m *Model) SetFiles(paths []string) {
	m.files = newFileIndex(paths)
	m.comp.reset()
	m.refresh()
}

// Files returns the paths given to SetFiles that completion offers.
func (m Model) Files() []string { return m.files.paths }

// SetCommands gives the slash commands to complete and recognise.
func (m *Model) SetCommands(cmds []Command) {
	m.commands = append([]Command(nil), cmds...)
	m.comp.reset()
	m.refresh()
}

// Focus gives the composer the keyboard.
func (m *Model) Focus() { m.ta.Focus() }

// Blur takes the keyboard away (an approval prompt has it, say); the text
// stays, dimmed, and Update ignores keys and pastes.
func (m *Model) Blur() {
	m.ta.Blur()
	m.comp.reset()
}

// Focused reports whether the composer has the keyboard.
func (m Model) Focused() bool { return m.ta.Focused() }

// Value is the whole message as it would be sent: paste placeholders
// expanded, tabs restored.
func (m Model) Value() string { return m.pastes.expand(m.ta.Value()) }

// SetValue replaces the text, with the cursor at its end. Text too large
// to edit comfortably folds into a placeholder, as a paste would.
func (m *Model) SetValue(s string) {
	m.Reset()
	m.insert(s)
	m.refresh()
}

// Reset empties the composer: text, placeholders, completion, and any
// walk through the history (the history itself stays).
func (m *Model) Reset() {
	m.ta.Reset()
	m.pastes = pastes{}
	m.comp.reset()
	m.history.stopBrowsing()
}

// Empty reports whether nothing at all has been typed.
func (m Model) Empty() bool { return m.ta.Length() == 0 }

// Completing reports whether a completion list is open; Esc then closes
// it rather than interrupting the agent.
func (m Model) Completing() bool { return m.comp.open() }

// Height is the number of rows View takes.
func (m Model) Height() int { return m.ta.Height() + 2 + m.comp.rows() }

// View draws a rule, the text, a rule, and the completion list if one is
// open. Every row fits in the width given to SetWidth.
func (m Model) View() string {
	rule := m.st.Border.Render(strings.Repeat("─", m.width))
	var b strings.Builder
	b.WriteString(rule)
	b.WriteByte('\n')
	b.WriteString(m.ta.View())
	b.WriteByte('\n')
	b.WriteString(rule)
	if list := m.comp.view(m.st, m.width); list != "" {
		b.WriteByte('\n')
		b.WriteString(list)
	}
	return b.String()
}

// Cursor is where the terminal's cursor goes, relative to View's top-left
// corner (the root adds the composer's own offset); nil when blurred.
func (m Model) Cursor() *tea.Cursor {
	c := m.ta.Cursor()
	if c == nil {
		return nil
	}
	c.Position.Y++ // the rule above the text
	return c
}
