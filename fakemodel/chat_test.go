package fakemodel_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"warden/fakemodel"
)

func chatParams(user string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    "gpt-5",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(user)},
	}
}

// chatRun is what a client observed on one Chat stream.
type chatRun struct {
	openai.ChatCompletionAccumulator
	chunks    []openai.ChatCompletionChunk
	reasoning string // reasoning_content deltas, which the accumulator ignores
}

func drainChat(stream *ssestream.Stream[openai.ChatCompletionChunk]) (*chatRun, error) {
	defer stream.Close()
	run := &chatRun{}
	for stream.Next() {
		chunk := stream.Current()
		if !run.AddChunk(chunk) {
			return run, errors.New("accumulator rejected a chunk")
		}
		run.chunks = append(run.chunks, chunk)
		if len(chunk.Choices) == 0 {
			continue
		}
		if f, ok := chunk.Choices[0].Delta.JSON.ExtraFields["reasoning_content"]; ok {
			var s string
			if err := json.Unmarshal([]byte(f.Raw()), &s); err != nil {
				return run, err
			}
			run.reasoning += s
		}
	}
	return run, stream.Err()
}

func TestChatStream(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{
			{Reasoning: &fakemodel.Reasoning{Summary: []string{"Plan.", "Act."}}},
			{Text: "Let me look around."},
			{Call: &fakemodel.FunctionCall{CallID: "call_ls", Name: "shell", Arguments: `{"cmd":["ls","-la","/tmp"]}`}},
			{Custom: &fakemodel.CustomCall{Name: "apply_patch", Input: "*** Begin Patch\n<a> & \"b\"\n"}},
		},
		ChunkSize: 4,
		Usage:     &fakemodel.Usage{InputTokens: 30, CachedTokens: 10, OutputTokens: 12, ReasoningTokens: 5},
	}}})
	params := chatParams("hi")
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	run, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), params))
	if err != nil {
		t.Fatal(err)
	}

	first := run.chunks[0]
	if first.Choices[0].Delta.Role != "assistant" || !strings.HasPrefix(first.ID, "chatcmpl-") ||
		first.Object != "chat.completion.chunk" || first.Model != "gpt-5" || first.Created == 0 {
		t.Errorf("first chunk = %s", first.RawJSON())
	}
	for _, c := range run.chunks {
		if c.ID != first.ID {
			t.Errorf("chunk id %q differs from %q", c.ID, first.ID)
		}
	}
	if run.reasoning != "Plan.\n\nAct." {
		t.Errorf("reasoning = %q", run.reasoning)
	}

	msg := run.Choices[0].Message
	if msg.Content != "Let me look around." || msg.Role != "assistant" {
		t.Errorf("message = %+v", msg)
	}
	if len(msg.ToolCalls) != 2 {
		t.Fatalf("tool calls = %+v", msg.ToolCalls)
	}
	if tc := msg.ToolCalls[0]; tc.ID != "call_ls" || tc.Type != "function" || tc.Function.Name != "shell" ||
		tc.Function.Arguments != `{"cmd":["ls","-la","/tmp"]}` {
		t.Errorf("call 0 = %+v", tc)
	}
	tc := msg.ToolCalls[1]
	var args struct{ Input string }
	if err := json.Unmarshal([]byte(tc.Function.Arguments), &args); err != nil {
		t.Fatalf("custom call arguments %q: %v", tc.Function.Arguments, err)
	}
	if !strings.HasPrefix(tc.ID, "call_") || tc.Function.Name != "apply_patch" || args.Input != "*** Begin Patch\n<a> & \"b\"\n" {
		t.Errorf("call 1 = %+v", tc)
	}

	// id and name appear once per call; arguments are spread over chunks.
	ids, argChunks := 0, 0
	for _, c := range run.chunks {
		for _, ch := range c.Choices {
			for _, d := range ch.Delta.ToolCalls {
				if d.ID != "" {
					ids++
					if d.Function.Name == "" || d.Function.Arguments != "" {
						t.Errorf("first delta = %s", d.RawJSON())
					}
				} else if d.Function.Name != "" {
					t.Errorf("name repeated in %s", d.RawJSON())
				} else {
					argChunks++
				}
			}
		}
	}
	if ids != 2 || argChunks < 4 {
		t.Errorf("ids %d, argument chunks %d", ids, argChunks)
	}

	if run.Choices[0].FinishReason != "tool_calls" {
		t.Errorf("finish = %q", run.Choices[0].FinishReason)
	}
	last := run.chunks[len(run.chunks)-1]
	if len(last.Choices) != 0 {
		t.Errorf("usage chunk has choices: %s", last.RawJSON())
	}
	u := run.Usage
	if u.PromptTokens != 30 || u.CompletionTokens != 12 || u.TotalTokens != 42 ||
		u.PromptTokensDetails.CachedTokens != 10 || u.CompletionTokensDetails.ReasoningTokens != 5 {
		t.Errorf("usage = %+v", u)
	}
}

func TestChatTextOnlyWithoutUsage(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{textReply("Just text, no tools.")}})
	run, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), chatParams("hi")))
	if err != nil {
		t.Fatal(err)
	}
	if run.Choices[0].Message.Content != "Just text, no tools." || run.Choices[0].FinishReason != "stop" {
		t.Errorf("choice = %+v", run.Choices[0])
	}
	for _, c := range run.chunks {
		if len(c.Choices) == 0 || c.JSON.Usage.Valid() {
			t.Errorf("usage sent although not requested: %s", c.RawJSON())
		}
	}
}

func TestChatFailed(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Text: "half"}},
		Failed: true,
		Error:  &fakemodel.APIError{Message: "overloaded mid-stream", Type: "server_error"},
	}}})
	run, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), chatParams("hi")))
	var streamErr *ssestream.StreamError
	if !errors.As(err, &streamErr) || !strings.Contains(streamErr.Message, "overloaded mid-stream") {
		t.Fatalf("err = %v, want a stream error", err)
	}
	if run.Choices[0].Message.Content != "half" || run.Choices[0].FinishReason != "" {
		t.Errorf("choice = %+v", run.Choices[0])
	}
}

func TestChatCut(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output:    []fakemodel.Output{{Text: "cut me off"}},
		ChunkSize: 1,
		CutAfter:  3,
	}}})
	run, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), chatParams("hi")))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if len(run.chunks) != 3 || run.Choices[0].Message.Content != "cu" {
		t.Errorf("got %d chunks, content %q", len(run.chunks), run.Choices[0].Message.Content)
	}
}

// Without [DONE] the SDK still reports success; only the missing
// finish_reason tells.
func TestChatEndedEarly(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Text: "truncated"}}, EndAfter: 2,
	}}})
	run, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), chatParams("hi")))
	if err != nil || len(run.chunks) != 2 || run.Choices[0].FinishReason != "" {
		t.Errorf("err %v, %d chunks, finish %q", err, len(run.chunks), run.Choices[0].FinishReason)
	}
}

func TestChatGateInterrupt(t *testing.T) {
	gate := fakemodel.NewGate(0)
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "x"}}, Gate: gate}}})
	ctx, cancel := context.WithCancel(testContext(t))
	stream := client.Chat.Completions.NewStreaming(ctx, chatParams("hi"))
	<-gate.Reached() // headers are out, nothing else
	cancel()
	if _, err := drainChat(stream); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
}

func TestChatWithoutV1Prefix(t *testing.T) {
	_, srv, _ := start(t, fakemodel.Script{Replies: []fakemodel.Reply{textReply("bare")}})
	client := openai.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test"), option.WithMaxRetries(0))
	run, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), chatParams("hi")))
	if err != nil || run.Choices[0].Message.Content != "bare" {
		t.Fatalf("err %v", err)
	}
}

func TestChatValidation(t *testing.T) {
	fake, srv, _ := start(t, fakemodel.Script{Replies: []fakemodel.Reply{textReply("never used")}})
	url := srv.URL + "/v1/chat/completions"
	user := `{"role": "user", "content": "x"}`
	asst := func(ids ...string) string {
		var calls []string
		for _, id := range ids {
			calls = append(calls, `{"id": "`+id+`", "type": "function", "function": {"name": "f", "arguments": "{}"}}`)
		}
		return `{"role": "assistant", "content": null, "tool_calls": [` + strings.Join(calls, ",") + `]}`
	}
	tool := func(id string) string { return `{"role": "tool", "tool_call_id": "` + id + `", "content": "ok"}` }
	req := func(msgs ...string) string {
		return `{"model": "gpt-5", "stream": true, "messages": [` + strings.Join(msgs, ",") + `]}`
	}
	cases := []struct {
		name, body, message string
	}{
		{"not json", `nope`, "We could not parse the JSON body"},
		{"no model", `{"stream": true, "messages": [` + user + `]}`, "Missing required parameter: 'model'."},
		{"no stream", `{"model": "gpt-5", "stream": false, "messages": [` + user + `]}`, "only supports streaming"},
		{"no messages", `{"model": "gpt-5", "stream": true}`, "Missing required parameter: 'messages'."},
		{"empty messages", req(), "Invalid 'messages': empty array."},
		{"tool without call", req(user, tool("call_a")),
			"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'."},
		{"wrong tool id", req(user, asst("call_a"), tool("call_b")),
			"Invalid parameter: 'tool_call_id' of 'call_b' not found in 'tool_calls' of previous message."},
		{"missing responses", req(user, asst("call_a", "call_b"), tool("call_b"), user),
			"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: call_a"},
		{"unanswered at end", req(user, asst("call_a")),
			"The following tool_call_ids did not have response messages: call_a"},
		{"answered twice", req(user, asst("call_a"), tool("call_a"), tool("call_a")),
			"'tool_call_id' of 'call_a' not found"},
		{"empty tool_calls", req(user, `{"role": "assistant", "content": "x", "tool_calls": []}`),
			"Invalid 'messages[1].tool_calls': empty array."},
		{"duplicate call ids", req(user, asst("call_a"), tool("call_a"), asst("call_a"), tool("call_a")),
			"Duplicate value for 'tool_call_id' of call_a"},
		{"nameless call", req(user, `{"role": "assistant", "content": null, "tool_calls": [{"id": "call_n", "type": "function", "function": {"name": "", "arguments": "{}"}}]}`, tool("call_n")),
			"Invalid 'messages[1].tool_calls[0].function.name': empty string."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, _, body := post(t, url, tc.body)
			msg, _ := errorMessage(t, body)
			if status != 400 || !strings.Contains(msg, tc.message) {
				t.Errorf("got %d %q, want 400 %q", status, msg, tc.message)
			}
		})
	}
	if fake.Pending() != 1 {
		t.Errorf("pending = %d", fake.Pending())
	}
	status, _, body := post(t, url, req(user, asst("call_a", "call_b"), tool("call_b"), tool("call_a"), user))
	if status != 200 || !strings.HasSuffix(body["raw"].(string), "data: [DONE]\n\n") {
		t.Errorf("valid history: %d %v", status, body)
	}
}
