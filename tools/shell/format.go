package shell

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"warden/sandbox"
)

// DefaultOutputTokens is how much of a command's output the model is sent
// by default, in tokens (about 40 KB): enough for a failing test run, small
// enough that one noisy command does not crowd out the conversation.
const DefaultOutputTokens = 10_000

// bytesPerToken is the rough size of a token of program output. Counting
// real tokens would need the model's tokenizer; this estimate errs on the
// side of sending less.
const bytesPerToken = 4

// formatResult is what the model is sent about a finished command, in the
// layout the Codex harness uses and OpenAI's coding models are trained on:
//
//	Exit code: N
//	Wall time: S seconds
//	Total output lines: N     (only when the output was cut)
//	Output:
//	...
//
// A timeout is said first, and what the sandbox blocked is said last.
func formatResult(res sandbox.Result, budgetTokens int) string {
	var b strings.Builder
	if res.TimedOut {
		fmt.Fprintf(&b, "command timed out after %d milliseconds; it and every process it started were killed\n", res.Timeout.Milliseconds())
	}
	fmt.Fprintf(&b, "Exit code: %d\n", exitCode(res))
	fmt.Fprintf(&b, "Wall time: %s seconds\n", seconds(res.Duration))
	text, cut := truncate(res.Output, budgetTokens)
	if cut {
		fmt.Fprintf(&b, "Total output lines: %d\n", res.Output.Lines)
	}
	b.WriteString("Output:\n")
	b.WriteString(text)
	if d := sandbox.FormatDenials(res.Denials); d != "" {
		if text != "" && !strings.HasSuffix(text, "\n") {
			b.WriteByte('\n')
		}
		b.WriteString("\n")
		b.WriteString(d)
		b.WriteString("\n")
	}
	return b.String()
}

// exitCode is the status reported to the model. A command warden killed
// for running too long reports 124, as timeout(1) does, rather than the
// runner's -1, which no shell would print.
func exitCode(res sandbox.Result) int {
	if res.TimedOut {
		return 124
	}
	return res.ExitCode
}

func seconds(d time.Duration) string {
	return fmt.Sprintf("%.1f", d.Seconds())
}

// truncate keeps the head and the tail of a command's output within the
// token budget, with a marker saying how much of the middle went. Both
// ends matter: how a build started and the error it ended with. It cuts
// the raw output the runner kept and makes only what is sent safe to show,
// so a flood costs the budget, not the runner's whole capture.
func truncate(out sandbox.Output, budgetTokens int) (text string, cut bool) {
	if budgetTokens <= 0 {
		budgetTokens = DefaultOutputTokens
	}
	limit := budgetTokens * bytesPerToken
	headSrc, tailSrc := out.Head, out.Tail
	if out.Dropped == 0 {
		if len(out.Head)+len(out.Tail) <= limit {
			return out.Text(), false
		}
		all := append(append([]byte(nil), out.Head...), out.Tail...)
		headSrc, tailSrc = all, all
	}
	head := cutHead(headSrc, limit/2)
	tail := cutTail(tailSrc, limit-limit/2)
	removed := out.Total - int64(len(head)) - int64(len(tail))
	tokens := (removed + bytesPerToken - 1) / bytesPerToken
	var b strings.Builder
	b.Grow(len(head) + len(tail) + 40)
	h := sandbox.Sanitize(head)
	b.WriteString(h)
	if h != "" && !strings.HasSuffix(h, "\n") {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "…%d tokens truncated…\n", tokens)
	b.WriteString(sandbox.Sanitize(tail))
	return b.String(), true
}

// cutHead is at most n bytes from the start of b, ending after a newline
// when one is near the end, and never inside a character.
func cutHead(b []byte, n int) []byte {
	if n >= len(b) {
		return b
	}
	h := b[:n]
	if i := bytes.LastIndexByte(h, '\n'); i >= n*3/4 {
		return h[:i+1]
	}
	i := len(h) - 1
	for i > 0 && len(h)-i < utf8.UTFMax && !utf8.RuneStart(h[i]) {
		i--
	}
	if i >= 0 && !utf8.FullRune(h[i:]) {
		return h[:i]
	}
	return h
}

// cutTail is at most n bytes from the end of b, starting at a line start
// when one is near, and never inside a character.
func cutTail(b []byte, n int) []byte {
	if n >= len(b) {
		return b
	}
	t := b[len(b)-n:]
	if i := bytes.IndexByte(t, '\n'); i >= 0 && i < n/4 {
		return t[i+1:]
	}
	for len(t) > 0 && !utf8.RuneStart(t[0]) {
		t = t[1:]
	}
	return t
}
