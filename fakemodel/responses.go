package fakemodel

import (
	"encoding/json"
	"net/http"
	"slices"
	"time"
)

func (s *Server) serveResponses(w http.ResponseWriter, r *http.Request, body []byte) {
	req, f := parseResponsesRequest(body)
	if f == nil {
		f = s.checkModel(req.Model)
	}
	var input []item
	if f == nil {
		input, f = req.inputItems()
	}
	if f == nil {
		f = s.checkToolPairs(req, input)
	}
	if f != nil {
		f.write(w)
		return
	}
	reply, ok := s.takeReply(w, r)
	if !ok {
		return
	}
	b := &responsesBuilder{
		s:       s,
		req:     req,
		reply:   reply,
		id:      s.newID("resp_"),
		created: time.Now().Unix(),
		output:  []any{},
	}
	events := b.build(usageFor(reply, len(body)))
	// Like the real API, only a completed, stored response can be continued
	// with previous_response_id.
	if s.play(w, r, reply, events) && !reply.Failed && (req.Store == nil || *req.Store) {
		s.mu.Lock()
		s.stored[b.id] = b.calls
		s.mu.Unlock()
	}
}

// checkToolPairs validates tool call/output pairing, treating the calls of
// the previous response as if they preceded input, since that is what the
// real API reconstructs server-side.
func (s *Server) checkToolPairs(req *responsesRequest, input []item) *failure {
	var prior []item
	if id := req.PreviousResponseID; id != "" {
		s.mu.Lock()
		calls, ok := s.stored[id]
		s.mu.Unlock()
		if !ok {
			f := invalid("previous_response_id", "Previous response with id '%s' not found.", id)
			f.err.Code = "previous_response_not_found"
			return f
		}
		prior = slices.Clone(calls)
	}
	return validateToolPairs(prior, input)
}

// responsesBuilder turns a reply into the Responses wire's event list.
type responsesBuilder struct {
	s       *Server
	req     *responsesRequest
	reply   Reply
	id      string
	created int64
	seq     int
	events  []sseEvent
	output  []any  // finished items, for the terminal response object
	calls   []item // tool calls made, for a later previous_response_id
}

func (b *responsesBuilder) emit(typ string, f ...field) {
	all := append(fields{{"type", typ}}, f...)
	all = append(all, field{"sequence_number", b.seq})
	b.seq++
	b.events = append(b.events, newEvent(typ, all))
}

func (b *responsesBuilder) build(u Usage) []sseEvent {
	b.emit("response.created", field{"response", b.response("in_progress", nil, nil)})
	b.emit("response.in_progress", field{"response", b.response("in_progress", nil, nil)})
	size := b.reply.ChunkSize
	for _, o := range b.reply.Output {
		idx := len(b.output)
		var done fields
		switch {
		case o.Reasoning != nil:
			done = b.reasoning(idx, *o.Reasoning, size)
		case o.Call != nil:
			done = b.functionCall(idx, *o.Call, size)
		case o.Custom != nil:
			done = b.customCall(idx, *o.Custom, size)
		default:
			done = b.message(idx, o.Text, o.Phase, size)
		}
		b.emit("response.output_item.done", field{"output_index", idx}, field{"item", done})
		b.output = append(b.output, done)
	}
	if b.reply.Failed {
		e := APIError{
			Code:    "server_error",
			Message: "An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.",
		}
		if b.reply.Error != nil {
			e = *b.reply.Error
		}
		// The response's error object has only code and message, and the
		// code is never null there.
		if e.Code == "" {
			e.Code = "server_error"
		}
		errObj := fields{{"code", e.Code}, {"message", e.Message}}
		b.emit("response.failed", field{"response", b.response("failed", errObj, nil)})
		return b.events
	}
	usage := fields{
		{"input_tokens", u.InputTokens},
		{"input_tokens_details", fields{{"cached_tokens", u.CachedTokens}}},
		{"output_tokens", u.OutputTokens},
		{"output_tokens_details", fields{{"reasoning_tokens", u.ReasoningTokens}}},
		{"total_tokens", u.InputTokens + u.OutputTokens},
	}
	if b.reply.Incomplete != "" {
		b.emit("response.incomplete", field{"response", b.response("incomplete", nil, usage)})
		return b.events
	}
	b.emit("response.completed", field{"response", b.response("completed", nil, usage)})
	return b.events
}

// response is the full response object carried by lifecycle events. Request
// settings are echoed back, with the API's defaults when absent.
func (b *responsesBuilder) response(status string, errObj, usage any) fields {
	req := b.req
	parallel := req.ParallelToolCalls == nil || *req.ParallelToolCalls
	store := req.Store == nil || *req.Store
	var completedAt any
	if status == "completed" {
		completedAt = time.Now().Unix()
	}
	output := []any{}
	if status != "in_progress" {
		output = slices.Clone(b.output)
	}
	return fields{
		{"id", b.id},
		{"object", "response"},
		{"created_at", b.created},
		{"status", status},
		{"background", false},
		{"completed_at", completedAt},
		{"error", errObj},
		{"incomplete_details", incompleteDetails(status, b.reply.Incomplete)},
		{"instructions", rawOr(req.Instructions, nil)},
		{"max_output_tokens", rawOr(req.MaxOutputTokens, nil)},
		{"model", req.Model},
		{"output", output},
		{"parallel_tool_calls", parallel},
		{"previous_response_id", nullIfEmpty(req.PreviousResponseID)},
		{"reasoning", rawOr(req.Reasoning, fields{{"effort", nil}, {"summary", nil}})},
		{"store", store},
		{"temperature", 1.0},
		{"text", fields{{"format", fields{{"type", "text"}}}}},
		{"tool_choice", rawOr(req.ToolChoice, "auto")},
		{"tools", rawOr(req.Tools, []any{})},
		{"top_p", 1.0},
		{"truncation", "disabled"},
		{"usage", usage},
		{"user", nil},
		{"metadata", rawOr(req.Metadata, fields{})},
	}
}

func rawOr(raw json.RawMessage, def any) any {
	if len(raw) == 0 {
		return def
	}
	return raw
}

func (b *responsesBuilder) message(idx int, text, phase string, size int) fields {
	id := b.s.newID("msg_")
	b.emit("response.output_item.added", field{"output_index", idx}, field{"item", fields{
		{"id", id}, {"type", "message"}, {"status", "in_progress"}, {"content", []any{}}, {"role", "assistant"},
	}})
	part := func(text string) fields {
		return fields{{"type", "output_text"}, {"annotations", []any{}}, {"logprobs", []any{}}, {"text", text}}
	}
	at := fields{{"item_id", id}, {"output_index", idx}, {"content_index", 0}}
	b.emit("response.content_part.added", append(at, field{"part", part("")})...)
	for _, d := range chunks(text, size) {
		b.emit("response.output_text.delta", append(at, field{"delta", d}, field{"logprobs", []any{}})...)
	}
	b.emit("response.output_text.done", append(at, field{"text", text}, field{"logprobs", []any{}})...)
	b.emit("response.content_part.done", append(at, field{"part", part(text)})...)
	done := fields{
		{"id", id}, {"type", "message"}, {"status", "completed"}, {"content", []any{part(text)}}, {"role", "assistant"},
	}
	if phase != "" {
		done = append(done, field{"phase", phase})
	}
	return done
}

func (b *responsesBuilder) reasoning(idx int, r Reasoning, size int) fields {
	id := b.s.newID("rs_")
	b.emit("response.output_item.added", field{"output_index", idx}, field{"item", fields{
		{"id", id}, {"type", "reasoning"}, {"summary", []any{}},
	}})
	summary := []any{}
	for si, text := range r.Summary {
		at := fields{{"item_id", id}, {"output_index", idx}, {"summary_index", si}}
		part := func(text string) fields { return fields{{"type", "summary_text"}, {"text", text}} }
		b.emit("response.reasoning_summary_part.added", append(at, field{"part", part("")})...)
		for _, d := range chunks(text, size) {
			b.emit("response.reasoning_summary_text.delta", append(at, field{"delta", d})...)
		}
		b.emit("response.reasoning_summary_text.done", append(at, field{"text", text})...)
		b.emit("response.reasoning_summary_part.done", append(at, field{"part", part(text)})...)
		summary = append(summary, part(text))
	}
	done := fields{{"id", id}, {"type", "reasoning"}, {"summary", summary}}
	// The real API only returns encrypted reasoning when asked to, so a
	// client that forgets the include cannot replay reasoning statelessly.
	if r.EncryptedContent != "" && slices.Contains(b.req.Include, "reasoning.encrypted_content") {
		done = append(done, field{"encrypted_content", r.EncryptedContent})
	}
	return done
}

func (b *responsesBuilder) functionCall(idx int, c FunctionCall, size int) fields {
	id := b.s.newID("fc_")
	callID := c.CallID
	if callID == "" {
		callID = b.s.newID("call_")
	}
	b.calls = append(b.calls, item{Type: "function_call", CallID: callID})
	b.emit("response.output_item.added", field{"output_index", idx}, field{"item", fields{
		{"id", id}, {"type", "function_call"}, {"status", "in_progress"}, {"arguments", ""}, {"call_id", callID}, {"name", c.Name},
	}})
	for _, d := range chunks(c.Arguments, size) {
		b.emit("response.function_call_arguments.delta", field{"item_id", id}, field{"output_index", idx}, field{"delta", d})
	}
	b.emit("response.function_call_arguments.done",
		field{"item_id", id}, field{"name", c.Name}, field{"output_index", idx}, field{"arguments", c.Arguments})
	return fields{
		{"id", id}, {"type", "function_call"}, {"status", "completed"}, {"arguments", c.Arguments}, {"call_id", callID}, {"name", c.Name},
	}
}

func (b *responsesBuilder) customCall(idx int, c CustomCall, size int) fields {
	id := b.s.newID("ctc_")
	callID := c.CallID
	if callID == "" {
		callID = b.s.newID("call_")
	}
	b.calls = append(b.calls, item{Type: "custom_tool_call", CallID: callID})
	b.emit("response.output_item.added", field{"output_index", idx}, field{"item", fields{
		{"id", id}, {"type", "custom_tool_call"}, {"call_id", callID}, {"input", ""}, {"name", c.Name},
	}})
	for _, d := range chunks(c.Input, size) {
		b.emit("response.custom_tool_call_input.delta", field{"item_id", id}, field{"output_index", idx}, field{"delta", d})
	}
	b.emit("response.custom_tool_call_input.done", field{"item_id", id}, field{"output_index", idx}, field{"input", c.Input})
	return fields{{"id", id}, {"type", "custom_tool_call"}, {"call_id", callID}, {"input", c.Input}, {"name", c.Name}}
}

func incompleteDetails(status, reason string) any {
	if status != "incomplete" {
		return nil
	}
	return fields{{"reason", reason}}
}
