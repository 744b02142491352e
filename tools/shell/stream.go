package shell

import (
	"fmt"
	"sync"
	"time"
	"unicode/utf8"

	"warden/sandbox"
)

// Live output is batched: a command printing a line at a time would
// otherwise become thousands of events a second, and a flood would carry
// megabytes to front-ends that only show the last screenful.
const (
	streamInterval = 50 * time.Millisecond
	// streamBatchMax bounds one batch; past it the oldest bytes of the
	// batch are dropped and the front-end told how many.
	streamBatchMax = 64 << 10
)

// streamer passes a running command's output on to the front-ends in
// batches, as text made safe for a terminal.
type streamer struct {
	emit func(string)

	mu      sync.Mutex
	pending []byte // not yet emitted
	dropped int64  // bytes of this batch dropped for size
	carry   []byte // the start of a character or escape sequence cut by a chunk boundary
	done    chan struct{}
	stopped sync.WaitGroup
}

// newStreamer starts a streamer that emits every interval; with interval
// 0 it emits only when closed (and when a test calls flush).
func newStreamer(emit func(string), interval time.Duration) *streamer {
	s := &streamer{emit: emit, done: make(chan struct{})}
	s.stopped.Add(1)
	go func() {
		defer s.stopped.Done()
		var tick <-chan time.Time
		if interval > 0 {
			t := time.NewTicker(interval)
			defer t.Stop()
			tick = t.C
		}
		for {
			select {
			case <-tick:
				s.flush(false)
			case <-s.done:
				return
			}
		}
	}()
	return s
}

// write takes a chunk of output as the runner captured it.
func (s *streamer) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, p...)
	if over := len(s.pending) - streamBatchMax; over > 0 {
		s.dropped += int64(over)
		s.pending = append(s.pending[:0], s.pending[over:]...)
		s.carry = nil // what it continued is gone
	}
}

// close emits what is left and stops the batching.
func (s *streamer) close() {
	close(s.done)
	s.stopped.Wait()
	s.flush(true)
}

func (s *streamer) flush(final bool) {
	s.mu.Lock()
	raw := append(s.carry, s.pending...)
	s.pending, s.carry = s.pending[:0], nil
	dropped := s.dropped
	s.dropped = 0
	if !final {
		cut := incompleteSuffix(raw)
		s.carry = append([]byte(nil), raw[cut:]...)
		raw = raw[:cut]
	}
	s.mu.Unlock()
	text := sandbox.Sanitize(raw)
	if dropped > 0 {
		text = fmt.Sprintf("[… %d bytes of output not shown …]\n", dropped) + text
	}
	if text != "" {
		s.emit(text)
	}
}

// incompleteSuffix is where a trailing, unfinished character or escape
// sequence starts in b (len(b) if there is none): sanitizing it now would
// turn it into a replacement character or stray text, when the next chunk
// completes it.
func incompleteSuffix(b []byte) int {
	// An escape sequence: ESC near the end with no final byte after it.
	for i := len(b) - 1; i >= 0 && len(b)-i <= 64; i-- {
		if b[i] != 0x1b {
			continue
		}
		if !escapeFinished(b[i+1:]) {
			return i
		}
		break
	}
	// A multi-byte character cut short.
	i := len(b) - 1
	for i > 0 && len(b)-i < utf8.UTFMax && !utf8.RuneStart(b[i]) {
		i--
	}
	if i >= 0 && b[i] >= utf8.RuneSelf && !utf8.FullRune(b[i:]) {
		return i
	}
	return len(b)
}

// escapeFinished reports whether the bytes after an ESC hold the end of
// its sequence: the final byte of a CSI sequence, the BEL or ST that ends
// an OSC, DCS or similar string, or the one byte of a short escape.
func escapeFinished(rest []byte) bool {
	if len(rest) == 0 {
		return false
	}
	switch rest[0] {
	case '[':
		for _, c := range rest[1:] {
			if c >= 0x40 && c <= 0x7e {
				return true
			}
		}
		return false
	case ']', 'P', '_', '^', 'X':
		for i, c := range rest[1:] {
			if c == 0x07 || (c == '\\' && i > 0 && rest[i] == 0x1b) {
				return true
			}
		}
		return false
	}
	return true
}
