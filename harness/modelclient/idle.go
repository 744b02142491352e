package modelclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"warden/harness/model"
)

// watchdog cuts a request that has gone silent. A half-open connection or a
// wedged proxy otherwise leaves a stream waiting forever: TCP will not notice,
// and a whole-request timeout cannot be used because healthy replies can
// stream for many minutes.
//
// It cancels a context derived from the caller's with an idleCause, so that
// afterwards the two kinds of cancellation can be told apart: the caller's
// own is returned as ctx.Err(), the watchdog's as ErrStreamIdle.
type watchdog struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	timer  *time.Timer
	limit  time.Duration
}

// idleCause marks a cancellation made by the watchdog.
type idleCause struct{ limit time.Duration }

func (c idleCause) Error() string { return fmt.Sprintf("no data for %s", c.limit) }

func startWatchdog(parent context.Context, limit time.Duration) *watchdog {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watchdog{ctx: ctx, cancel: cancel, limit: limit}
	// The clock runs from before the request is sent, so a server that
	// accepts the connection but never answers is caught too.
	w.timer = time.AfterFunc(limit, func() { cancel(idleCause{limit}) })
	return w
}

// touch restarts the clock. Resetting a timer that already fired makes it
// fire again, which only repeats a cancellation that already happened.
func (w *watchdog) touch() { w.timer.Reset(w.limit) }

// stop releases the timer and the derived context.
func (w *watchdog) stop() {
	w.timer.Stop()
	w.cancel(nil)
}

// fired reports whether the watchdog, not the caller, cancelled the request.
func (w *watchdog) fired() bool {
	var c idleCause
	return errors.As(context.Cause(w.ctx), &c)
}

func (w *watchdog) err() error {
	return &model.Error{
		Kind:    model.ErrStreamIdle,
		Message: fmt.Sprintf("no data from the model for %s; the stream was treated as cut", w.limit),
		Err:     context.Cause(w.ctx),
	}
}

// watch wraps a response body so that every read that brings bytes restarts
// the clock. Bytes rather than whole events count as a sign of life: proxies
// such as OpenRouter send SSE comments as keep-alives while a slow model is
// still thinking, and those must not get the stream cut.
func (w *watchdog) watch(body io.ReadCloser) io.ReadCloser {
	return &watchedBody{ReadCloser: body, w: w}
}

type watchedBody struct {
	io.ReadCloser
	w *watchdog
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.touch()
	}
	return n, err
}
