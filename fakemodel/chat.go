package fakemodel

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, body []byte) {
	req, f := parseChatRequest(body)
	if f == nil {
		f = s.checkModel(req.Model)
	}
	if f != nil {
		f.write(w)
		return
	}
	reply, ok := s.takeReply(w, r)
	if !ok {
		return
	}
	b := &chatBuilder{
		id:           s.newID("chatcmpl-"),
		created:      time.Now().Unix(),
		model:        req.Model,
		includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage,
	}
	s.play(w, r, reply, b.build(s, reply, usageFor(reply, len(body))))
}

// chatBuilder turns a reply into chat.completion.chunk events.
type chatBuilder struct {
	id           string
	created      int64
	model        string
	includeUsage bool
	events       []sseEvent
}

// chunk emits one chunk with a single choice, or none when delta is nil
// (the usage chunk). With include_usage every chunk carries "usage": null
// until the last, as OpenAI does.
func (b *chatBuilder) chunk(delta fields, finish any, usage any) {
	choices := []any{}
	if delta != nil {
		choices = append(choices, fields{
			{"index", 0}, {"delta", delta}, {"logprobs", nil}, {"finish_reason", finish},
		})
	}
	c := fields{
		{"id", b.id},
		{"object", "chat.completion.chunk"},
		{"created", b.created},
		{"model", b.model},
		{"system_fingerprint", "fp_fakemodel"},
		{"choices", choices},
	}
	if b.includeUsage {
		c = append(c, field{"usage", usage})
	}
	b.events = append(b.events, newEvent("", c))
}

func (b *chatBuilder) build(s *Server, reply Reply, u Usage) []sseEvent {
	b.chunk(fields{{"role", "assistant"}, {"content", ""}, {"refusal", nil}}, nil, nil)
	size := reply.ChunkSize
	calls := 0
	reasoned := false
	for _, o := range reply.Output {
		switch {
		case o.Reasoning != nil:
			// Chat has no reasoning items; OpenAI-compatible reasoning servers
			// (vLLM, DeepSeek) stream summaries as reasoning_content text.
			for _, part := range o.Reasoning.Summary {
				if reasoned {
					part = "\n\n" + part
				}
				reasoned = true
				for _, d := range chunks(part, size) {
					b.chunk(fields{{"reasoning_content", d}}, nil, nil)
				}
			}
		case o.Call != nil:
			b.toolCall(s, calls, o.Call.CallID, o.Call.Name, o.Call.Arguments, size)
			calls++
		case o.Custom != nil:
			// Chat has no freeform tools; a custom tool is declared to it as
			// a function taking {"input": string}, so that is how it calls it.
			b.toolCall(s, calls, o.Custom.CallID, o.Custom.Name, inputArgs(o.Custom.Input), size)
			calls++
		default:
			for _, d := range chunks(o.Text, size) {
				b.chunk(fields{{"content", d}}, nil, nil)
			}
		}
	}
	if reply.Failed {
		// After the 200 is out, the only way to report failure is an error
		// object in place of a chunk; the stream then just ends.
		e := scriptedError(reply.Error, defaultError(http.StatusInternalServerError))
		b.events = append(b.events, newEvent("", fields{{"error", e}}))
		return b.events
	}
	finish := "stop"
	switch {
	case reply.Incomplete == "max_output_tokens":
		finish = "length"
	case reply.Incomplete != "":
		finish = reply.Incomplete
	case calls > 0:
		finish = "tool_calls"
	}
	b.chunk(fields{}, finish, nil)
	if b.includeUsage {
		b.chunk(nil, nil, fields{
			{"prompt_tokens", u.InputTokens},
			{"completion_tokens", u.OutputTokens},
			{"total_tokens", u.InputTokens + u.OutputTokens},
			{"prompt_tokens_details", fields{{"cached_tokens", u.CachedTokens}, {"audio_tokens", 0}}},
			{"completion_tokens_details", fields{
				{"reasoning_tokens", u.ReasoningTokens}, {"audio_tokens", 0},
				{"accepted_prediction_tokens", 0}, {"rejected_prediction_tokens", 0},
			}},
		})
	}
	b.events = append(b.events, sseEvent{data: []byte("[DONE]")})
	return b.events
}

// toolCall streams one call: id, type and name only in its first delta, then
// the arguments in pieces, which is what clients must reassemble.
func (b *chatBuilder) toolCall(s *Server, index int, callID, name, args string, size int) {
	if callID == "" {
		callID = s.newID("call_")
	}
	b.chunk(fields{{"tool_calls", []any{fields{
		{"index", index}, {"id", callID}, {"type", "function"},
		{"function", fields{{"name", name}, {"arguments", ""}}},
	}}}}, nil, nil)
	for _, d := range chunks(args, size) {
		b.chunk(fields{{"tool_calls", []any{fields{
			{"index", index}, {"function", fields{{"arguments", d}}},
		}}}}, nil, nil)
	}
}

// inputArgs is the JSON a model writes for {"input": text}; HTML is left
// unescaped because models do not escape it.
func inputArgs(text string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]string{"input": text}); err != nil {
		panic(err) // a map of strings always encodes
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
