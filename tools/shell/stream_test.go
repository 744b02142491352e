package shell

import (
	"strings"
	"sync"
	"testing"
)

type collected struct {
	mu    sync.Mutex
	parts []string
}

func (c *collected) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.parts = append(c.parts, s)
}

func (c *collected) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.parts, "")
}

// A character or escape sequence cut by a chunk boundary comes out whole
// (or, for a sequence, not at all), never as U+FFFD or stray text.
func TestStreamerJoinsWhatChunksCut(t *testing.T) {
	t.Parallel()
	var c collected
	s := newStreamer(c.add, 0)
	input := "caf\xc3\xa9 \x1b[31mred\x1b[0m \xe2\x9c\x85 done\n"
	for i := 0; i < len(input); i++ {
		s.write([]byte{input[i]})
		s.flush(false) // as if the ticker fired after every byte
	}
	s.close()
	if got, want := c.text(), "café red ✅ done\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A flood reaches the front-end bounded, with the count of what was not
// shown, and ends with what the command printed last.
func TestStreamerBoundsAFlood(t *testing.T) {
	t.Parallel()
	var c collected
	s := newStreamer(c.add, 0)
	line := []byte(strings.Repeat("y", 1023) + "\n")
	for range 4096 { // 4 MiB in one batch
		s.write(line)
	}
	s.write([]byte("the end\n"))
	s.close()
	got := c.text()
	if len(got) > 2*streamBatchMax+200 {
		t.Errorf("%d bytes streamed, want at most about %d", len(got), streamBatchMax)
	}
	if !strings.Contains(got, "bytes of output not shown …]\nyyy") || !strings.HasSuffix(got, "the end\n") {
		t.Errorf("got %q … %q", got[:60], got[len(got)-20:])
	}
}

// A progress bar's carriage returns reach the front-end, so it can redraw
// one line instead of showing every update; CRLF arrives as LF.
func TestStreamerKeepsProgressCarriageReturns(t *testing.T) {
	t.Parallel()
	var c collected
	s := newStreamer(c.add, 0)
	s.write([]byte("10%\r50%\r100%\r\ndone\r\n"))
	s.close()
	if got, want := c.text(), "10%\r50%\r100%\ndone\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
