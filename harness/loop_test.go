package harness_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
)

func TestPlainAnswer(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, fakemodel.Reply{ChunkSize: 3, Output: []fakemodel.Output{
			{Reasoning: &fakemodel.Reasoning{Summary: []string{"Thinking about greetings."}}},
			text("Hello there, friend."),
		}})
		sess, rec := newSession(t, w, url, sessionConfig{})
		res := sess.RunTurn(waitCtx(t), "say hi")
		if res.Status != event.TurnCompleted || res.Err != nil {
			t.Fatalf("status %s err %v", res.Status, res.Err)
		}
		if res.FinalText != "Hello there, friend." {
			t.Fatalf("final text %q", res.FinalText)
		}
		var streamed strings.Builder
		deltas := of[event.TextDelta](rec)
		for _, d := range deltas {
			streamed.WriteString(d.Delta)
		}
		if streamed.String() != res.FinalText || len(deltas) < 2 {
			t.Fatalf("streamed %q in %d deltas", streamed.String(), len(deltas))
		}
		var reasoning strings.Builder
		for _, d := range of[event.ReasoningDelta](rec) {
			reasoning.WriteString(d.Delta)
		}
		if reasoning.String() != "Thinking about greetings." {
			t.Fatalf("reasoning %q", reasoning.String())
		}
		types := rec.types()
		if types[0] != "session_started" || types[1] != "turn_started" || types[len(types)-1] != "turn_finished" {
			t.Fatalf("event order %v", types)
		}
		usage := of[event.TokenUsage](rec)
		if len(usage) != 1 || usage[0].Last.InputTokens == 0 || usage[0].Session != usage[0].Last {
			t.Fatalf("usage events %+v", usage)
		}
		reqs := fm.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests", len(reqs))
		}
		if got := userTexts(t, reqs[0]); !slices.Contains(got, "say hi") {
			t.Fatalf("user messages sent %q", got)
		}
	})
}

func TestToolCallThenAnswer(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(call("call_1", "echo", `{"text":"ping"}`)),
			reply(text("The tool said ping.")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "use the tool")
		if res.Status != event.TurnCompleted || res.FinalText != "The tool said ping." || res.Steps != 2 {
			t.Fatalf("result %+v", res)
		}
		reqs := fm.Requests()
		if len(reqs) != 2 {
			t.Fatalf("%d requests", len(reqs))
		}
		if got := toolOutputs(t, reqs[1])["call_1"]; got != "echo: ping" {
			t.Fatalf("tool output sent %q", got)
		}
		started := of[event.ToolCallStarted](rec)
		if len(started) != 1 || string(started[0].Arguments) != `{"text":"ping"}` {
			t.Fatalf("started %+v", started)
		}
		deltas := of[event.ToolOutputDelta](rec)
		if len(deltas) != 1 || deltas[0].Delta != "ping" {
			t.Fatalf("output deltas %+v", deltas)
		}
		fin := of[event.ToolCallFinished](rec)
		if len(fin) != 1 || fin[0].ExitCode == nil || *fin[0].ExitCode != 0 || fin[0].Status != "ok" {
			t.Fatalf("finished %+v", fin)
		}
		hist := sess.History()
		if last := hist[len(hist)-1]; last.Role != model.RoleAssistant || last.Text != res.FinalText {
			t.Fatalf("last history item %+v", last)
		}
	})
}

func TestTwoToolCallsInOneReplyRunInParallelAndInOrder(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(call("call_a", "barrier", `{}`), call("call_b", "barrier", `{}`)),
			reply(text("both done")),
		)
		sess, _ := newSession(t, w, url, sessionConfig{tools: []tool.Tool{newBarrierTool(2)}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		if outs["call_a"] != "met call_a" || outs["call_b"] != "met call_b" {
			t.Fatalf("outputs %v", outs)
		}
		// Outputs stay in call order in the history.
		var order []string
		for _, it := range sess.History() {
			if it.Type == model.ItemFunctionCallOutput {
				order = append(order, it.CallID)
			}
		}
		if !slices.Equal(order, []string{"call_a", "call_b"}) {
			t.Fatalf("output order %v", order)
		}
	})
}

func TestModelMistakesBecomeToolOutputs(t *testing.T) {
	cases := []struct {
		name, tool, args, want string
	}{
		{"malformed arguments", "echo", `{"text": "unterminated`, "not valid JSON"},
		{"arguments not an object", "echo", `["x"]`, "must be a JSON object"},
		{"unknown tool", "teleport", `{}`, `no tool named "teleport". Available tools: crash, echo`},
		{"wrong argument types", "echo", `{"text": 5}`, "invalid arguments"},
		{"tool panics", "crash", `{}`, "the crash tool crashed: boom"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachWire(t, func(t *testing.T, w wire) {
				fm, url := fake(t, reply(call("call_x", tc.tool, tc.args)), reply(text("sorry")))
				sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}, panicTool{}}})
				res := sess.RunTurn(waitCtx(t), "try")
				if res.Status != event.TurnCompleted || res.FinalText != "sorry" {
					t.Fatalf("the loop did not go on: %+v", res)
				}
				got := toolOutputs(t, fm.Requests()[1])["call_x"]
				if !strings.Contains(got, tc.want) {
					t.Fatalf("model was told %q, want it to mention %q", got, tc.want)
				}
				if fin := of[event.ToolCallFinished](rec); len(fin) != 1 || fin[0].Status != "error" {
					t.Fatalf("finished %+v", fin)
				}
			})
		})
	}
}

func TestFreeformToolCall(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(fakemodel.Output{Custom: &fakemodel.CustomCall{CallID: "call_c", Name: "scribble", Input: "hello world"}}),
			reply(text("ok")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{freeformTool{}}})
		if res := sess.RunTurn(waitCtx(t), "scribble"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		if got := toolOutputs(t, fm.Requests()[1])["call_c"]; got != "got hello world" {
			t.Fatalf("output %q", got)
		}
		if st := of[event.ToolCallStarted](rec); len(st) != 1 || st[0].Input != "hello world" {
			t.Fatalf("started %+v", st)
		}
	})
}

func TestStreamCutHalfwayIsRetried(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		var sleeps []time.Duration
		fm, url := fake(t,
			fakemodel.Reply{CutAfter: 4, ChunkSize: 2, Output: []fakemodel.Output{text("This answer will be cut off.")}},
			reply(text("Complete answer.")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{sleeps: &sleeps})
		res := sess.RunTurn(waitCtx(t), "hi")
		if res.Status != event.TurnCompleted || res.FinalText != "Complete answer." {
			t.Fatalf("result %+v", res)
		}
		retries := of[event.Retrying](rec)
		if len(retries) != 1 || retries[0].Attempt != 1 || retries[0].MaxAttempts != 5 {
			t.Fatalf("retries %+v", retries)
		}
		if retries[0].Kind != string(model.ErrStreamCut) && retries[0].Kind != string(model.ErrNetwork) {
			t.Fatalf("retry kind %q", retries[0].Kind)
		}
		if len(sleeps) != 1 || sleeps[0] < 800*time.Millisecond || sleeps[0] > 1200*time.Millisecond {
			t.Fatalf("backoff %v, want about 1s", sleeps)
		}
		if len(fm.Requests()) != 2 {
			t.Fatalf("%d requests", len(fm.Requests()))
		}
		// The partial reply never enters the history.
		for _, it := range sess.History() {
			if strings.Contains(it.Text, "cut off") {
				t.Fatalf("partial reply in history: %+v", it)
			}
		}
	})
}

func TestSilentStreamIsTreatedAsCut(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		_, url := fake(t,
			fakemodel.Reply{HangAfter: 3, Output: []fakemodel.Output{text("stalls after a few events")}},
			reply(text("second try")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{idle: 500 * time.Millisecond})
		res := sess.RunTurn(waitCtx(t), "hi")
		if res.Status != event.TurnCompleted || res.FinalText != "second try" {
			t.Fatalf("result %+v", res)
		}
		if r := of[event.Retrying](rec); len(r) != 1 || r[0].Kind != string(model.ErrStreamIdle) {
			t.Fatalf("retrying %+v", r)
		}
	})
}

func TestEncryptedReasoningIsSentBack(t *testing.T) {
	fm, url := fake(t,
		reply(fakemodel.Output{Reasoning: &fakemodel.Reasoning{Summary: []string{"plan"}, EncryptedContent: "gAAAA-opaque-blob"}},
			call("call_1", "echo", `{"text":"x"}`)),
		reply(text("done")),
	)
	sess, _ := newSession(t, allWires()[0], url, sessionConfig{tools: []tool.Tool{echoTool{}}, effort: "high"})
	if res := sess.RunTurn(waitCtx(t), "think"); res.Status != event.TurnCompleted {
		t.Fatalf("result %+v", res)
	}
	reqs := fm.Requests()
	first, _ := reqs[0].JSON()
	if inc, _ := first["include"].([]any); len(inc) != 1 || inc[0] != "reasoning.encrypted_content" {
		t.Fatalf("include %v", first["include"])
	}
	if first["store"] != false || first["prompt_cache_key"] != sess.ID() {
		t.Fatalf("store %v prompt_cache_key %v", first["store"], first["prompt_cache_key"])
	}
	if !strings.Contains(string(reqs[1].Body), "gAAAA-opaque-blob") {
		t.Fatalf("encrypted reasoning not sent back: %s", reqs[1].Body)
	}
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		var sleeps []time.Duration
		_, url := fake(t,
			fakemodel.Reply{Status: 429, Headers: map[string]string{"Retry-After": "7"},
				Error: &fakemodel.APIError{Message: "Rate limit reached.", Type: "requests", Code: "rate_limit_exceeded"}},
			reply(text("after the wait")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{sleeps: &sleeps})
		res := sess.RunTurn(waitCtx(t), "hi")
		if res.Status != event.TurnCompleted || res.FinalText != "after the wait" {
			t.Fatalf("result %+v", res)
		}
		if len(sleeps) != 1 || sleeps[0] != 7*time.Second {
			t.Fatalf("waited %v, want exactly the 7s Retry-After", sleeps)
		}
		if r := of[event.Retrying](rec); len(r) != 1 || r[0].Kind != string(model.ErrRateLimit) || r[0].Delay != 7*time.Second {
			t.Fatalf("retrying events %+v", r)
		}
	})
}

func TestRetriesGiveUpAfterFiveTries(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		var sleeps []time.Duration
		var replies []fakemodel.Reply
		for range 6 {
			replies = append(replies, fakemodel.Reply{Status: 503})
		}
		fm, url := fake(t, replies...)
		sess, rec := newSession(t, w, url, sessionConfig{sleeps: &sleeps})
		res := sess.RunTurn(waitCtx(t), "hi")
		if res.Status != event.TurnFailed || !strings.Contains(res.Err.Error(), "gave up after 5 tries") {
			t.Fatalf("result %+v", res)
		}
		if n := len(fm.Requests()); n != 5 {
			t.Fatalf("%d requests, want 5", n)
		}
		if len(of[event.Retrying](rec)) != 4 || len(sleeps) != 4 {
			t.Fatalf("retries %d sleeps %v", len(of[event.Retrying](rec)), sleeps)
		}
		// Exponential from 1s, within the ±20% jitter.
		for i, d := range sleeps {
			want := time.Second << i
			if d < want*8/10 || d > want*12/10 {
				t.Fatalf("backoff %d is %v, want %v ±20%%: %v", i+1, d, want, sleeps)
			}
		}
	})
}

func TestFailuresThatAreNotRetried(t *testing.T) {
	cases := []struct {
		name  string
		reply fakemodel.Reply
		kind  model.ErrorKind
		says  string
	}{
		{"401", fakemodel.Reply{Status: 401, Error: &fakemodel.APIError{Message: "Incorrect API key provided: sk-test***.", Type: "invalid_request_error", Code: "invalid_api_key"}},
			model.ErrAuth, "OPENAI_API_KEY"},
		{"context length", fakemodel.Reply{Status: 400, Error: &fakemodel.APIError{Message: "Your input exceeds the context window of this model.", Type: "invalid_request_error", Code: "context_length_exceeded"}},
			model.ErrContextLength, "context"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachWire(t, func(t *testing.T, w wire) {
				fm, url := fake(t, tc.reply, reply(text("never sent")))
				sess, rec := newSession(t, w, url, sessionConfig{})
				res := sess.RunTurn(waitCtx(t), "hi")
				if res.Status != event.TurnFailed {
					t.Fatalf("result %+v", res)
				}
				if n := len(fm.Requests()); n != 1 {
					t.Fatalf("%d requests: it was retried", n)
				}
				errs := of[event.Error](rec)
				if len(errs) != 1 || errs[0].Kind != string(tc.kind) || !errs[0].Fatal || !strings.Contains(errs[0].Message, tc.says) {
					t.Fatalf("error events %+v", errs)
				}
				if strings.Contains(errs[0].Message, "sk-test-key") {
					t.Fatalf("key leaked into the error: %s", errs[0].Message)
				}
				fin := of[event.TurnFinished](rec)
				if len(fin) != 1 || fin[0].Status != event.TurnFailed || fin[0].Error == "" {
					t.Fatalf("turn finished %+v", fin)
				}
			})
		})
	}
}

func TestUnknownModel(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		_, url := fake(t, fakemodel.Reply{Status: 404, Error: &fakemodel.APIError{
			Message: "The model `gpt-5` does not exist or you do not have access to it.", Type: "invalid_request_error", Code: "model_not_found"}})
		sess, rec := newSession(t, w, url, sessionConfig{})
		if res := sess.RunTurn(waitCtx(t), "hi"); res.Status != event.TurnFailed {
			t.Fatalf("result %+v", res)
		}
		if errs := of[event.Error](rec); len(errs) != 1 || errs[0].Kind != string(model.ErrUnknownModel) || !strings.Contains(errs[0].Message, "gpt-5") {
			t.Fatalf("errors %+v", errs)
		}
	})
}

func TestRepeatedCallStopsTheTurn(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		var replies []fakemodel.Reply
		for range 5 {
			replies = append(replies, reply(call("", "echo", `{"text":"again"}`)))
		}
		fm, url := fake(t, append(replies, reply(text("next turn")))...)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "loop")
		if res.Status != event.TurnFailed || !strings.Contains(res.Err.Error(), "same echo call 5 times in a row") {
			t.Fatalf("result %+v", res)
		}
		if n := len(of[event.ToolOutputDelta](rec)); n != 4 {
			t.Fatalf("the tool ran %d times, want 4", n)
		}
		if res := sess.RunTurn(waitCtx(t), "stop that"); res.Status != event.TurnCompleted {
			t.Fatalf("next turn %+v (history invalid?)", res)
		}
		if fm.Pending() != 0 {
			t.Fatalf("%d replies unused", fm.Pending())
		}
	})
}

func TestMaxStepsStopsTheTurn(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		_, url := fake(t,
			reply(call("", "echo", `{"text":"1"}`)),
			reply(call("", "echo", `{"text":"2"}`)),
			reply(call("", "echo", `{"text":"3"}`)),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}, maxSteps: 2})
		res := sess.RunTurn(waitCtx(t), "loop")
		if res.Status != event.TurnFailed || res.Steps != 2 || !strings.Contains(res.Err.Error(), "max_steps") {
			t.Fatalf("result %+v", res)
		}
		if errs := of[event.Error](rec); len(errs) != 1 || errs[0].Kind != "max_steps" {
			t.Fatalf("errors %+v", errs)
		}
	})
}

func TestQueuedInputJoinsAtTheNextStep(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		started := make(chan struct{})
		fm, url := fake(t,
			reply(call("call_q", "gate", `{}`)),
			reply(text("saw it")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{funcTool{name: "gate", run: func() { close(started) }}}})
		rec.onEvent = func(e event.Event) {
			if _, ok := e.(event.ToolCallStarted); ok {
				sess.Queue("also check the README")
			}
		}
		res := sess.RunTurn(waitCtx(t), "start")
		<-started
		if res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		if got := userTexts(t, fm.Requests()[1]); !slices.Contains(got, "also check the README") {
			t.Fatalf("queued input not sent: %q", got)
		}
		if q := of[event.UserInputQueued](rec); len(q) != 1 {
			t.Fatalf("queued events %+v", q)
		}
	})
}

func TestApprovalRequestAnsweredByFrontEnd(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, reply(call("call_r", "risky", `{}`)), reply(text("fine")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{approvalTool{}}})
		rec.onEvent = func(e event.Event) {
			if req, ok := e.(event.ApprovalRequested); ok {
				go req.Respond(event.Decision{Approved: false, Message: "not today"})
			}
		}
		if res := sess.RunTurn(waitCtx(t), "do it"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		reqs := of[event.ApprovalRequested](rec)
		if len(reqs) != 1 || reqs[0].CallID != "call_r" || reqs[0].ID == "" {
			t.Fatalf("approval requests %+v", reqs)
		}
		if got := toolOutputs(t, fm.Requests()[1])["call_r"]; got != "denied: not today" {
			t.Fatalf("output %q", got)
		}
	})
}

func TestOneTurnAtATime(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		gate := fakemodel.NewGate(2)
		_, url := fake(t, fakemodel.Reply{Gate: gate, Output: []fakemodel.Output{text("slow")}})
		sess, _ := newSession(t, w, url, sessionConfig{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			sess.RunTurn(context.Background(), "first")
		}()
		<-gate.Reached()
		if res := sess.RunTurn(waitCtx(t), "second"); res.Err == nil || res.Status != event.TurnFailed {
			t.Fatalf("second concurrent turn %+v", res)
		}
		gate.Release()
		<-done
	})
}

// funcTool runs a function and answers "done".
type funcTool struct {
	name string
	run  func()
}

func (f funcTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: f.name, Description: "Run a hook.", Parameters: []byte(`{"type":"object"}`)}
}
func (funcTool) ParallelSafe() bool { return false }
func (f funcTool) Run(context.Context, tool.Call, tool.Env) (tool.Result, error) {
	f.run()
	return tool.Result{Output: "done"}, nil
}

func TestMessagePhaseIsSentBack(t *testing.T) {
	fm, url := fake(t,
		reply(fakemodel.Output{Text: "Checking first.", Phase: "commentary"}, call("call_1", "echo", `{"text":"x"}`)),
		reply(text("done")),
	)
	sess, _ := newSession(t, allWires()[0], url, sessionConfig{tools: []tool.Tool{echoTool{}}})
	if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted {
		t.Fatalf("result %+v", res)
	}
	body, _ := fm.Requests()[1].JSON()
	for _, it := range body["input"].([]any) {
		m := it.(map[string]any)
		if m["role"] == "assistant" {
			if m["phase"] != "commentary" {
				t.Fatalf("assistant message sent back without its phase: %v", m)
			}
			return
		}
	}
	t.Fatal("no assistant message in the follow-up request")
}

func TestInputQueuedBetweenTurnsComesBeforeThePrompt(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, reply(text("ok")))
		sess, _ := newSession(t, w, url, sessionConfig{})
		sess.Queue("typed earlier")
		if res := sess.RunTurn(waitCtx(t), "the prompt"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		got := userTexts(t, fm.Requests()[0])
		if i, j := slices.Index(got, "typed earlier"), slices.Index(got, "the prompt"); i < 0 || j < 0 || i > j {
			t.Fatalf("user messages %q", got)
		}
	})
}

// A reply cut at the output token limit fails the turn without a retry,
// but the tokens it cost are still counted.
func TestIncompleteReplyFailsAndCountsItsTokens(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, fakemodel.Reply{
			Incomplete: "max_output_tokens",
			Output:     []fakemodel.Output{text("a story that goes on and on")},
			Usage:      &fakemodel.Usage{InputTokens: 100, OutputTokens: 4000},
		})
		sess, rec := newSession(t, w, url, sessionConfig{})
		res := sess.RunTurn(waitCtx(t), "tell me everything")
		if res.Status != event.TurnFailed || !strings.Contains(res.Err.Error(), "output token limit") {
			t.Fatalf("result %+v", res)
		}
		if len(fm.Requests()) != 1 || len(of[event.Retrying](rec)) != 0 {
			t.Fatal("an incomplete reply was retried")
		}
		if res.Usage.OutputTokens != 4000 || sess.Usage().OutputTokens != 4000 {
			t.Fatalf("turn usage %+v, session usage %+v", res.Usage, sess.Usage())
		}
		if u := of[event.TokenUsage](rec); len(u) != 1 || u[0].Last.OutputTokens != 4000 {
			t.Fatalf("usage events %+v", u)
		}
	})
}

// What the sandbox stopped a call from doing reaches front-ends with the
// call's end, in the event and in its JSON form.
func TestToolDenialsReachTheFinishedEvent(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		_, url := fake(t, reply(call("call_1", "denied", `{}`)), reply(text("ok")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{deniedTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		fin := of[event.ToolCallFinished](rec)
		want := []event.SandboxDenial{{Op: "write", Target: "/etc/x", Reason: "outside the writable roots"}}
		if len(fin) != 1 || !slices.Equal(fin[0].Denials, want) {
			t.Fatalf("finished %+v", fin)
		}
		b, err := event.Marshal(fin[0])
		if err != nil || !strings.Contains(string(b), `"denials":[{"op":"write","target":"/etc/x","reason":"outside the writable roots"}]`) {
			t.Fatalf("JSON %s (%v)", b, err)
		}
	})
}

// deniedTool reports a sandbox denial, as the shell tool does.
type deniedTool struct{}

func (deniedTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "denied", Description: "is denied", Parameters: json.RawMessage(`{"type":"object","properties":{}}`)}
}
func (deniedTool) ParallelSafe() bool { return false }
func (deniedTool) Run(context.Context, tool.Call, tool.Env) (tool.Result, error) {
	code := 1
	return tool.Result{Output: "Exit code: 1", ExitCode: &code,
		Denials: []event.SandboxDenial{{Op: "write", Target: "/etc/x", Reason: "outside the writable roots"}}}, nil
}

// stopTool is denied by the user with "stop".
type stopTool struct{}

func (stopTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "stopper", Description: "Denied with stop.", Parameters: []byte(`{"type":"object"}`)}
}
func (stopTool) ParallelSafe() bool { return false }
func (stopTool) Run(context.Context, tool.Call, tool.Env) (tool.Result, error) {
	return tool.Result{Status: "denied", Output: "The user denied this and stopped the turn.", StopTurn: true}, nil
}

// "Deny and stop": the turn ends at once, the calls after the denied one
// are answered without running, and the model is not asked again.
func TestADenialWithStopEndsTheTurn(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(call("c1", "stopper", `{}`), call("c2", "echo", `{"text":"after"}`)),
			reply(text("never sent")),
			reply(text("next turn")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{stopTool{}, echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "do it")
		if res.Status != event.TurnInterrupted || !errors.Is(res.Err, harness.ErrStoppedByUser) {
			t.Fatalf("result %+v", res)
		}
		if n := len(of[event.ToolOutputDelta](rec)); n != 0 {
			t.Errorf("the call after the stop ran")
		}
		if len(fm.Requests()) != 1 {
			t.Errorf("%d model requests, want 1", len(fm.Requests()))
		}
		next := sess.RunTurn(waitCtx(t), "ok, something else")
		if next.Status != event.TurnCompleted {
			t.Fatalf("next turn %+v", next)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		if !strings.Contains(outs["c2"], "not run: the user denied a call and stopped the turn") {
			t.Errorf("outputs %v", outs)
		}
	})
}

// Input taken back before a turn reaches a step boundary is never sent.
func TestTakeQueuedRemovesInputBeforeItIsSent(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, reply(text("ok")))
		sess, _ := newSession(t, w, url, sessionConfig{})
		sess.Queue("first")
		sess.Queue("second")
		if got := sess.TakeQueued(); !slices.Equal(got, []string{"first", "second"}) {
			t.Fatalf("TakeQueued = %q", got)
		}
		if got := sess.TakeQueued(); len(got) != 0 {
			t.Fatalf("second TakeQueued = %q", got)
		}
		if res := sess.RunTurn(waitCtx(t), "the prompt"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		got := userTexts(t, fm.Requests()[0])
		if slices.Contains(got, "first") || slices.Contains(got, "second") {
			t.Fatalf("taken input was sent: %q", got)
		}
	})
}
