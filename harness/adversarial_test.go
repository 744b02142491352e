package harness_test

// Adversarial replies: whatever the model sends, the turn ends sensibly, the
// history stays one the provider accepts, every event can still be written
// as JSON, and the next turn works. Each test runs over real HTTP on both
// wires; the fake validates call/output pairing on every request.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"warden/fakemodel"
	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
)

func TestFiftyToolCallsInOneReply(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		var calls []fakemodel.Output
		for i := range 50 {
			calls = append(calls, call(fmt.Sprintf("call_%02d", i), "echo", fmt.Sprintf(`{"text":"n%d"}`, i)))
		}
		fm, url := fake(t, reply(calls...), reply(text("all fifty done")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{parallel: true}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnCompleted || res.FinalText != "all fifty done" || res.Steps != 2 {
			t.Fatalf("result %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		for i := range 50 {
			if got, want := outs[fmt.Sprintf("call_%02d", i)], fmt.Sprintf("echo: n%d", i); got != want {
				t.Fatalf("call_%02d answered %q, want %q", i, got, want)
			}
		}
		if n := len(of[event.ToolCallFinished](rec)); n != 50 {
			t.Fatalf("%d calls finished", n)
		}
		afterwards(t, sess, fm, rec)
	})
}

// Fifty identical calls trip the repeat guard part way through the batch;
// the calls after it are still answered, so the history stays valid.
func TestFiftyIdenticalCallsInOneReply(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		var calls []fakemodel.Output
		for i := range 50 {
			calls = append(calls, call(fmt.Sprintf("call_%02d", i), "echo", `{"text":"same"}`))
		}
		fm, url := fake(t, reply(calls...))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{parallel: true}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnFailed || res.Err == nil || !strings.Contains(res.Err.Error(), "same echo call 5 times") {
			t.Fatalf("result %+v", res)
		}
		fin := of[event.ToolCallFinished](rec)
		if len(fin) != 50 || fin[49].Status != "aborted" {
			t.Fatalf("%d calls answered, last %+v", len(fin), fin[len(fin)-1])
		}
		afterwards(t, sess, fm, rec)
	})
}

func TestOddToolNames(t *testing.T) {
	names := []string{" ", "echo ", "ECHO", "../../bin/sh", "名前🙂", "a\x00b", "echo\n", `"quoted"`, "<script>", strings.Repeat("n", 10000)}
	forEachWire(t, func(t *testing.T, w wire) {
		var calls []fakemodel.Output
		for i, n := range names {
			calls = append(calls, call(fmt.Sprintf("call_%d", i), n, `{"text":"x"}`))
		}
		fm, url := fake(t, reply(calls...), reply(text("ok")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted || res.FinalText != "ok" {
			t.Fatalf("result %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		for i, n := range names {
			want := fmt.Sprintf("there is no tool named %q. Available tools: echo.", n)
			if got := outs[fmt.Sprintf("call_%d", i)]; !strings.Contains(got, want) {
				t.Errorf("call to %.20q answered %.200q", n, got)
			}
		}
		afterwards(t, sess, fm, rec)
	})
}

// A call without a name cannot be scripted in the fake (its own validation
// refuses it), so it is sent by hand. It is a garbled reply: retried, and
// never recorded, since a nameless call in the history could get every
// later request refused.
func TestToolCallWithoutName(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fakeAfterRaw(t, 1, namelessCall, reply(text("recovered")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnCompleted || res.FinalText != "recovered" {
			t.Fatalf("result %+v", res)
		}
		if r := of[event.Retrying](rec); len(r) != 1 || r[0].Kind != string(model.ErrMalformed) || !strings.Contains(r[0].Reason, "without a tool name") {
			t.Fatalf("retrying %+v", r)
		}
		afterwards(t, sess, fm, rec)
	})
}

func TestToolCallWithoutNameEveryTime(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fakeAfterRaw(t, 5, namelessCall)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnFailed || res.Err == nil || !strings.Contains(res.Err.Error(), "gave up after 5 tries: the provider sent a tool call without a tool name") {
			t.Fatalf("result %+v", res)
		}
		afterwards(t, sess, fm, rec)
	})
}

func TestMegabyteArguments(t *testing.T) {
	big := strings.Repeat("abcdefgh", 128<<10) // 1 MiB
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			fakemodel.Reply{ChunkSize: 64 << 10, Output: []fakemodel.Output{
				call("call_big", "echo", `{"text":"`+big+`"}`),
				call("call_bad", "echo", `{"text":"`+big[:64<<10]), // cut off
			}},
			reply(text("read it")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted || res.FinalText != "read it" {
			t.Fatalf("result %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		if outs["call_big"] != "echo: "+big {
			t.Errorf("big call answered with %d bytes", len(outs["call_big"]))
		}
		if got := outs["call_bad"]; !strings.Contains(got, "not valid JSON") || len(got) > 1024 {
			t.Errorf("truncated big call answered %.300q (%d bytes)", got, len(got))
		}
		afterwards(t, sess, fm, rec)
	})
}

func TestArgumentsThatAreNotAnObject(t *testing.T) {
	cases := []struct{ args, want string }{
		{`null`, "must be a JSON object"},
		{`"a string"`, "must be a JSON object"},
		{`42`, "must be a JSON object"},
		{`true`, "must be a JSON object"},
		{`[{"text":"x"}]`, "must be a JSON object"},
		{`{}{}`, "not valid JSON"},
		{`{"text":"x"} trailing`, "not valid JSON"},
		{`{"text":null}`, "echo: "},
	}
	forEachWire(t, func(t *testing.T, w wire) {
		var calls []fakemodel.Output
		for i, c := range cases {
			calls = append(calls, call(fmt.Sprintf("call_%d", i), "echo", c.args))
		}
		fm, url := fake(t, reply(calls...), reply(text("ok")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted || res.FinalText != "ok" {
			t.Fatalf("result %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		for i, c := range cases {
			if got := outs[fmt.Sprintf("call_%d", i)]; !strings.Contains(got, c.want) {
				t.Errorf("arguments %s answered %q, want it to mention %q", c.args, got, c.want)
			}
		}
		afterwards(t, sess, fm, rec)
	})
}

// Empty arguments: the Chat client reads them as {} (servers omit the
// arguments of a call that takes none); on Responses the model is told.
func TestEmptyArguments(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, reply(call("call_e", "echo", ``), call("call_s", "echo", "  \n")), reply(text("ok")))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted {
			t.Fatalf("result %+v", res)
		}
		want := "the arguments were empty"
		if w.name == "chat" {
			want = "echo: "
		}
		outs := toolOutputs(t, fm.Requests()[1])
		for _, id := range []string{"call_e", "call_s"} {
			if !strings.Contains(outs[id], want) {
				t.Errorf("%s answered %q, want %q", id, outs[id], want)
			}
		}
		afterwards(t, sess, fm, rec)
	})
}

// A freeform call to a function tool and a function call to a freeform
// tool: the tool gets the raw input and says what is wrong with it, and
// each output has the type of the call it answers.
func TestCallOfTheWrongKind(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(
				fakemodel.Output{Custom: &fakemodel.CustomCall{CallID: "call_c", Name: "echo", Input: "hello"}},
				call("call_f", "scribble", `{"input":"abc"}`),
				call("call_g", "scribble", `{"other":1}`),
			),
			reply(text("ok")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}, freeformTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted || res.FinalText != "ok" {
			t.Fatalf("result %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		// Responses delivers the freeform text to echo, which rejects it;
		// Chat has no freeform calls, so the same call arrives as
		// {"input": "hello"}, a valid object without echo's "text".
		if want := map[string]string{"responses": "invalid arguments", "chat": "echo: "}[w.name]; !strings.Contains(outs["call_c"], want) {
			t.Errorf("custom call to echo answered %q, want %q", outs["call_c"], want)
		}
		if !strings.HasPrefix(outs["call_f"], "got ") || !strings.HasPrefix(outs["call_g"], `got {"other":1}`) {
			t.Errorf("function calls to scribble answered %q and %q", outs["call_f"], outs["call_g"])
		}
		afterwards(t, sess, fm, rec)
	})
}

func TestTextAndToolCallsInOneReply(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(text("Let me look."), call("call_1", "echo", `{"text":"a"}`)),
			reply(call("call_2", "echo", `{"text":"b"}`), text("Text after a call.")),
			reply(text("done")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnCompleted || res.FinalText != "done" || res.Steps != 3 {
			t.Fatalf("result %+v", res)
		}
		if outs := toolOutputs(t, fm.Requests()[2]); outs["call_1"] != "echo: a" || outs["call_2"] != "echo: b" {
			t.Fatalf("outputs %v", outs)
		}
		var texts []string
		for _, e := range of[event.ItemCompleted](rec) {
			if e.Item.Type == model.ItemMessage {
				texts = append(texts, e.Item.Text)
			}
		}
		if !slices.Equal(texts, []string{"Let me look.", "Text after a call.", "done"}) {
			t.Fatalf("messages %q", texts)
		}
		afterwards(t, sess, fm, rec)
	})
}

// Real providers refuse a conversation in which two calls share an id
// ("Duplicate value for 'tool_call_id'"), and would go on refusing every
// later request of the session. The fake does not check this, so the test
// checks what was sent.
func TestDuplicateCallIDs(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(call("dup", "echo", `{"text":"a"}`), call("dup", "echo", `{"text":"b"}`)),
			reply(call("dup", "echo", `{"text":"c"}`)), // and again in the next reply
			reply(text("done")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnCompleted || res.FinalText != "done" {
			t.Fatalf("result %+v", res)
		}
		reqs := fm.Requests()
		if outs := toolOutputs(t, reqs[2]); len(outs) != 3 || outs["dup"] != "echo: a" || outs["dup_2"] != "echo: b" || outs["dup_3"] != "echo: c" {
			t.Fatalf("outputs %v", outs)
		}
		for i, req := range reqs {
			if ids := sentCallIDs(t, req); len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
				t.Fatalf("request %d repeats a call id: %q", i, ids)
			}
		}
		afterwards(t, sess, fm, rec)
	})
}

func TestEmptyReply(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t, reply())
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnCompleted || res.FinalText != "" || res.Steps != 1 || res.Err != nil {
			t.Fatalf("result %+v", res)
		}
		if n := len(fm.Requests()); n != 1 {
			t.Fatalf("%d requests for one empty reply", n)
		}
		afterwards(t, sess, fm, rec)
	})
}

// After a tool call the model may have nothing more to say; so may one that
// only reasons. Both end the turn.
func TestEmptyReplyAfterToolCall(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		fm, url := fake(t,
			reply(call("call_1", "echo", `{"text":"a"}`)),
			reply(fakemodel.Output{Reasoning: &fakemodel.Reasoning{Summary: []string{"nothing to add"}}}),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{echoTool{}}})
		res := sess.RunTurn(waitCtx(t), "go")
		if res.Status != event.TurnCompleted || res.Steps != 2 || res.Err != nil {
			t.Fatalf("result %+v", res)
		}
		afterwards(t, sess, fm, rec)
	})
}

// afterwards checks what every adversarial turn must leave behind: a valid
// history, events that can be written out, and a session whose next turn
// works against the fake, which validates the history it is sent.
func afterwards(t *testing.T, sess *harness.Session, fm *fakemodel.Server, rec *recorder) {
	t.Helper()
	checkHistory(t, sess.History())
	for _, e := range rec.all() {
		if _, err := event.Marshal(e); err != nil {
			t.Errorf("event cannot be written: %v", err)
		}
	}
	fm.Push(reply(text("still here")))
	res := sess.RunTurn(waitCtx(t), "are you there?")
	if res.Status != event.TurnCompleted || res.FinalText != "still here" {
		t.Fatalf("next turn %+v", res)
	}
	checkHistory(t, sess.History())
}

// checkHistory asserts the pairing rules of both APIs: every call has a
// name and an id no other call has, and exactly one output of the matching
// type after it; every output answers an earlier call.
func checkHistory(t *testing.T, hist []model.Item) {
	t.Helper()
	calls := map[string]model.Item{}
	answered := map[string]bool{}
	for i, it := range hist {
		switch it.Type {
		case model.ItemFunctionCall, model.ItemCustomToolCall:
			if it.CallID == "" || it.Name == "" {
				t.Fatalf("history[%d]: call without an id or name: %+v", i, it)
			}
			if _, dup := calls[it.CallID]; dup {
				t.Fatalf("history[%d]: call id %q used twice", i, it.CallID)
			}
			calls[it.CallID] = it
		case model.ItemFunctionCallOutput, model.ItemCustomToolCallOutput:
			c, ok := calls[it.CallID]
			if !ok {
				t.Fatalf("history[%d]: output for unknown call %q", i, it.CallID)
			}
			if answered[it.CallID] {
				t.Fatalf("history[%d]: call %q answered twice", i, it.CallID)
			}
			if model.OutputFor(c, "").Type != it.Type {
				t.Fatalf("history[%d]: %s answers a %s", i, it.Type, c.Type)
			}
			answered[it.CallID] = true
		}
	}
	for id := range calls {
		if !answered[id] {
			t.Fatalf("call %q never answered", id)
		}
	}
}

// sentCallIDs lists the ids of the tool calls a request sent, on either wire.
func sentCallIDs(t *testing.T, req fakemodel.RecordedRequest) []string {
	t.Helper()
	body, err := req.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if input, ok := body["input"].([]any); ok {
		for _, it := range input {
			m, _ := it.(map[string]any)
			if ty := m["type"]; ty == "function_call" || ty == "custom_tool_call" {
				ids = append(ids, fmt.Sprint(m["call_id"]))
			}
		}
	}
	if msgs, ok := body["messages"].([]any); ok {
		for _, it := range msgs {
			m, _ := it.(map[string]any)
			calls, _ := m["tool_calls"].([]any)
			for _, c := range calls {
				tc, _ := c.(map[string]any)
				ids = append(ids, fmt.Sprint(tc["id"]))
			}
		}
	}
	return ids
}

// namelessCall is a complete reply whose one tool call has no name, in the
// wire's own shape.
func namelessCall(path string) string {
	if strings.HasSuffix(path, "/responses") {
		return `event: response.created
data: {"type":"response.created","response":{"id":"resp_x","output":[]}}

event: response.output_item.done
data: {"type":"response.output_item.done","output_index":0,"item":{"type":"function_call","id":"fc_x","call_id":"call_x","arguments":"{\"text\":\"x\"}"}}

event: response.completed
data: {"type":"response.completed","response":{"id":"resp_x","output":[],"usage":{"input_tokens":1,"output_tokens":1,"total_tokens":2}}}

`
	}
	return `data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_x","type":"function","function":{"arguments":"{\"text\":\"x\"}"}}]},"finish_reason":null}]}

data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: [DONE]

`
}

// fakeAfterRaw answers the first n model requests with raw(path), a stream
// the fake cannot script, and every later one with the fake's replies.
func fakeAfterRaw(t *testing.T, n int, raw func(path string) string, replies ...fakemodel.Reply) (*fakemodel.Server, string) {
	t.Helper()
	fm := fakemodel.New(fakemodel.Script{Replies: replies})
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := n > 0
		n--
		mu.Unlock()
		if !first {
			fm.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, raw(r.URL.Path))
	}))
	t.Cleanup(func() {
		fm.Close()
		srv.Close()
	})
	return fm, srv.URL + "/v1"
}
