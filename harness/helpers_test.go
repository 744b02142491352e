package harness_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/modelclient"
	"warden/harness/tool"
)

// wire is one of the two APIs every loop test runs against.
type wire struct {
	name      string
	newClient func(modelclient.Config) model.Client
}

func allWires() []wire {
	return []wire{
		{"responses", modelclient.NewResponses},
		{"chat", modelclient.NewChat},
	}
}

func forEachWire(t *testing.T, f func(t *testing.T, w wire)) {
	t.Helper()
	for _, w := range allWires() {
		t.Run(w.name, func(t *testing.T) {
			t.Parallel()
			f(t, w)
		})
	}
}

// fake starts the scripted server over real HTTP.
func fake(t testing.TB, replies ...fakemodel.Reply) (*fakemodel.Server, string) {
	t.Helper()
	fm := fakemodel.New(fakemodel.Script{Replies: replies})
	srv := httptest.NewServer(fm)
	t.Cleanup(func() {
		fm.Close()
		srv.Close()
	})
	return fm, srv.URL + "/v1"
}

// recorder collects events and lets tests wait for one.
type recorder struct {
	mu      sync.Mutex
	events  []event.Event
	changed chan struct{}
	onEvent func(event.Event)
}

func newRecorder() *recorder { return &recorder{changed: make(chan struct{})} }

func (r *recorder) sink(e event.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	close(r.changed)
	r.changed = make(chan struct{})
	hook := r.onEvent
	r.mu.Unlock()
	if hook != nil {
		hook(e)
	}
}

func (r *recorder) all() []event.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event.Event(nil), r.events...)
}

func (r *recorder) types() []string {
	var out []string
	for _, e := range r.all() {
		out = append(out, e.Type())
	}
	return out
}

// of returns every recorded event of type T.
func of[T event.Event](r *recorder) []T {
	var out []T
	for _, e := range r.all() {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

type sessionConfig struct {
	tools    []tool.Tool
	maxSteps int
	sleeps   *[]time.Duration
	idle     time.Duration
	effort   string
}

// newSession starts a session against the fake at url with retries that
// record their delays instead of waiting them out.
func newSession(t testing.TB, w wire, url string, cfg sessionConfig) (*harness.Session, *recorder) {
	t.Helper()
	reg, err := tool.NewRegistry(cfg.tools...)
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	var mu sync.Mutex
	if cfg.idle == 0 {
		cfg.idle = 10 * time.Second
	}
	sess, err := harness.New(harness.Options{
		Client:          w.newClient(modelclient.Config{BaseURL: url, APIKey: "sk-test-key", IdleTimeout: cfg.idle}),
		Model:           "gpt-5",
		Provider:        "fake",
		Wire:            w.name,
		Instructions:    "You are a test.",
		Tools:           reg,
		MaxSteps:        cfg.maxSteps,
		ReasoningEffort: cfg.effort,
		Sink:            rec.sink,
		Retry: harness.RetryPolicy{Sleep: func(ctx context.Context, d time.Duration) error {
			if cfg.sleeps != nil {
				mu.Lock()
				*cfg.sleeps = append(*cfg.sleeps, d)
				mu.Unlock()
			}
			return ctx.Err()
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sess, rec
}

func text(s string) fakemodel.Output { return fakemodel.Output{Text: s} }

func call(id, name, args string) fakemodel.Output {
	return fakemodel.Output{Call: &fakemodel.FunctionCall{CallID: id, Name: name, Arguments: args}}
}

func reply(out ...fakemodel.Output) fakemodel.Reply { return fakemodel.Reply{Output: out} }

// toolOutputs extracts the tool outputs a request sent, by call id, from
// either wire's body.
func toolOutputs(t testing.TB, req fakemodel.RecordedRequest) map[string]string {
	t.Helper()
	body, err := req.JSON()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	if input, ok := body["input"].([]any); ok {
		for _, it := range input {
			m, _ := it.(map[string]any)
			if ty, _ := m["type"].(string); ty == "function_call_output" || ty == "custom_tool_call_output" {
				out[m["call_id"].(string)] = fmt.Sprint(m["output"])
			}
		}
	}
	if msgs, ok := body["messages"].([]any); ok {
		for _, it := range msgs {
			m, _ := it.(map[string]any)
			if m["role"] == "tool" {
				out[m["tool_call_id"].(string)] = fmt.Sprint(m["content"])
			}
		}
	}
	return out
}

// userTexts lists the text of every user message a request sent.
func userTexts(t testing.TB, req fakemodel.RecordedRequest) []string {
	t.Helper()
	body, err := req.JSON()
	if err != nil {
		t.Fatal(err)
	}
	items, _ := body["input"].([]any)
	if items == nil {
		items, _ = body["messages"].([]any)
	}
	var out []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		if m["role"] != "user" {
			continue
		}
		switch c := m["content"].(type) {
		case string:
			out = append(out, c)
		case []any:
			for _, part := range c {
				p, _ := part.(map[string]any)
				if s, ok := p["text"].(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}

// echoTool answers with its "text" argument.
type echoTool struct{ parallel bool }

func (echoTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "echo", Description: "Echo text back.",
		Parameters: json.RawMessage(`{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}`)}
}
func (e echoTool) ParallelSafe() bool { return e.parallel }
func (echoTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	var args struct{ Text string }
	if err := json.Unmarshal([]byte(c.Input), &args); err != nil {
		return tool.Result{}, tool.BadArguments("%v", err)
	}
	env.Emit(event.ToolOutputDelta{CallID: c.ID, Delta: args.Text})
	code := 0
	return tool.Result{Output: "echo: " + args.Text, ExitCode: &code}, nil
}

// blockTool runs until its context ends, announcing that it started.
type blockTool struct{ started chan string }

func (blockTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "block", Description: "Wait forever.", Parameters: json.RawMessage(`{"type":"object"}`)}
}
func (blockTool) ParallelSafe() bool { return false }
func (b blockTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	b.started <- c.ID
	<-ctx.Done()
	return tool.Result{}, ctx.Err()
}

// barrierTool proves parallel execution: each call waits until n calls are
// running at once, and fails if that does not happen promptly.
type barrierTool struct {
	n       int
	mu      *sync.Mutex
	running *int
	all     chan struct{}
}

func newBarrierTool(n int) barrierTool {
	return barrierTool{n: n, mu: &sync.Mutex{}, running: new(int), all: make(chan struct{})}
}

func (barrierTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "barrier", Description: "Wait for peers.", Parameters: json.RawMessage(`{"type":"object"}`)}
}
func (barrierTool) ParallelSafe() bool { return true }
func (b barrierTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	b.mu.Lock()
	*b.running++
	if *b.running == b.n {
		close(b.all)
	}
	b.mu.Unlock()
	select {
	case <-b.all:
		return tool.Result{Output: "met " + c.ID}, nil
	case <-time.After(10 * time.Second):
		return tool.Result{}, errors.New("peers never arrived: calls did not run in parallel")
	case <-ctx.Done():
		return tool.Result{}, ctx.Err()
	}
}

// panicTool crashes.
type panicTool struct{}

func (panicTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "crash", Description: "Crash.", Parameters: json.RawMessage(`{"type":"object"}`)}
}
func (panicTool) ParallelSafe() bool { return false }
func (panicTool) Run(context.Context, tool.Call, tool.Env) (tool.Result, error) {
	panic("boom")
}

// freeformTool is a custom tool taking raw text.
type freeformTool struct{}

func (freeformTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "scribble", Description: "Take raw text.",
		Freeform: &model.Grammar{Syntax: "regex", Definition: `[a-z ]+`}}
}
func (freeformTool) ParallelSafe() bool { return false }
func (freeformTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	return tool.Result{Output: "got " + c.Input}, nil
}

// approvalTool asks for approval and reports the decision.
type approvalTool struct{}

func (approvalTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "risky", Description: "Needs approval.", Parameters: json.RawMessage(`{"type":"object"}`)}
}
func (approvalTool) ParallelSafe() bool { return false }
func (approvalTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	d, err := env.RequestApproval(ctx, event.ApprovalRequested{Kind: "command", Command: []string{"rm", "-rf", "build"}})
	if err != nil {
		return tool.Result{}, err
	}
	if !d.Approved {
		return tool.Result{Status: "denied", Output: "denied: " + d.Message}, nil
	}
	return tool.Result{Output: "approved"}, nil
}

func waitCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
