package sandbox

import (
	"bytes"
	"fmt"
	"sync"
)

// DefaultOutputLimit bounds the output a Runner keeps of one command.
const DefaultOutputLimit = 1 << 20

// Output is what a command printed, bounded: the first and the last bytes
// are kept and the middle is dropped, so a flood cannot exhaust memory and
// both how a command started and how it ended remain visible.
type Output struct {
	Head, Tail []byte
	// Total counts every byte the command printed; Dropped those between
	// Head and Tail that were not kept.
	Total, Dropped int64
	// Lines counts the lines of all of it (a last line without a newline
	// counts too).
	Lines int64
}

// Text is the output made safe to show in a terminal and to send as JSON
// (see Sanitize), with a marker where the middle was dropped.
func (o Output) Text() string {
	if o.Dropped == 0 {
		return Sanitize(append(append([]byte(nil), o.Head...), o.Tail...))
	}
	return Sanitize(trimPartialRune(o.Head, false)) +
		fmt.Sprintf("\n[… %d bytes of output dropped …]\n", o.Dropped) +
		Sanitize(trimPartialRune(o.Tail, true))
}

// capture is an io.Writer that keeps the head and the tail of what is
// written, and passes every chunk on to a live listener.
type capture struct {
	mu       sync.Mutex
	headMax  int
	tailMax  int
	head     []byte
	tail     []byte // the last bytes seen, at most 2*tailMax before trimming
	total    int64
	newlines int64
	lastByte byte
	onChunk  func([]byte)
}

func newCapture(limit int, onChunk func([]byte)) *capture {
	if limit <= 0 {
		limit = DefaultOutputLimit
	}
	return &capture{headMax: limit / 2, tailMax: limit - limit/2, onChunk: onChunk}
}

func (c *capture) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(p) == 0 {
		return 0, nil
	}
	c.total += int64(len(p))
	c.newlines += int64(bytes.Count(p, []byte{'\n'}))
	c.lastByte = p[len(p)-1]
	rest := p
	if room := c.headMax - len(c.head); room > 0 {
		n := min(room, len(rest))
		c.head = append(c.head, rest[:n]...)
		rest = rest[n:]
	}
	if len(rest) > 0 {
		if len(rest) >= c.tailMax {
			c.tail = append(c.tail[:0], rest[len(rest)-c.tailMax:]...)
		} else {
			if len(c.tail)+len(rest) > 2*c.tailMax {
				keep := c.tail[len(c.tail)-(c.tailMax-len(rest)):]
				c.tail = append(c.tail[:0], keep...)
			}
			c.tail = append(c.tail, rest...)
		}
	}
	if c.onChunk != nil {
		c.onChunk(p)
	}
	return len(p), nil
}

func (c *capture) output() Output {
	c.mu.Lock()
	defer c.mu.Unlock()
	tail := c.tail
	if len(tail) > c.tailMax {
		tail = tail[len(tail)-c.tailMax:]
	}
	o := Output{
		Head:  append([]byte(nil), c.head...),
		Tail:  append([]byte(nil), tail...),
		Total: c.total,
		Lines: c.newlines,
	}
	o.Dropped = o.Total - int64(len(o.Head)) - int64(len(o.Tail))
	if c.total > 0 && c.lastByte != '\n' {
		o.Lines++
	}
	return o
}
