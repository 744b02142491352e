package fakemodel_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"

	"warden/fakemodel"
)

func responsesParams(input string) responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model: "gpt-5",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(input)},
	}
}

func textReply(text string) fakemodel.Reply {
	return fakemodel.Reply{Output: []fakemodel.Output{{Text: text}}}
}

// responsesRun is what a client observed on one Responses stream.
type responsesRun struct {
	events    []responses.ResponseStreamEventUnion
	types     []string
	deltas    map[string]string // item id → concatenated text/argument/input deltas
	summaries map[string]string // "itemID/summaryIndex" → concatenated summary deltas
	completed *responses.Response
	failed    *responses.Response
}

func drainResponses(stream *ssestream.Stream[responses.ResponseStreamEventUnion]) (responsesRun, error) {
	defer stream.Close()
	run := responsesRun{deltas: map[string]string{}, summaries: map[string]string{}}
	for stream.Next() {
		ev := stream.Current()
		if want := int64(len(run.events)); ev.SequenceNumber != want {
			return run, fmt.Errorf("event %d (%s) has sequence_number %d", want, ev.Type, ev.SequenceNumber)
		}
		run.events = append(run.events, ev)
		run.types = append(run.types, ev.Type)
		switch e := ev.AsAny().(type) {
		case responses.ResponseTextDeltaEvent:
			run.deltas[e.ItemID] += e.Delta
		case responses.ResponseFunctionCallArgumentsDeltaEvent:
			run.deltas[e.ItemID] += e.Delta
		case responses.ResponseCustomToolCallInputDeltaEvent:
			run.deltas[e.ItemID] += e.Delta
		case responses.ResponseReasoningSummaryTextDeltaEvent:
			run.summaries[fmt.Sprintf("%s/%d", e.ItemID, e.SummaryIndex)] += e.Delta
		case responses.ResponseCompletedEvent:
			run.completed = &e.Response
		case responses.ResponseFailedEvent:
			run.failed = &e.Response
		}
	}
	return run, stream.Err()
}

func TestResponsesTextEventSequence(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "Hello, wörld!"}}, ChunkSize: 7},
	}})
	run, err := drainResponses(client.Responses.NewStreaming(testContext(t), responsesParams("hi")))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"response.created", "response.in_progress",
		"response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.delta",
		"response.output_text.done", "response.content_part.done", "response.output_item.done",
		"response.completed",
	}
	if !slices.Equal(run.types, want) {
		t.Fatalf("events:\n got %v\nwant %v", run.types, want)
	}
	created := run.events[0].Response
	if !strings.HasPrefix(created.ID, "resp_") || created.Status != "in_progress" || created.Model != "gpt-5" ||
		len(created.Output) != 0 || created.Object != "response" {
		t.Errorf("created = %+v", created)
	}
	added := run.events[2].AsResponseOutputItemAdded()
	if added.Item.Type != "message" || added.Item.Status != "in_progress" || !strings.HasPrefix(added.Item.ID, "msg_") {
		t.Errorf("added = %+v", added.Item)
	}
	if d := run.events[4].AsResponseOutputTextDelta(); d.Delta != "Hello, " || d.ItemID != added.Item.ID {
		t.Errorf("first delta = %+v", d)
	}
	if run.deltas[added.Item.ID] != "Hello, wörld!" || run.events[6].AsResponseOutputTextDone().Text != "Hello, wörld!" {
		t.Errorf("text = %q", run.deltas[added.Item.ID])
	}
	done := run.events[8].AsResponseOutputItemDone().Item.AsMessage()
	if done.Status != "completed" || done.Role != "assistant" || len(done.Content) != 1 ||
		done.Content[0].Type != "output_text" || done.Content[0].Text != "Hello, wörld!" || done.Content[0].Annotations == nil {
		t.Errorf("done = %+v", done)
	}
	c := run.completed
	if c.ID != created.ID || c.Status != "completed" || c.OutputText() != "Hello, wörld!" {
		t.Errorf("completed = %+v", c)
	}
	if c.Usage.InputTokens == 0 || c.Usage.OutputTokens == 0 || c.Usage.TotalTokens != c.Usage.InputTokens+c.Usage.OutputTokens {
		t.Errorf("usage = %+v", c.Usage)
	}
}

func TestResponsesAllItemKinds(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{
			{Reasoning: &fakemodel.Reasoning{Summary: []string{"First I think.", "Then I act."}, EncryptedContent: "enc123"}},
			{Text: "Running it."},
			{Call: &fakemodel.FunctionCall{Name: "shell", Arguments: `{"cmd":["ls","-la"]}`}},
			{Call: &fakemodel.FunctionCall{CallID: "call_x", Name: "broken", Arguments: `{"oops":`}},
			{Custom: &fakemodel.CustomCall{Name: "apply_patch", Input: "*** Begin Patch\n<x> & y\n*** End Patch"}},
		},
		ChunkSize: 5,
		Usage:     &fakemodel.Usage{InputTokens: 100, CachedTokens: 60, OutputTokens: 50, ReasoningTokens: 20},
	}}})
	params := responsesParams("go")
	params.Include = []responses.ResponseIncludable{"reasoning.encrypted_content"}
	run, err := drainResponses(client.Responses.NewStreaming(testContext(t), params))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{
		"response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
		"response.reasoning_summary_text.done", "response.reasoning_summary_part.done",
		"response.function_call_arguments.delta", "response.function_call_arguments.done",
		"response.custom_tool_call_input.delta", "response.custom_tool_call_input.done",
	} {
		if !slices.Contains(run.types, typ) {
			t.Errorf("no %s event", typ)
		}
	}
	out := run.completed.Output
	if len(out) != 5 {
		t.Fatalf("output has %d items", len(out))
	}

	rs := out[0].AsReasoning()
	if !strings.HasPrefix(rs.ID, "rs_") || len(rs.Summary) != 2 || rs.Summary[1].Text != "Then I act." ||
		rs.Summary[0].Type != "summary_text" || rs.EncryptedContent != "enc123" {
		t.Errorf("reasoning = %+v", rs)
	}
	if run.summaries[rs.ID+"/0"] != "First I think." || run.summaries[rs.ID+"/1"] != "Then I act." {
		t.Errorf("summary deltas = %v", run.summaries)
	}

	fc := out[2].AsFunctionCall()
	if !strings.HasPrefix(fc.ID, "fc_") || !strings.HasPrefix(fc.CallID, "call_") || fc.Name != "shell" ||
		fc.Arguments != `{"cmd":["ls","-la"]}` || fc.Status != "completed" || run.deltas[fc.ID] != fc.Arguments {
		t.Errorf("function call = %+v, deltas %q", fc, run.deltas[fc.ID])
	}
	if bad := out[3].AsFunctionCall(); bad.CallID != "call_x" || bad.Arguments != `{"oops":` {
		t.Errorf("malformed call = %+v", bad)
	}

	cc := out[4].AsCustomToolCall()
	if !strings.HasPrefix(cc.ID, "ctc_") || cc.Name != "apply_patch" || cc.Input != "*** Begin Patch\n<x> & y\n*** End Patch" ||
		run.deltas[cc.ID] != cc.Input || cc.CallID == fc.CallID {
		t.Errorf("custom call = %+v", cc)
	}

	u := run.completed.Usage
	if u.InputTokens != 100 || u.InputTokensDetails.CachedTokens != 60 || u.OutputTokens != 50 ||
		u.OutputTokensDetails.ReasoningTokens != 20 || u.TotalTokens != 150 {
		t.Errorf("usage = %+v", u)
	}
}

func TestResponsesEncryptedContentNeedsInclude(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Reasoning: &fakemodel.Reasoning{EncryptedContent: "secret"}}, {Text: "hi"}},
	}}})
	run, err := drainResponses(client.Responses.NewStreaming(testContext(t), responsesParams("go")))
	if err != nil {
		t.Fatal(err)
	}
	rs := run.completed.Output[0].AsReasoning()
	if rs.EncryptedContent != "" || rs.JSON.EncryptedContent.Valid() || len(rs.Summary) != 0 {
		t.Errorf("reasoning = %+v", rs)
	}
}

func TestResponsesFailed(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "partial"}}, Failed: true,
			Error: &fakemodel.APIError{Code: "server_error", Message: "boom"}},
		{Output: []fakemodel.Output{{Text: "partial"}}, Failed: true},
	}})
	ctx := testContext(t)
	run, err := drainResponses(client.Responses.NewStreaming(ctx, responsesParams("go")))
	if err != nil {
		t.Fatal(err)
	}
	if run.completed != nil || run.failed == nil || run.types[len(run.types)-1] != "response.failed" {
		t.Fatalf("types = %v", run.types)
	}
	f := run.failed
	if f.Status != "failed" || f.Error.Code != "server_error" || f.Error.Message != "boom" || f.OutputText() != "partial" {
		t.Errorf("failed = %+v", f)
	}

	run, err = drainResponses(client.Responses.NewStreaming(ctx, responsesParams("go")))
	if err != nil || run.failed == nil || run.failed.Error.Message == "" {
		t.Errorf("default failure: %v %+v", err, run.failed)
	}
}

func TestResponsesCut(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "a fairly long text that is cut"}}, ChunkSize: 2, CutAfter: 5},
	}})
	run, err := drainResponses(client.Responses.NewStreaming(testContext(t), responsesParams("go")))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if len(run.events) != 5 || run.completed != nil {
		t.Errorf("got %d events: %v", len(run.events), run.types)
	}
}

// A stream that ends cleanly but early is not an error to the SDK; only the
// missing response.completed tells.
func TestResponsesEndedEarly(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "truncated"}}, EndAfter: 4},
	}})
	run, err := drainResponses(client.Responses.NewStreaming(testContext(t), responsesParams("go")))
	if err != nil || len(run.events) != 4 || run.completed != nil {
		t.Errorf("err %v, events %v", err, run.types)
	}
}

func TestResponsesHangHitsClientDeadline(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "never finished"}}, HangAfter: 3},
	}})
	ctx, cancel := context.WithTimeout(testContext(t), 200*time.Millisecond)
	defer cancel()
	run, err := drainResponses(client.Responses.NewStreaming(ctx, responsesParams("go")))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	if len(run.events) != 3 {
		t.Errorf("got %d events before the hang", len(run.events))
	}
}

func TestResponsesGateInterrupt(t *testing.T) {
	gate := fakemodel.NewGate(4)
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "interrupted halfway"}}, ChunkSize: 3, Gate: gate},
	}})
	ctx, cancel := context.WithCancel(testContext(t))
	stream := client.Responses.NewStreaming(ctx, responsesParams("go"))
	defer stream.Close()
	for range 4 {
		if !stream.Next() {
			t.Fatalf("stream ended early: %v", stream.Err())
		}
	}
	<-gate.Reached()
	cancel() // the user pressed Ctrl-C while the model was mid-sentence
	if stream.Next() {
		t.Fatalf("got event %s after cancel", stream.Current().Type)
	}
	if !errors.Is(stream.Err(), context.Canceled) {
		t.Errorf("err = %v", stream.Err())
	}
}

func TestResponsesGateRelease(t *testing.T) {
	gate := fakemodel.NewGate(2)
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "resumed"}}, Gate: gate},
	}})
	go func() {
		<-gate.Reached()
		gate.Release()
	}()
	run, err := drainResponses(client.Responses.NewStreaming(testContext(t), responsesParams("go")))
	if err != nil || run.completed == nil || run.completed.OutputText() != "resumed" {
		t.Fatalf("err %v, types %v", err, run.types)
	}
}

func TestResponsesDelayAndHeaders(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output:    []fakemodel.Output{{Text: "slow"}},
		DelayMS:   1,
		Headers:   map[string]string{"X-Trace": "abc"},
		ChunkSize: 1,
	}}})
	var raw *http.Response
	stream := client.Responses.NewStreaming(testContext(t), responsesParams("go"), option.WithResponseInto(&raw))
	run, err := drainResponses(stream)
	if err != nil || run.completed.OutputText() != "slow" {
		t.Fatalf("err %v", err)
	}
	if raw.Header.Get("X-Trace") != "abc" || !strings.HasPrefix(raw.Header.Get("Content-Type"), "text/event-stream") {
		t.Errorf("headers = %v", raw.Header)
	}
}

func TestResponsesPreviousResponseID(t *testing.T) {
	fake, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{CallID: "call_1", Name: "f", Arguments: "{}"}}}},
	}})
	ctx := testContext(t)
	run, err := drainResponses(client.Responses.NewStreaming(ctx, responsesParams("go")))
	if err != nil {
		t.Fatal(err)
	}
	prev := run.completed.ID

	// Continuing without answering the pending call is rejected.
	params := responsesParams("and?")
	params.PreviousResponseID = openai.String(prev)
	_, err = drainResponses(client.Responses.NewStreaming(ctx, params))
	wantAPIError(t, err, 400, "No tool output found for function call call_1.")

	out := responses.ResponseInputItemParamOfFunctionCallOutput("done")
	out.OfFunctionCallOutput.CallID = openai.String("call_1")
	params.Input = responses.ResponseNewParamsInputUnion{OfInputItemList: responses.ResponseInputParam{out}}
	fake.Push(textReply("thanks"))
	run, err = drainResponses(client.Responses.NewStreaming(ctx, params))
	if err != nil || run.completed.OutputText() != "thanks" {
		t.Fatalf("continuation: %v", err)
	}

	params.PreviousResponseID = openai.String("resp_nope")
	_, err = drainResponses(client.Responses.NewStreaming(ctx, params))
	wantAPIError(t, err, 400, "Previous response with id 'resp_nope' not found.")
}

func TestResponsesValidation(t *testing.T) {
	fake, srv, _ := start(t, fakemodel.Script{
		Models:  []string{"gpt-5"},
		Replies: []fakemodel.Reply{textReply("never used")},
	})
	url := srv.URL + "/v1/responses"
	cases := []struct {
		name, body string
		status     int
		message    string
	}{
		{"not json", `{"model":`, 400, "We could not parse the JSON body"},
		{"not object", `[1]`, 400, "expected a JSON object"},
		{"wrong type", `{"model": 5, "stream": true}`, 400, "Invalid type for 'model'"},
		{"no model", `{"stream": true, "input": "x"}`, 400, "Missing required parameter: 'model'."},
		{"no stream", `{"model": "gpt-5", "input": "x"}`, 400, "only supports streaming"},
		{"unknown model", `{"model": "gpt-9", "stream": true, "input": "x"}`, 404,
			"The model `gpt-9` does not exist or you do not have access to it."},
		{"orphan output", `{"model": "gpt-5", "stream": true, "input": [
			{"role": "user", "content": "x"},
			{"type": "function_call_output", "call_id": "call_a", "output": "ok"}]}`, 400,
			"No tool call found for function call output with call_id call_a."},
		{"output before call", `{"model": "gpt-5", "stream": true, "input": [
			{"type": "function_call_output", "call_id": "call_a", "output": "ok"},
			{"type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{}"}]}`, 400,
			"No tool call found for function call output with call_id call_a."},
		{"unanswered call", `{"model": "gpt-5", "stream": true, "input": [
			{"type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{}"},
			{"type": "function_call_output", "call_id": "call_a", "output": "ok"},
			{"type": "function_call", "call_id": "call_b", "name": "f", "arguments": "{}"}]}`, 400,
			"No tool output found for function call call_b."},
		{"orphan custom output", `{"model": "gpt-5", "stream": true, "input": [
			{"type": "custom_tool_call_output", "call_id": "call_c", "output": "ok"}]}`, 400,
			"No tool call found for custom tool call output with call_id call_c."},
		{"missing call id", `{"model": "gpt-5", "stream": true, "input": [
			{"type": "function_call_output", "output": "ok"}]}`, 400,
			"Missing required parameter: 'input[0].call_id'."},
		{"bad input", `{"model": "gpt-5", "stream": true, "input": 3}`, 400, "Invalid 'input'"},
		{"duplicate call id", `{"model": "gpt-5", "stream": true, "input": [
			{"type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{}"},
			{"type": "function_call_output", "call_id": "call_a", "output": "ok"},
			{"type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{}"},
			{"type": "function_call_output", "call_id": "call_a", "output": "ok"}]}`, 400,
			"Duplicate value for 'call_id' of call_a in 'input'."},
		{"nameless call", `{"model": "gpt-5", "stream": true, "input": [
			{"type": "function_call", "call_id": "call_a", "name": "", "arguments": "{}"},
			{"type": "function_call_output", "call_id": "call_a", "output": "ok"}]}`, 400,
			"Invalid 'input[0].name': empty string."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := post(t, url, tc.body)
			msg, e := errorMessage(t, body)
			if status != tc.status || !strings.Contains(msg, tc.message) {
				t.Errorf("got %d %q, want %d %q", status, msg, tc.status, tc.message)
			}
			if e["type"] != "invalid_request_error" {
				t.Errorf("type = %v", e["type"])
			}
		})
	}
	// Rejected requests never reached "the model", so the reply is intact.
	if fake.Pending() != 1 {
		t.Errorf("pending = %d", fake.Pending())
	}

	ok := `{"model": "gpt-5", "stream": true, "input": [
		{"role": "user", "content": "x"},
		{"type": "function_call", "call_id": "call_a", "name": "f", "arguments": "{}"},
		{"type": "custom_tool_call", "call_id": "call_b", "name": "p", "input": "x"},
		{"type": "custom_tool_call_output", "call_id": "call_b", "output": "ok"},
		{"type": "function_call_output", "call_id": "call_a", "output": "ok"}]}`
	if status, _, body := post(t, url, ok); status != 200 || !strings.Contains(body["raw"].(string), "response.completed") {
		t.Errorf("valid history: %d %v", status, body)
	}
}

func wantAPIError(t *testing.T, err error, status int, message string) {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *openai.Error", err)
	}
	if apiErr.StatusCode != status || apiErr.Message != message {
		t.Errorf("got %d %q, want %d %q", apiErr.StatusCode, apiErr.Message, status, message)
	}
}
