package markdown

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

// printed is what the terminal shows after printing each chunk on its own
// lines (tea.Println) and then the tail.
func printed(chunks []string, tail string) string {
	var parts []string
	for _, c := range append(chunks, tail) {
		if c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, "\n")
}

// streamAll appends src in random deltas, taking completed blocks at random
// moments, and returns the chunks taken and the final tail.
func streamAll(r *Renderer, src string, width int, rng *rand.Rand) (chunks []string, tail string) {
	s := NewStream()
	for len(src) > 0 {
		n := min(1+rng.IntN(24), len(src))
		s.Append(src[:n])
		src = src[n:]
		if rng.IntN(3) == 0 {
			if c := s.TakeCompleted(r, width); c != "" {
				chunks = append(chunks, c)
			}
		}
		if rng.IntN(5) == 0 {
			s.Tail(r, width)
		}
	}
	s.Finish()
	return chunks, s.Tail(r, width)
}

// The chunks printed one after another, then the final tail, are exactly
// the whole document rendered at once, however the deltas fell.
func TestStreamPrintsWhatRenderRenders(t *testing.T) {
	src := readTestdata(t, "sample.md") + "\n" + readTestdata(t, "stream.md")
	for _, p := range palettes {
		r := NewRenderer(styles.New(p.opts))
		for _, w := range widths {
			want := r.Render(src, w)
			for seed := range uint64(4) {
				chunks, tail := streamAll(r, src, w, rand.New(rand.NewPCG(seed, 1)))
				if got := printed(chunks, tail); got != want {
					t.Fatalf("%s/%d seed %d: streamed output differs from Render:\n%s\n---- want\n%s",
						p.name, w, seed, ansi.Strip(got), ansi.Strip(want))
				}
			}
		}
	}
}

// What is taken is final: each chunk, once printed, stays the start of the
// document whatever arrives after it.
func TestTakenChunksAreFinal(t *testing.T) {
	src := readTestdata(t, "stream.md")
	r := NewRenderer(styles.New(styles.Options{Dark: true}))
	want := r.Render(src, 80)
	s := NewStream()
	var chunks []string
	for i := 0; i < len(src); i += 5 {
		s.Append(src[i:min(i+5, len(src))])
		if c := s.TakeCompleted(r, 80); c != "" {
			chunks = append(chunks, c)
			if soFar := printed(chunks, ""); !strings.HasPrefix(want, soFar+"\n") {
				t.Fatalf("after %d bytes the printed chunks are not the start of the document:\n%s", i, ansi.Strip(soFar))
			}
		}
	}
	if s.TakeCompleted(r, 80) != "" {
		t.Error("TakeCompleted returned something twice")
	}
}

func TestStreamWidthChange(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	long := strings.Repeat("word ", 20)
	s := NewStream()
	s.Append("# One\n\n" + long + "\n\n")
	first := s.TakeCompleted(r, 40)
	if first != r.Render("# One\n\n"+long, 40) {
		t.Fatalf("first chunk at width 40:\n%s", first)
	}
	s.Append(long + "\n\n## Two\n")
	second := s.TakeCompleted(r, 60)
	if want := "\n" + r.Render(long+"\n\n## Two", 60); second != want {
		t.Errorf("second chunk at width 60:\n%q\nwant\n%q", second, want)
	}
	s.Append("tail " + long)
	if tail, want := s.Tail(r, 30), "\n"+r.Render("tail "+long, 30); tail != want {
		t.Errorf("tail at width 30:\n%q\nwant\n%q", tail, want)
	}
	golden.CheckWidth(t, "first chunk", first, 40)
	golden.CheckWidth(t, "second chunk", second, 60)
}

func TestStreamWaitsForAWidth(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{}))
	s := NewStream()
	s.Append("done\n\nmore")
	if c := s.TakeCompleted(r, 0); c != "" {
		t.Fatalf("took %q at width 0", c)
	}
	if tail := s.Tail(r, 0); tail != "" {
		t.Fatalf("tail %q at width 0", tail)
	}
	if c := s.TakeCompleted(r, 20); ansi.Strip(c) != "done" {
		t.Errorf("the block waiting for a width was lost: %q", c)
	}
}

func TestStreamState(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{NoColor: true}))
	s := NewStream()
	if s.Tail(r, 80) != "" || s.TakeCompleted(r, 80) != "" {
		t.Error("an empty stream shows something")
	}
	s.Append("```go\nfmt.Println(\"日")
	s.Append("本\")")
	if s.Finished() {
		t.Error("finished before Finish")
	}
	if got := ansi.Strip(s.Tail(r, 80)); got != "  fmt.Println(\"日本\")" {
		t.Errorf("an open fence does not show as code: %q", got)
	}
	s.Finish()
	s.Append("ignored")
	if !s.Finished() || s.Source() != "```go\nfmt.Println(\"日本\")" {
		t.Errorf("Finished %v, Source %q", s.Finished(), s.Source())
	}
	if got := ansi.Strip(s.TakeCompleted(r, 80)); got != "  fmt.Println(\"日本\")" {
		t.Errorf("the unclosed fence was not taken as code at Finish: %q", got)
	}
	if s.Tail(r, 80) != "" {
		t.Error("a tail is left after everything was taken")
	}
}

func TestTailIsCachedUntilSomethingChanges(t *testing.T) {
	r := NewRenderer(styles.New(styles.Options{}))
	s := NewStream()
	s.Append("some *text*")
	first := s.Tail(r, 50)
	if s.tail.out != first || s.tail.width != 50 {
		t.Fatal("the tail was not kept")
	}
	// A stale cache would show here: the same renderer, width and
	// version must give back what is kept, anything else renders anew.
	s.tail.out = "kept"
	if s.Tail(r, 50) != "kept" {
		t.Error("an unchanged tail was rendered again")
	}
	if s.Tail(r, 51) == "kept" {
		t.Error("a new width used the old tail")
	}
	s.Append(" more")
	if got := ansi.Strip(s.Tail(r, 51)); got != "some text more" {
		t.Errorf("tail after Append: %q", got)
	}
}

// The stream golden files show what the terminal holds at a few moments:
// the chunks taken so far (printed for good) and the live tail.
func TestStreamGolden(t *testing.T) {
	src := readTestdata(t, "stream.md")
	for _, p := range palettes {
		r := NewRenderer(styles.New(p.opts))
		for _, w := range widths {
			t.Run(fmt.Sprintf("%s/%d", p.name, w), func(t *testing.T) {
				var b strings.Builder
				s := NewStream()
				stops := []int{len(src) / 8, len(src) / 3, len(src) * 2 / 3, len(src)}
				at := 0
				for _, stop := range stops {
					for ; at < stop; at += 7 {
						s.Append(src[at:min(at+7, stop)])
					}
					at = stop
					if stop == len(src) {
						s.Finish()
					}
					taken, tail := s.TakeCompleted(r, w), s.Tail(r, w)
					golden.CheckWidth(t, fmt.Sprintf("taken after %d bytes", stop), taken, w)
					golden.CheckWidth(t, fmt.Sprintf("tail after %d bytes", stop), tail, w)
					fmt.Fprintf(&b, "════ after %d of %d bytes: taken ════\n%s\n════ tail ════\n%s\n", stop, len(src), taken, tail)
				}
				golden.Compare(t, filepath.Join("testdata", fmt.Sprintf("stream_%s_%d.golden", p.name, w)), b.String(), *update)
			})
		}
	}
}
