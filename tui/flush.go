package tui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"warden/tui/cells"
)

// printer prints finished cells into the scrollback in order. tea.Println
// runs as a command in its own goroutine, so two prints started by
// consecutive updates could overtake each other; the printer keeps one
// print in flight and queues the rest until bubbletea has written it.
type printer struct {
	queue    []string
	inFlight bool
	// then runs once everything queued is printed (quitting).
	then tea.Cmd
	// print writes text above the live area: tea.Println, or a recorder
	// in tests.
	print func(string) tea.Cmd
	// room is how many lines one print may have (see Model.printRoom).
	room func() int
	// started: a print was started since the last frame; that frame must
	// be drawn fresh, or a throttled frame would show the printed lines a
	// second time under the print.
	started bool
	// paused: nothing is printed, only queued. bubbletea writes a print
	// wherever the terminal is, so one made while the pager has the
	// alternate screen would be lost with it.
	paused bool
}

type printedMsg struct{}

func (p *printer) add(text string) {
	if text != "" {
		p.queue = append(p.queue, text)
	}
}

// start prints whatever is queued, unless a print is in flight.
func (p *printer) start() tea.Cmd {
	if p.inFlight || p.paused {
		return nil
	}
	if len(p.queue) == 0 {
		then := p.then
		p.then = nil
		return then
	}
	text := strings.Join(p.queue, "\n")
	p.queue = nil
	if p.room != nil {
		if lines := strings.Split(text, "\n"); len(lines) > p.room() {
			n := max(p.room(), 1)
			text = strings.Join(lines[:n], "\n")
			p.queue = []string{strings.Join(lines[n:], "\n")}
		}
	}
	p.inFlight = true
	p.started = true
	print := p.print
	if print == nil {
		print = func(s string) tea.Cmd { return tea.Println(s) }
	}
	return tea.Sequence(print(text), func() tea.Msg { return printedMsg{} })
}

func (p *printer) printed() tea.Cmd {
	p.inFlight = false
	return p.start()
}

// drainThen prints everything queued and then runs cmd.
func (p *printer) drainThen(cmd tea.Cmd) tea.Cmd {
	p.then = cmd
	return p.start()
}

// printRoom is how many lines can be printed above the live area at once.
// bubbletea inserts a print by scrolling the screen and moving the cursor
// up over the print and the live frame; the terminal stops the cursor at
// its top row, so a print taller than the rows above the frame lands in the
// wrong place and pushes frame lines into the scrollback. A print travels
// to the renderer while frames keep changing, so the room is measured
// against the tallest frame there can be, liveLimit: prints that fit above
// it fit above any frame, with no race between the two.
func (m *Model) printRoom() int {
	return max(1, m.height-m.liveLimit())
}

// liveLimit is the live frame's greatest height: a third of the terminal,
// at least two rows, stays free for printing finished cells.
func (m *Model) liveLimit() int {
	return max(1, m.height-max(2, m.height/3))
}

// flush moves finished cells from the live area into the scrollback: every
// finished cell at the head of the live list, and the final part of a
// streaming cell at the head. Cells behind an unfinished one wait, so the
// scrollback is always in transcript order.
func (m *Model) flush() tea.Cmd {
	ctx := m.cellContext(false)
	for len(m.live) > 0 {
		c := m.live[0]
		if c.Done() {
			m.printer.add(m.separated(c.Render(ctx)))
			m.live = m.live[1:]
			m.headPartial = false
			continue
		}
		if f, ok := c.(cells.Flusher); ok {
			m.printer.add(m.separated(f.Flush(ctx)))
		}
		break
	}
	return m.printer.start()
}

// separated puts a blank line before the first output of each cell, and
// marks the head cell as partly printed.
func (m *Model) separated(text string) string {
	if text == "" {
		return ""
	}
	if m.headPartial {
		return text
	}
	m.headPartial = true
	return "\n" + text
}

// cellContext is what cells need to draw themselves now.
func (m *Model) cellContext(full bool) cells.Context {
	return cells.Context{
		Width:    max(m.width, 20),
		Styles:   m.styles,
		Markdown: m.md,
		Now:      m.now(),
		Spinner:  spinnerFrames[m.spinner%len(spinnerFrames)],
		Full:     full,
		PagerKey: m.keys.Global.Transcript.Help().Key,
	}
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// add appends a cell to the transcript.
func (m *Model) add(c cells.Cell) {
	m.live = append(m.live, c)
	m.all = append(m.all, c)
}

// insertBefore puts c just before target when target is still live and
// not partly printed; otherwise c goes at the end.
func (m *Model) insertBefore(target, c cells.Cell) {
	i := slices.Index(m.live, target)
	j := slices.Index(m.all, target)
	if target == nil || i < 0 || j < 0 || (i == 0 && m.headPartial) {
		m.add(c)
		return
	}
	m.live = slices.Insert(m.live, i, c)
	m.all = slices.Insert(m.all, j, c)
	if len(m.fullCache) > j {
		m.fullCache = m.fullCache[:j]
	}
}

// transcript renders every cell expanded, for the pager. Finished cells are
// rendered once per width and cached.
func (m *Model) transcript() string {
	ctx := m.cellContext(true)
	if m.fullWidth != ctx.Width {
		m.fullCache, m.fullWidth = nil, ctx.Width
	}
	var b strings.Builder
	for i, c := range m.all {
		var text string
		if i < len(m.fullCache) {
			text = m.fullCache[i]
		} else {
			text = c.Render(ctx)
			if c.Done() && i == len(m.fullCache) {
				m.fullCache = append(m.fullCache, text)
			}
		}
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(text)
	}
	return b.String()
}
