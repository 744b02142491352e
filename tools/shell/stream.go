package shell

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"warden/sandbox"
)

// Live output is batched: a command printing a line at a time would
// otherwise become thousands of events a second, and a flood would carry
// megabytes to front-ends that only show the last screenful.
const (
	streamInterval = 50 * time.Millisecond
	// streamBatchMax bounds one batch (give or take as much again); past
	// it the oldest lines of the batch are dropped and the front-end told
	// how many bytes.
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
	// Trimmed only past twice the bound, so that a flood of small chunks
	// does not move the whole batch for each one; the batch then starts at
	// a line.
	if len(s.pending) > 2*streamBatchMax {
		over := len(s.pending) - streamBatchMax
		if nl := bytes.IndexByte(s.pending[over:], '\n'); nl >= 0 && nl < streamBatchMax/2 {
			over += nl + 1
		}
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
		cut := sandbox.CompleteLen(raw)
		s.carry = append([]byte(nil), raw[cut:]...)
		raw = raw[:cut]
	}
	s.mu.Unlock()
	text := sandbox.SanitizeLive(raw)
	if dropped > 0 {
		text = fmt.Sprintf("[… %d bytes of output not shown …]\n", dropped) + text
	}
	if text != "" {
		s.emit(text)
	}
}
