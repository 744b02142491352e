package modelclient

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"warden/fakemodel"
	"warden/harness/model"
)

func testTools() []model.ToolSpec {
	return []model.ToolSpec{
		{
			Name:        "shell",
			Description: "Run a command.",
			Parameters:  json.RawMessage(`{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}},"required":["cmd"]}`),
		},
		{
			Name:        "apply_patch",
			Description: "Edit files.",
			Freeform:    &model.Grammar{Syntax: "lark", Definition: `start: "*** Begin Patch"`},
		},
	}
}

// history has every item type, in the order a real session produces them.
func history() []model.Item {
	return []model.Item{
		model.UserMessage("list files"),
		{Type: model.ItemMessage, Role: model.RoleDeveloper, Text: "be brief"},
		{Type: model.ItemReasoning, ID: "rs_1", Summary: []string{"Plan.", "Act."}, EncryptedContent: "enc-1"},
		// Reasoning returned without encrypted content cannot be replayed.
		{Type: model.ItemReasoning, ID: "rs_0", Summary: []string{"lost"}},
		{Type: model.ItemMessage, ID: "msg_1", Role: model.RoleAssistant, Text: "Looking."},
		{Type: model.ItemFunctionCall, ID: "fc_1", CallID: "call_a", Name: "shell", Arguments: `{"cmd":["ls"]}`},
		{Type: model.ItemCustomToolCall, ID: "ctc_1", CallID: "call_b", Name: "apply_patch", Arguments: "*** Begin Patch\n"},
		{Type: model.ItemFunctionCallOutput, CallID: "call_a", Output: "a.txt"},
		{Type: model.ItemCustomToolCallOutput, CallID: "call_b", Output: "patched"},
		{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Done."},
		model.UserMessage("thanks"),
	}
}

func TestResponsesRequestBody(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{
		Model:             "gpt-5",
		Instructions:      "You are warden.",
		Input:             history(),
		Tools:             testTools(),
		ParallelToolCalls: true,
		ReasoningEffort:   "high",
		ReasoningSummary:  "auto",
		PromptCacheKey:    "session-1",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := fake.Requests()[0]
	if req.Path != "/v1/responses" || req.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("request went to %s with Authorization %q", req.Path, req.Header.Get("Authorization"))
	}
	b := bodyOf(t, fake, 0)
	for k, want := range map[string]string{
		"model":               `"gpt-5"`,
		"instructions":        `"You are warden."`,
		"store":               `false`,
		"stream":              `true`,
		"include":             `["reasoning.encrypted_content"]`,
		"reasoning":           `{"effort":"high","summary":"auto"}`,
		"prompt_cache_key":    `"session-1"`,
		"parallel_tool_calls": `true`,
		"tool_choice":         `"auto"`,
		"tools": `[
			{"type":"function","name":"shell","description":"Run a command.","strict":false,
			 "parameters":{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}},"required":["cmd"]}},
			{"type":"custom","name":"apply_patch","description":"Edit files.",
			 "format":{"type":"grammar","syntax":"lark","definition":"start: \"*** Begin Patch\""}}]`,
		"input": `[
			{"type":"message","role":"user","content":[{"type":"input_text","text":"list files"}]},
			{"type":"message","role":"developer","content":[{"type":"input_text","text":"be brief"}]},
			{"type":"reasoning","summary":[{"type":"summary_text","text":"Plan."},{"type":"summary_text","text":"Act."}],"encrypted_content":"enc-1"},
			{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Looking."}]},
			{"type":"function_call","call_id":"call_a","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"},
			{"type":"custom_tool_call","call_id":"call_b","name":"apply_patch","input":"*** Begin Patch\n"},
			{"type":"function_call_output","call_id":"call_a","output":"a.txt"},
			{"type":"custom_tool_call_output","call_id":"call_b","output":"patched"},
			{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Done."}]},
			{"type":"message","role":"user","content":[{"type":"input_text","text":"thanks"}]}]`,
	} {
		jsonEqual(t, k, b[k], want)
	}
}

func TestResponsesRequestBodyMinimal(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{
		Model:            "gpt-4.1",
		Input:            []model.Item{model.UserMessage("hi")},
		ReasoningSummary: "none",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bodyOf(t, fake, 0)
	// Non-reasoning models reject the reasoning parameter.
	for _, k := range []string{"reasoning", "include", "tools", "tool_choice", "instructions", "prompt_cache_key"} {
		if v, ok := b[k]; ok {
			t.Errorf("%s sent without being asked for: %v", k, v)
		}
	}
	jsonEqual(t, "store", b["store"], `false`)
	jsonEqual(t, "parallel_tool_calls", b["parallel_tool_calls"], `false`)
}

func TestResponsesStreamAndRoundTrip(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{
			Output: []fakemodel.Output{
				{Reasoning: &fakemodel.Reasoning{Summary: []string{"**Plan** look.", "**Act** now."}, EncryptedContent: "enc-xyz"}},
				{Text: "Let me look around."},
				{Call: &fakemodel.FunctionCall{CallID: "call_ls", Name: "shell", Arguments: `{"cmd":["ls","-la"]}`}},
				{Custom: &fakemodel.CustomCall{CallID: "call_p", Name: "apply_patch", Input: "*** Begin Patch\n<a> & \"b\"\n"}},
			},
			ChunkSize: 3,
			Usage:     &fakemodel.Usage{InputTokens: 30, CachedTokens: 10, OutputTokens: 12, ReasoningTokens: 5},
		},
		{Output: []fakemodel.Output{{Text: "All done."}}},
	}})
	c := NewResponses(cfg)
	req := model.Request{Model: "gpt-5", Input: []model.Item{model.UserMessage("go")}, Tools: testTools(), ReasoningEffort: "low"}
	var d deltas
	resp, err := c.Stream(testContext(t), req, d.add)
	if err != nil {
		t.Fatal(err)
	}

	if got := d.text(model.DeltaText); got != "Let me look around." {
		t.Errorf("text deltas = %q", got)
	}
	if got := d.text(model.DeltaReasoning); got != "**Plan** look.\n\n**Act** now." {
		t.Errorf("reasoning deltas = %q", got)
	}
	var args, input string
	for _, x := range d.ofKind(model.DeltaToolInput) {
		switch {
		case x.CallID == "call_ls" && x.Name == "shell" && x.ItemID != "":
			args += x.Text
		case x.CallID == "call_p" && x.Name == "apply_patch" && x.ItemID != "":
			input += x.Text
		default:
			t.Errorf("tool delta without its call: %+v", x)
		}
	}
	if args != `{"cmd":["ls","-la"]}` || input != "*** Begin Patch\n<a> & \"b\"\n" {
		t.Errorf("tool deltas: args %q, input %q", args, input)
	}

	if !strings.HasPrefix(resp.ID, "resp_") {
		t.Errorf("response id = %q", resp.ID)
	}
	wantUsage := model.Usage{InputTokens: 30, CachedInputTokens: 10, OutputTokens: 12, ReasoningTokens: 5, TotalTokens: 42}
	if resp.Usage != wantUsage {
		t.Errorf("usage = %+v, want %+v", resp.Usage, wantUsage)
	}
	if len(resp.Items) != 4 {
		t.Fatalf("items = %+v", resp.Items)
	}
	for i, it := range resp.Items {
		if it.ID == "" {
			t.Errorf("item %d has no provider id", i)
		}
		resp.Items[i].ID = "" // compared below without the generated ids
	}
	jsonEqual(t, "items", resp.Items, `[
		{"type":"reasoning","summary":["**Plan** look.","**Act** now."],"encrypted_content":"enc-xyz"},
		{"type":"message","role":"assistant","text":"Let me look around."},
		{"type":"function_call","call_id":"call_ls","name":"shell","arguments":"{\"cmd\":[\"ls\",\"-la\"]}"},
		{"type":"custom_tool_call","call_id":"call_p","name":"apply_patch","arguments":"*** Begin Patch\n<a> & \"b\"\n"}]`)

	// The items go back verbatim in the next request, answered; the fake
	// checks that every call has its output, as the real API does.
	next := append(req.Input, resp.Items...)
	next = append(next, model.OutputFor(resp.Items[2], "total 0"), model.OutputFor(resp.Items[3], "Done!"))
	req.Input = next
	if _, err := c.Stream(testContext(t), req, nil); err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "second input", bodyOf(t, fake, 1)["input"], `[
		{"type":"message","role":"user","content":[{"type":"input_text","text":"go"}]},
		{"type":"reasoning","summary":[{"type":"summary_text","text":"**Plan** look."},{"type":"summary_text","text":"**Act** now."}],"encrypted_content":"enc-xyz"},
		{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look around."}]},
		{"type":"function_call","call_id":"call_ls","name":"shell","arguments":"{\"cmd\":[\"ls\",\"-la\"]}"},
		{"type":"custom_tool_call","call_id":"call_p","name":"apply_patch","input":"*** Begin Patch\n<a> & \"b\"\n"},
		{"type":"function_call_output","call_id":"call_ls","output":"total 0"},
		{"type":"custom_tool_call_output","call_id":"call_p","output":"Done!"}]`)
}

// Items are ordered by output_index, whatever order their done events took;
// refusals read as text; unknown item types are skipped.
func TestResponsesItemOrderRefusalAndUnknownItems(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w,
			`{"type":"response.created","response":{"id":"resp_1"}}`,
			`{"type":"response.output_item.done","output_index":2,"item":{"type":"function_call","id":"fc_1","call_id":"c1","name":"shell","arguments":"{}"}}`,
			`{"type":"response.output_item.done","output_index":1,"item":{"type":"web_search_call","id":"ws_1","status":"completed"}}`,
			`{"type":"response.refusal.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"I can't."}`,
			`{"type":"response.output_item.done","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"refusal","refusal":"I can't."},{"type":"output_text","text":" Sorry."}]}}`,
			`{"type":"response.completed","response":{"id":"resp_1","usage":{"input_tokens":5,"output_tokens":2}}}`,
		)
	})
	var d deltas
	resp, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, d.add)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "items", resp.Items, `[
		{"type":"message","id":"msg_1","role":"assistant","text":"I can't. Sorry."},
		{"type":"function_call","id":"fc_1","call_id":"c1","name":"shell","arguments":"{}"}]`)
	if d.text(model.DeltaText) != "I can't." {
		t.Errorf("refusal delta not shown as text: %+v", d.all)
	}
	if resp.Usage.TotalTokens != 7 {
		t.Errorf("total not derived: %+v", resp.Usage)
	}
}

// A server that never sends output_item.done still lists the output in
// response.completed.
func TestResponsesOutputFromCompleted(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w, `{"type":"response.completed","response":{"id":"resp_2","output":[
			{"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"hi"}]}]}}`)
	})
	resp, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Items) != 1 || resp.Items[0].Text != "hi" || resp.ID != "resp_2" {
		t.Errorf("response = %+v", resp)
	}
}

func TestResponsesFailedEvent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   fakemodel.APIError
		kind  model.ErrorKind
		after string // RetryAfter, if any
	}{
		{"context", fakemodel.APIError{Code: "context_length_exceeded", Message: "Your input exceeds the context window of this model."}, model.ErrContextLength, ""},
		{"rate", fakemodel.APIError{Code: "rate_limit_exceeded", Message: "Rate limit reached for gpt-5. Please try again in 1.5s."}, model.ErrRateLimit, "1.5s"},
		{"server", fakemodel.APIError{Code: "server_error", Message: "An error occurred."}, model.ErrServer, ""},
		{"quota", fakemodel.APIError{Code: "insufficient_quota", Message: "You exceeded your current quota."}, model.ErrQuota, ""},
		{"invalid prompt", fakemodel.APIError{Code: "invalid_prompt", Message: "Invalid prompt."}, model.ErrInvalidRequest, ""},
		{"unknown", fakemodel.APIError{Code: "vector_store_timeout", Message: "Timed out."}, model.ErrServer, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
				Output: []fakemodel.Output{{Text: "partial"}}, Failed: true, Error: &tc.err,
			}}})
			_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "gpt-5"}, nil)
			me := wantKind(t, err, tc.kind)
			if tc.after != "" && me.RetryAfter.String() != tc.after {
				t.Errorf("RetryAfter = %s, want %s", me.RetryAfter, tc.after)
			}
			if me.Detail != tc.err.Message {
				t.Errorf("Detail = %q, want the provider's message", me.Detail)
			}
		})
	}
}

// The "error" event comes with its fields at the top level (as documented)
// or nested in an "error" object (as sometimes sent).
func TestResponsesErrorEvent(t *testing.T) {
	for name, ev := range map[string]string{
		"flat":   `{"type":"error","code":"context_length_exceeded","message":"too long","param":"input","sequence_number":3}`,
		"nested": `{"type":"error","error":{"type":"invalid_request_error","code":"context_length_exceeded","message":"too long","param":"input"},"sequence_number":3}`,
	} {
		t.Run(name, func(t *testing.T) {
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
				sseTyped(w, `{"type":"response.created","response":{"id":"r"}}`, ev)
			})
			_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
			if me := wantKind(t, err, model.ErrContextLength); me.Detail != "too long" {
				t.Errorf("Detail = %q", me.Detail)
			}
		})
	}
}

func TestResponsesIncomplete(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w,
			`{"type":"response.output_text.delta","item_id":"m","delta":"Once upon"}`,
			`{"type":"response.incomplete","response":{"id":"r","status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"usage":{"input_tokens":900,"output_tokens":4096,"total_tokens":4996}}}`)
	})
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
	me := wantKind(t, err, model.ErrInvalidRequest)
	if me.Retryable() || !strings.Contains(me.Message, "output token limit") {
		t.Errorf("incomplete reply: %v (retryable %v)", me, me.Retryable())
	}
	// The tokens were spent all the same.
	if me.Usage == nil || me.Usage.OutputTokens != 4096 || me.Usage.TotalTokens != 4996 {
		t.Errorf("usage of the incomplete reply: %+v", me.Usage)
	}
}

// Only response.completed ends a reply: a clean close before it is a cut.
func TestResponsesEndsWithoutCompleted(t *testing.T) {
	for name, events := range map[string][]string{
		"after events": {`{"type":"response.created","response":{"id":"r"}}`, `{"type":"response.output_text.delta","item_id":"m","delta":"Hi"}`},
		"no events":    nil,
	} {
		t.Run(name, func(t *testing.T) {
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) { sseTyped(w, events...) })
			_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
			if me := wantKind(t, err, model.ErrStreamCut); !me.Retryable() {
				t.Error("a cut stream must be retryable")
			}
		})
	}
}

func TestResponsesConnectionDroppedMidStream(t *testing.T) {
	_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Text: "a long answer that never finishes"}}, ChunkSize: 2, CutAfter: 5,
	}}})
	var d deltas
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "gpt-5"}, d.add)
	wantKind(t, err, model.ErrStreamCut)
	if d.text(model.DeltaText) == "" {
		t.Error("no deltas arrived before the cut")
	}
}

func TestResponsesMalformedEvent(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w, `{"type":"response.created","response":{"id":"r"}}`)
		sseData(w, `{"type":"response.output_text.delta",`)
	})
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
	wantKind(t, err, model.ErrMalformed)
}

func TestResponsesBadInput(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("a request that cannot be built must not be sent")
	})
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{
		Model: "m", Input: []model.Item{{Type: model.ItemMessage, Role: "narrator", Text: "x"}},
	}, nil)
	if err == nil || !strings.Contains(err.Error(), `unknown role "narrator"`) {
		t.Errorf("err = %v", err)
	}
}

// A reasoning model asked for no summary and no effort still needs its
// encrypted reasoning carried to the next request.
func TestResponsesIncludesReasoningWithoutReasoningParameter(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{
		Model:            "gpt-5",
		Input:            []model.Item{model.UserMessage("hi")},
		ReasoningSummary: "none",
		IncludeReasoning: true,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bodyOf(t, fake, 0)
	jsonEqual(t, "include", b["include"], `["reasoning.encrypted_content"]`)
	if _, ok := b["reasoning"]; ok {
		t.Errorf("reasoning parameter sent: %s", b["reasoning"])
	}
}

// An event warden does not read is skipped even when its fields are shaped
// unexpectedly; one it reads must be well-formed.
func TestResponsesOddlyShapedEvents(t *testing.T) {
	completed := `{"type":"response.completed","response":{"id":"r","status":"completed","output":[{"type":"message","id":"m","role":"assistant","content":[{"type":"output_text","text":"fine"}]}]}}`
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w, `{"type":"response.queued","response":"ping","item":7}`, completed)
	})
	resp, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
	if err != nil || len(resp.Items) != 1 || resp.Items[0].Text != "fine" {
		t.Fatalf("resp %+v err %v", resp, err)
	}
	cfg = startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseTyped(w, `{"type":"response.output_text.delta","item_id":"m","delta":7}`, completed)
	})
	_, err = NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m"}, nil)
	wantKind(t, err, model.ErrMalformed)
}
