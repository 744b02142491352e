package cells

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"warden/harness/event"
)

// How much of a command's output the transcript shows.
const (
	liveOutputLines = 5 // while it runs: the last lines
	collapsedHead   = 2 // when it ended: the first lines…
	collapsedTail   = 3 // …and the last
	messageLines    = 4 // of the harness's message when nothing ran
)

// ShellCommandTool is the name of the tool Exec and Explored show.
const ShellCommandTool = "shell_command"

// ParseShellCall returns the script and working directory of a
// shell_command call; ok is false for any other call or for arguments
// that do not parse.
func ParseShellCall(e event.ToolCallStarted) (command, workdir string, ok bool) {
	if e.Name != ShellCommandTool {
		return "", "", false
	}
	var args struct {
		Command string `json:"command"`
		Workdir string `json:"workdir"`
	}
	if err := json.Unmarshal(e.Arguments, &args); err != nil || args.Command == "" {
		return "", "", false
	}
	return args.Command, args.Workdir, true
}

// Exec is a shell_command call: the command, the live tail of its output
// while it runs, then how it ended and its output collapsed.
type Exec struct {
	callID  string
	command string
	dir     string // where it ran, when that is not the session's directory
	started time.Time

	out      outputBuffer
	finished bool
	result   event.ToolCallFinished
	// message is what the harness said instead of running the command
	// (a refusal, an invalid call), when no output came.
	message string
	// waiting: the command waits for the user's approval and has not
	// started; its clock starts when it is answered.
	waiting bool
	// asked: the command waited for an approval (its time starts at the
	// answer).
	asked bool
}

// Await marks the command as waiting for the user's approval.
func (e *Exec) Await() { e.waiting, e.asked = true, true }

// Asked reports whether the command waited for the user's approval.
func (e *Exec) Asked() bool { return e.asked }

// Started is when the command's time starts: when it was asked for, or
// when the user answered its approval.
func (e *Exec) Started() time.Time { return e.started }

// Resume: the user answered at now; the command's time counts from then.
func (e *Exec) Resume(now time.Time) {
	if e.waiting {
		e.waiting, e.started = false, now
	}
}

// NewExec starts the cell of a command that began at started. dir is
// where it runs as the user should read it (relative to the session's
// directory when inside it), "" when it is the session's directory.
func NewExec(callID, command, dir string, started time.Time) *Exec {
	return &Exec{callID: callID, command: Clean(command), dir: Clean(dir), started: started}
}

// CallID is the id of the tool call the cell shows.
func (e *Exec) CallID() string { return e.callID }

// AppendOutput adds a delta of the command's output as it streams.
func (e *Exec) AppendOutput(delta string) {
	if !e.finished {
		e.out.Write(delta)
	}
}

// Finish records how the command ended. When no output streamed (a
// replayed session, a refused call), the output part of what the model
// was told is shown instead.
func (e *Exec) Finish(fin event.ToolCallFinished) {
	if e.finished {
		return
	}
	e.out.Close()
	e.finished, e.result = true, fin
	if e.out.Lines() > 0 {
		return
	}
	if text, ok := modelOutput(fin.Output); ok {
		e.out.Write(text)
		e.out.Close()
		return
	}
	if fin.Status != "ok" {
		e.message = strings.TrimSpace(fin.Output)
	}
}

// modelOutput is the command's own output inside what the model is sent
// ("Exit code: …\nWall time: …\nOutput:\n…"), without the sandbox's
// summary that follows it (the cell shows the denials itself).
func modelOutput(s string) (string, bool) {
	const marker = "Output:\n"
	i := -1
	if strings.HasPrefix(s, marker) {
		i = 0
	} else if j := strings.Index(s, "\n"+marker); j >= 0 {
		i = j + 1
	}
	if i < 0 {
		return "", false
	}
	out := s[i+len(marker):]
	if k := strings.LastIndex(out, "\nThe sandbox blocked:"); k >= 0 {
		out = out[:k]
	}
	return out, true
}

// Done reports whether the command ended.
func (e *Exec) Done() bool { return e.finished }

// Render draws the command, its output and its outcome.
func (e *Exec) Render(ctx Context) string {
	lines := e.head(ctx)
	lines = append(lines, indent(e.body(ctx), bodyPrefix(ctx), bodyRest)...)
	return block(lines, ctx.Width)
}

// head is the title line, "• Ran go test ./...  ✓ 0.4s", and in the full
// view the rest of a long or multi-line command.
func (e *Exec) head(ctx Context) []string {
	st := ctx.Styles
	t := newCallTitle(ctx, "Running", "Ran", e.finished, e.started, e.result, e.markStyle(ctx))
	if e.finished && e.result.Status == "denied" {
		// It never ran: "Ran" would say otherwise.
		t.verb = "Not run"
		t.head = mark(ctx, false, e.markStyle(ctx)) + " " + paint(st.Bold, t.verb)
	}
	if e.waiting && !e.finished {
		t.verb = "Asking to run"
		t.head = mark(ctx, true, e.markStyle(ctx)) + " " + paint(st.Bold, t.verb)
		t.end = paint(st.Dim, "(waiting)")
	}
	avail := t.room(ctx.Width)
	dir := ""
	if e.dir != "" {
		dir = " (in " + e.dir + ")"
	}
	first, more, _ := strings.Cut(strings.TrimSpace(e.command), "\n")
	first = strings.TrimSpace(first)
	if first == "" {
		// A call without a command (malformed arguments): the outcome and
		// the message below say what was wrong.
		first = "(no command)"
	}
	if !ctx.Full {
		if strings.TrimSpace(more) != "" {
			first += " " + ellipsis
		}
		cmd, where := fitCommand(first, dir, avail)
		if cmd == "" {
			return []string{t.line("")}
		}
		return []string{t.line(paint(st.Code, cmd) + paint(st.Dim, where))}
	}
	// The full view wraps the whole script under the title.
	rest := atLeast1(ctx.Width - bodyIndent)
	var cont []string
	segs := wrap(first, atLeast1(avail-visibleWidth(dir)))
	if avail-visibleWidth(dir) < minCommandWidth {
		segs = []string{""}
		cont = wrap(first, rest)
	} else if len(segs) > 1 {
		cont = wrap(strings.Join(segs[1:], " "), rest)
	}
	if strings.TrimSpace(more) != "" {
		cont = append(cont, wrap(strings.TrimRight(more, " \n"), rest)...)
	}
	lines := []string{t.line(paint(st.Code, segs[0]) + paint(st.Dim, dir))}
	if segs[0] == "" {
		lines = []string{t.line("")}
		if dir != "" {
			lines = append(lines, bodyRest+paint(st.Dim, strings.TrimSpace(dir)))
		}
	}
	for _, c := range cont {
		lines = append(lines, bodyRest+paint(st.Code, c))
	}
	return lines
}

// minCommandWidth is the least of a command worth showing beside its
// directory, or in the full view beside the title; with less room the
// directory goes, or the command starts on a line of its own.
const minCommandWidth = 12

// fitCommand shortens the command, then drops the directory, to fit
// width.
func fitCommand(cmd, dir string, width int) (string, string) {
	if visibleWidth(cmd)+visibleWidth(dir) <= width {
		return cmd, dir
	}
	if width < minSubjectWidth {
		return "", ""
	}
	if dir != "" && width-visibleWidth(dir) >= minCommandWidth {
		return cut(cmd, width-visibleWidth(dir)), dir
	}
	return cut(cmd, width), ""
}

func (e *Exec) markStyle(ctx Context) lipgloss.Style {
	st := ctx.Styles
	switch r := e.result; {
	case r.Status == "aborted":
		return st.Dim
	case r.Status == "ok" && !r.TimedOut && (r.ExitCode == nil || *r.ExitCode == 0):
		return st.Success
	}
	return st.Error
}

// outcome says how a call ended: "✓ 0.4s", "✗ exit 2 · 1.2s",
// "✗ timed out after 10s", "✗ denied", "aborted (interrupted)"; short
// leaves out durations and explanations.
func outcome(ctx Context, r event.ToolCallFinished, short bool) string {
	st := ctx.Styles
	took := paint(st.Dim, " · "+formatDuration(r.Duration))
	if short {
		took = ""
	}
	switch {
	case r.TimedOut && short:
		return paint(st.Error, "✗ timeout")
	case r.TimedOut:
		return paint(st.Error, "✗ timed out after "+formatElapsed(r.Duration))
	case r.Status == "denied":
		return paint(st.Error, "✗ denied")
	case r.Status == "aborted" && short:
		return paint(st.Warning, "aborted")
	case r.Status == "aborted":
		return paint(st.Warning, "aborted (interrupted)")
	case r.ExitCode != nil && *r.ExitCode != 0:
		return paint(st.Error, fmt.Sprintf("✗ exit %d", *r.ExitCode)) + took
	case r.Status == "ok" && short:
		return paint(st.Success, "✓")
	case r.Status == "ok":
		return paint(st.Success, "✓") + paint(st.Dim, " "+formatDuration(r.Duration))
	case r.Status == "":
		return paint(st.Error, "✗ failed") + took
	}
	return paint(st.Error, "✗ "+r.Status) + took
}

// body is the output (live tail, collapsed, or all of it), then the
// harness's message and the sandbox's denials.
func (e *Exec) body(ctx Context) []string {
	st := ctx.Styles
	width := atLeast1(ctx.Width - bodyIndent)
	var lines []string
	switch {
	case ctx.Full:
		lines = allOutput(ctx, &e.out, width)
	case !e.finished:
		for _, l := range e.out.Last(liveOutputLines) {
			lines = append(lines, paint(st.Dim, cut(l, width)))
		}
	default:
		lines = collapsedOutput(ctx, &e.out, width)
	}
	if e.message != "" {
		msg := wrap(e.message, width)
		if len(msg) > messageLines && !ctx.Full {
			msg = append(msg[:messageLines-1], ellipsis)
		}
		for _, l := range msg {
			lines = append(lines, paint(st.Dim, l))
		}
	}
	return append(lines, denialLines(ctx, e.result.Denials, width)...)
}

// collapsedOutput is the first and last lines of the output, with a count
// of those between.
func collapsedOutput(ctx Context, out *outputBuffer, width int) []string {
	st := ctx.Styles
	n := out.Lines()
	var lines []string
	add := func(i int) {
		if l, ok := out.Line(i); ok {
			lines = append(lines, paint(st.Dim, cut(l, width)))
		}
	}
	if n <= collapsedHead+collapsedTail+1 {
		for i := range n {
			add(i)
		}
		return lines
	}
	for i := range collapsedHead {
		add(i)
	}
	lines = append(lines, paint(st.Dim, cut(moreLines(ctx, n-collapsedHead-collapsedTail), width)))
	for i := n - collapsedTail; i < n; i++ {
		add(i)
	}
	return lines
}

// allOutput is every kept line, wrapped, with a note where lines were not
// kept.
func allOutput(ctx Context, out *outputBuffer, width int) []string {
	st := ctx.Styles
	var lines []string
	missing := 0
	for i := range out.Lines() {
		l, ok := out.Line(i)
		if !ok {
			missing++
			continue
		}
		if missing > 0 {
			lines = append(lines, paint(st.Dim, cut(fmt.Sprintf("%s %d lines not kept %s", ellipsis, missing, ellipsis), width)))
			missing = 0
		}
		for _, w := range wrap(l, width) {
			lines = append(lines, paint(st.Dim, w))
		}
	}
	return lines
}

// denialLines are what the sandbox stopped the command from doing.
func denialLines(ctx Context, ds []event.SandboxDenial, width int) []string {
	var lines []string
	for _, d := range ds {
		s := "⚠ sandbox blocked " + d.Op
		if d.Target != "" {
			s += " " + d.Target
		}
		if d.Reason != "" {
			s += ": " + d.Reason
		}
		for i, l := range wrap(s, width-2) {
			if i > 0 {
				l = "  " + l
			}
			lines = append(lines, paint(ctx.Styles.Warning, l))
		}
	}
	return lines
}
