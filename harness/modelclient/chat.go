package modelclient

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/respjson"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"warden/harness/model"
)

type chatClient struct{ t *transport }

func (c *chatClient) Stream(ctx context.Context, req model.Request, onDelta func(model.Delta)) (*model.Response, error) {
	body, err := buildChatBody(req)
	if err != nil {
		return nil, fmt.Errorf("building the Chat Completions request: %w", err)
	}
	if onDelta == nil {
		onDelta = func(model.Delta) {}
	}
	s := &chatStream{t: c.t, model: req.Model, onDelta: onDelta, freeform: map[string]bool{}, byIndex: map[int64]*pendingCall{}}
	for _, spec := range req.Tools {
		if spec.Freeform != nil {
			s.freeform[spec.Name] = true
		}
	}
	res, err := c.t.stream(ctx, chatPath, req.Model, body, s.handle)
	if err != nil {
		return nil, err
	}
	// A reply is complete once the server said so: with [DONE], or with a
	// finish_reason followed by a clean end (some servers never send
	// [DONE]). A stream that just stops said neither.
	if !res.sawEOS && s.finish == "" {
		if res.events == 0 {
			return nil, streamCut("the server closed the stream without sending any event")
		}
		return nil, streamCut("no finish_reason and no [DONE] arrived")
	}
	if err := s.finishError(); err != nil {
		if s.usage.TotalTokens > 0 {
			u := s.usage
			err.Usage = &u
		}
		return nil, err
	}
	resp := s.response()
	if err := c.t.checkToolCalls(resp.Items); err != nil {
		return nil, err
	}
	return resp, nil
}

// chatStream accumulates one streamed Chat Completions reply.
type chatStream struct {
	t        *transport
	model    string
	onDelta  func(model.Delta)
	freeform map[string]bool // tools offered as a function but called as custom

	id        string
	text      strings.Builder
	reasoning strings.Builder
	calls     []*pendingCall
	byIndex   map[int64]*pendingCall
	finish    string
	usage     model.Usage
}

// pendingCall is a tool call being assembled from deltas.
type pendingCall struct {
	key  int64  // tool_calls index, or order of appearance when a server sends none
	item string // stable id for deltas until the call's own id is known
	id   string
	name string
	args strings.Builder
}

func (s *chatStream) handle(ev ssestream.Event) (bool, error) {
	// Servers report failures mid-stream as a chunk with an "error" object
	// (vLLM, llama.cpp, OpenRouter, LiteLLM).
	if bytes.Contains(ev.Data, []byte(`"error"`)) {
		if pe, ok := chunkError(ev.Data); ok {
			return false, s.t.classify(pe, nil, s.model, "")
		}
	}
	var ch openai.ChatCompletionChunk
	if err := json.Unmarshal(ev.Data, &ch); err != nil {
		return false, s.t.malformed("a chat completion chunk", err)
	}
	s.id = cmp.Or(s.id, ch.ID)
	if ch.JSON.Usage.Valid() {
		s.setUsage(ch.Usage)
	}
	for _, c := range ch.Choices {
		if c.Index != 0 {
			continue // only one choice is asked for
		}
		d := c.Delta
		if r := reasoningDelta(d); r != "" {
			s.reasoning.WriteString(r)
			s.onDelta(model.Delta{Kind: model.DeltaReasoning, ItemID: s.id, Text: r})
		}
		for _, t := range []string{d.Content, d.Refusal} {
			if t != "" {
				s.text.WriteString(t)
				s.onDelta(model.Delta{Kind: model.DeltaText, ItemID: s.id, Text: t})
			}
		}
		for _, tc := range d.ToolCalls {
			s.toolDelta(tc)
		}
		if c.FinishReason != "" {
			s.finish = c.FinishReason
		}
	}
	return false, nil
}

// chunkError finds a non-null top-level "error" in a chunk.
func chunkError(data []byte) (providerError, bool) {
	var top struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &top) != nil || isNull(top.Error) {
		return providerError{}, false
	}
	return parseProviderError(data)
}

// reasoningDelta reads the non-standard reasoning text servers add to the
// delta: "reasoning_content" (vLLM before 0.10, DeepSeek, llama.cpp) or
// "reasoning" (Ollama, OpenRouter, newer vLLM). Servers in transition send
// both with the same text, so only one is taken.
func reasoningDelta(d openai.ChatCompletionChunkChoiceDelta) string {
	for _, k := range []string{"reasoning_content", "reasoning"} {
		if s := extraString(d.JSON.ExtraFields[k]); s != "" {
			return s
		}
	}
	return ""
}

// extraString decodes an extra field that holds a JSON string.
func extraString(f respjson.Field) string {
	var s string
	if raw := f.Raw(); raw != "" && json.Unmarshal([]byte(raw), &s) == nil {
		return s
	}
	return ""
}

// toolDelta adds a piece of a tool call. OpenAI sends the id and name in a
// call's first delta and keys every delta by index; servers differ, so a
// delta without an index continues the call with its id (or the last one),
// and a new id at a used index starts a new call instead of corrupting the
// old one.
func (s *chatStream) toolDelta(tc openai.ChatCompletionChunkChoiceDeltaToolCall) {
	hasIndex := tc.JSON.Index.Valid()
	var pc *pendingCall
	switch {
	case hasIndex:
		pc = s.byIndex[tc.Index]
		if pc != nil && tc.ID != "" && pc.id != "" && tc.ID != pc.id {
			pc = nil
		}
	case tc.ID != "":
		for _, c := range s.calls {
			if c.id == tc.ID {
				pc = c
			}
		}
	case len(s.calls) > 0:
		pc = s.calls[len(s.calls)-1]
	}
	if pc == nil {
		pc = &pendingCall{key: int64(len(s.calls))}
		if hasIndex {
			pc.key = tc.Index
			s.byIndex[tc.Index] = pc
		}
		pc.item = "call_" + strconv.Itoa(len(s.calls))
		s.calls = append(s.calls, pc)
	}
	pc.id = cmp.Or(pc.id, tc.ID)
	pc.name = cmp.Or(pc.name, tc.Function.Name)
	if a := tc.Function.Arguments; a != "" {
		pc.args.WriteString(a)
		s.onDelta(model.Delta{Kind: model.DeltaToolInput, ItemID: cmp.Or(pc.id, pc.item), CallID: pc.id, Name: pc.name, Text: a})
	}
}

func (s *chatStream) setUsage(u openai.CompletionUsage) {
	s.usage = model.Usage{
		InputTokens:       u.PromptTokens,
		CachedInputTokens: u.PromptTokensDetails.CachedTokens,
		OutputTokens:      u.CompletionTokens,
		ReasoningTokens:   u.CompletionTokensDetails.ReasoningTokens,
		TotalTokens:       u.TotalTokens,
	}
	if s.usage.TotalTokens == 0 {
		s.usage.TotalTokens = s.usage.InputTokens + s.usage.OutputTokens
	}
}

// finishError reports a reply that ended for a reason other than being
// done. None is retryable: a reply that ran out of tokens would run out
// again and burn them twice, and a filter would stop it again.
func (s *chatStream) finishError() *model.Error {
	switch s.finish {
	case "length":
		return &model.Error{
			Kind:    model.ErrInvalidRequest,
			Message: "the reply was cut off at the output token limit (or the server's context window filled up): ask for smaller steps, or raise the server's limits",
			Detail:  "finish_reason: length",
		}
	case "content_filter":
		return &model.Error{
			Kind:    model.ErrInvalidRequest,
			Message: "the provider's content filter stopped the reply",
			Detail:  "finish_reason: content_filter",
		}
	case "error":
		// OpenRouter ends a reply this way when the upstream provider failed.
		return &model.Error{
			Kind:    model.ErrServer,
			Message: "the provider reported an error while streaming the reply: try again shortly",
			Detail:  "finish_reason: error",
		}
	}
	return nil
}

// response assembles the items: reasoning first, then the text, then the
// tool calls in index order.
func (s *chatStream) response() *model.Response {
	var items []model.Item
	if r := s.reasoning.String(); r != "" {
		items = append(items, model.Item{Type: model.ItemReasoning, Summary: []string{r}})
	}
	if t := s.text.String(); t != "" {
		items = append(items, model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: t})
	}
	calls := slices.Clone(s.calls)
	slices.SortStableFunc(calls, func(a, b *pendingCall) int { return cmp.Compare(a.key, b.key) })
	for _, pc := range calls {
		args := pc.args.String()
		if pc.id == "" && pc.name == "" && args == "" {
			continue // an empty tool_calls entry: nothing was called
		}
		id := cmp.Or(pc.id, newCallID())
		if s.freeform[pc.name] {
			items = append(items, model.Item{Type: model.ItemCustomToolCall, CallID: id, Name: pc.name, Arguments: customInput(args)})
			continue
		}
		if strings.TrimSpace(args) == "" {
			args = "{}" // servers omit the arguments of a call that takes none
		}
		items = append(items, model.Item{Type: model.ItemFunctionCall, CallID: id, Name: pc.name, Arguments: args})
	}
	return &model.Response{ID: s.id, Items: items, Usage: s.usage}
}

// customInput unwraps the {"input": "…"} a freeform tool is called with on
// this wire. Anything else is kept verbatim so that the loop can show the
// model the call it actually made.
func customInput(args string) string {
	var v struct {
		Input *string `json:"input"`
	}
	if json.Unmarshal([]byte(args), &v) == nil && v.Input != nil {
		return *v.Input
	}
	return args
}
