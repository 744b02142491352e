package markdown

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

// FuzzStream appends random input in random deltas, taking chunks and
// drawing the tail at random moments, and checks that nothing panics, that
// no line is wider than the width, and that the chunks taken plus the final
// tail are what rendering the whole input at once gives.
func FuzzStream(f *testing.F) {
	for _, name := range []string{"sample.md", "stream.md"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), uint64(1), uint8(80))
	}
	for _, s := range []string{
		"```go\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n```\n",
		"**bold** and `code` and [link](https://example.com)\n\n> quote\n>> nested",
		"| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n",
		"1. one\n\n   ```\n   code\n   ```\n2. two\n   - nested\n\n     more",
		"日本語\xe6\x97\n\x1b[31mred\x1b[0m\r\n\t\ttabs\x00",
		"~~~\nunclosed",
		"# h\n## h2\n###### h6\n####### not\n---\n***\n___",
		strings.Repeat("- item\n", 100),
		"```\n" + strings.Repeat("x\n", 100),
	} {
		f.Add(s, uint64(7), uint8(20))
	}
	renderers := map[styles.Options]*Renderer{}
	f.Fuzz(func(t *testing.T, src string, seed uint64, w uint8) {
		width := 1 + int(w)%160
		opts := styles.Options{Dark: seed%2 == 0, NoColor: seed%3 == 0}
		r := renderers[opts]
		if r == nil {
			r = NewRenderer(styles.New(opts))
			renderers[opts] = r
		}
		rng := rand.New(rand.NewPCG(seed, 2))
		s := NewStream()
		var chunks []string
		rest := src
		for len(rest) > 0 {
			n := min(1+rng.IntN(12), len(rest))
			s.Append(rest[:n])
			rest = rest[n:]
			if rng.IntN(4) == 0 {
				c := s.TakeCompleted(r, width)
				golden.CheckWidth(t, "completed chunk", c, width)
				if c != "" {
					chunks = append(chunks, c)
				}
			}
			if rng.IntN(4) == 0 {
				golden.CheckWidth(t, "tail", s.Tail(r, width), width)
			}
		}
		s.Finish()
		if s.Source() != src {
			t.Fatalf("Source() = %q, want %q", s.Source(), src)
		}
		tail := s.Tail(r, width)
		if again := s.Tail(r, width); again != tail {
			t.Fatalf("the final tail changed between two calls")
		}
		golden.CheckWidth(t, "final tail", tail, width)
		if got, want := printed(chunks, tail), r.Render(src, width); got != want {
			t.Fatalf("chunks and tail:\n%q\nRender:\n%q", got, want)
		}
	})
}
