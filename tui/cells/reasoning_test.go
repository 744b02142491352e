package cells

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// reasoningSource is a summary with what the wrapping must get right
// across deltas: titles, a line that looks like one until it goes on,
// blank and space-only lines, CRLF, asterisks, escapes, multi-byte
// characters and words longer than the width.
const reasoningSource = "  \n  **Reading the code**\r\n\r\nThe cell keeps its **wrapped** lines; 日本語のテキスト and " +
	"a-very-long-identifier-that-cannot-fit-anywhere-at-all.\n   \n" +
	"Second paragraph with \x1b[31mcolour\x1b[0m and a\ttab.\n" +
	"**Checking the tests**\n" +
	"**Another title right after**\n\n\n" +
	"**Bold** words: a title until they came\n" +
	"Last words, still streaming"

// A summary drawn frame by frame as it streams must look exactly like the
// same text drawn at once, whatever the deltas, widths, themes and modes
// between frames.
func TestReasoningStreamedDrawsLikeWhole(t *testing.T) {
	widths := []int{1, 7, 20, 40, 80}
	for seed := range uint64(30) {
		rng := rand.New(rand.NewPCG(seed, 1))
		r := NewReasoning()
		src := reasoningSource
		for len(src) > 0 {
			n := min(1+rng.IntN(9), len(src))
			r.Append(src[:n])
			src = src[n:]
			if len(src) == 0 && rng.IntN(2) == 0 {
				r.Finish()
			}
			for range 1 + rng.IntN(2) { // a frame may draw twice
				ctx := newContext(widths[rng.IntN(len(widths))], themes[rng.IntN(len(themes))].opts, rng.IntN(4) == 0)
				whole := NewReasoning()
				whole.Append(r.Text())
				if r.Done() {
					whole.Finish()
				}
				if got, want := r.Render(ctx), whole.Render(ctx); got != want {
					t.Fatalf("seed %d, after %q (width %d, full %v):\nstreamed:\n%s\nwhole:\n%s", seed, r.Text(), ctx.Width, ctx.Full, got, want)
				}
			}
		}
	}
}

func TestReasoningLiveTail(t *testing.T) {
	r := NewReasoning()
	r.Append("**First**\n\none\n\n**Second**\n\ntwo\nthree\n\nfour\nfive")
	got := plain(r.Render(newContext(80, themes[0].opts, false)))
	if want := "• Second\n  three\n  four\n  five"; got != want {
		t.Fatalf("live reasoning:\n%s\nwant:\n%s", got, want)
	}
	r.Append("\n**Third**")
	got = plain(r.Render(newContext(80, themes[0].opts, false)))
	if want := "• Third"; got != want {
		t.Fatalf("live reasoning after a new title:\n%s\nwant:\n%s", got, want)
	}
	r.Finish()
	got = plain(r.Render(newContext(80, themes[0].opts, false)))
	if !strings.HasPrefix(got, "• First\n\n  one\n\n  Second") || !strings.HasSuffix(got, "five\n\n  Third") {
		t.Fatalf("finished reasoning:\n%s", got)
	}
}

// BenchmarkRenderLongReasoning draws one frame of a streaming summary
// after each delta, with summaries of growing length: the cost per frame
// must not grow with them.
func BenchmarkRenderLongReasoning(b *testing.B) {
	paragraph := "**Looking at the renderer**\n\nThe live area is redrawn every frame, so whatever it shows must cost the same " +
		"whether the summary is a line or a book; wrapping it all again each time would not.\n\n"
	deltas := strings.SplitAfter(paragraph, " ")
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("paragraphs=%d", n), func(b *testing.B) {
			r := NewReasoning()
			r.Append(strings.Repeat(paragraph, n))
			ctx := newContext(120, themes[1].opts, false)
			r.Render(ctx)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				r.Append(deltas[i%len(deltas)])
				i++
				_ = r.Render(ctx)
			}
		})
	}
}
