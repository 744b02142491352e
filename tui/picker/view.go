package picker

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

const (
	// marker is before the selected row; the others get as many spaces.
	marker      = "›"
	markerWidth = 2
	// currentMark follows the title of the item in force.
	currentMark = "✓"
	// gap separates the titles' column from the details beside them.
	gap = 2
	// under is how far in a detail (or a message) under its title starts.
	under = 4
	// Beside the titles, details are kept whole if titles can keep
	// minTitle columns; else they are cut to what the titles leave, if
	// that is minDetail or more; else they go under the titles, where the
	// list has stackRows lines to spare.
	minTitle  = 24
	minDetail = 30
	stackRows = 6
	// maxErrLines bounds the warning over the list: a long error must not
	// push the list out of the live area.
	maxErrLines = 3
	ellipsis    = "…"
)

// View draws the picker in at most width columns and height lines:
//
//	────────────────────────  (a rule, as around the composer)
//	title
//	hint
//	warning from the last load
//	filter: typed text
//	  ↑ 3 more
//	› selected row   detail
//	  another row    detail
//	  ↓ 12 more
//	────────────────────────
//	key help
//
// When the height is short the list keeps at least half of it (or all it
// needs); the hint goes first, then the rules, the key help, the warning,
// the title and the filter line.
func (m Model) View(width, height int) string {
	if width < 1 || height < 1 {
		return ""
	}
	st := m.st
	var title, hint, errLines, filter []string
	if m.opts.Title != "" {
		title = []string{st.Bold.Render(truncate(m.opts.Title, width))}
	}
	if m.opts.Hint != "" {
		hint = []string{st.Dim.Render(truncate(m.opts.Hint, width))}
	}
	if m.errText != "" {
		errLines = m.errorLines(width)
	}
	if m.opts.Filter {
		filter = []string{m.filterLine(width)}
	}
	footer := m.footer(width)
	rule := st.Border.Render(strings.Repeat("─", width))
	rules := []string{rule, rule} // above and below: counted together

	minList := min(m.listNeed(width), max(1, height/2))
	fixed := len(title) + len(hint) + len(errLines) + len(filter) + len(footer) + len(rules)
	for _, part := range []*[]string{&hint, &rules, &footer, &errLines, &title, &filter} {
		if fixed+minList <= height {
			break
		}
		fixed -= len(*part)
		*part = nil
	}
	list := m.list(width, max(height-fixed, 1))

	var out []string
	if len(rules) > 0 {
		out = append(out, rules[0])
	}
	out = append(out, title...)
	out = append(out, hint...)
	out = append(out, errLines...)
	out = append(out, filter...)
	out = append(out, list...)
	if len(rules) > 0 {
		out = append(out, rules[1])
	}
	out = append(out, footer...)
	if len(out) > height {
		out = out[:height]
	}
	for i, l := range out {
		out[i] = ansi.Truncate(l, width, "") // a last guard; nothing should be cut here
	}
	return strings.Join(out, "\n")
}

// errorLines is the last load's error, wrapped, in at most maxErrLines.
func (m Model) errorLines(width int) []string {
	lines := strings.Split(ansi.Wrap(m.errText, width, " "), "\n")
	if len(lines) > maxErrLines {
		lines = lines[:maxErrLines]
		last := strings.TrimRight(lines[maxErrLines-1], " ")
		lines[maxErrLines-1] = ansi.Truncate(last, width-1, "") + ellipsis
	}
	for i, l := range lines {
		lines[i] = m.st.Warning.Render(l)
	}
	return lines
}

// filterLine is the typed text after its label, with a drawn cursor; the
// end of the text stays in sight when it is longer than the line.
func (m Model) filterLine(width int) string {
	st := m.st
	const label = "filter "
	cursor := st.Cursor.Render(" ")
	room := width - len(label) - 1
	if m.query == "" {
		return st.Dim.Render(label) + cursor + st.Dim.Render(truncate(" type to narrow the list", max(room, 0)))
	}
	q := m.query
	if w := ansi.StringWidth(q); w > room && room > 1 {
		q = ansi.TruncateLeft(q, w-(room-1), ellipsis)
	}
	return st.Dim.Render(label) + st.Text.Render(q) + cursor
}

// footer is the help for the keys that do something now, generated from
// their bindings: as many entries as fit the width, most useful first.
func (m Model) footer(width int) []string {
	k := m.keys
	// An entry is shown whole or not at all: up without down would read
	// as if down did not work. Each of its groups is bindings sharing a
	// description, shown as one ("x/del revoke").
	type entry [][]key.Binding
	var entries []entry
	if m.confirming {
		entries = []entry{{{k.Confirm}}, {{k.Keep}}}
	} else {
		if len(m.rows) > 0 && !m.opts.ListOnly {
			entries = append(entries, entry{{k.Choose}})
		}
		if m.query != "" {
			entries = append(entries, entry{{k.Clear}})
		} else {
			entries = append(entries, entry{{k.Cancel}})
		}
		if _, ok := m.Selected(); ok && m.opts.Revocable {
			if m.opts.Filter {
				entries = append(entries, entry{{k.Revoke}})
			} else {
				entries = append(entries, entry{{k.RevokeLetter, k.Revoke}})
			}
		}
		if len(m.rows) > 1 {
			up, down := []key.Binding{k.Up}, []key.Binding{k.Down}
			if !m.opts.Filter {
				up, down = append(up, k.LetterUp), append(down, k.LetterDown)
			}
			entries = append(entries, entry{up, down})
		}
	}
	const sep = " · "
	var line, plainLine string
	for i, e := range entries {
		var styled, text []string
		for _, g := range e {
			names := make([]string, len(g))
			for j, b := range g {
				names[j] = b.Help().Key
			}
			keysText, desc := strings.Join(names, "/"), g[0].Help().Desc
			styled = append(styled, m.st.Key.Render(keysText)+" "+m.st.KeyHelp.Render(desc))
			text = append(text, keysText+" "+desc)
		}
		next := strings.Join(text, sep)
		if i > 0 {
			next = plainLine + sep + next
		}
		if ansi.StringWidth(next) > width {
			if i == 0 {
				// Not even the first fits: cut it rather than say nothing.
				return []string{m.st.KeyHelp.Render(truncate(next, width))}
			}
			break
		}
		if i > 0 {
			line += m.st.Dim.Render(sep)
		}
		line += strings.Join(styled, m.st.Dim.Render(sep))
		plainLine = next
	}
	return []string{line}
}

// note is the line the list shows instead of, or over, its rows: the
// items are loading, there are none, or none matches the typed text.
func (m Model) note() string {
	switch {
	case len(m.items) == 0 && !m.loaded && m.opts.Loading != "":
		return m.opts.Loading
	case len(m.items) == 0:
		return m.opts.Empty
	case m.itemRows() == 0:
		return "No match for “" + m.query + "”"
	}
	return ""
}

// layout is how rows are laid out at some width.
type layout struct {
	nameWidth   int  // the titles' column, the current mark included
	detailWidth int  // columns for details beside the titles; 0: none beside
	stacked     bool // details go under the titles
}

func (m Model) layoutFor(width, rows int) layout {
	avail := max(width-markerWidth, 0)
	names, details := 0, 0
	for _, r := range m.rows {
		names = max(names, ansi.StringWidth(m.rowTitle(r))+m.markWidth(r))
		if r.item != freeRow {
			details = max(details, ansi.StringWidth(m.shown[r.item].detail))
		}
	}
	l := layout{nameWidth: min(names, avail)}
	beside := avail - l.nameWidth - gap
	squeezed := avail - gap - details // titles' room if details are whole
	switch {
	case details == 0:
	case details <= beside:
		l.detailWidth = beside
	case squeezed >= min(names, minTitle):
		// A few long titles are cut rather than every detail.
		l.nameWidth, l.detailWidth = squeezed, details
	case beside >= minDetail:
		l.detailWidth = beside
	case rows >= stackRows:
		l.stacked = true
	default:
		l.detailWidth = max(beside, 0)
	}
	return l
}

// message is what the selected row says in place of its detail: the
// revoke question, or why it cannot be revoked.
func (m Model) message() (text string, width int) {
	st := m.st
	switch {
	case m.confirming:
		yes, no := m.keys.Confirm.Help().Key, m.keys.Keep.Help().Key
		return st.Warning.Render("Revoke?") + " " + st.Key.Render(yes) + st.Dim.Render("/") + st.Key.Render(no),
			len("Revoke? ") + ansi.StringWidth(yes+"/"+no)
	case m.notice != "":
		return st.Warning.Render(m.notice), ansi.StringWidth(m.notice)
	}
	return "", 0
}

// height is how many lines row i takes in l.
func (m Model) height(i int, l layout) int {
	r := m.rows[i]
	_, msgWidth := m.message()
	if i == m.sel && msgWidth > 0 {
		if l.stacked || msgWidth > l.detailWidth {
			return 2
		}
		return 1
	}
	if l.stacked && r.item != freeRow && m.shown[r.item].detail != "" {
		return 2
	}
	return 1
}

// listNeed is how many lines the whole list would take at width.
func (m Model) listNeed(width int) int {
	n := 0
	if m.note() != "" {
		n++
	}
	l := m.layoutFor(width, stackRows)
	for i := range m.rows {
		n += m.height(i, l)
	}
	return n
}

// list draws the rows in at most n lines: a window around the selection,
// with what is cut counted above and below it.
func (m Model) list(width, n int) []string {
	var out []string
	if note := m.note(); note != "" {
		out = append(out, m.st.Dim.Render(strings.Repeat(" ", markerWidth)+truncate(note, max(width-markerWidth, 1))))
		n--
	}
	if n <= 0 || len(m.rows) == 0 {
		m.frame.top, m.frame.page = 0, 0
		return out
	}
	l := m.layoutFor(width, n)
	heights := make([]int, len(m.rows))
	for i := range m.rows {
		heights[i] = m.height(i, l)
	}
	// The "more" lines give way to the selected row's own lines.
	marks := n-2 >= max(heights[m.sel], 1)
	start, end := window(heights, m.sel, m.frame.top, n, marks)
	m.frame.top, m.frame.page = start, end-start
	var rows []string
	for i := start; i < end; i++ {
		rows = append(rows, m.rowLines(i, l, width)...)
	}
	above, below := start > 0 && marks, end < len(m.rows) && marks
	room := n
	if above {
		room--
	}
	if below {
		room--
	}
	if len(rows) > room {
		rows = rows[:room] // the one row shown is taller than the room
	}
	more := func(arrow string, count int) string {
		return m.st.Dim.Render(truncate(fmt.Sprintf("%s%s %d more", strings.Repeat(" ", markerWidth), arrow, count), width))
	}
	if above {
		out = append(out, more("↑", start))
	}
	out = append(out, rows...)
	if below {
		out = append(out, more("↓", len(m.rows)-end))
	}
	return out
}

// window picks rows [start, end) to show in n lines that hold the
// selection, starting from the last start where it can: moving inside
// the window does not scroll it. With marks, a line is kept for each
// "more" line that the cut needs.
func window(heights []int, sel, top, n int, marks bool) (start, end int) {
	total := 0
	for _, h := range heights {
		total += h
	}
	if total <= n {
		return 0, len(heights)
	}
	fit := func(top int) int {
		room := n
		if marks && top > 0 {
			room--
		}
		fill := func(room int) int {
			e, used := top, 0
			for e < len(heights) && used+heights[e] <= room {
				used += heights[e]
				e++
			}
			return e
		}
		e := fill(room)
		if marks && e < len(heights) {
			e = fill(room - 1)
		}
		return max(e, top+1) // the top row at least, cut if it must be
	}
	start = min(max(top, 0), sel)
	for end = fit(start); sel >= end; end = fit(start) {
		start++
	}
	// Rows that fit above, once the end of the list is in sight (after a
	// filter or a load shortened it), are shown rather than left blank.
	for start > 0 && fit(start-1) == len(heights) {
		start--
		end = len(heights)
	}
	return start, end
}

// rowTitle is the text of a row's title column, the current mark apart.
func (m Model) rowTitle(r row) string {
	if r.item == freeRow {
		return "Use “" + m.freeText() + "”"
	}
	return m.shown[r.item].title
}

func (m Model) markWidth(r row) int {
	if r.item != freeRow && m.items[r.item].Current {
		return 1 + ansi.StringWidth(currentMark)
	}
	return 0
}

// rowLines draws row i: the marker, the title (the typed text's matches
// emphasised), the current mark, and the detail or the selected row's
// message beside or under it.
func (m Model) rowLines(i int, l layout, width int) []string {
	st := m.st
	r := m.rows[i]
	selected := i == m.sel
	lead := strings.Repeat(" ", markerWidth)
	if selected {
		lead = st.Accent.Render(marker) + " "
	}
	mark := m.markWidth(r)
	text, cut := cutTo(m.rowTitle(r), max(l.nameWidth-mark, 0))
	name := st.Selected.Render(text + cut)
	if !selected {
		name = emphasise(text, r.matched, st.Text, st.Bold) + st.Text.Render(cut)
	}
	if mark > 0 {
		name += " " + st.Success.Render(currentMark)
	}
	width1 := ansi.StringWidth(text+cut) + mark

	side, below := "", ""
	detail := ""
	if r.item != freeRow {
		detail = m.shown[r.item].detail
	}
	msg, msgWidth := "", 0
	if selected {
		msg, msgWidth = m.message()
	}
	switch {
	case msgWidth > 0 && !l.stacked && msgWidth <= l.detailWidth:
		side = msg
	case msgWidth > 0:
		below = msg
		if !l.stacked && l.detailWidth > 0 && detail != "" {
			side = st.Dim.Render(truncate(detail, l.detailWidth))
		}
	case detail != "" && l.stacked:
		below = st.Dim.Render(detail)
	case detail != "" && l.detailWidth > 0:
		side = st.Dim.Render(truncate(detail, l.detailWidth))
	}
	line := lead + name
	if side != "" {
		line += strings.Repeat(" ", max(l.nameWidth-width1, 0)+gap) + side
	}
	out := []string{line}
	if below != "" {
		out = append(out, strings.Repeat(" ", under)+ansi.Truncate(below, max(width-under, 1), ellipsis))
	}
	return out
}

// emphasise draws text (a title, or the beginning of one) with the
// filter's matches, byte offsets into the title, in strong.
func emphasise(text string, matched []int, plain, strong lipgloss.Style) string {
	if len(matched) == 0 {
		return plain.Render(text)
	}
	hit := make(map[int]bool, len(matched))
	for _, x := range matched {
		if x < len(text) {
			hit[x] = true
		}
	}
	var b strings.Builder
	runStart, runHit := 0, hit[0]
	flush := func(end int) {
		if end == runStart {
			return
		}
		if runHit {
			b.WriteString(strong.Render(text[runStart:end]))
		} else {
			b.WriteString(plain.Render(text[runStart:end]))
		}
	}
	for i := range text {
		if hit[i] != runHit {
			flush(i)
			runStart, runHit = i, hit[i]
		}
	}
	flush(len(text))
	return b.String()
}

// cutTo fits s in w columns: s itself, or its beginning and an ellipsis,
// returned apart so the caller can style the beginning.
func cutTo(s string, w int) (text, cut string) {
	if ansi.StringWidth(s) <= w {
		return s, ""
	}
	if w <= 0 {
		return "", ""
	}
	return ansi.Truncate(s, w-1, ""), ellipsis
}

// truncate fits plain s in w columns, with an ellipsis when cut.
func truncate(s string, w int) string {
	text, cut := cutTo(s, w)
	return text + cut
}
