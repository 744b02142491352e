package trustprompt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

// run runs the prompt on input typed into a pipe, as a terminal would
// send it, and returns the answer and what was written.
func run(t *testing.T, ctx context.Context, input io.Reader) (trusted bool, out string, err error) {
	t.Helper()
	var buf bytes.Buffer
	trusted, err = Run(ctx, question(), IO{Input: input, Output: &buf, Env: []string{"TERM=xterm-256color", "NO_COLOR=1"}, Width: 80, Height: 40, NoGrace: true})
	return trusted, buf.String(), err
}

func TestRunThroughAPipe(t *testing.T) {
	for _, c := range []struct {
		name, input string
		trusted     bool
		record      string
	}{
		{"y", "y", true, "✓ Trusted ~/src/app\n"},
		{"enter right away", "\r", false, "Not trusted: ~/src/app stays read-only\n"},
		{"right arrow, enter", "\x1b[C\r", true, "✓ Trusted ~/src/app\n"},
		{"n", "n", false, "Not trusted: ~/src/app stays read-only\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			trusted, out, err := run(t, ctx, strings.NewReader(c.input))
			if err != nil || trusted != c.trusted {
				t.Fatalf("Run = %v, %v; want %v", trusted, err, c.trusted)
			}
			// The record replaces the question: the cursor goes back over
			// the blank last frame, which is cleared, and the record is
			// what is left.
			if !strings.HasSuffix(out, "\r\x1b[J"+c.record) {
				t.Errorf("output does not end with the record %q:\n%q", c.record, tail(out))
			}
		})
	}
}

// watchedWriter is an output that says when the question has been drawn.
type watchedWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	drawn chan struct{}
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), "Yes, trust it") && w.drawn != nil {
		close(w.drawn)
		w.drawn = nil
	}
	return n, err
}

// Keys typed once the question is on the screen: the cursor goes back up
// over exactly the lines the question took.
func TestRunAfterTheQuestionIsDrawn(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	drawn := make(chan struct{})
	out := &watchedWriter{drawn: drawn}
	go func() {
		select {
		case <-drawn:
			io.WriteString(pw, "\x1b[C")
			io.WriteString(pw, "\r")
		case <-ctx.Done():
		}
	}()
	defer pw.Close()
	trusted, err := Run(ctx, question(), IO{Input: pr, Output: out, Env: []string{"TERM=xterm-256color", "NO_COLOR=1"}, Width: 80, Height: 40, NoGrace: true})
	if err != nil || !trusted {
		t.Fatalf("Run = %v, %v", trusted, err)
	}
	m := sized(newModel(question()), 80)
	up := fmt.Sprintf("\x1b[%dA\r\x1b[J", strings.Count(m.question(), "\n"))
	out.mu.Lock()
	defer out.mu.Unlock()
	if got := out.buf.String(); !strings.HasSuffix(got, up+"✓ Trusted ~/src/app\n") {
		t.Errorf("output does not end with %q and the record:\n%q", up, tail(got))
	}
}

func TestRunAborted(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	trusted, out, err := run(t, ctx, strings.NewReader("\x03"))
	if !errors.Is(err, ErrAborted) || trusted {
		t.Fatalf("ctrl+c: %v, %v", trusted, err)
	}
	if !strings.HasSuffix(out, "Quit without answering: warden did not start in ~/src/app\n") {
		t.Errorf("record:\n%q", tail(out))
	}
}

// A program stopped by its context has no answer: an error, never a no
// (which the caller would record) nor a yes.
func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	pr, pw := io.Pipe()
	defer pw.Close()
	trusted, out, err := run(t, ctx, pr)
	if err == nil || trusted || errors.Is(err, ErrAborted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled: %v, %v", trusted, err)
	}
	if strings.Contains(out, "Trusted") {
		t.Errorf("a record was written without an answer:\n%q", tail(out))
	}
}

func TestNoColorFromTheEnvironment(t *testing.T) {
	for env, want := range map[string]bool{"NO_COLOR=1": true, "NO_COLOR=": false, "NO_COLORS=1": false, "TERM=xterm": false} {
		if got := noColor([]string{"HOME=/h", env}); got != want {
			t.Errorf("%q: noColor %v", env, got)
		}
	}
}

func tail(s string) string {
	if len(s) > 400 {
		return "…" + s[len(s)-400:]
	}
	return s
}

// Through a real program: "y" typed before the question is up answers
// nothing; the question still waits.
func TestRunIgnoresTypeAhead(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	var buf bytes.Buffer
	trusted, err := Run(ctx, question(), IO{Input: strings.NewReader("yes please fix the bug\r"), Output: &buf,
		Env: []string{"TERM=xterm-256color", "NO_COLOR=1"}, Width: 80, Height: 40})
	if err == nil || trusted {
		t.Fatalf("type-ahead answered: %v, %v", trusted, err)
	}
}
