package shell

import (
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
// ends matter: how a build started and the error it ended with.
func truncate(out sandbox.Output, budgetTokens int) (text string, cut bool) {
	if budgetTokens <= 0 {
		budgetTokens = DefaultOutputTokens
	}
	full := out.Text()
	limit := budgetTokens * bytesPerToken
	if len(full) <= limit && out.Dropped == 0 {
		return full, false
	}
	if len(full) <= limit {
		// The runner already dropped the middle and marked it; what
		// is left fits.
		return full, true
	}
	head := cutHead(full, limit/2)
	tail := cutTail(full, limit-limit/2)
	removed := out.Total - int64(len(head)) - int64(len(tail))
	if removed < 1 {
		removed = int64(len(full) - len(head) - len(tail))
	}
	tokens := (removed + bytesPerToken - 1) / bytesPerToken
	var b strings.Builder
	b.Grow(len(head) + len(tail) + 40)
	b.WriteString(head)
	if !strings.HasSuffix(head, "\n") {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "…%d tokens truncated…\n", tokens)
	b.WriteString(tail)
	return b.String(), true
}

// cutHead is at most n bytes from the start of s, ending after a newline
// when one is near the end, and never inside a character.
func cutHead(s string, n int) string {
	if n >= len(s) {
		return s
	}
	h := s[:n]
	if i := strings.LastIndexByte(h, '\n'); i >= n*3/4 {
		return h[:i+1]
	}
	return dropPartialRune(h)
}

// cutTail is at most n bytes from the end of s, starting at a line start
// when one is near, and never inside a character.
func cutTail(s string, n int) string {
	if n >= len(s) {
		return s
	}
	t := s[len(s)-n:]
	if i := strings.IndexByte(t, '\n'); i >= 0 && i < n/4 {
		return t[i+1:]
	}
	for len(t) > 0 && !utf8.RuneStart(t[0]) {
		t = t[1:]
	}
	return t
}

// dropPartialRune removes a character cut off at the end of s.
func dropPartialRune(s string) string {
	i := len(s) - 1
	for i > 0 && len(s)-i < utf8.UTFMax && !utf8.RuneStart(s[i]) {
		i--
	}
	if i >= 0 && !utf8.FullRuneInString(s[i:]) {
		return s[:i]
	}
	return s
}
