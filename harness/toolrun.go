package harness

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
)

// repeatTracker counts how many times in a row the same call was made.
type repeatTracker struct {
	last  string
	count int
}

func (r *repeatTracker) see(call model.Item) int {
	sig := call.Name + "\x00" + call.Arguments
	if sig == r.last {
		r.count++
	} else {
		r.last, r.count = sig, 1
	}
	return r.count
}

// uniqueCallIDs gives every tool call of a reply a call id that no other
// call in the conversation has. Models and servers do repeat ids, within a
// reply or from an earlier one; sent back as they are, providers refuse the
// request ("Duplicate value for 'tool_call_id'"), and with it every later
// request of the session. A renamed call is answered under its new id, so
// calls and outputs still pair up exactly.
func (s *Session) uniqueCallIDs(items []model.Item) {
	if !slices.ContainsFunc(items, model.Item.IsToolCall) {
		return
	}
	seen := map[string]bool{}
	s.mu.Lock()
	for _, it := range s.history {
		if it.IsToolCall() {
			seen[it.CallID] = true
		}
	}
	s.mu.Unlock()
	for i := range items {
		it := &items[i]
		if !it.IsToolCall() {
			continue
		}
		if it.CallID == "" || seen[it.CallID] {
			base := cmp.Or(it.CallID, "call")
			for n := 2; ; n++ {
				if id := fmt.Sprintf("%s_%d", base, n); !seen[id] {
					it.CallID = id
					break
				}
			}
		}
		seen[it.CallID] = true
	}
}

// runCalls runs one reply's tool calls and records an output for every one
// of them, whatever happens, so the history stays valid. Calls run in order;
// a run of consecutive parallel-safe calls runs concurrently. A non-nil
// result means the model is repeating itself and the turn must stop.
func (s *Session) runCalls(ctx context.Context, turn int, calls []model.Item, repeats *repeatTracker) (stop error) {
	runnable := len(calls)
	for i, c := range calls {
		if n := repeats.see(c); n >= s.opts.RepeatLimit {
			stop = fmt.Errorf("stopped: the model made the same %s call %d times in a row", c.Name, n)
			runnable = i
			break
		}
	}
	outputs := make([]model.Item, len(calls))
	stopped := make([]bool, len(calls))
	for i := 0; i < len(calls); {
		if stop == nil && slices.Contains(stopped[:i], true) {
			stop, runnable = ErrStoppedByUser, i
		}
		if i >= runnable || ctx.Err() != nil {
			reason := "not run: the turn was interrupted"
			if stop != nil {
				reason = "not run: " + stop.Error()
			}
			outputs[i] = s.skipCall(calls[i], reason)
			i++
			continue
		}
		j := i + 1
		if s.parallelSafe(calls[i]) {
			for j < runnable && s.parallelSafe(calls[j]) {
				j++
			}
		}
		if j-i == 1 {
			outputs[i], stopped[i] = s.runCall(ctx, calls[i])
		} else {
			var wg sync.WaitGroup
			for k := i; k < j; k++ {
				wg.Add(1)
				go func(k int) {
					defer wg.Done()
					outputs[k], stopped[k] = s.runCall(ctx, calls[k])
				}(k)
			}
			wg.Wait()
		}
		i = j
	}
	s.record(turn, outputs...)
	if stop == nil && slices.Contains(stopped, true) {
		stop = ErrStoppedByUser
	}
	return stop
}

// ErrStoppedByUser ends a turn whose call the user denied with "stop".
var ErrStoppedByUser = errors.New("the user denied a call and stopped the turn")

func (s *Session) parallelSafe(call model.Item) bool {
	t, ok := s.opts.Tools.Lookup(call.Name)
	return ok && t.ParallelSafe()
}

// skipCall answers a call that will not run. It is announced like any
// other call so front-ends can pair every finish with a start.
func (s *Session) skipCall(call model.Item, reason string) model.Item {
	s.emit(startedEvent(call))
	s.emit(event.ToolCallFinished{CallID: call.CallID, Name: call.Name, Output: reason, Status: "aborted"})
	return model.OutputFor(call, reason)
}

// runCall runs one call and returns its output item. Problems with the call
// itself (unknown tool, malformed arguments, a failing or panicking tool)
// become outputs that tell the model what went wrong; only cancellation
// stops the turn.
// The second result says the user stopped the turn when denying the call.
func (s *Session) runCall(ctx context.Context, call model.Item) (model.Item, bool) {
	start := time.Now()
	s.emit(startedEvent(call))

	finish := func(res tool.Result) (model.Item, bool) {
		status := res.Status
		if status == "" {
			status = "ok"
		}
		s.emit(event.ToolCallFinished{
			CallID: call.CallID, Name: call.Name, ExitCode: res.ExitCode,
			Duration: time.Since(start), Output: res.Output, Status: status,
			Denials: res.Denials, TimedOut: res.TimedOut,
		})
		return model.OutputFor(call, res.Output), res.StopTurn
	}

	t, ok := s.opts.Tools.Lookup(call.Name)
	if !ok {
		avail := "No tools are available in this session."
		if names := s.opts.Tools.Names(); len(names) > 0 {
			avail = "Available tools: " + strings.Join(names, ", ") + "."
		}
		return finish(tool.Result{Status: "error", Output: fmt.Sprintf("error: there is no tool named %q. %s", call.Name, avail)})
	}
	if call.Type == model.ItemFunctionCall && t.Spec().Freeform == nil {
		if msg := checkArguments(call.Arguments); msg != "" {
			return finish(tool.Result{Status: "error", Output: msg})
		}
	}

	env := &callEnv{s: s, callID: call.CallID}
	done := make(chan tool.Result, 1)
	go func() {
		done <- s.invoke(ctx, t, tool.Call{ID: call.CallID, Name: call.Name, Input: call.Arguments}, env)
	}()
	// On cancellation answer at once: a tool slow to notice finishes in
	// the background, and its late events are dropped.
	var res tool.Result
	select {
	case res = <-done:
	case <-ctx.Done():
	}
	env.close()
	if ctx.Err() != nil {
		return s.aborted(call, start), false
	}
	return finish(res)
}

// startedEvent announces a call with its arguments parsed when they are
// JSON, and raw otherwise (freeform input, or arguments the model garbled).
func startedEvent(call model.Item) event.ToolCallStarted {
	started := event.ToolCallStarted{CallID: call.CallID, Name: call.Name}
	if call.Type == model.ItemCustomToolCall || !json.Valid([]byte(call.Arguments)) {
		started.Input = call.Arguments
	} else {
		started.Arguments = json.RawMessage(call.Arguments)
	}
	return started
}

func (s *Session) aborted(call model.Item, start time.Time) model.Item {
	msg := fmt.Sprintf("aborted by user after %.1fs", time.Since(start).Seconds())
	s.emit(event.ToolCallFinished{CallID: call.CallID, Name: call.Name, Duration: time.Since(start), Output: msg, Status: "aborted"})
	return model.OutputFor(call, msg)
}

// invoke runs the tool, turning errors and panics into results.
func (s *Session) invoke(ctx context.Context, t tool.Tool, call tool.Call, env tool.Env) (res tool.Result) {
	defer func() {
		if r := recover(); r != nil {
			res = tool.Result{Status: "error", Output: fmt.Sprintf("error: the %s tool crashed: %v", call.Name, r)}
		}
	}()
	res, err := t.Run(ctx, call, env)
	switch {
	case err == nil:
		return res
	case errors.Is(err, tool.ErrBadArguments):
		return tool.Result{Status: "error", Output: fmt.Sprintf("error: %v. Check the %s tool's parameters and try again.", err, call.Name)}
	default:
		out := fmt.Sprintf("error: the %s tool failed: %v", call.Name, err)
		if res.Output != "" {
			out = res.Output + "\n" + out
		}
		return tool.Result{Status: "error", Output: out, ExitCode: res.ExitCode}
	}
}

// checkArguments explains what is wrong with a function call's arguments,
// or returns "" when they are a JSON object.
func checkArguments(args string) string {
	if strings.TrimSpace(args) == "" {
		return "error: the arguments were empty. Send a JSON object matching the tool's parameters."
	}
	var v any
	if err := json.Unmarshal([]byte(args), &v); err != nil {
		return fmt.Sprintf("error: the arguments were not valid JSON (%v). Send a JSON object matching the tool's parameters.", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return "error: the arguments must be a JSON object matching the tool's parameters."
	}
	return ""
}

// callEnv is the Env of one running call. Once the call has been answered
// (finished or aborted) its events are dropped, so a tool that outlives its
// call cannot confuse the front-ends. mu makes the check and the emit one
// step: close waits for an emit in progress, and no emit starts after it.
type callEnv struct {
	s      *Session
	callID string
	mu     sync.Mutex
	closed bool
}

func (e *callEnv) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
}

// emitOpen emits ev unless the call is closed, and reports whether it did.
func (e *callEnv) emitOpen(ev event.Event) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return false
	}
	e.s.emit(ev)
	return true
}

func (e *callEnv) Emit(ev event.Event) { e.emitOpen(ev) }

// RequestApproval emits an ApprovalRequested and waits for its answer. With
// no sink nobody can answer, so the request is refused at once.
func (e *callEnv) RequestApproval(ctx context.Context, req event.ApprovalRequested) (event.Decision, error) {
	refused := event.Decision{Approved: false, Unanswered: true, Message: "no one is available to approve this request"}
	if e.s.opts.Sink == nil {
		return refused, nil
	}
	e.s.mu.Lock()
	e.s.approvalSeq++
	req.ID = fmt.Sprintf("approval-%d", e.s.approvalSeq)
	e.s.mu.Unlock()
	req.CallID = e.callID
	answer := make(chan event.Decision, 1)
	var once sync.Once
	req.Respond = func(d event.Decision) {
		once.Do(func() { answer <- d })
	}
	if !e.emitOpen(req) {
		return refused, nil
	}
	select {
	case d := <-answer:
		return d, nil
	case <-ctx.Done():
		return event.Decision{}, ctx.Err()
	}
}
