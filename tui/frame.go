package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// frameInterval is the shortest time between two frames drawn for harness
// events. bubbletea calls View after every message but writes to the
// terminal at most 60 times a second, so under a fast stream most views
// would be thrown away; drawing at most once per interval keeps the CPU
// cost of streaming bounded by time, not by the number of deltas.
const frameInterval = time.Second / 60

// frameCache holds the last frame drawn and when.
type frameCache struct {
	interval time.Duration
	clock    func() time.Time
	last     tea.View
	at       time.Time
	valid    bool
	// stale: something changed since the last frame, which a frameMsg
	// will redraw.
	stale   bool
	pending bool
}

// frameMsg asks for a frame that an event had to skip.
type frameMsg struct{}

// after decides, once a message is handled, whether the next View may
// reuse the last frame. Only harness events and ticks are throttled: what
// the user does (keys, resizes, pastes) is drawn at once.
func (f *frameCache) after(msg tea.Msg) tea.Cmd {
	switch msg.(type) {
	case eventsMsg, tickMsg, printedMsg:
		if f.interval <= 0 {
			f.valid = false
			return nil
		}
		f.stale = true
		wait := f.interval - f.clock().Sub(f.at)
		if wait <= 0 {
			f.valid = false
			return nil
		}
		if f.pending {
			return nil
		}
		f.pending = true
		return tea.Tick(wait, func(time.Time) tea.Msg { return frameMsg{} })
	case frameMsg:
		f.pending = false
		if f.stale {
			f.valid = false
		}
		return nil
	}
	f.valid = false
	return nil
}

// cached returns the last frame when it may be reused.
func (f *frameCache) cached() (tea.View, bool) {
	return f.last, f.valid
}

func (f *frameCache) store(v tea.View) {
	f.last, f.at, f.valid, f.stale = v, f.clock(), true, false
}
