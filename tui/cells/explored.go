package cells

import (
	"path/filepath"
	"slices"
	"strings"

	"warden/harness/event"
)

// Explored is a run of consecutive exploring calls (see Classify) shown as
// one cell: what was read, listed and searched, not what it printed.
//
//	⠋ Exploring
//	  └ Read main.go, util.go
//	    Search TODO in src
//	    List tools
type Explored struct {
	cwd    string
	calls  []exploreCall
	closed bool
}

type exploreCall struct {
	id     string
	action Action
	done   bool
	result event.ToolCallFinished
}

// NewExplored starts an exploration cell. Paths under cwd, the session's
// directory, are shown relative to it.
func NewExplored(cwd string) *Explored {
	return &Explored{cwd: cwd}
}

// Add adds a call that started.
func (x *Explored) Add(callID string, a Action) {
	x.calls = append(x.calls, exploreCall{id: callID, action: a})
}

// Has reports whether the call is one of this cell's.
func (x *Explored) Has(callID string) bool {
	for _, c := range x.calls {
		if c.id == callID {
			return true
		}
	}
	return false
}

// Finish records how a call ended; it reports false if the call is not
// this cell's.
func (x *Explored) Finish(callID string, fin event.ToolCallFinished) bool {
	for i := range x.calls {
		if x.calls[i].id == callID {
			x.calls[i].done, x.calls[i].result = true, fin
			return true
		}
	}
	return false
}

// Close says the run of exploring calls ended: something else came. The
// cell is Done once its calls finished too.
func (x *Explored) Close() { x.closed = true }

// Done reports whether the run ended and all its calls finished.
func (x *Explored) Done() bool {
	if !x.closed {
		return false
	}
	for _, c := range x.calls {
		if !c.done {
			return false
		}
	}
	return true
}

func (x *Explored) running() bool {
	for _, c := range x.calls {
		if !c.done {
			return true
		}
	}
	return !x.closed
}

// exploreLine is one line of the cell before wrapping: a verb, what it
// applied to, and how its call ended when that matters.
type exploreLine struct {
	verb  string
	items []string
	query string // OpSearch
	note  string // rendered: "✗ exit 2", "(no matches)"
	// detail is the first line of a failed call's output.
	detail string
	// merge: further reads may join this line.
	merge bool
}

// Render draws the header and one line per read run, listing or search.
func (x *Explored) Render(ctx Context) string {
	st := ctx.Styles
	running := x.running()
	title := "Explored"
	if running {
		title = "Exploring"
	}
	lines := []string{mark(ctx, running, st.Dim) + " " + paint(st.Bold, title)}
	var body []string
	width := atLeast1(ctx.Width - bodyIndent)
	for _, l := range x.lines(ctx) {
		body = append(body, x.drawLine(ctx, l, width)...)
	}
	lines = append(lines, indent(body, bodyPrefix(ctx), bodyRest)...)
	return block(lines, ctx.Width)
}

// lines turns the calls into lines, merging consecutive reads of calls
// that did not fail.
func (x *Explored) lines(ctx Context) []exploreLine {
	var out []exploreLine
	for _, c := range x.calls {
		note, detail, failed := x.callNote(ctx, c)
		first := len(out)
		for _, op := range c.action.Ops {
			switch op.Kind {
			case OpRead:
				files := x.paths(op.Files)
				if n := len(out); n > 0 && out[n-1].merge && !failed {
					out[n-1].items = appendNew(out[n-1].items, files...)
					continue
				}
				out = append(out, exploreLine{verb: "Read", items: appendNew(nil, files...), merge: !failed})
			case OpList:
				out = append(out, exploreLine{verb: "List", items: x.where(op.Paths)})
			case OpSearch:
				l := exploreLine{verb: "Search", query: op.Query}
				if len(op.Paths) > 0 {
					l.items = x.paths(op.Paths)
				}
				out = append(out, l)
			}
		}
		if len(out) > first && (note != "" || detail != "") {
			out[len(out)-1].note, out[len(out)-1].detail = note, detail
			out[len(out)-1].merge = false
		}
	}
	return out
}

// callNote says how a call ended when it is worth saying: a failure (and
// its first line of output), or a search that found nothing.
func (x *Explored) callNote(ctx Context, c exploreCall) (note, detail string, failed bool) {
	if !c.done {
		return "", "", false
	}
	r := c.result
	if r.Status == "ok" && !r.TimedOut && (r.ExitCode == nil || *r.ExitCode == 0) {
		return "", "", false
	}
	if r.Status == "ok" && !r.TimedOut && *r.ExitCode == 1 && c.action.searchStatus {
		return paint(ctx.Styles.Dim, "(no matches)"), "", false
	}
	note = outcome(ctx, r, true)
	if out, ok := modelOutput(r.Output); ok {
		var b outputBuffer
		b.Write(out)
		b.Close()
		detail, _ = b.Line(0)
	} else if r.Status != "ok" {
		detail, _, _ = strings.Cut(strings.TrimSpace(r.Output), "\n")
	}
	return note, detail, true
}

// drawLine wraps one line under its verb: "Search TODO in src".
func (x *Explored) drawLine(ctx Context, l exploreLine, width int) []string {
	st := ctx.Styles
	text := strings.Join(l.items, ", ")
	switch {
	case l.verb == "Search" && text != "":
		text = l.query + " in " + text
	case l.verb == "Search":
		text = l.query
	}
	hang := strings.Repeat(" ", len(l.verb)+1)
	if width-len(hang) < minHangWidth {
		// Too narrow to hang the text under the verb.
		hang = ""
	}
	segs := wrap(text, width-len(hang))
	if hang == "" {
		segs = wrap(l.verb+" "+text, width)
		segs[0] = strings.TrimPrefix(segs[0], l.verb)
		if segs[0] != "" && !strings.HasPrefix(segs[0], " ") {
			segs[0] = " " + segs[0]
		}
	}
	var out []string
	for i, seg := range segs {
		prefix := hang
		if i == 0 {
			prefix = paint(st.Accent, l.verb)
			if hang != "" {
				prefix += " "
			}
		}
		out = append(out, prefix+seg)
	}
	if l.note != "" {
		last := len(out) - 1
		if visibleWidth(out[last])+1+visibleWidth(l.note) <= width {
			out[last] += " " + l.note
		} else {
			out = append(out, hang+l.note)
		}
	}
	if l.detail != "" {
		out = append(out, hang+paint(st.Dim, cut(l.detail, width-len(hang))))
	}
	return out
}

// minHangWidth is the least room for text hung under a verb.
const minHangWidth = 16

// paths shows paths relative to the session's directory when inside it.
func (x *Explored) paths(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = x.rel(p)
	}
	return out
}

// where is a listing's directories; none is the working directory.
func (x *Explored) where(ps []string) []string {
	if len(ps) == 0 {
		return []string{"."}
	}
	return x.paths(ps)
}

func (x *Explored) rel(p string) string {
	if x.cwd == "" || !filepath.IsAbs(p) {
		return p
	}
	r, err := filepath.Rel(x.cwd, p)
	if err != nil || strings.HasPrefix(r, "..") {
		return p
	}
	return r
}

// appendNew appends the items not already in list.
func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}
