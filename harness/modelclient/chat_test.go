package modelclient

import (
	"net/http"
	"strings"
	"testing"

	"warden/fakemodel"
	"warden/harness/model"
)

func TestChatRequestBody(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	_, err := NewChat(cfg).Stream(testContext(t), model.Request{
		Model:             "qwen3",
		Instructions:      "You are warden.",
		Input:             history(),
		Tools:             testTools(),
		ParallelToolCalls: true,
		ReasoningEffort:   "medium",
		ReasoningSummary:  "auto",
		PromptCacheKey:    "session-1",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	req := fake.Requests()[0]
	if req.Path != "/v1/chat/completions" || req.Header.Get("Authorization") != "Bearer "+testKey {
		t.Errorf("request went to %s with Authorization %q", req.Path, req.Header.Get("Authorization"))
	}
	b := bodyOf(t, fake, 0)
	for k, want := range map[string]string{
		"model":               `"qwen3"`,
		"stream":              `true`,
		"stream_options":      `{"include_usage":true}`,
		"reasoning_effort":    `"medium"`,
		"parallel_tool_calls": `true`,
		"tools": `[
			{"type":"function","function":{"name":"shell","description":"Run a command.",
			 "parameters":{"type":"object","properties":{"cmd":{"type":"array","items":{"type":"string"}}},"required":["cmd"]}}},
			{"type":"function","function":{"name":"apply_patch","description":"Edit files.",
			 "parameters":{"type":"object","required":["input"],"properties":{"input":{"type":"string",
			  "description":"The tool's raw input as one string (not JSON); it must match the tool's lark grammar.\nstart: \"*** Begin Patch\""}}}}}]`,
		// The developer message becomes a system message; reasoning is
		// dropped; the assistant's text and calls form one message.
		"messages": `[
			{"role":"system","content":"You are warden."},
			{"role":"user","content":"list files"},
			{"role":"system","content":"be brief"},
			{"role":"assistant","content":"Looking.","tool_calls":[
				{"id":"call_a","type":"function","function":{"name":"shell","arguments":"{\"cmd\":[\"ls\"]}"}},
				{"id":"call_b","type":"function","function":{"name":"apply_patch","arguments":"{\"input\":\"*** Begin Patch\\n\"}"}}]},
			{"role":"tool","content":"a.txt","tool_call_id":"call_a"},
			{"role":"tool","content":"patched","tool_call_id":"call_b"},
			{"role":"assistant","content":"Done."},
			{"role":"user","content":"thanks"}]`,
	} {
		jsonEqual(t, k, b[k], want)
	}
	for _, k := range []string{"store", "prompt_cache_key", "reasoning", "include"} {
		if v, ok := b[k]; ok {
			t.Errorf("%s is not part of the chat wire but was sent: %v", k, v)
		}
	}
}

func TestChatRequestBodyGrouping(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	_, err := NewChat(cfg).Stream(testContext(t), model.Request{
		Model: "m",
		Input: []model.Item{
			model.UserMessage("go"),
			// Calls with no text before them, and an empty argument string.
			{Type: model.ItemFunctionCall, CallID: "c1", Name: "now", Arguments: ""},
			{Type: model.ItemFunctionCall, CallID: "c2", Name: "shell", Arguments: `{"cmd":["pwd"]}`},
			{Type: model.ItemFunctionCallOutput, CallID: "c1", Output: "noon"},
			{Type: model.ItemFunctionCallOutput, CallID: "c2", Output: "/"},
			// Two assistant messages of one reply (commentary, then an
			// answer) stay one message, as strict chat templates require.
			{Type: model.ItemReasoning, Summary: []string{"hm"}},
			{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Checked."},
			{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "It is noon."},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bodyOf(t, fake, 0)
	jsonEqual(t, "messages", b["messages"], `[
		{"role":"user","content":"go"},
		{"role":"assistant","content":"","tool_calls":[
			{"id":"c1","type":"function","function":{"name":"now","arguments":"{}"}},
			{"id":"c2","type":"function","function":{"name":"shell","arguments":"{\"cmd\":[\"pwd\"]}"}}]},
		{"role":"tool","content":"noon","tool_call_id":"c1"},
		{"role":"tool","content":"/","tool_call_id":"c2"},
		{"role":"assistant","content":"Checked.\n\nIt is noon."}]`)
	for _, k := range []string{"tools", "parallel_tool_calls", "reasoning_effort"} {
		if v, ok := b[k]; ok {
			t.Errorf("%s sent without tools or effort: %v", k, v)
		}
	}
}

func TestChatStreamEndToEnd(t *testing.T) {
	_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{
			{Reasoning: &fakemodel.Reasoning{Summary: []string{"Plan.", "Act."}}},
			{Text: "Let me look around."},
			{Call: &fakemodel.FunctionCall{CallID: "call_ls", Name: "shell", Arguments: `{"cmd":["ls","-la","/tmp"]}`}},
			{Custom: &fakemodel.CustomCall{CallID: "call_p", Name: "apply_patch", Input: "*** Begin Patch\n<a> & \"b\"\n"}},
		},
		ChunkSize: 4,
		Usage:     &fakemodel.Usage{InputTokens: 30, CachedTokens: 10, OutputTokens: 12, ReasoningTokens: 5},
	}}})
	var d deltas
	resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}, Tools: testTools()}, d.add)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.text(model.DeltaReasoning); got != "Plan.\n\nAct." {
		t.Errorf("reasoning deltas = %q", got)
	}
	if got := d.text(model.DeltaText); got != "Let me look around." {
		t.Errorf("text deltas = %q", got)
	}
	for _, x := range d.ofKind(model.DeltaToolInput) {
		if x.CallID == "" || x.Name == "" || x.ItemID == "" {
			t.Errorf("tool delta without its call: %+v", x)
		}
	}
	if !strings.HasPrefix(resp.ID, "chatcmpl-") {
		t.Errorf("id = %q", resp.ID)
	}
	wantUsage := model.Usage{InputTokens: 30, CachedInputTokens: 10, OutputTokens: 12, ReasoningTokens: 5, TotalTokens: 42}
	if resp.Usage != wantUsage {
		t.Errorf("usage = %+v, want %+v", resp.Usage, wantUsage)
	}
	jsonEqual(t, "items", resp.Items, `[
		{"type":"reasoning","summary":["Plan.\n\nAct."]},
		{"type":"message","role":"assistant","text":"Let me look around."},
		{"type":"function_call","call_id":"call_ls","name":"shell","arguments":"{\"cmd\":[\"ls\",\"-la\",\"/tmp\"]}"},
		{"type":"custom_tool_call","call_id":"call_p","name":"apply_patch","arguments":"*** Begin Patch\n<a> & \"b\"\n"}]`)
}

// Deltas of parallel calls interleave and may start out of order; each is
// assembled by its index and the calls come out in index order.
func TestChatInterleavedToolCalls(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseData(w,
			`{"id":"c","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"read","arguments":""}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"shell","arguments":"{\"cmd\":"}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"path\":"}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"[\"ls\"]}"}},{"index":1,"function":{"arguments":"\"a.go\"}"}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
			`[DONE]`,
		)
	})
	resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, "items", resp.Items, `[
		{"type":"function_call","call_id":"call_a","name":"shell","arguments":"{\"cmd\":[\"ls\"]}"},
		{"type":"function_call","call_id":"call_b","name":"read","arguments":"{\"path\":\"a.go\"}"}]`)
}

// Servers that leave out the index, reuse index 0 for every call, or send no
// call id still produce separate, answerable calls.
func TestChatToolCallQuirks(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseData(w,
			// No index: continued by id, or by being the last call.
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"id":"x1","type":"function","function":{"name":"a","arguments":"{\"n\":"}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"function":{"arguments":"1}"}}]}}]}`,
			// Index 0 again, but a new id: a new call.
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"x2","type":"function","function":{"name":"b","arguments":"{}"}}]}}]}`,
			// No id at all, and no arguments.
			`{"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":5,"type":"function","function":{"name":"c"}}]}}]}`,
			`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}`,
		)
	})
	resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Items) != 3 {
		t.Fatalf("items = %+v", resp.Items)
	}
	a, b, c := resp.Items[0], resp.Items[1], resp.Items[2]
	if a.CallID != "x1" || a.Name != "a" || a.Arguments != `{"n":1}` {
		t.Errorf("first call = %+v", a)
	}
	if b.CallID != "x2" || b.Name != "b" || b.Arguments != `{}` {
		t.Errorf("second call = %+v", b)
	}
	if !strings.HasPrefix(c.CallID, "call_") || c.Name != "c" || c.Arguments != "{}" {
		t.Errorf("third call = %+v", c)
	}
}

func TestChatReasoningFields(t *testing.T) {
	for name, delta := range map[string]string{
		"reasoning_content": `{"reasoning_content":"think"}`,
		"reasoning":         `{"reasoning":"think"}`,
		// Servers in transition send both; the text must not double.
		"both": `{"reasoning_content":"think","reasoning":"think"}`,
	} {
		t.Run(name, func(t *testing.T) {
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
				sseData(w,
					`{"id":"c","choices":[{"index":0,"delta":`+delta+`}]}`,
					`{"id":"c","choices":[{"index":0,"delta":{"content":"answer","reasoning":null}}]}`,
					`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
					`[DONE]`)
			})
			var d deltas
			resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m"}, d.add)
			if err != nil {
				t.Fatal(err)
			}
			if d.text(model.DeltaReasoning) != "think" {
				t.Errorf("reasoning deltas = %q", d.text(model.DeltaReasoning))
			}
			jsonEqual(t, "items", resp.Items, `[
				{"type":"reasoning","summary":["think"]},
				{"type":"message","role":"assistant","text":"answer"}]`)
		})
	}
}

// A freeform tool's call is unwrapped from {"input": …}; anything else is
// kept raw so the loop can tell the model what was wrong with it.
func TestChatCustomCallArguments(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{`{"input":"*** Begin Patch"}`, "*** Begin Patch"},
		{`{"input":5}`, `{"input":5}`},
		{`*** Begin Patch`, `*** Begin Patch`},
		{`{"patch":"x"}`, `{"patch":"x"}`},
	} {
		_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
			Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{CallID: "c", Name: "apply_patch", Arguments: tc.args}}},
		}}})
		resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}, Tools: testTools()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		it := resp.Items[0]
		if it.Type != model.ItemCustomToolCall || it.Arguments != tc.want {
			t.Errorf("arguments %s: got %s %q, want custom_tool_call %q", tc.args, it.Type, it.Arguments, tc.want)
		}
	}
}

func TestChatCompletion(t *testing.T) {
	chunk := `{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}`
	stop := `{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`
	for _, tc := range []struct {
		name   string
		events []string
		kind   model.ErrorKind // "" for success
	}{
		{"finish and done", []string{chunk, stop, "[DONE]"}, ""},
		{"finish then close", []string{chunk, stop}, ""},
		{"done without finish", []string{chunk, "[DONE]"}, ""},
		{"neither", []string{chunk}, model.ErrStreamCut},
		{"nothing", nil, model.ErrStreamCut},
		{"length", []string{chunk, `{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}`,
			`{"id":"c","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}`, "[DONE]"}, model.ErrInvalidRequest},
		{"content filter", []string{chunk, `{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"content_filter"}]}`}, model.ErrInvalidRequest},
		{"openrouter error finish", []string{chunk, `{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"error"}]}`}, model.ErrServer},
		{"malformed", []string{chunk, `{"id":`}, model.ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) { sseData(w, tc.events...) })
			resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}}, nil)
			if tc.kind == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(resp.Items) != 1 || resp.Items[0].Text != "hi" {
					t.Errorf("items = %+v", resp.Items)
				}
				return
			}
			me := wantKind(t, err, tc.kind)
			if tc.name == "length" && (me.Retryable() || !strings.Contains(me.Message, "output token limit")) {
				t.Errorf("length: %v (retryable %v)", me, me.Retryable())
			}
			if tc.name == "length" && (me.Usage == nil || me.Usage.TotalTokens != 30) {
				t.Errorf("length: usage %+v, want the 30 tokens spent", me.Usage)
			}
		})
	}
}

// After the 200 is out, compatible servers report failure as a chunk with an
// "error" object.
func TestChatErrorChunk(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		kind model.ErrorKind
	}{
		{"context", `{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"BadRequestError","code":400}}`, model.ErrContextLength},
		{"openrouter rate", `{"id":"x","error":{"code":429,"message":"Provider returned error","metadata":{"raw":"slow down, try again in 20ms"}},"choices":[]}`, model.ErrRateLimit},
		{"llama.cpp", `{"error":{"code":500,"message":"failed to decode","type":"server_error"}}`, model.ErrServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
				sseData(w, `{"id":"c","choices":[{"index":0,"delta":{"content":"hi"}}]}`, tc.data)
			})
			_, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}}, nil)
			me := wantKind(t, err, tc.kind)
			if tc.kind == model.ErrRateLimit && me.RetryAfter.String() != "20ms" {
				t.Errorf("RetryAfter = %s", me.RetryAfter)
			}
		})
	}

	_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Text: "partial"}}, Failed: true,
	}}})
	_, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}}, nil)
	wantKind(t, err, model.ErrServer)
}

func TestChatConnectionDroppedMidStream(t *testing.T) {
	_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Text: "a long answer that never finishes"}}, ChunkSize: 2, CutAfter: 4,
	}}})
	_, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: []model.Item{model.UserMessage("go")}}, nil)
	wantKind(t, err, model.ErrStreamCut)
}

// Compatible servers refuse a whole request when one call in the history
// has arguments that are not a JSON object, so they are sent as {}.
func TestChatSendsMalformedHistoryArgumentsAsEmptyObject(t *testing.T) {
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	_, err := NewChat(cfg).Stream(testContext(t), model.Request{
		Model: "gpt-5",
		Input: []model.Item{
			model.UserMessage("go"),
			{Type: model.ItemFunctionCall, CallID: "c1", Name: "shell", Arguments: `{"cmd": ["ls"`},
			{Type: model.ItemFunctionCallOutput, CallID: "c1", Output: "error: not valid JSON"},
			{Type: model.ItemFunctionCall, CallID: "c2", Name: "shell", Arguments: `["ls"]`},
			{Type: model.ItemFunctionCallOutput, CallID: "c2", Output: "error: not an object"},
			{Type: model.ItemFunctionCall, CallID: "c3", Name: "shell", Arguments: `{"cmd":["ls"]}`},
			{Type: model.ItemFunctionCallOutput, CallID: "c3", Output: "a.txt"},
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := string(fake.Requests()[0].Body)
	for _, want := range []string{`"id":"c1","type":"function","function":{"name":"shell","arguments":"{}"}`,
		`"id":"c2","type":"function","function":{"name":"shell","arguments":"{}"}`,
		`"arguments":"{\"cmd\":[\"ls\"]}"`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s:\n%s", want, body)
		}
	}
}
