package harness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"warden/harness/event"
	"warden/harness/model"
)

// RetryPolicy says how often and how patiently failed model requests are
// tried again.
type RetryPolicy struct {
	// MaxAttempts counts every try, the first included (default 5).
	MaxAttempts int
	// BaseDelay is the first backoff (default 1s); each retry doubles it.
	BaseDelay time.Duration
	// MaxDelay caps a computed backoff (default 30s).
	MaxDelay time.Duration
	// MaxRetryAfter is the longest provider-requested wait warden accepts
	// (default 2m); a longer one fails the turn with a message instead of
	// freezing it.
	MaxRetryAfter time.Duration
	// Sleep waits for d or until ctx is done. Tests replace it to record
	// delays instead of waiting them out.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = sleepContext
	}
	return p
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backoff is the delay before retry number n (1-based): exponential with
// ±20% jitter so that many clients hit by the same outage do not retry in
// lockstep, and the provider's own Retry-After when it gave one.
func (p RetryPolicy) backoff(n int, asked time.Duration) time.Duration {
	if asked > 0 {
		return asked
	}
	d := p.BaseDelay << (n - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// sample streams one reply, retrying what may pass. Each retry is announced
// with a Retrying event so front-ends can drop the partial reply they drew.
func (s *Session) sample(ctx context.Context, req model.Request, onDelta func(model.Delta)) (*model.Response, error) {
	p := s.opts.Retry
	for attempt := 1; ; attempt++ {
		resp, err := s.opts.Client.Stream(ctx, req, onDelta)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		me, ok := model.AsError(err)
		if !ok || !me.Retryable() {
			return nil, err
		}
		if attempt >= p.MaxAttempts {
			return nil, fmt.Errorf("gave up after %d tries: %w", attempt, err)
		}
		if me.RetryAfter > p.MaxRetryAfter {
			return nil, fmt.Errorf("the provider asked to wait %s before retrying, longer than warden waits (%s): %w",
				me.RetryAfter.Round(time.Second), p.MaxRetryAfter, err)
		}
		delay := p.backoff(attempt, me.RetryAfter)
		s.emit(event.Retrying{
			Attempt:     attempt,
			MaxAttempts: p.MaxAttempts,
			Delay:       delay,
			Kind:        string(me.Kind),
			Reason:      me.Error(),
		})
		if err := p.Sleep(ctx, delay); err != nil {
			return nil, err
		}
	}
}
