package modelclient

// Fuzz targets for the two stream parsers. Whatever a provider (or a proxy,
// or a broken local server) sends as a 200 event stream, Stream must return
// promptly, never panic, and give back either a *model.Error or a response
// whose items the loop can act on and send back in the next request.
//
// Under plain `go test` only the seed corpus runs (the captured fake streams,
// their mutations below, and testdata/fuzz). To fuzz:
//
//	go test -run '^$' -fuzz FuzzResponsesStream -fuzztime 75s ./harness/modelclient/
//	go test -run '^$' -fuzz FuzzChatStream -fuzztime 75s ./harness/modelclient/

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/model"
)

func FuzzResponsesStream(f *testing.F) {
	for _, s := range capturedStreams(f, "/v1/responses") {
		addWithMutations(f, s)
	}
	for _, s := range responsesSeeds() {
		f.Add([]byte(s))
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkStream(t, fs, NewResponses, body)
	})
}

func FuzzChatStream(f *testing.F) {
	for _, s := range capturedStreams(f, "/v1/chat/completions") {
		addWithMutations(f, s)
	}
	for _, s := range chatSeeds() {
		f.Add([]byte(s))
	}
	fs := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkStream(t, fs, NewChat, body)
	})
}

// fuzzServer serves each registered body once, as a 200 event stream, at a
// path of its own, so one server can serve every input of a fuzz run.
type fuzzServer struct {
	srv    *httptest.Server
	next   atomic.Int64
	mu     sync.Mutex
	bodies map[string][]byte
}

func newFuzzServer(f *testing.F) *fuzzServer {
	fs := &fuzzServer{bodies: map[string][]byte{}}
	fs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		id, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		fs.mu.Lock()
		body, ok := fs.bodies[id]
		fs.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}))
	f.Cleanup(fs.srv.Close)
	return fs
}

// serve registers body and returns the base URL that serves it.
func (fs *fuzzServer) serve(body []byte) (base string, release func()) {
	id := strconv.FormatInt(fs.next.Add(1), 10)
	fs.mu.Lock()
	fs.bodies[id] = body
	fs.mu.Unlock()
	return fs.srv.URL + "/" + id + "/v1", func() {
		fs.mu.Lock()
		delete(fs.bodies, id)
		fs.mu.Unlock()
	}
}

// fuzzRequest offers a function tool and a freeform one, so that the Chat
// client's mapping of freeform calls is exercised too.
func fuzzRequest() model.Request {
	return model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}, Tools: testTools()}
}

type fuzzOutcome struct {
	resp  *model.Response
	err   error
	panic string
}

func checkStream(t *testing.T, fs *fuzzServer, newClient func(Config) model.Client, body []byte) {
	base, release := fs.serve(body)
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client := newClient(Config{BaseURL: base, APIKey: testKey, IdleTimeout: time.Second})

	done := make(chan fuzzOutcome, 1)
	go func() {
		var r fuzzOutcome
		defer func() {
			if p := recover(); p != nil {
				r.panic = fmt.Sprintf("%v\n%s", p, debug.Stack())
			}
			done <- r
		}()
		r.resp, r.err = client.Stream(ctx, fuzzRequest(), func(d model.Delta) {
			if d.Kind != model.DeltaText && d.Kind != model.DeltaReasoning && d.Kind != model.DeltaToolInput {
				panic(fmt.Sprintf("delta of unknown kind %d", d.Kind))
			}
		})
	}()
	var r fuzzOutcome
	select {
	case r = <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("Stream did not return within 20s")
	}
	if r.panic != "" {
		t.Fatalf("Stream panicked: %s", r.panic)
	}
	if r.err != nil {
		if ctx.Err() != nil {
			t.Fatalf("Stream only returned when the context expired: %v", r.err)
		}
		me, ok := model.AsError(r.err)
		if !ok {
			t.Fatalf("error is a %T, not a *model.Error: %v", r.err, r.err)
		}
		if me.Kind == "" || me.Message == "" {
			t.Fatalf("error without a kind or message: %#v", me)
		}
		if strings.Contains(r.err.Error(), testKey) {
			t.Fatalf("error shows the API key: %v", r.err)
		}
		if r.resp != nil {
			t.Fatalf("both a response and an error: %v", r.err)
		}
		return
	}
	if r.resp == nil {
		t.Fatal("no response and no error")
	}
	checkItems(t, r.resp.Items)
}

// checkItems asserts that every item is one the loop acts on correctly and
// that the conversation stays sendable: the items, answered, must build the
// next request on both wires.
func checkItems(t *testing.T, items []model.Item) {
	t.Helper()
	history := []model.Item{model.UserMessage("go")}
	var outputs []model.Item
	for i, it := range items {
		switch it.Type {
		case model.ItemMessage:
			if it.Role != model.RoleAssistant {
				t.Fatalf("item %d: message with role %q", i, it.Role)
			}
		case model.ItemReasoning:
		case model.ItemFunctionCall, model.ItemCustomToolCall:
			if it.CallID == "" || it.Name == "" {
				t.Fatalf("item %d: tool call without a call id or name: %+v", i, it)
			}
			outputs = append(outputs, model.OutputFor(it, "ok"))
		default:
			t.Fatalf("item %d: unexpected type %q", i, it.Type)
		}
	}
	history = append(append(history, items...), outputs...)
	req := fuzzRequest()
	req.Input = history
	if _, err := buildResponsesBody(req); err != nil {
		t.Fatalf("the reply cannot be sent back on the Responses wire: %v", err)
	}
	if _, err := buildChatBody(req); err != nil {
		t.Fatalf("the reply cannot be sent back on the Chat wire: %v", err)
	}
}

// capturedStreams records what the fake actually sends for a range of
// replies, so the corpus starts from realistic, complete streams.
func capturedStreams(f *testing.F, path string) [][]byte {
	f.Helper()
	replies := []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "Hello there."}}},
		{Output: []fakemodel.Output{
			{Reasoning: &fakemodel.Reasoning{Summary: []string{"Plan.", "Act."}, EncryptedContent: "enc-xyz"}},
			{Text: "Looking.", Phase: "commentary"},
			{Call: &fakemodel.FunctionCall{CallID: "call_a", Name: "shell", Arguments: `{"cmd":["ls","-la"]}`}},
			{Custom: &fakemodel.CustomCall{CallID: "call_b", Name: "apply_patch", Input: "*** Begin Patch\n<a> & \"b\"\n"}},
		}, ChunkSize: 3, Usage: &fakemodel.Usage{InputTokens: 30, CachedTokens: 10, OutputTokens: 12, ReasoningTokens: 5}},
		{Output: []fakemodel.Output{
			{Call: &fakemodel.FunctionCall{CallID: "call_1", Name: "shell", Arguments: `{"cmd":["pwd"]}`}},
			{Call: &fakemodel.FunctionCall{CallID: "call_2", Name: "shell", Arguments: `{}`}},
		}},
		{Output: []fakemodel.Output{{Text: "half way"}}, Failed: true},
		{Output: []fakemodel.Output{{Text: "ünïcødé 🙂 text"}}, ChunkSize: 1},
		{}, // an empty reply
	}
	fm := fakemodel.New(fakemodel.Script{Replies: replies})
	srv := httptest.NewServer(fm)
	defer srv.Close()
	defer fm.Close()
	body := `{"model":"m","stream":true,"input":"go","include":["reasoning.encrypted_content"]}`
	if strings.Contains(path, "chat") {
		body = `{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"go"}]}`
	}
	var out [][]byte
	for range replies {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			f.Fatal(err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			f.Fatalf("capturing a stream: status %d, %v: %s", resp.StatusCode, err, data)
		}
		out = append(out, data)
	}
	return out
}

// addWithMutations adds a stream and the ways it is commonly broken: cut at
// an event boundary, cut mid-event, missing its terminal event, and with
// \r\n line ends.
func addWithMutations(f *testing.F, s []byte) {
	f.Add(s)
	events := bytes.SplitAfter(s, []byte("\n\n"))
	if len(events) > 2 {
		f.Add(bytes.Join(events[:len(events)/2], nil))
		f.Add(bytes.Join(events[:len(events)-2], nil)) // no terminal event
	}
	f.Add(s[:len(s)/2])
	f.Add(s[:len(s)-1]) // the last event is never dispatched
	f.Add(bytes.ReplaceAll(s, []byte("\n"), []byte("\r\n")))
}

func sseLines(events ...string) string {
	var b strings.Builder
	for _, e := range events {
		b.WriteString("data: " + e + "\n\n")
	}
	return b.String()
}

const (
	respCreated   = `{"type":"response.created","response":{"id":"resp_1","output":[]}}`
	respCompleted = `{"type":"response.completed","response":{"id":"resp_1","output":[],"usage":{"input_tokens":3,"output_tokens":2,"total_tokens":5}}}`
)

func itemDone(item string) string {
	return `{"type":"response.output_item.done","output_index":0,"item":` + item + `}`
}

func responsesSeeds() []string {
	huge := strings.Repeat("x", 1<<20)
	fc := `{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{}"}`
	seeds := []string{
		"",
		"\n\n\n",
		": keep-alive\n\n",
		"data: [DONE]\n\n",
		sseLines(respCreated, "[DONE]", respCompleted),
		sseLines(respCreated, respCompleted),
		// Wrong types where strings, objects and arrays belong.
		sseLines(respCreated, itemDone(`{"type":"function_call","id":5,"call_id":7,"name":["shell"],"arguments":{}}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"message","role":"assistant","content":{"type":"output_text","text":"x"}}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"message","content":[{"type":"output_text","text":5},null,"str",{"type":"refusal","refusal":["no"]}]}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"reasoning","summary":"not a list","encrypted_content":{}}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"reasoning","summary":[null,{"text":null},{"type":"summary_text","text":"ok"}]}`), respCompleted),
		sseLines(respCreated, itemDone(`null`), respCompleted),
		sseLines(respCreated, itemDone(`[]`), respCompleted),
		sseLines(respCreated, itemDone(`"function_call"`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"web_search_call","id":"ws_1","status":"completed"}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"banana"}`), respCompleted),
		sseLines(respCreated, itemDone(`{}`), respCompleted),
		// Tool calls missing what the next request needs.
		sseLines(respCreated, itemDone(`{"type":"function_call","id":"fc_1","name":"shell","arguments":"{}"}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"function_call","id":"fc_1","call_id":"call_1","arguments":"{}"}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"custom_tool_call","id":"ctc_1","name":"apply_patch","input":"x"}`), respCompleted),
		sseLines(respCreated, itemDone(`{"type":"custom_tool_call","id":"ctc_1","call_id":"call_1","input":"x"}`), respCompleted),
		// The same item twice, and two calls sharing a call id.
		sseLines(respCreated, itemDone(fc), itemDone(fc), respCompleted),
		sseLines(respCreated, itemDone(fc), itemDone(strings.Replace(fc, "fc_1", "fc_2", 1)), respCompleted),
		// Indexes out of every range.
		sseLines(respCreated, `{"type":"response.output_item.done","output_index":-1,"item":`+fc+`}`,
			`{"type":"response.output_item.done","output_index":9223372036854775807,"item":{"type":"message","content":[{"type":"output_text","text":"a"}]}}`,
			`{"type":"response.output_item.done","output_index":1e400,"item":{"type":"message","content":[{"type":"output_text","text":"b"}]}}`, respCompleted),
		sseLines(respCreated, `{"type":"response.output_item.done","output_index":"zero","item":`+fc+`}`, respCompleted),
		// Deltas for items never added, with wrong types, and huge.
		sseLines(respCreated, `{"type":"response.function_call_arguments.delta","item_id":"nope","delta":"{"}`, respCompleted),
		sseLines(respCreated, `{"type":"response.output_text.delta","item_id":5,"delta":{"a":1}}`, respCompleted),
		sseLines(respCreated, `{"type":"response.reasoning_summary_part.added","item_id":"rs","summary_index":"1"}`, respCompleted),
		sseLines(respCreated, `{"type":"response.output_text.delta","item_id":"m","delta":"`+huge+`"}`, respCompleted),
		sseLines(respCreated, itemDone(`{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"`+huge+`"}`), respCompleted),
		// Completion variants.
		sseLines(respCreated, `{"type":"response.completed"}`),
		sseLines(respCreated, `{"type":"response.completed","response":null}`),
		sseLines(respCreated, `{"type":"response.completed","response":[]}`),
		sseLines(respCreated, `{"type":"response.completed","response":{"usage":{"input_tokens":"3","output_tokens":-1,"total_tokens":1e30}}}`),
		sseLines(respCreated, `{"type":"response.completed","response":{"output":[null,{"type":"function_call","name":"shell"},{"type":"function_call","call_id":"c"},`+fc+`]}}`),
		sseLines(respCreated, `{"type":"response.completed","response":{"output":{"type":"message"}}}`),
		"event: response.completed\ndata: {\"response\":{\"id\":\"r\"}}\n\n",
		"event: response.completed\n\n",
		"data: {\"type\":\"response.completed\"}", // never dispatched: no blank line
		// Failures.
		sseLines(`{"type":"error","code":"rate_limit_exceeded","message":"slow down","param":null}`),
		sseLines(`{"type":"error","error":null}`),
		sseLines(`{"type":"error","error":{"message":"boom","code":500}}`),
		sseLines(`{"type":"error","code":5,"message":["x"]}`),
		sseLines(`{"type":"response.failed","response":{"error":null}}`),
		sseLines(`{"type":"response.failed","response":{"error":{"code":"rate_limit_exceeded","message":"Please try again in 1e400s."}}}`),
		sseLines(`{"type":"response.failed"}`),
		sseLines(`{"type":"response.incomplete","response":{"incomplete_details":null}}`),
		sseLines(`{"type":"response.incomplete","response":{"incomplete_details":{"reason":"max_output_tokens"}}}`),
		// Not JSON, or JSON that is not an object.
		sseLines(`{"type":"response.output_item.done","item":{"type":"function_call"`),
		sseLines(`null`), sseLines(`[]`), sseLines(`"x"`), sseLines(`5`), sseLines(`{"type":5}`), sseLines(`{"type":null}`),
		"data: {\"type\":\"response.created\"}\ndata: {\"type\":\"response.completed\"}\n\n", // two data lines, one event
		"event: response.completed\ndata: {}\n\n",
		"retry: 10\nid: 5\n\n" + sseLines(respCreated),
		"\xff\xfe\x00data: \xff\n\n",
	}
	return seeds
}

func chatChunk(delta string, finish string) string {
	fr := "null"
	if finish != "" {
		fr = strconv.Quote(finish)
	}
	return `{"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":` + delta + `,"finish_reason":` + fr + `}]}`
}

func chatSeeds() []string {
	huge := strings.Repeat("y", 1<<20)
	tc := func(calls string) string { return chatChunk(`{"tool_calls":`+calls+`}`, "") }
	stop := chatChunk(`{}`, "stop")
	seeds := []string{
		"",
		"data: [DONE]\n\n",
		"data: [DONE]\n\n" + sseLines(chatChunk(`{"content":"late"}`, "stop")),
		sseLines(chatChunk(`{"content":"hi"}`, ""), "[DONE]"),
		sseLines(chatChunk(`{"content":"hi"}`, "stop")),       // no [DONE]: fine
		sseLines(chatChunk(`{"content":"hi"}`, "")),           // neither
		sseLines(chatChunk(`{"content":"hi"}`, "length")),     // cut off
		sseLines(chatChunk(`{"content":"hi"}`, "banana")),     // unknown reason
		sseLines(chatChunk(`{"content":"hi"}`, "error")),      // OpenRouter
		sseLines(chatChunk(`{"content":"hi"}`, "tool_calls")), // no calls after all
		// Tool call indexes out of range, negative, absent, and reused.
		sseLines(tc(`[{"index":1000000,"id":"call_a","function":{"name":"shell","arguments":"{}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":-1,"id":"call_a","function":{"name":"shell","arguments":"{}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":9223372036854775807,"id":"a","function":{"name":"shell"}},{"index":-9223372036854775808,"id":"b","function":{"name":"shell"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":1e30,"id":"a","function":{"name":"shell"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":"0","id":"a","function":{"name":"shell"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"id":"a","function":{"name":"shell","arguments":"{\"cmd\":"}}]`), tc(`[{"function":{"arguments":"[\"ls\"]}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"a","function":{"name":"shell"}}]`), tc(`[{"index":0,"id":"b","function":{"name":"shell"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"dup","function":{"name":"shell","arguments":"{}"}},{"index":1,"id":"dup","function":{"name":"shell","arguments":"{}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"id":"dup","function":{"name":"shell","arguments":"{}"}}]`), tc(`[{"id":"dup","function":{"name":"apply_patch","arguments":"{}"}}]`), stop, "[DONE]"),
		// Calls without an id, without a name, or with nothing at all.
		sseLines(tc(`[{"index":0,"function":{"name":"shell","arguments":"{}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"a","function":{"arguments":"{}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{}]`), stop, "[DONE]"),
		sseLines(tc(`[null]`), stop, "[DONE]"),
		sseLines(tc(`null`), tc(`{}`), tc(`"x"`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"a","function":{"name":"apply_patch","arguments":"{\"input\":5}"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"a","function":{"name":"apply_patch","arguments":"not json"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"a","function":{"name":"shell","arguments":"`+huge+`"}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":5,"function":{"name":["shell"],"arguments":{"a":1}}}]`), stop, "[DONE]"),
		sseLines(tc(`[{"index":0,"id":"a","function":null}]`), stop, "[DONE]"),
		// Choices that are empty, missing, of the wrong shape or index.
		sseLines(`{"id":"c","choices":[]}`, stop, "[DONE]"),
		sseLines(`{"id":"c","choices":null}`, "[DONE]"),
		sseLines(`{"id":"c","choices":{"index":0}}`, "[DONE]"),
		sseLines(`{"id":"c","choices":[null,5,"x"]}`, "[DONE]"),
		sseLines(`{"id":"c","choices":[{"index":1,"delta":{"content":"other choice"},"finish_reason":"stop"}]}`, "[DONE]"),
		sseLines(`{"id":"c","choices":[{"index":0,"delta":null,"finish_reason":"stop"}]}`, "[DONE]"),
		sseLines(`{"id":"c","choices":[{"index":0,"delta":"x","finish_reason":5}]}`, "[DONE]"),
		sseLines(`{"id":["c"],"choices":[{"index":0,"delta":{"content":5,"refusal":{}}}]}`, "[DONE]"),
		sseLines(chatChunk(`{"content":"`+huge+`"}`, "stop"), "[DONE]"),
		// Reasoning in the non-standard fields, of the wrong type.
		sseLines(chatChunk(`{"reasoning_content":5,"reasoning":["x"]}`, "stop"), "[DONE]"),
		sseLines(chatChunk(`{"reasoning_content":"a","reasoning":"a"}`, "stop"), "[DONE]"),
		// Usage, right and wrong.
		sseLines(stop, `{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`, "[DONE]"),
		sseLines(stop, `{"id":"c","choices":[],"usage":{"prompt_tokens":"3","completion_tokens":-2,"total_tokens":1e40}}`, "[DONE]"),
		sseLines(stop, `{"id":"c","choices":[],"usage":[]}`, "[DONE]"),
		// Errors in the stream, real and not.
		sseLines(chatChunk(`{"content":"hi"}`, ""), `{"error":null}`, stop, "[DONE]"),
		sseLines(chatChunk(`{"content":"say \"error\": yes"}`, "stop"), "[DONE]"),
		sseLines(`{"error":{"message":"overloaded","code":503}}`),
		sseLines(`{"error":"plain text"}`),
		sseLines(`{"error":{}}`),
		sseLines(`{"error":[1,2]}`),
		sseLines(`{"error":{"message":"Rate limit. Please try again in 99999999999999999999s.","code":"rate_limit_exceeded"}}`),
		sseLines(`{"object":"error","message":"context length exceeded","code":400}`),
		// Not JSON, or JSON that is not an object.
		sseLines(`{"id":"c","choices":[{"index":0,"delta":{"content":"unterminated`),
		sseLines(`null`, "[DONE]"), sseLines(`[]`, "[DONE]"), sseLines(`"x"`, "[DONE]"), sseLines(`5`, "[DONE]"),
		"data:[DONE]", "data: [DONE] trailing\n\n", "data: [DONE\n\n",
		"\xff\xfe\x00data: \xff\n\n",
	}
	return seeds
}

// Regressions the fuzz targets turned up, pinned down one by one.

// A tool call without a name is a garbled reply (ErrMalformed, retried):
// sent back in the history it would get the session's requests refused
// ("Invalid 'input[n].name': empty string").
func TestToolCallWithoutNameIsMalformed(t *testing.T) {
	resp := NewResponses(startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w,
			itemDone(`{"type":"function_call","id":"fc_1","call_id":"call_1","arguments":"{}"}`),
			respCompleted)
	}))
	chat := NewChat(startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseData(w,
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"arguments":"{}"}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`, "[DONE]")
	}))
	for _, c := range []model.Client{resp, chat} {
		_, err := c.Stream(testContext(t), fuzzRequest(), nil)
		me := wantKind(t, err, model.ErrMalformed)
		if !me.Retryable() || !strings.Contains(me.Message, "without a tool name") || !strings.Contains(me.Detail, "call_1") {
			t.Errorf("error = %#v", me)
		}
	}
}

// A Responses call without a call id gets one, as on the Chat wire: the
// next request must pair its output with it ("Invalid 'input[n].call_id':
// empty string").
func TestResponsesCallWithoutCallID(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w,
			itemDone(`{"type":"function_call","id":"fc_1","name":"shell","arguments":"{}"}`),
			`{"type":"response.output_item.done","output_index":1,"item":{"type":"custom_tool_call","id":"ctc_1","name":"apply_patch","input":"x"}}`,
			respCompleted)
	})
	resp, err := NewResponses(cfg).Stream(testContext(t), fuzzRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Items) != 2 {
		t.Fatalf("items = %+v", resp.Items)
	}
	a, b := resp.Items[0], resp.Items[1]
	if !strings.HasPrefix(a.CallID, "call_") || !strings.HasPrefix(b.CallID, "call_") || a.CallID == b.CallID {
		t.Errorf("call ids %q and %q", a.CallID, b.CallID)
	}
}

// The same output item sent twice (same output_index and id) is one item:
// its tool call must not run twice. Two items that merely share a call id
// are two calls (the loop makes their ids unique).
func TestResponsesRepeatedItem(t *testing.T) {
	fc := `{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{}"}`
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w,
			itemDone(fc), itemDone(fc),
			`{"type":"response.output_item.done","output_index":1,"item":`+strings.Replace(fc, "fc_1", "fc_2", 1)+`}`,
			respCompleted)
	})
	resp, err := NewResponses(cfg).Stream(testContext(t), fuzzRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "items", resp.Items, `[
		{"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{}"},
		{"type":"function_call","id":"fc_2","call_id":"call_1","name":"shell","arguments":"{}"}]`)
}

// An empty tool_calls entry calls nothing; it is not a nameless call.
func TestChatEmptyToolCallEntry(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseData(w,
			`{"id":"c","choices":[{"index":0,"delta":{"content":"hi","tool_calls":[{}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":3,"type":"function"}]},"finish_reason":"stop"}]}`, "[DONE]")
	})
	resp, err := NewChat(cfg).Stream(testContext(t), fuzzRequest(), nil)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "items", resp.Items, `[{"type":"message","role":"assistant","text":"hi"}]`)
}
