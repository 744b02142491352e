package trustprompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"warden/tui/keys"
	"warden/tui/styles"
)

// abortError is a constant error, so ErrAborted needs no package variable.
type abortError string

func (e abortError) Error() string { return string(e) }

// ErrAborted is Run's error when the user quit (ctrl+c) instead of
// answering: the caller starts nothing.
const ErrAborted = abortError("quit before saying whether to trust the project")

// IO overrides the terminal for tests; zero values use the process's own.
type IO struct {
	Input  io.Reader
	Output io.Writer
	// Env is the environment (os.Environ() if nil): NO_COLOR in it drops
	// the colours.
	Env []string
	// Width and Height fix the size when there is no real terminal.
	Width, Height int
	// NoGrace lets keys answer at once (see Grace): for tests that type
	// into a pipe.
	NoGrace bool
}

// Run asks q inline on the terminal and returns the answer; esc is no.
// It records nothing: saving the answer is the caller's job.
func Run(ctx context.Context, q Question, tio IO) (trusted bool, err error) {
	env := tio.Env
	if env == nil {
		env = os.Environ()
	}
	st := styles.New(styles.Options{Dark: true, NoColor: noColor(env)})
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithEnvironment(env)}
	if tio.Input != nil {
		opts = append(opts, tea.WithInput(tio.Input))
	}
	if tio.Output != nil {
		opts = append(opts, tea.WithOutput(tio.Output))
	}
	if tio.Width > 0 && tio.Height > 0 {
		opts = append(opts, tea.WithWindowSize(tio.Width, tio.Height))
	}
	m := New(q, keys.Default(), st)
	if tio.NoGrace {
		m = m.WithGrace(0)
	}
	final, err := tea.NewProgram(m, opts...).Run()
	if err != nil {
		if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
			err = ctx.Err()
		}
		return false, fmt.Errorf("ask whether to trust %s: %w", q.Root, err)
	}
	m, _ = final.(Model)
	if m.state != asking {
		// The cursor is on the last line of the blank last frame: go
		// back to its top, clear it, and leave the answer there instead.
		out := tio.Output
		if out == nil {
			out = os.Stdout
		}
		if m.shown > 1 {
			fmt.Fprintf(out, "\x1b[%dA", m.shown-1)
		}
		fmt.Fprint(out, "\r\x1b[J")
		// Past the program, colours are no longer brought down to what
		// the terminal can show unless lipgloss does it.
		lipgloss.Fprintln(out, m.Record())
	}
	if m.Aborted() {
		return false, ErrAborted
	}
	trusted, ok := m.Answer()
	if !ok {
		return false, fmt.Errorf("ask whether to trust %s: the question ended without an answer", q.Root)
	}
	return trusted, nil
}

// noColor reports whether env sets NO_COLOR (to anything but "").
func noColor(env []string) bool {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "NO_COLOR="); ok && v != "" {
			return true
		}
	}
	return false
}
