package cells

import (
	"fmt"
	"strings"

	"warden/harness/event"
	"warden/tui/diffview"
)

// PatchTool is the name of the tool Patch shows.
const PatchTool = "apply_patch"

// Patch is an apply_patch call: what it changed, file by file, or why it
// did not. Under its title, "• Edited 2 files (+10 −3)":
//
//	└ M tui/cells/exec.go (+8 −3)
//	  A tui/cells/patch.go (+2)
type Patch struct {
	callID   string
	changes  []event.FileChange
	finished bool
	result   event.ToolCallFinished
}

// NewPatch starts the cell of an apply_patch call.
func NewPatch(callID string) *Patch { return &Patch{callID: callID} }

// CallID is the id of the tool call the cell shows.
func (p *Patch) CallID() string { return p.callID }

// SetChanges records the changes the patch made (event.PatchApplied).
func (p *Patch) SetChanges(changes []event.FileChange) {
	p.changes = changes
}

// Finish records how the call ended.
func (p *Patch) Finish(fin event.ToolCallFinished) {
	p.finished, p.result = true, fin
}

// Done reports whether the call ended.
func (p *Patch) Done() bool { return p.finished }

func (p *Patch) failed() bool {
	return p.finished && p.result.Status != "ok"
}

// Render draws the summary and the files; the full view draws each
// file's diff instead of its line.
func (p *Patch) Render(ctx Context) string {
	st := ctx.Styles
	running := !p.finished
	style := st.Success
	if p.failed() {
		style = st.Error
	}
	head := mark(ctx, running, style) + " " + p.title(ctx)
	width := atLeast1(ctx.Width - bodyIndent)
	var body []string
	switch {
	case ctx.Full && len(p.changes) > 0:
		diff := diffview.Render(p.changes, diffview.Options{Width: width, Styles: st})
		body = strings.Split(diff, "\n")
	case len(p.changes) > 1:
		for _, c := range p.changes {
			body = append(body, p.fileLine(ctx, c, width))
		}
	}
	if p.failed() {
		msg := wrap(strings.TrimSpace(p.result.Output), width)
		if len(msg) > messageLines && !ctx.Full {
			msg = append(msg[:messageLines-1], ellipsis)
		}
		for _, l := range msg {
			body = append(body, paint(st.Dim, l))
		}
	}
	lines := append([]string{head}, indent(body, bodyPrefix(ctx), bodyRest)...)
	return block(lines, ctx.Width)
}

// title is "Edited 2 files (+10 −3)", or for one file what happened to
// it: "Added new.go (+20)".
func (p *Patch) title(ctx Context) string {
	st := ctx.Styles
	avail := ctx.Width - gutterWidth
	if p.failed() {
		verb := "Patch failed"
		switch p.result.Status {
		case "denied":
			verb = "Patch denied"
		case "aborted":
			verb = "Patch aborted"
		}
		return paint(st.Bold, verb)
	}
	if len(p.changes) == 0 {
		if p.finished {
			return paint(st.Bold, "Patch changed nothing")
		}
		return paint(st.Bold, "Editing")
	}
	added, removed := 0, 0
	for _, c := range p.changes {
		added += c.Added
		removed += c.Removed
	}
	counts := countsText(ctx, added, removed)
	if len(p.changes) == 1 {
		c := p.changes[0]
		verb, _ := changeWords(c)
		room := avail - len(verb) - 1
		name, counts := fitName(changedPath(c), counts, room)
		return paint(st.Bold, verb) + " " + paint(st.Code, name) + counts
	}
	return paint(st.Bold, fmt.Sprintf("Edited %d files", len(p.changes))) + counts
}

// changeWords says what happened to a file in the two places the cell
// says it: the verb of a one-file title ("Added") and the letter of a
// file line ("A", as git status has it).
func changeWords(c event.FileChange) (verb, letter string) {
	switch {
	case c.Kind == "add":
		return "Added", "A"
	case c.Kind == "delete":
		return "Deleted", "D"
	case c.MoveTo != "":
		return "Moved", "R"
	}
	return "Edited", "M"
}

// fileLine is "M path (+8 −3)": a letter for what happened to the file.
func (p *Patch) fileLine(ctx Context, c event.FileChange, width int) string {
	_, letter := changeWords(c)
	name, counts := fitName(changedPath(c), countsText(ctx, c.Added, c.Removed), width-2)
	return paint(ctx.Styles.Bold, letter) + " " + paint(ctx.Styles.Code, name) + counts
}

// fitName cuts a path to fit room with its counts, giving up the counts
// rather than leave less than minNameWidth of the path.
func fitName(name, counts string, room int) (string, string) {
	if visibleWidth(name)+visibleWidth(counts) <= room {
		return name, counts
	}
	if room-visibleWidth(counts) < minNameWidth {
		counts = ""
	}
	return cut(name, room-visibleWidth(counts)), counts
}

// minNameWidth is the least of a path worth showing.
const minNameWidth = 10

func changedPath(c event.FileChange) string {
	if c.MoveTo != "" {
		return Clean(c.Path) + " → " + Clean(c.MoveTo)
	}
	return Clean(c.Path)
}

// countsText is " (+10 −3)", leaving out a zero count; "" when both are.
func countsText(ctx Context, added, removed int) string {
	var parts []string
	if added > 0 {
		parts = append(parts, paint(ctx.Styles.Added, fmt.Sprintf("+%d", added)))
	}
	if removed > 0 {
		parts = append(parts, paint(ctx.Styles.Removed, fmt.Sprintf("−%d", removed)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, " ") + ")"
}
