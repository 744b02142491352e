package cells

import (
	"strings"
	"testing"

	"warden/tui/markdown"
)

const answer = "I changed the exec cell so that it keeps only the **last 200 lines**:\n\n" +
	"- `outputBuffer` is a ring, so appending costs what the delta costs\n" +
	"- carriage returns replace the line, so progress bars show their last state\n\n" +
	"```go\nfunc (b *outputBuffer) Write(s string) {\n\tfor i := 0; i < len(s); i++ {\n```\n\n" +
	"Run `go test ./tui/cells` to check the golden files."

// streamed feeds text to the answer in small deltas.
func streamed(a *Assistant, text string) {
	for len(text) > 0 {
		n := min(7, len(text))
		a.Append(text[:n])
		text = text[n:]
	}
}

func TestAssistantGolden(t *testing.T) {
	cut := strings.Index(answer, "```go")
	golden(t, "assistant_streaming", false, func(ctx Context) string {
		a := NewAssistant(markdown.NewStream())
		streamed(a, answer[:cut+20])
		flushed := a.Flush(ctx)
		return "[scrollback]\n" + flushed + "\n[live]\n" + a.Render(ctx)
	})
	golden(t, "assistant_done", false, func(ctx Context) string {
		a := NewAssistant(markdown.NewStream())
		streamed(a, answer)
		a.Finish()
		return a.Render(ctx)
	})
	golden(t, "assistant_full", true, func(ctx Context) string {
		a := NewAssistant(markdown.NewStream())
		streamed(a, answer)
		a.Flush(newContext(ctx.Width, ctx.Styles.Options, false))
		return a.Render(ctx)
	})
}

// What Flush hands to the scrollback followed by what Render draws at the
// end is the whole answer, with one bullet, on its first line.
func TestAssistantFlushThenRender(t *testing.T) {
	ctx := newContext(60, themes[0].opts, false)
	whole := NewAssistant(markdown.NewStream())
	streamed(whole, answer)
	whole.Finish()
	want := plain(whole.Render(ctx))

	a := NewAssistant(markdown.NewStream())
	var printed []string
	for i := 0; i < len(answer); i += 5 {
		a.Append(answer[i:min(i+5, len(answer))])
		if s := a.Flush(ctx); s != "" {
			printed = append(printed, s)
		}
	}
	a.Finish()
	if s := a.Flush(ctx); s != "" {
		printed = append(printed, s)
	}
	if len(printed) < 2 {
		t.Fatalf("the answer was flushed in %d chunks; want several", len(printed))
	}
	if rest := a.Render(ctx); rest != "" {
		t.Errorf("a flushed, finished answer still draws %q", rest)
	}
	got := plain(strings.Join(printed, "\n"))
	if got != want {
		t.Errorf("flushed chunks:\n%s\n\nwhole answer:\n%s", got, want)
	}
	if n := strings.Count("\n"+got, "\n"+bullet+" "); n != 1 || !strings.HasPrefix(got, bullet+" ") {
		t.Errorf("the answer has %d bullets in the gutter, or not first:\n%s", n, got)
	}
	if !a.Done() || a.Source() != answer {
		t.Error("the answer is not done, or lost text")
	}
}
