package tui

import (
	"sync"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
)

// Bridge carries harness events into the bubbletea loop. The harness calls
// Sink from its own goroutines and must never wait for the screen, so Sink
// only appends; the TUI takes everything that arrived since it last looked
// as one message. Under a fast stream many deltas become one message and
// one frame, which is what keeps streaming cheap.
type Bridge struct {
	mu      sync.Mutex
	pending []event.Event
	wake    chan struct{}
	closed  chan struct{}
	once    sync.Once
}

// NewBridge makes an empty bridge.
func NewBridge() *Bridge {
	return &Bridge{wake: make(chan struct{}, 1), closed: make(chan struct{})}
}

// Sink is the harness's event.Sink.
func (b *Bridge) Sink(e event.Event) {
	b.mu.Lock()
	b.pending = append(b.pending, e)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Close ends the wait of the TUI's command, so the program can exit.
func (b *Bridge) Close() { b.once.Do(func() { close(b.closed) }) }

// eventsMsg is a batch of harness events, in order.
type eventsMsg []event.Event

// next waits for events and returns them as one message (nil once closed).
func (b *Bridge) next() tea.Cmd {
	return func() tea.Msg {
		for {
			b.mu.Lock()
			batch := b.pending
			b.pending = nil
			b.mu.Unlock()
			if len(batch) > 0 {
				return eventsMsg(batch)
			}
			select {
			case <-b.wake:
			case <-b.closed:
				return nil
			}
		}
	}
}

// take returns the events that arrived so far, without waiting.
func (b *Bridge) take() []event.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	batch := b.pending
	b.pending = nil
	return batch
}
