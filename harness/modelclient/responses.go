package modelclient

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"

	"warden/harness/model"
)

type responsesClient struct{ t *transport }

func (c *responsesClient) Stream(ctx context.Context, req model.Request, onDelta func(model.Delta)) (*model.Response, error) {
	body, err := buildResponsesBody(req)
	if err != nil {
		return nil, fmt.Errorf("building the Responses request: %w", err)
	}
	if onDelta == nil {
		onDelta = func(model.Delta) {}
	}
	s := &responsesStream{t: c.t, model: req.Model, onDelta: onDelta, calls: map[string]callInfo{}}
	res, err := c.t.stream(ctx, responsesPath, req.Model, body, s.handle)
	if err != nil {
		return nil, err
	}
	if !res.done {
		// Only response.completed says the reply is whole; a connection that
		// closes politely before it is as much a cut as one that breaks.
		if res.events == 0 {
			return nil, streamCut("the server closed the stream without sending any event")
		}
		return nil, streamCut("no response.completed event arrived")
	}
	resp := s.response()
	if err := c.t.checkToolCalls(resp.Items); err != nil {
		return nil, err
	}
	return resp, nil
}

// responsesStream accumulates one streamed Responses reply.
type responsesStream struct {
	t       *transport
	model   string
	onDelta func(model.Delta)

	id    string
	calls map[string]callInfo // by item id, from output_item.added
	items []indexedItem       // from output_item.done
	usage model.Usage
}

// callInfo is what a tool call's input deltas do not repeat.
type callInfo struct{ callID, name string }

type indexedItem struct {
	index int64
	item  model.Item
}

// eventHead holds the fields warden needs from all but a few events.
// Decoding them with plain encoding/json instead of the SDK's reflective
// union roughly halves the client's cost per reply, which is what the
// per-round-trip benchmark in package harness measures; the SDK types are
// kept for the authoritative items and for failures.
type eventHead struct {
	Type         string `json:"type"`
	ItemID       string `json:"item_id"`
	Delta        string `json:"delta"`
	SummaryIndex int64  `json:"summary_index"`
	Item         struct {
		Type   string `json:"type"`
		ID     string `json:"id"`
		CallID string `json:"call_id"`
		Name   string `json:"name"`
	} `json:"item"`
	Response struct {
		ID    string    `json:"id"`
		Usage usageWire `json:"usage"`
	} `json:"response"`
}

// usageWire is the Responses API's usage object.
type usageWire struct {
	InputTokens        int64 `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int64 `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int64 `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int64 `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int64 `json:"total_tokens"`
}

// handleFast handles the events eventHead suffices for; handled is false
// for the rest, which need the full SDK type.
func (s *responsesStream) handleFast(ev ssestream.Event) (handled, done bool, err error) {
	var h eventHead
	if err := json.Unmarshal(ev.Data, &h); err != nil {
		// An event warden has no use for may carry fields shaped in ways
		// it does not expect (a future API version, a compatible server's
		// extension); only the events it reads must be well-formed.
		var bare struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(ev.Data, &bare) == nil && !readsEvent(cmp.Or(bare.Type, ev.Type)) {
			return true, false, nil
		}
		return false, false, s.t.malformed("a "+cmp.Or(ev.Type, "Responses")+" event", err)
	}
	h.Type = cmp.Or(h.Type, ev.Type)
	switch h.Type {
	case "response.created", "response.in_progress":
		s.id = cmp.Or(h.Response.ID, s.id)
	case "response.output_item.added":
		switch h.Item.Type {
		case "function_call", "custom_tool_call":
			s.calls[h.Item.ID] = callInfo{callID: h.Item.CallID, name: h.Item.Name}
		}
	case "response.output_text.delta", "response.refusal.delta":
		s.onDelta(model.Delta{Kind: model.DeltaText, ItemID: h.ItemID, Text: h.Delta})
	case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		s.onDelta(model.Delta{Kind: model.DeltaReasoning, ItemID: h.ItemID, Text: h.Delta})
	case "response.reasoning_summary_part.added":
		// Summaries come in parts, each a paragraph with its own heading;
		// without a break the display runs them together.
		if h.SummaryIndex > 0 {
			s.onDelta(model.Delta{Kind: model.DeltaReasoning, ItemID: h.ItemID, Text: "\n\n"})
		}
	case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta":
		ci := s.calls[h.ItemID]
		s.onDelta(model.Delta{Kind: model.DeltaToolInput, ItemID: h.ItemID, CallID: ci.callID, Name: ci.name, Text: h.Delta})
	case "response.completed":
		if len(s.items) == 0 {
			// Its output list may be the only place the items are.
			return false, false, nil
		}
		s.id = cmp.Or(h.Response.ID, s.id)
		s.setUsage(h.Response.Usage)
		return true, true, nil
	default:
		// The other events warden reads need the full SDK type; the rest
		// (part boundaries, *.done echoes, unknown future types) carry
		// nothing it needs.
		return !readsEvent(h.Type), false, nil
	}
	return true, false, nil
}

// readsEvent reports whether warden takes anything from events of type t:
// the one list of them, shared by the fast path and the tolerance for
// oddly shaped events it does not read.
func readsEvent(t string) bool {
	switch t {
	case "response.created", "response.in_progress", "response.output_item.added",
		"response.output_text.delta", "response.refusal.delta",
		"response.reasoning_summary_text.delta", "response.reasoning_text.delta",
		"response.reasoning_summary_part.added",
		"response.function_call_arguments.delta", "response.custom_tool_call_input.delta",
		"response.output_item.done", "response.completed", "response.incomplete",
		"response.failed", "error":
		return true
	}
	return false
}

func (s *responsesStream) handle(ev ssestream.Event) (bool, error) {
	if handled, done, err := s.handleFast(ev); handled || err != nil {
		return done, err
	}
	var e responses.ResponseStreamEventUnion
	if err := json.Unmarshal(ev.Data, &e); err != nil {
		return false, s.t.malformed("a "+cmp.Or(ev.Type, "Responses")+" event", err)
	}
	typ := cmp.Or(e.Type, ev.Type)
	switch typ {
	case "response.output_item.done":
		if it, ok := outputItem(e.Item); ok {
			s.addItem(indexedItem{index: e.OutputIndex, item: it})
		}

	case "response.completed":
		s.complete(e.Response)
		return true, nil

	case "response.incomplete":
		return false, s.incomplete(e.Response)

	case "response.failed":
		pe := providerError{code: string(e.Response.Error.Code), message: e.Response.Error.Message}
		if pe.code == "" && pe.message == "" {
			pe.message = "response.failed without an error"
		}
		return false, s.t.classify(pe, nil, s.model, "")

	case "error":
		pe, ok := parseProviderError(ev.Data)
		if !ok {
			pe = providerError{code: e.Code, message: e.Message}
		}
		return false, s.t.classify(pe, nil, s.model, "")
	}
	return false, nil
}

// addItem keeps a finished item. The same item sent again (same output
// index and item id, as a replaying proxy does) replaces the first: running
// its tool call twice could repeat a command.
func (s *responsesStream) addItem(n indexedItem) {
	if n.item.ID != "" {
		for i, have := range s.items {
			if have.index == n.index && have.item.ID == n.item.ID {
				s.items[i] = n
				return
			}
		}
	}
	s.items = append(s.items, n)
}

func (s *responsesStream) complete(r responses.Response) {
	s.id = cmp.Or(r.ID, s.id)
	var u usageWire
	u.InputTokens = r.Usage.InputTokens
	u.InputTokensDetails.CachedTokens = r.Usage.InputTokensDetails.CachedTokens
	u.OutputTokens = r.Usage.OutputTokens
	u.OutputTokensDetails.ReasoningTokens = r.Usage.OutputTokensDetails.ReasoningTokens
	u.TotalTokens = r.Usage.TotalTokens
	s.setUsage(u)
	// Some Responses-compatible servers never send output_item.done; their
	// completed event still lists the output.
	if len(s.items) == 0 {
		for i, out := range r.Output {
			if it, ok := outputItem(out); ok {
				s.items = append(s.items, indexedItem{index: int64(i), item: it})
			}
		}
	}
}

func (s *responsesStream) setUsage(u usageWire) {
	s.usage = model.Usage{
		InputTokens:       u.InputTokens,
		CachedInputTokens: u.InputTokensDetails.CachedTokens,
		OutputTokens:      u.OutputTokens,
		ReasoningTokens:   u.OutputTokensDetails.ReasoningTokens,
		TotalTokens:       u.TotalTokens,
	}
	if s.usage.TotalTokens == 0 {
		s.usage.TotalTokens = s.usage.InputTokens + s.usage.OutputTokens
	}
}

// incomplete reports a reply the provider stopped early. Neither cause
// passes on a retry of the same request, so neither kind is retryable: a
// runaway reply would burn the same tokens again.
func (s *responsesStream) incomplete(r responses.Response) error {
	reason := r.IncompleteDetails.Reason
	e := &model.Error{Kind: model.ErrInvalidRequest, Detail: "response.incomplete: " + cmp.Or(reason, "no reason given")}
	if r.JSON.Usage.Valid() {
		s.complete(r)
		u := s.usage
		e.Usage = &u
	}
	switch reason {
	case "max_output_tokens":
		e.Message = "the reply was cut off at the model's output token limit: ask for smaller steps"
	case "content_filter":
		e.Message = "the provider's content filter stopped the reply"
	default:
		e.Message = "the provider stopped the reply before it was complete"
	}
	return e
}

func (s *responsesStream) response() *model.Response {
	slices.SortStableFunc(s.items, func(a, b indexedItem) int { return cmp.Compare(a.index, b.index) })
	items := make([]model.Item, 0, len(s.items))
	for _, it := range s.items {
		items = append(items, it.item)
	}
	return &model.Response{ID: s.id, Items: items, Usage: s.usage}
}

// outputItem converts a finished output item; ok is false for item types
// warden has no use for (built-in tool calls it never offers, and future
// types), which are skipped rather than failing the reply.
func outputItem(u responses.ResponseOutputItemUnion) (model.Item, bool) {
	switch u.Type {
	case "message":
		m := u.AsMessage()
		var text strings.Builder
		for _, c := range m.Content {
			switch c.Type {
			case "output_text":
				text.WriteString(c.Text)
			case "refusal":
				text.WriteString(c.Refusal)
			}
		}
		if text.Len() == 0 {
			return model.Item{}, false
		}
		return model.Item{Type: model.ItemMessage, ID: m.ID, Role: model.RoleAssistant, Text: text.String(), Phase: string(m.Phase)}, true
	case "reasoning":
		r := u.AsReasoning()
		it := model.Item{Type: model.ItemReasoning, ID: r.ID, EncryptedContent: r.EncryptedContent}
		for _, p := range r.Summary {
			it.Summary = append(it.Summary, p.Text)
		}
		return it, true
	case "function_call":
		f := u.AsFunctionCall()
		return model.Item{Type: model.ItemFunctionCall, ID: f.ID, CallID: cmp.Or(f.CallID, newCallID()), Name: f.Name, Arguments: f.Arguments}, true
	case "custom_tool_call":
		c := u.AsCustomToolCall()
		return model.Item{Type: model.ItemCustomToolCall, ID: c.ID, CallID: cmp.Or(c.CallID, newCallID()), Name: c.Name, Arguments: c.Input}, true
	}
	return model.Item{}, false
}
