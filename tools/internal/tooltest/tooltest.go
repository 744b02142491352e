// Package tooltest holds what the tools' tests share: an Env that records
// what a tool emits and answers its approval requests as a test says, and
// a sandbox runner built the way a session builds one.
package tooltest

import (
	"context"
	"os"
	"sync"
	"testing"

	"warden/harness/event"
	"warden/sandbox"
)

// Env is a tool.Env for tests.
type Env struct {
	// Answer decides approval requests; nil refuses them all.
	Answer func(event.ApprovalRequested) event.Decision

	mu        sync.Mutex
	events    []event.Event
	approvals []event.ApprovalRequested
}

// Emit records an event.
func (e *Env) Emit(ev event.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, ev)
}

// RequestApproval records the request and answers it.
func (e *Env) RequestApproval(_ context.Context, req event.ApprovalRequested) (event.Decision, error) {
	e.mu.Lock()
	e.approvals = append(e.approvals, req)
	answer := e.Answer
	e.mu.Unlock()
	if answer == nil {
		return event.Decision{Approved: false, Message: "refused by the test"}, nil
	}
	return answer(req), nil
}

// Events are what was emitted, in order.
func (e *Env) Events() []event.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]event.Event(nil), e.events...)
}

// Approvals are the approval requests made, in order.
func (e *Env) Approvals() []event.ApprovalRequested {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]event.ApprovalRequested(nil), e.approvals...)
}

// Approve answers every request with yes.
func Approve(event.ApprovalRequested) event.Decision { return event.Decision{Approved: true} }

// Runner makes a sandbox runner over workspace, closed with the test. The
// test binary must dispatch sandbox.IsHelper in its TestMain.
func Runner(t testing.TB, mode sandbox.Mode, workspace string, cfg sandbox.Config) *sandbox.Runner {
	t.Helper()
	cfg.Policy.Mode = mode
	cfg.Policy.Workspace = workspace
	if cfg.Environ == nil {
		// A home of its own: a login shell reads the profile there.
		cfg.Environ = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C"}
	}
	// Helpers and patch writers are this test binary, and a race-detector
	// build sleeps a second before it exits.
	cfg.Environ = append(cfg.Environ, "GORACE=atexit_sleep_ms=0")
	if cfg.CacheDir == "" {
		cfg.CacheDir = t.TempDir()
	}
	r, err := sandbox.NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	if mode != sandbox.FullAccess {
		if err := r.Probe().Check(r.Policy()); err != nil {
			t.Fatalf("this machine cannot run the sandbox: %v\n%s", err, r.Probe().Report())
		}
	}
	return r
}
