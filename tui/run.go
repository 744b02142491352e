package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"

	tea "charm.land/bubbletea/v2"
)

// IO overrides the terminal for tests; zero values use the process's own.
type IO struct {
	Input  io.Reader
	Output io.Writer
	Env    []string
	// Width and Height fix the size when there is no real terminal.
	Width, Height int
}

// Run shows the TUI until the user quits.
func Run(ctx context.Context, o Options, tio IO) error {
	m := New(o)
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if tio.Input != nil {
		opts = append(opts, tea.WithInput(tio.Input))
	}
	if tio.Env != nil {
		opts = append(opts, tea.WithEnvironment(tio.Env))
	}
	if tio.Width > 0 && tio.Height > 0 {
		opts = append(opts, tea.WithWindowSize(tio.Width, tio.Height))
	}
	out := tio.Output
	if out == nil {
		out = os.Stdout
	}
	width := tio.Width
	if f, ok := out.(*os.File); ok && width == 0 {
		if w, _, err := term.GetSize(f.Fd()); err == nil {
			width = w
		}
	}
	if width > 0 {
		if err := m.WriteWelcome(out, width); err != nil {
			return fmt.Errorf("run the terminal interface: %w", err)
		}
	}
	watch := &screenWatch{w: out}
	m.altScreen = &watch.alt
	opts = append(opts, tea.WithOutput(watch.watched()))
	p := tea.NewProgram(m, opts...)
	// Sent from bubbletea's renderer: without blocking it.
	watch.left = func() { go p.Send(mainScreenMsg{}) }
	defer func() {
		if o.Bridge != nil {
			o.Bridge.Close()
		}
	}()
	_, err := p.Run()
	// bubbletea leaves the cursor on the last line of the final, blank
	// frame; go back to its top so what follows starts right under the
	// transcript instead of after a gap.
	if m.quitting && m.lastHeight > 1 {
		fmt.Fprintf(out, "\x1b[%dA\x1b[J", m.lastHeight-1)
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return fmt.Errorf("run the terminal interface: %w", err)
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() == nil {
		return fmt.Errorf("run the terminal interface: %w", err)
	}
	return nil
}
