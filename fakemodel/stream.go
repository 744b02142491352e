package fakemodel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// sseEvent is one Server-Sent Event. Name is the "event:" line, which the
// Responses wire sends and the Chat wire does not.
type sseEvent struct {
	name string
	data []byte
}

func newEvent(name string, v any) sseEvent {
	data, err := json.Marshal(v)
	if err != nil {
		// Only our own fixed shapes are marshalled, so this is a bug here.
		panic(fmt.Sprintf("fakemodel: marshal event: %v", err))
	}
	return sseEvent{name: name, data: data}
}

// play sends a prepared event list, applying the reply's timing and fault
// injection. Building every event up front keeps the wire builders free of
// I/O and makes "after N events" mean the same thing on both wires. It
// reports whether the whole stream was delivered.
func (s *Server) play(w http.ResponseWriter, r *http.Request, reply Reply, events []sseEvent) bool {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	for k, v := range reply.Headers {
		h.Set(k, v)
	}
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// Headers go out at once: the client's "request succeeded" moment is
	// part of what tests time against (e.g. a gate at 0 events).
	if err := rc.Flush(); err != nil {
		return false
	}
	ctx := r.Context()
	for i, ev := range events {
		if !s.checkpoint(ctx, reply, i) {
			return false
		}
		if i > 0 && reply.DelayMS > 0 && !s.pause(ctx, time.Duration(reply.DelayMS)*time.Millisecond) {
			return false
		}
		if ev.name != "" {
			if _, err := fmt.Fprintf(w, "event: %s\n", ev.name); err != nil {
				return false
			}
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", ev.data); err != nil {
			return false
		}
		if err := rc.Flush(); err != nil {
			return false
		}
	}
	return s.checkpoint(ctx, reply, len(events))
}

// checkpoint runs before event i (i.e. after i events were sent) and applies
// the reply's fault injection. It returns false to end the response cleanly
// and aborts the handler to drop the connection.
func (s *Server) checkpoint(ctx context.Context, reply Reply, i int) bool {
	if reply.CutAfter > 0 && i == reply.CutAfter {
		abort()
	}
	if reply.EndAfter > 0 && i == reply.EndAfter {
		return false
	}
	if reply.HangAfter > 0 && i == reply.HangAfter {
		s.wait(ctx, nil)
		// The client (or Close) gave up; nothing sensible can follow.
		abort()
	}
	if g := reply.Gate; g != nil && i == g.after {
		g.markReached()
		if !s.wait(ctx, g.release) {
			abort()
		}
	}
	return true
}

// wait blocks until release is closed (true), or the client goes away or the
// server is closed (false). A nil release waits only for the latter.
func (s *Server) wait(ctx context.Context, release <-chan struct{}) bool {
	select {
	case <-release:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

func (s *Server) pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closed:
		return false
	}
}

// abort drops the connection without finishing the chunked body, which is
// how a dying network or proxy looks to the client: a read error rather than
// a clean end of stream. net/http treats this panic value as a deliberate,
// silent abort.
func abort() {
	panic(http.ErrAbortHandler)
}

// chunks splits s into pieces of n runes, so multi-byte text is never cut
// mid-rune (real deltas are whole tokens). Empty text yields no pieces.
func chunks(s string, n int) []string {
	if n <= 0 {
		n = 8
	}
	var out []string
	runes := []rune(s)
	for len(runes) > 0 {
		k := min(n, len(runes))
		out = append(out, string(runes[:k]))
		runes = runes[k:]
	}
	return out
}

// tokens is a rough chars/4 estimate, good enough for plausible usage.
func tokens(s string) int {
	n := len([]rune(s))
	if n == 0 {
		return 0
	}
	return (n + 3) / 4
}

// usageFor returns the scripted usage or an estimate from sizes, so clients
// that track context size see numbers that move in the right direction.
func usageFor(reply Reply, requestBytes int) Usage {
	if reply.Usage != nil {
		return *reply.Usage
	}
	u := Usage{InputTokens: max(1, requestBytes/4)}
	for _, o := range reply.Output {
		switch {
		case o.Reasoning != nil:
			for _, p := range o.Reasoning.Summary {
				u.ReasoningTokens += tokens(p)
			}
			// Hidden reasoning costs more than its summary shows.
			u.ReasoningTokens += 16
		case o.Call != nil:
			u.OutputTokens += tokens(o.Call.Name) + tokens(o.Call.Arguments) + 4
		case o.Custom != nil:
			u.OutputTokens += tokens(o.Custom.Name) + tokens(o.Custom.Input) + 4
		default:
			u.OutputTokens += tokens(o.Text)
		}
	}
	// Reasoning tokens are billed as output tokens, as in the real usage.
	u.OutputTokens += u.ReasoningTokens
	return u
}
