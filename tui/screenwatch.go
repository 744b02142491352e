package tui

import (
	"bytes"
	"io"
	"sync/atomic"

	"github.com/charmbracelet/x/term"
)

// screenWatch passes bubbletea's output to the terminal and notes whether
// the terminal is on its alternate screen, as the bytes that switch it
// (DEC private mode 1049) go by. bubbletea v2.0.10 writes a print the
// moment it gets it but switches screens only at its next frame, so a print
// made as the pager closes would land on the alternate screen and vanish
// with it; the printer waits until the switch back has really been
// written (see Model.altScreen).
type screenWatch struct {
	w   io.Writer
	alt atomic.Bool
	// left is called when the switch back to the main screen was written.
	left func()
}

var (
	enterAltScreen = []byte("\x1b[?1049h")
	leaveAltScreen = []byte("\x1b[?1049l")
)

func (s *screenWatch) Write(p []byte) (int, error) {
	n, err := s.w.Write(p)
	enter, leave := bytes.LastIndex(p, enterAltScreen), bytes.LastIndex(p, leaveAltScreen)
	switch {
	case enter > leave:
		s.alt.Store(true)
	case leave > enter:
		if s.alt.Swap(false) && s.left != nil {
			s.left()
		}
	}
	return n, err
}

// watchedTerminal is a screenWatch over the terminal itself: bubbletea
// must still see a terminal (its size, raw mode), so everything but Write
// goes to the file.
type watchedTerminal struct {
	term.File
	watch *screenWatch
}

func (t watchedTerminal) Write(p []byte) (int, error) { return t.watch.Write(p) }

// watched wraps out in s, keeping it a terminal when it is one.
func (s *screenWatch) watched() io.Writer {
	if f, ok := s.w.(term.File); ok {
		return watchedTerminal{File: f, watch: s}
	}
	return s
}
