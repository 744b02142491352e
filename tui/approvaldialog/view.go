package approvaldialog

import (
	"fmt"
	"strconv"
	"strings"
	"warden/tui/internal/itemrow"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/diffview"
	"warden/tui/internal/pathfmt"
)

// frame is what the last View drew, for Update to page by and to keep the
// scroll within, and the body's lines at the width they were laid out for:
// a script or a diff is laid out once per width, not on every frame.
type frame struct {
	bodyWidth  int
	bodyHeight int // rows the body was given, its scroll line included
	maxScroll  int
	fieldWidth int // the reason field's

	laidOut    bool
	layoutFor  [2]int // width, and 1 for a side-by-side diff
	bodyLayout []string
}

// gutter marks every line of the dialog, so the question stands apart from
// the transcript above it; narrower than minGutterWidth it is left out.
const (
	gutter         = "▌ "
	minGutterWidth = 12
	// labelWidth is the column the details' values start at.
	labelWidth = 9
	// minBody is how many lines of the script or diff are kept, at least,
	// when the height is short.
	minBody = 3
)

// View draws the dialog in at most width columns and height lines. A
// script or diff taller than the room left scrolls inside.
func (m Model) View(width, height int) string {
	if width < 1 || height < 1 {
		return ""
	}
	inner, mark := width, ""
	if width >= minGutterWidth {
		inner = width - lipgloss.Width(gutter)
		mark = m.st.Accent.Render(gutter)
		if m.req.Escalation {
			mark = m.st.Warning.Render(gutter)
		}
	}
	lines := m.layout(inner, height)
	for i, line := range lines {
		lines[i] = mark + ansi.Truncate(line, inner, "…")
	}
	return strings.Join(lines, "\n")
}

// layout fits the dialog into height lines of width columns. The title,
// the details and the choices are kept whole while they can be; the
// script or diff takes the rest and scrolls. When the height is short,
// blank lines go first, then the choices' long form, then the details.
func (m Model) layout(width, height int) []string {
	title := m.title(width)
	body := m.body(width)
	details, sandbox := m.details(width)
	full, short := m.panel(width, false), m.panel(width, true)
	type plan struct {
		blanks  bool
		panel   []string
		details []string
	}
	plans := []plan{
		{true, full, details}, {false, full, details}, {false, short, details},
		{false, short, sandbox}, {false, short, nil},
	}
	// The script or diff is what the user is asked about: it keeps a
	// third of the height, or all of it if shorter, before the rest may.
	want := min(len(body), max(minBody, height/3))
	var p plan
	var rows int
	for _, p = range plans {
		fixed := len(title) + len(p.details) + len(p.panel)
		if p.blanks {
			fixed += 2
		}
		rows = height - fixed
		if rows >= want {
			break
		}
	}
	rows = min(max(rows, 1), len(body))
	out := append([]string(nil), title...)
	out = append(out, m.viewport(body, rows, width)...)
	if p.blanks && len(p.details) > 0 {
		out = append(out, "")
	}
	out = append(out, p.details...)
	if p.blanks {
		out = append(out, "")
	}
	out = append(out, p.panel...)
	if len(out) > height {
		// Not even the shortest plan fits: the choices, at the bottom,
		// are what the user needs to get out.
		out = out[len(out)-height:]
	}
	return out
}

// title is the question, for a command or a patch.
func (m Model) title(width int) []string {
	st := m.st
	var t string
	switch {
	case m.isPatch():
		t = st.Bold.Render("Apply this patch?")
		if m.req.Escalation {
			t = st.Warning.Render("Apply this patch outside the sandbox?")
		}
		added, removed := 0, 0
		for _, c := range m.text.changes {
			added += c.Added
			removed += c.Removed
		}
		files := "1 file"
		if n := len(m.text.changes); n != 1 {
			files = strconv.Itoa(n) + " files"
		}
		t += " " + st.Dim.Render(files) + " " + st.Added.Render("+"+strconv.Itoa(added)) + " " + st.Removed.Render("−"+strconv.Itoa(removed))
	case m.req.Escalation:
		t = st.Warning.Render("Run this command outside the sandbox?")
	default:
		t = st.Bold.Render("Run this command?")
	}
	return wrap(t, width)
}

// body is the script or the diff at width, all of it.
func (m Model) body(width int) []string {
	split := m.isPatch() && m.split && diffview.CanSplit(width)
	f := m.frame
	f.bodyWidth = width
	want := [2]int{width, 0}
	if split {
		want[1] = 1
	}
	if f.laidOut && f.layoutFor == want {
		return f.bodyLayout
	}
	var lines []string
	if m.isPatch() {
		if len(m.text.changes) == 0 {
			lines = []string{m.st.Dim.Render("(the patch changes nothing)")}
		} else {
			lines = strings.Split(diffview.Render(m.text.changes, diffview.Options{Width: width, Split: split, Styles: m.st}), "\n")
		}
	} else {
		lines = m.scriptLines(width)
	}
	f.laidOut, f.layoutFor, f.bodyLayout = true, want, lines
	return lines
}

// scriptLines are the script's lines wrapped at width, after a "$ " on a
// one-line script, or line numbers on a longer one, so that a wrapped line
// never passes for a new command.
func (m Model) scriptLines(width int) []string {
	src := m.text.script
	prompt := func(int) string { return "$ " }
	if len(src) > 1 {
		digits := len(strconv.Itoa(len(src)))
		prompt = func(i int) string { return fmt.Sprintf("%*d ", digits, i+1) }
	}
	pw := len(prompt(0))
	if width-pw < 8 {
		pw, prompt = 0, func(int) string { return "" }
	}
	pad := strings.Repeat(" ", pw)
	var out []string
	for i, line := range src {
		for j, row := range wrap(line, width-pw) {
			lead := pad
			if j == 0 {
				lead = m.st.Dim.Render(prompt(i))
			}
			out = append(out, lead+row)
		}
	}
	return out
}

// viewport is rows lines of body from the scroll position; when body does
// not fit, its last line says where the view is and how to move it.
func (m Model) viewport(body []string, rows, width int) []string {
	f := m.frame
	f.bodyHeight = rows
	if len(body) <= rows {
		f.maxScroll = 0
		return body
	}
	shown := rows
	if rows >= 2 {
		shown = rows - 1
	}
	f.maxScroll = len(body) - shown
	top := min(m.scroll, f.maxScroll)
	out := append([]string(nil), body[top:top+shown]...)
	if shown < rows {
		k := m.keys
		where := fmt.Sprintf("lines %d–%d of %d · %s%s %s %s", top+1, top+shown, len(body),
			k.Up.Help().Key, k.Down.Help().Key, k.PageUp.Help().Key, k.PageDown.Help().Key)
		out = append(out, m.st.Dim.Render(ansi.Truncate(where, width, "…")))
	}
	return out
}

// details say where the command runs, why the model wants it, why warden
// asks, and what the sandbox will still stop; sandbox is the last alone,
// for when there is no room for the rest.
func (m Model) details(width int) (all, sandbox []string) {
	add := func(label, value string) {
		if value != "" {
			all = append(all, m.labelled(label, value, width)...)
		}
	}
	add("in", m.text.cwd)
	add("purpose", m.text.purpose)
	add("reason", m.text.reason)
	if line := m.sandboxLine(); line != "" && !m.isPatch() {
		sandbox = m.labelled("sandbox", line, width)
		all = append(all, sandbox...)
	}
	return all, sandbox
}

// sandboxLine says whether a yes lets the command out of the sandbox, or
// what the sandbox will still stop, so an approved command failing on a
// read-only file is no surprise.
func (m Model) sandboxLine() string {
	st := m.st
	switch {
	case m.req.Escalation:
		return st.Warning.Render("outside it: the command can change any of your files and reach the network")
	case m.opts.SandboxMode == "full-access":
		return st.Warning.Render("none: this session runs with full access")
	case m.opts.SandboxMode == "read-only":
		return st.Text.Render("runs inside it (read-only): it cannot change files")
	case m.opts.SandboxMode != "":
		return st.Text.Render("runs inside it (" + m.opts.SandboxMode + ")")
	}
	return ""
}

// labelled is value under a dim label, wrapped with a hanging indent (or
// below the label, where the width leaves too little beside it).
func (m Model) labelled(label, value string, width int) []string {
	if width-labelWidth < 16 {
		return append([]string{m.st.Dim.Render(label)}, wrap(value, width)...)
	}
	rows := wrap(value, width-labelWidth)
	pad := strings.Repeat(" ", labelWidth)
	for i := range rows {
		lead := pad
		if i == 0 {
			lead = m.st.Dim.Render(label + strings.Repeat(" ", labelWidth-len(label)))
		}
		rows[i] = lead + rows[i]
	}
	return rows
}

// choice is one answer and its key.
type choice struct {
	key   key.Binding
	long  string // what it does, in the list
	short string // in one line, where height is short
}

func (m Model) choices(width int) []choice {
	k := m.keys
	if m.isPatch() {
		cs := []choice{
			{k.Once, "yes, apply it", "apply"},
			{k.Session, "yes, and allow edits to these files for the session", "session"},
		}
		if diffview.CanSplit(width) {
			what := "show the diff side by side"
			if m.split {
				what = "show the diff unified"
			}
			cs = append(cs, choice{k.Split, what, "split"})
		}
		return append(cs, m.denials()...)
	}
	cs := []choice{
		{k.Once, "yes, run it once", "once"},
		{k.Session, "yes, and allow this exact command for the session", "session"},
	}
	if m.req.Escalation {
		// Say it again where the key is: a yes lets it out.
		cs[0].long = "yes, run it once outside the sandbox"
		cs[1].long = "yes, and let this exact command run outside the sandbox for the session"
	}
	prefix := visible(shellJoin(m.prefix.chosen())+" …", m.st.Code, m.st)
	if m.canRemember(event.RememberProject) {
		cs = append(cs, choice{k.Project, "always allow " + prefix + " in this project", "project"})
	}
	if m.canRemember(event.RememberUser) {
		cs = append(cs, choice{k.User, "always allow " + prefix + " everywhere", "everywhere"})
	}
	return append(cs, m.denials()...)
}

func (m Model) denials() []choice {
	k := m.keys
	return []choice{
		{k.Explain, "no, and tell the model why", "say why"},
		{k.Deny, "no, let the model try something else", "no"},
		{k.Stop, "no, and stop the turn", "stop"},
	}
}

// panel is the lower part: the choices, the rule preview, or the reason
// field. short is the choices' one-paragraph form.
func (m Model) panel(width int, short bool) []string {
	switch m.mode {
	case previewing:
		return m.preview(width)
	case explaining:
		return m.explain(width)
	}
	cs := m.choices(width)
	if short {
		items := make([]string, len(cs))
		for i, c := range cs {
			items[i] = m.st.Key.Render(c.key.Help().Key) + " " + m.st.KeyHelp.Render(c.short)
		}
		return itemrow.Join(items, width)
	}
	keyWidth := 0
	for _, c := range cs {
		keyWidth = max(keyWidth, lipgloss.Width(c.key.Help().Key))
	}
	keyWidth += 2
	var out []string
	for _, c := range cs {
		h := c.key.Help().Key
		lead := m.st.Key.Render(h) + strings.Repeat(" ", keyWidth-lipgloss.Width(h))
		for i, row := range wrap(c.long, max(width-keyWidth, 8)) {
			if i > 0 {
				lead = strings.Repeat(" ", keyWidth)
			}
			out = append(out, lead+row)
		}
	}
	return out
}

// preview is the rule "always allow" would save, exactly as it would be
// written, and where, before anything is saved.
func (m Model) preview(width int) []string {
	st := m.st
	where := "in this project"
	if m.scope == event.RememberUser {
		where = "everywhere"
	}
	out := wrap(st.Bold.Render("Always allow, "+where+", commands starting with:"), width)
	words := visible(shellJoin(m.prefix.chosen()), st.Code, st)
	if rest := m.prefix.rest(); len(rest) > 0 {
		words += " " + visible(shellJoin(rest), st.Dim, st)
	}
	out = append(out, indent(wrap(words, width-2), "  ")...)
	if m.prefix.adjustable() {
		k := m.keys
		out = append(out, "  "+st.Key.Render(k.Shorter.Help().Key)+" "+st.KeyHelp.Render("fewer words")+
			"  "+st.Key.Render(k.Longer.Help().Key)+" "+st.KeyHelp.Render("more words"))
	}
	file := visible(pathfmt.Tilde(m.req.RuleFiles[m.scope], m.opts.Home), st.Code, st)
	out = append(out, wrap(st.Text.Render("Adds this rule to ")+file+st.Text.Render(":"), width)...)
	rule := strings.TrimRight(m.ruleText(), "\n")
	for line := range strings.SplitSeq(rule, "\n") {
		// A line the width breaks goes on further in, so that it does not
		// read as a line of its own.
		rows := wrap(visible(line, st.Code, st), width-4)
		out = append(out, "  "+rows[0])
		out = append(out, indent(rows[1:], "    ")...)
	}
	if m.req.Escalation {
		out = append(out, wrap(st.Warning.Render("What it allows will run outside the sandbox, without asking."), width)...)
	}
	k := m.keys
	out = append(out, itemrow.Join([]string{
		st.Key.Render(k.Confirm.Help().Key) + " " + st.KeyHelp.Render("save it and run the command"),
		st.Key.Render(k.Back.Help().Key) + " " + st.KeyHelp.Render("back"),
	}, width)...)
	return out
}

// explain is the field the reason for a denial is typed in.
func (m Model) explain(width int) []string {
	st := m.st
	out := wrap(st.Bold.Render("Why not? The model reads this."), width)
	field := m.reason
	m.frame.fieldWidth = max(width-lipgloss.Width(field.Prompt)-1, 1)
	field.SetWidth(m.frame.fieldWidth)
	out = append(out, field.View())
	k := m.keys
	return append(out, itemrow.Join([]string{
		st.Key.Render(k.Confirm.Help().Key) + " " + st.KeyHelp.Render("deny and send it"),
		st.Key.Render(k.Back.Help().Key) + " " + st.KeyHelp.Render("back"),
	}, width)...)
}

// wrap breaks styled text into lines at most width wide, at spaces where
// it can, each line carrying its own styles.
func wrap(s string, width int) []string {
	width = max(width, 1)
	if ansi.StringWidth(s) <= width {
		return []string{s}
	}
	return strings.Split(lipgloss.Wrap(s, width, ""), "\n")
}

func indent(lines []string, pad string) []string {
	for i, l := range lines {
		lines[i] = pad + l
	}
	return lines
}
