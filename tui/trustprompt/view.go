package trustprompt

import (
	"slices"
	"strings"
	"warden/tui/internal/itemrow"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// View draws the question while it is open. Its last frame is blank and
// as tall as the question was: bubbletea v2.0.10 leaves the lines of a
// taller frame behind when the last one shrinks. Run then takes the
// cursor back over the blank and prints the Record there.
func (m Model) View() tea.View {
	if m.state == asking {
		return tea.NewView(m.question())
	}
	return tea.NewView(strings.Repeat("\n", max(m.shown, 1)-1))
}

// Labels of the two choices.
const (
	noLabel  = "No, don't trust it"
	yesLabel = "Yes, trust it"
)

// question is the question at m.width, fitted into m.height.
func (m Model) question() string {
	w := max(m.width, 1)
	title := wrap(m.st.Bold.Render("Do you trust this project?")+" "+m.st.Code.Render(m.q.Root), w)
	return strings.Join(m.fit(title, m.body(w), m.choices(w), m.hints(w)), "\n")
}

// fit keeps the question within the terminal's height, if known: an
// inline frame taller than the terminal loses its top, the question
// itself. The blank lines go first, then the end of the body, which says
// so; with no room for any of the body, the choices are kept first, then
// the title, then the keys.
func (m Model) fit(title, body, choices, hints []string) []string {
	join := func(body []string, blanks bool) []string {
		out := slices.Clone(title)
		if blanks {
			out = append(out, "")
		}
		out = append(out, body...)
		if blanks {
			out = append(out, "")
		}
		out = append(out, choices...)
		return append(out, hints...)
	}
	if out := join(body, true); m.height <= 0 || len(out) <= m.height {
		return out
	}
	body = slices.DeleteFunc(slices.Clone(body), func(l string) bool { return l == "" })
	more := m.st.Dim.Render(ansi.Truncate("… (terminal too short for the rest)", max(m.width, 1), "…"))
	for _, blanks := range []bool{true, false} {
		room := m.height - len(title) - len(choices) - len(hints)
		if blanks {
			room -= 2
		}
		if room < 1 {
			continue
		}
		if len(body) > room {
			body = append(body[:room-1], more)
		}
		return join(body, blanks)
	}
	hints = hints[:max(0, min(len(hints), m.height-len(title)-len(choices)))]
	out := append(append(slices.Clone(title), choices...), hints...)
	return out[max(0, len(out)-m.height):]
}

// body is what trust changes and the project's files, at width w.
func (m Model) body(w int) []string {
	st := m.st
	var out []string

	rules := st.Code.Render(".warden/rules.toml")
	if m.q.wide {
		out = append(out, wrap(st.Warning.Render("This is your whole home directory (or filesystem), not a project: trusting it lets commands change any file under it without asking."), w)...)
		out = append(out, "")
	}
	if m.q.ModeChosen {
		mode := m.q.ChosenMode
		if mode == "" {
			mode = "as you chose it"
		}
		out = append(out, wrap("Trusting it lets the project's "+rules+" allow commands, not only restrict them.", w)...)
		out = append(out, wrap("The sandbox mode stays "+st.Bold.Render(mode)+", as you chose it: trust does not change it.", w)...)
	} else {
		out = append(out, wrap("Trusting it changes two things:", w)...)
		out = append(out, bullet("Commands may change files in the workspace without asking: "+
			st.Bold.Render("Auto")+" (workspace-write sandbox, approval on request) instead of "+
			st.Bold.Render("Read Only")+" (nothing can be written).", w)...)
		out = append(out, bullet("The project's "+rules+" may then allow commands, not only restrict them.", w)...)
	}
	out = append(out, wrap(st.Dim.Render("warden never trusts a project by itself. Your answer is saved in ")+
		st.Code.Render(m.q.TrustFile)+st.Dim.Render("."), w)...)
	revoke := st.Code.Render("warden trust --revoke") + st.Dim.Render(".")
	if line := st.Dim.Render("Take it back later with ") + revoke; ansi.StringWidth(line) <= w {
		out = append(out, line)
	} else {
		// A command broken across lines (at its hyphens) reads as two.
		out = append(out, wrap(st.Dim.Render("Take it back later with"), w)...)
		out = append(out, wrap(revoke, w)...)
	}
	out = append(out, "")

	if len(m.q.Files) == 0 {
		out = append(out, wrap(st.Dim.Render("This project has no .warden rules or AGENTS.md."), w)...)
	} else {
		out = append(out, wrap("Project files warden would load:", w)...)
		out = append(out, m.files(w)...)
	}
	return out
}

// files lists the project's files in two columns where they fit, else
// each description under its path.
func (m Model) files(w int) []string {
	st := m.st
	const indent, gap = 2, 2
	pathWidth := 0
	for _, f := range m.q.Files {
		pathWidth = max(pathWidth, ansi.StringWidth(f.Path))
	}
	// Two columns need room for a useful description beside the paths,
	// and one long path must not squeeze every description.
	twoColumns := pathWidth <= w/3 && indent+pathWidth+gap+30 <= w
	var out []string
	for _, f := range m.q.Files {
		path := st.Code.Render(f.Path)
		if twoColumns {
			pad := strings.Repeat(" ", pathWidth-ansi.StringWidth(f.Path)+gap)
			descIndent := strings.Repeat(" ", indent+pathWidth+gap)
			for i, line := range wrap(f.What, w-len(descIndent)) {
				if i == 0 {
					out = append(out, strings.Repeat(" ", indent)+path+pad+line)
				} else {
					out = append(out, descIndent+line)
				}
			}
			continue
		}
		out = append(out, hanging(path, w, "  ", "  ")...)
		out = append(out, hanging(f.What, w, "    ", "    ")...)
	}
	return out
}

// choices are the two answers, the selected one highlighted: side by
// side where they fit, else one above the other.
func (m Model) choices(w int) []string {
	st := m.st
	item := func(label string, selected bool) string {
		if selected {
			return st.Accent.Render("›") + " " + st.Selected.Render(" "+label+" ")
		}
		return "   " + label
	}
	no, yes := item(noLabel, !m.yes), item(yesLabel, m.yes)
	if side := no + "  " + yes; ansi.StringWidth(side) <= w {
		return []string{side}
	}
	return []string{ansi.Truncate(no, w, "…"), ansi.Truncate(yes, w, "…")}
}

// hints name the keys, from the bindings themselves.
func (m Model) hints(w int) []string {
	k := m.keys
	var items []string
	for _, b := range []key.Binding{k.Choose, k.Yes, k.No, k.Quit} {
		h := b.Help()
		items = append(items, m.st.Key.Render(h.Key)+" "+m.st.KeyHelp.Render(h.Desc))
	}
	return joinItems(items, w)
}

// Record is the line left on the screen once the question is answered.
func (m Model) Record() string {
	st, w := m.st, max(m.width, 1)
	var line string
	switch {
	case m.state == aborted:
		line = st.Dim.Render("Quit without answering: warden did not start in ") + st.Code.Render(m.q.Root)
	case m.trusted:
		line = st.Success.Render("✓") + " Trusted " + st.Code.Render(m.q.Root)
	case m.q.ModeChosen:
		line = "Not trusted: " + st.Code.Render(m.q.Root) + st.Dim.Render(" (its own rules may only restrict)")
	default:
		line = "Not trusted: " + st.Code.Render(m.q.Root) + " stays read-only"
	}
	return strings.Join(wrap(line, w), "\n")
}

// wrap breaks s into lines at most width wide, breaking long words (a
// path) rather than letting them overflow.
func wrap(s string, width int) []string {
	width = max(width, 1)
	if ansi.StringWidth(s) <= width {
		return []string{s}
	}
	lines := strings.Split(lipgloss.Wrap(s, width, ""), "\n")
	for i, l := range lines {
		// lipgloss.Wrap can keep the space before a word it breaks at a
		// hyphen ("trust --revoke") one column past the width.
		lines[i] = ansi.Truncate(strings.TrimRight(l, " "), width, "")
	}
	return lines
}

// bullet is s after a bullet, wrapped under itself.
func bullet(s string, width int) []string {
	return hanging(s, width, "  • ", "    ")
}

// hanging is s wrapped to width, its first line after first and the
// others after rest (both as wide); too narrow for that, it takes the
// whole width.
func hanging(s string, width int, first, rest string) []string {
	in := ansi.StringWidth(rest)
	if width-in < 10 {
		if lead := strings.TrimSpace(first); lead != "" {
			s = lead + " " + s
		}
		return wrap(s, width)
	}
	lines := wrap(s, width-in)
	for i := range lines {
		if i == 0 {
			lines[i] = first + lines[i]
		} else {
			lines[i] = rest + lines[i]
		}
	}
	return lines
}

// joinItems is itemrow.Join with an item wider than width cut.
func joinItems(items []string, width int) []string {
	out := itemrow.Join(items, width)
	for i, l := range out {
		out[i] = ansi.Truncate(l, width, "…")
	}
	return out
}
