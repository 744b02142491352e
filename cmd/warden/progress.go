package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"warden/harness/event"
	"warden/harness/model"
)

// progressPrinter renders events as human-readable progress for `warden
// exec`: everything on stderr, so stdout carries only the final answer and
// can be piped.
type progressPrinter struct {
	w *bufio.Writer
	// streaming says which kind of delta was written last, so a switch
	// between reasoning, answer and tool output starts a fresh line.
	streaming string
	midLine   bool
	// usage is the latest token report, summed up when the turn ends.
	usage event.TokenUsage
	// streamed is the answer text streamed in the current reply, so a
	// message that arrived whole, without deltas, is still shown.
	streamed strings.Builder
	// shownLines and hiddenLines count the running tool's output lines
	// printed and held back: a flood shows its start and a count, not a
	// megabyte of scrollback (the model gets its head and tail).
	shownLines, hiddenLines int
	// readOnly: the session's sandbox is read-only; hinted tells whether
	// the user was told how to let the agent edit.
	readOnly, hinted bool
}

// maxToolLines is how many lines of a tool's output are shown live.
const maxToolLines = 40

func newProgressPrinter(w io.Writer) *progressPrinter {
	return &progressPrinter{w: bufio.NewWriter(w)}
}

func (p *progressPrinter) handle(e event.Event) {
	defer p.w.Flush()
	switch e := e.(type) {
	case event.SessionStarted:
		p.readOnly = e.SandboxMode == "read-only"
		p.line(fmt.Sprintf("warden · %s via %s (%s) · sandbox %s · approvals %s", e.Model, e.Provider, e.Wire, e.SandboxMode, e.ApprovalPolicy))
		p.line("session " + e.SessionID)
		if e.TranscriptPath != "" {
			p.line("transcript " + e.TranscriptPath)
		}
	case event.TurnStarted:
		p.streamed.Reset()
		p.line("")
		p.line("user: " + firstLine(e.Input))
	case event.UserInputQueued:
		p.line("user (queued): " + firstLine(e.Input))
	case event.ReasoningDelta:
		p.stream("reasoning", "thinking: ", e.Delta)
	case event.TextDelta:
		p.streamed.WriteString(e.Delta)
		p.stream("text", "assistant: ", e.Delta)
	case event.ItemCompleted:
		it := e.Item
		if it.Type == model.ItemMessage && it.Role == model.RoleAssistant && !strings.Contains(p.streamed.String(), it.Text) {
			p.line("assistant: " + it.Text)
		}
	case event.ToolCallStarted:
		p.streamed.Reset()
		p.shownLines, p.hiddenLines = 0, 0
		p.line("▶ " + callSummary(e))
	case event.ToolOutputDelta:
		p.toolOutput(e)
	case event.ToolCallFinished:
		if p.hiddenLines > 0 {
			p.line(fmt.Sprintf("  … %d more lines", p.hiddenLines))
			p.hiddenLines = 0
		}
		status := e.Status
		if e.ExitCode != nil {
			status = fmt.Sprintf("exit %d", *e.ExitCode)
		}
		if e.TimedOut {
			status = "timed out, killed (" + status + ")"
		}
		p.line(fmt.Sprintf("■ %s %s in %s", e.Name, status, e.Duration.Round(time.Millisecond)))
		if e.Status != "ok" {
			p.line("  " + truncate(oneLine(e.Output), 300))
		}
		if e.Status == "denied" && e.Name == "apply_patch" && p.readOnly && !p.hinted {
			p.hinted = true
			p.line("  (the sandbox is read-only: warden exec -s workspace-write lets the agent edit files here)")
		}
		for _, d := range e.Denials {
			target := d.Target
			if target != "" {
				target = " " + target
			}
			p.line(fmt.Sprintf("  blocked by the sandbox: %s%s (%s)", d.Op, target, d.Reason))
		}
	case event.ApprovalRequested:
		what := e.Script
		if what == "" {
			what = strings.Join(e.Command, " ")
		}
		for _, c := range e.Changes {
			what += " " + c.Path
		}
		if e.Reason != "" {
			what += " (" + e.Reason + ")"
		}
		p.line(fmt.Sprintf("approval needed (%s): %s: refused, since exec has nobody to ask", e.Kind, truncate(oneLine(what), 300)))
	case event.RuleSaved:
		p.line("saved to " + e.File + ": " + oneLine(e.Rule))
	case event.PatchApplied:
		for _, c := range e.Changes {
			path := c.Path
			if c.MoveTo != "" {
				path += " → " + c.MoveTo
			}
			p.line(fmt.Sprintf("  %s %s (+%d −%d)", changeMark(c.Kind), path, c.Added, c.Removed))
		}
	case event.PlanUpdated:
		p.line("plan:")
		for _, s := range e.Steps {
			p.line(fmt.Sprintf("  [%s] %s", planMark(s.Status), s.Step))
		}
	case event.Retrying:
		discarded := ""
		if p.streamed.Len() > 0 || p.streaming != "" {
			discarded = "; the partial reply above is discarded"
		}
		p.streamed.Reset()
		p.line(fmt.Sprintf("retrying in %s (try %d of %d failed: %s)%s", e.Delay.Round(time.Millisecond), e.Attempt, e.MaxAttempts, e.Reason, discarded))
	case event.TokenUsage:
		p.usage = e
	case event.Error:
		p.line("error: " + e.Message)
	case event.TurnFinished:
		summary := fmt.Sprintf("turn %s after %d step(s) in %s · tokens in %d (cached %d) out %d (reasoning %d)",
			e.Status, e.Steps, e.Duration.Round(time.Millisecond),
			e.Usage.InputTokens, e.Usage.CachedInputTokens, e.Usage.OutputTokens, e.Usage.ReasoningTokens)
		if left := p.usage.ContextLeftPercent(); left >= 0 {
			summary += fmt.Sprintf(" · context left %d%%", left)
		}
		p.line(summary)
	}
}

// toolOutput shows a running tool's output, up to maxToolLines lines.
func (p *progressPrinter) toolOutput(e event.ToolOutputDelta) {
	// Live output keeps a progress bar's carriage returns for front-ends
	// that redraw a line; this printer shows each update as a line.
	e.Delta = strings.ReplaceAll(e.Delta, "\r", "\n")
	if p.shownLines >= maxToolLines {
		p.hiddenLines += strings.Count(e.Delta, "\n")
		return
	}
	text := e.Delta
	if n := strings.Count(text, "\n"); p.shownLines+n > maxToolLines {
		cut := 0
		for range maxToolLines - p.shownLines {
			cut += strings.IndexByte(text[cut:], '\n') + 1
		}
		p.hiddenLines += strings.Count(text[cut:], "\n")
		if !strings.HasSuffix(text, "\n") {
			p.hiddenLines++ // the unfinished last line
		}
		text = text[:cut]
	}
	p.shownLines += strings.Count(text, "\n")
	p.indented("tool:"+e.CallID, "  ", text)
}

// line writes a whole line, ending any stream in progress first.
func (p *progressPrinter) line(s string) {
	p.endStream()
	fmt.Fprintln(p.w, s)
}

func (p *progressPrinter) stream(kind, prefix, delta string) {
	if p.streaming != kind {
		p.endStream()
		p.streaming = kind
		fmt.Fprint(p.w, prefix)
	}
	p.w.WriteString(delta)
	p.midLine = !strings.HasSuffix(delta, "\n")
}

// indented streams text with every line indented, so a command's output
// stands apart from warden's own lines.
func (p *progressPrinter) indented(kind, indent, delta string) {
	if p.streaming != kind {
		p.endStream()
		p.streaming = kind
	}
	for delta != "" {
		if !p.midLine {
			p.w.WriteString(indent)
		}
		line, rest, found := strings.Cut(delta, "\n")
		p.w.WriteString(line)
		if found {
			p.w.WriteByte('\n')
		}
		p.midLine = !found
		delta = rest
	}
}

func (p *progressPrinter) endStream() {
	if p.streaming != "" && p.midLine {
		fmt.Fprintln(p.w)
	}
	p.streaming, p.midLine = "", false
}

// callSummary is how a tool call is shown: a shell command as the command
// itself, anything else as its name and arguments.
func callSummary(e event.ToolCallStarted) string {
	if e.Name == "shell_command" {
		var args struct {
			Command string `json:"command"`
			Workdir string `json:"workdir"`
		}
		if json.Unmarshal(e.Arguments, &args) == nil && args.Command != "" {
			s := "$ " + args.Command
			if args.Workdir != "" {
				s = "(in " + args.Workdir + ") " + s
			}
			return truncate(oneLine(s), 200)
		}
	}
	if e.Name == "apply_patch" {
		if files := patchFiles(e.Input); files != "" {
			return "apply_patch " + files
		}
	}
	args := e.Input
	if len(e.Arguments) > 0 {
		args = string(e.Arguments)
	}
	return truncate(oneLine(e.Name+" "+args), 200)
}

// patchFiles lists what a patch says it does, from its file headers:
// "update a.go, add b.go".
func patchFiles(patch string) string {
	var files []string
	for _, l := range strings.Split(patch, "\n") {
		l = strings.TrimSpace(l)
		for _, h := range []struct{ prefix, verb string }{
			{"*** Add File: ", "add "}, {"*** Update File: ", "update "}, {"*** Delete File: ", "delete "}, {"*** Move to: ", "→ "},
		} {
			if rest, ok := strings.CutPrefix(l, h.prefix); ok {
				if h.verb == "→ " && len(files) > 0 {
					files[len(files)-1] += " → " + rest
				} else {
					files = append(files, h.verb+rest)
				}
			}
		}
	}
	return truncate(strings.Join(files, ", "), 200)
}

func changeMark(kind string) string {
	switch kind {
	case "add":
		return "A"
	case "delete":
		return "D"
	}
	return "M"
}

func planMark(status string) string {
	switch status {
	case "completed":
		return "x"
	case "in_progress":
		return ">"
	}
	return " "
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
