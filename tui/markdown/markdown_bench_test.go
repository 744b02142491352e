package markdown

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"warden/tui/styles"
)

// benchWidth is the terminal width the benchmarks render at.
const benchWidth = 100

var benchWords = strings.Fields(`the worker reads each request from the queue and
writes its answer to the store before it acknowledges the message so a crash
never loses work but may repeat it which is why every handler must be
idempotent and check the version it was given against the one it finds`)

// genMarkdown makes about size bytes of markdown shaped like an agent's
// answers: headings, paragraphs with inline code and emphasis, lists, code
// blocks (one of them several hundred lines long), tables and quotes. The
// same size gives the same text.
func genMarkdown(size int) string {
	rng := rand.New(rand.NewPCG(42, 42))
	var b strings.Builder
	words := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = benchWords[rng.IntN(len(benchWords))]
			switch rng.IntN(12) {
			case 0:
				w[i] = "`" + w[i] + "()`"
			case 1:
				w[i] = "**" + w[i] + "**"
			case 2:
				w[i] = "*" + w[i] + "*"
			}
		}
		return strings.Join(w, " ")
	}
	code := func(lines int) {
		fmt.Fprintf(&b, "```go\n")
		for i := range lines {
			switch i % 5 {
			case 0:
				fmt.Fprintf(&b, "func handle%d(ctx context.Context, msg *Message) error {\n", i)
			case 1:
				fmt.Fprintf(&b, "\tif err := store.Put(ctx, msg.Key, msg.Value); err != nil { // %s\n", words(3))
			case 2:
				fmt.Fprintf(&b, "\t\treturn fmt.Errorf(\"put %%s: %%w\", msg.Key, err)\n")
			case 3:
				fmt.Fprintf(&b, "\t}\n")
			default:
				fmt.Fprintf(&b, "\treturn nil\n}\n")
			}
		}
		b.WriteString("```\n\n")
	}
	longCodeDone := 0
	for section := 0; b.Len() < size; section++ {
		fmt.Fprintf(&b, "## %s\n\n", words(4))
		for range 1 + rng.IntN(3) {
			fmt.Fprintf(&b, "%s.\n\n", words(30+rng.IntN(60)))
		}
		switch section % 5 {
		case 0:
			for i := range 3 + rng.IntN(6) {
				fmt.Fprintf(&b, "%d. %s\n", i+1, words(8+rng.IntN(12)))
			}
			b.WriteString("\n")
		case 1:
			code(5 + rng.IntN(25))
		case 2:
			b.WriteString("| Name | Kind | Notes |\n|------|------|-------|\n")
			for range 3 + rng.IntN(8) {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", benchWords[rng.IntN(len(benchWords))], words(1), words(6))
			}
			b.WriteString("\n")
		case 3:
			for range 4 + rng.IntN(8) {
				fmt.Fprintf(&b, "- %s\n", words(6+rng.IntN(10)))
			}
			fmt.Fprintf(&b, "\n> **Note:** %s.\n\n", words(25))
		case 4:
			if b.Len() > longCodeDone+80_000 {
				code(400)
				longCodeDone = b.Len()
			} else {
				code(10 + rng.IntN(20))
			}
		}
	}
	return b.String()
}

// BenchmarkStream200KB streams 200 KB of markdown in 8-byte deltas the way
// the TUI does: after every delta it takes the completed blocks, and every
// 16 deltas (about a frame) it draws the tail, at width 100.
func BenchmarkStream200KB(b *testing.B) {
	src := genMarkdown(200 << 10)
	r := NewRenderer(styles.New(styles.Options{Dark: true}))
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	var worstFrame, frameTime time.Duration
	frames := 0
	for b.Loop() {
		s := NewStream()
		frameStart := time.Now()
		for i, n := 0, 0; i < len(src); i, n = i+8, n+1 {
			s.Append(src[i:min(i+8, len(src))])
			s.TakeCompleted(r, benchWidth)
			if n%16 == 15 {
				s.Tail(r, benchWidth)
				d := time.Since(frameStart)
				worstFrame = max(worstFrame, d)
				frameTime += d
				frames++
				frameStart = time.Now()
			}
		}
		s.Finish()
		s.TakeCompleted(r, benchWidth)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)*float64(200<<10)/float64(len(src)), "ms/200KB")
	b.ReportMetric(float64(worstFrame.Microseconds())/1000, "worst-frame-ms")
	b.ReportMetric(float64(frameTime.Microseconds())/float64(frames), "mean-frame-µs")
}

// BenchmarkTailLongCodeBlock streams a fenced code block already lines
// long, one 8-byte line per operation, taking completed blocks and drawing
// the tail each time: the cost per operation stays flat however long the
// block already is, where rendering the whole block grows with it.
func BenchmarkTailLongCodeBlock(b *testing.B) {
	r := NewRenderer(styles.New(styles.Options{Dark: true}))
	const line = "\tx := 1\n"
	for _, lines := range []int{100, 1_000, 10_000} {
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			s := NewStream()
			s.Append("```go\nfunc main() {\n" + strings.Repeat(line, lines))
			s.TakeCompleted(r, benchWidth)
			for b.Loop() {
				s.Append(line)
				s.TakeCompleted(r, benchWidth)
				s.Tail(r, benchWidth)
			}
		})
	}
	for _, lines := range []int{100, 1_000} {
		b.Run(fmt.Sprintf("whole-block-render/lines=%d", lines), func(b *testing.B) {
			src := "```go\nfunc main() {\n" + strings.Repeat(line, lines)
			for b.Loop() {
				r.Render(src, benchWidth)
			}
		})
	}
}
