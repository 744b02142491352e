package tui

import (
	"strings"
	"sync/atomic"
	"testing"

	tea "charm.land/bubbletea/v2"

	"warden/harness"
	"warden/harness/event"
)

func TestScreenWatchFollowsTheAlternateScreen(t *testing.T) {
	var out strings.Builder
	left := 0
	w := &screenWatch{w: &out, left: func() { left++ }}
	for _, chunk := range []string{"frame", "\x1b[?1049h\x1b[Hpager", "more pager", "\x1b[?1049l\x1b[?1049hagain", "\x1b[?1049lback"} {
		if _, err := w.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
		wantAlt := strings.HasSuffix(chunk, "pager") || strings.HasSuffix(chunk, "again")
		if w.alt.Load() != wantAlt {
			t.Fatalf("after %q: alt = %v", chunk, w.alt.Load())
		}
	}
	if left != 1 {
		t.Fatalf("left called %d times, want 1 (the last switch back)", left)
	}
	if !strings.HasSuffix(out.String(), "back") {
		t.Fatal("output not passed through")
	}
}

// Closing the pager is not enough: until the terminal has really left the
// alternate screen, a print would land there and be lost.
func TestPrintsWaitForTheTerminalToLeaveTheAlternateScreen(t *testing.T) {
	r := newRig(t, 80, 30)
	var alt atomic.Bool
	r.m.altScreen = &alt
	r.ask("stream something")
	r.events(event.TurnStarted{TurnID: 1, Input: "stream something"})
	r.press('t', tea.ModCtrl)
	alt.Store(true) // bubbletea drew the pager
	r.events(event.TextDelta{Delta: "ALPHA paragraph.\n\n"}, answer("ALPHA paragraph."),
		event.TurnFinished{TurnID: 1, Status: event.TurnCompleted})
	r.send(turnDoneMsg{res: harness.TurnResult{Status: event.TurnCompleted}})
	r.press(tea.KeyEscape) // the pager closes; the terminal has not switched yet
	if strings.Contains(r.scrollback(), "ALPHA") {
		t.Fatal("printed while the terminal was still on the alternate screen")
	}
	alt.Store(false)
	r.send(mainScreenMsg{})
	r.mustContain("scrollback", r.scrollback(), "ALPHA paragraph.")
}
