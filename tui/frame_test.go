package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
)

// Harness events draw at most one frame per interval; the change an event
// brought within the interval is drawn when the scheduled frame comes, and
// keys are drawn at once.
func TestFramesForEventsAreThrottled(t *testing.T) {
	r := newRig(t, 80, 30)
	clock := rigStart
	r.m.frame = frameCache{interval: frameInterval, clock: func() time.Time { return clock }}
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "first"})
	r.mustContain("live area", r.view(), "first")

	clock = clock.Add(frameInterval / 4)
	_, cmd := r.m.Update(eventsMsg{event.TextDelta{Delta: " second"}})
	if strings.Contains(r.view(), "second") {
		t.Fatal("a frame was drawn within the interval")
	}
	if cmd == nil {
		t.Fatal("no frame was scheduled for the skipped change")
	}
	clock = clock.Add(frameInterval)
	r.m.Update(frameMsg{})
	r.mustContain("live area", r.view(), "first second")

	clock = clock.Add(frameInterval / 4)
	r.m.Update(tea.KeyPressMsg{Code: 'x', Text: "x"})
	r.mustContain("live area (a key is drawn at once)", r.view(), "x")
}

// A frame that goes with a print is always drawn fresh: a throttled one
// would show the printed lines again under the print.
func TestAFrameThatPrintsIsNeverThrottled(t *testing.T) {
	r := newRig(t, 80, 30)
	clock := rigStart
	r.m.frame = frameCache{interval: frameInterval, clock: func() time.Time { return clock }}
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "A paragraph that will be printed"})
	r.mustContain("live area", r.view(), "will be printed")
	clock = clock.Add(frameInterval / 4)
	r.m.Update(eventsMsg{event.TextDelta{Delta: ".\n\n"}})
	if !r.m.printer.inFlight {
		t.Fatal("the finished paragraph was not printed")
	}
	r.mustNotContain("live area", r.view(), "will be printed")
}
