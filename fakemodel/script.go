package fakemodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
)

// Script is everything the fake will say, in order. The same types load from
// JSON (see LoadScript) so shell-level tests and Go tests share one format.
type Script struct {
	// Models restricts which model names are accepted and is what GET
	// /v1/models lists. Empty means any model is accepted and a few
	// plausible names are listed.
	Models []string `json:"models,omitempty"`
	// Replies answer POST requests in order, shared by both wires. A
	// request the fake rejects as invalid (400/404) does not use one up:
	// the real model would never have seen it.
	Replies []Reply `json:"replies"`
}

// Reply is the fake's answer to one POST request: either an HTTP error
// (Status) or a stream of Output items.
type Reply struct {
	// Status >= 400 answers with an HTTP error whose body is Error (or a
	// default matching the status) instead of a stream.
	Status int `json:"status,omitempty"`
	// Headers are added to the response, error or stream (e.g. Retry-After).
	Headers map[string]string `json:"headers,omitempty"`
	// Error is the body of the HTTP error, or of the mid-stream failure
	// when Failed is set. Nil picks a default matching the situation.
	Error *APIError `json:"error,omitempty"`
	// Failed streams Output and then fails instead of completing. On the
	// Responses wire that is a response.failed event; on the Chat wire it is
	// a `data: {"error": {...}}` chunk with no finish_reason and no [DONE],
	// which is what OpenAI-compatible servers send when generation breaks
	// after the 200 status is already out.
	Failed bool `json:"failed,omitempty"`
	// Incomplete stops the reply early for this reason ("max_output_tokens"
	// or "content_filter") after streaming Output: a response.incomplete
	// event on the Responses wire, finish_reason "length" or
	// "content_filter" on the Chat wire. Usage is still reported.
	Incomplete string   `json:"incomplete,omitempty"`
	Output     []Output `json:"output,omitempty"`
	// Usage overrides the token counts; nil derives plausible counts from
	// the request and output sizes.
	Usage *Usage `json:"usage,omitempty"`
	// ChunkSize is how many runes each delta carries (default 8).
	ChunkSize int `json:"chunk_size,omitempty"`
	// DelayMS pauses between SSE events, to exercise streaming UIs.
	DelayMS int `json:"delay_ms,omitempty"`
	// CutAfter drops the connection abruptly after this many SSE events
	// (0 = never), like a proxy or the network dying mid-stream.
	CutAfter int `json:"cut_after,omitempty"`
	// EndAfter ends the HTTP response normally after this many SSE events
	// (0 = never): no read error, just no terminal event. Clients must treat
	// a stream without response.completed / [DONE] as failed, and the SDK
	// does not do that for them.
	EndAfter int `json:"end_after,omitempty"`
	// HangAfter stops sending after this many SSE events but keeps the
	// connection open until the client gives up (0 = never), to exercise
	// idle timeouts.
	HangAfter int `json:"hang_after,omitempty"`
	// Gate holds the stream at a known point until the test releases it;
	// Go-only because it is a synchronisation handle, not data.
	Gate *Gate `json:"-"`
}

// Output is one output item; exactly one field must be set. Text is an
// assistant message.
type Output struct {
	Text string `json:"text,omitempty"`
	// Phase labels a Text message on the Responses wire ("commentary" or
	// "final_answer"), as newer models do.
	Phase     string        `json:"phase,omitempty"`
	Reasoning *Reasoning    `json:"reasoning,omitempty"`
	Call      *FunctionCall `json:"call,omitempty"`
	Custom    *CustomCall   `json:"custom,omitempty"`
}

// Reasoning is a reasoning item. EncryptedContent is only returned on the
// Responses wire when the request includes "reasoning.encrypted_content",
// as the real API does, so a client that forgets to ask gets caught. The
// Chat wire has no reasoning items: only the summaries are sent there, as
// delta.reasoning_content.
type Reasoning struct {
	Summary          []string `json:"summary,omitempty"`
	EncryptedContent string   `json:"encrypted_content,omitempty"`
}

// FunctionCall is a function tool call. Arguments is sent verbatim so tests
// can script malformed JSON. An empty CallID is generated.
type FunctionCall struct {
	CallID    string `json:"call_id,omitempty"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// CustomCall is a freeform (custom) tool call. An empty CallID is generated.
type CustomCall struct {
	CallID string `json:"call_id,omitempty"`
	Name   string `json:"name"`
	Input  string `json:"input"`
}

// Usage is a wire-neutral token count; totals are computed.
type Usage struct {
	InputTokens     int `json:"input_tokens"`
	CachedTokens    int `json:"cached_tokens,omitempty"`
	OutputTokens    int `json:"output_tokens"`
	ReasoningTokens int `json:"reasoning_tokens,omitempty"`
}

// APIError is OpenAI's error object. Empty Param and Code are sent as null,
// as the real API does.
type APIError struct {
	Message string `json:"message"`
	Type    string `json:"type,omitempty"`
	Param   string `json:"param,omitempty"`
	Code    string `json:"code,omitempty"`
}

// MarshalJSON writes the wire shape, where absent optional fields are null
// rather than missing.
func (e APIError) MarshalJSON() ([]byte, error) {
	return json.Marshal(fields{
		{"message", e.Message},
		{"type", e.Type},
		{"param", nullIfEmpty(e.Param)},
		{"code", nullIfEmpty(e.Code)},
	})
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Gate holds a stream after a fixed number of SSE events so a test can act
// at a known point (cancel the request, inspect state) and then let the
// stream continue. One gate serves one reply.
type Gate struct {
	after       int
	reached     chan struct{}
	release     chan struct{}
	reachOnce   sync.Once
	releaseOnce sync.Once
}

// NewGate returns a gate that stops the stream once after events have been
// flushed to the client (0 = right after the response headers).
func NewGate(after int) *Gate {
	return &Gate{after: after, reached: make(chan struct{}), release: make(chan struct{})}
}

// Reached is closed once the stream is parked at the gate, i.e. the client
// has been sent exactly the first `after` events.
func (g *Gate) Reached() <-chan struct{} { return g.reached }

// Release lets the parked (or future) stream continue. Safe to call twice.
func (g *Gate) Release() { g.releaseOnce.Do(func() { close(g.release) }) }

func (g *Gate) markReached() { g.reachOnce.Do(func() { close(g.reached) }) }

// LoadScript reads a JSON script. Unknown fields are rejected so a typo in a
// hand-written script fails loudly instead of silently scripting nothing.
func LoadScript(path string) (Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Script{}, fmt.Errorf("fakemodel: read script: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Script
	if err := dec.Decode(&s); err != nil {
		return Script{}, fmt.Errorf("fakemodel: parse script %s: %w", path, err)
	}
	if err := s.Validate(); err != nil {
		return Script{}, fmt.Errorf("fakemodel: script %s: %w", path, err)
	}
	return s, nil
}

// Validate reports the first reply that cannot be played.
func (s Script) Validate() error {
	for i, r := range s.Replies {
		if err := r.validate(); err != nil {
			return fmt.Errorf("reply %d: %w", i, err)
		}
	}
	return nil
}

func (r Reply) validate() error {
	if r.Status != 0 && (r.Status < 400 || r.Status > 599) {
		return fmt.Errorf("status %d: only error statuses (400-599) can be scripted", r.Status)
	}
	if r.Status != 0 && (r.Failed || len(r.Output) > 0) {
		return errors.New("status cannot be combined with failed or output: an HTTP error has no stream")
	}
	switch r.Incomplete {
	case "", "max_output_tokens", "content_filter":
	default:
		return fmt.Errorf("incomplete %q: want max_output_tokens or content_filter", r.Incomplete)
	}
	if r.Incomplete != "" && (r.Failed || r.Status != 0) {
		return errors.New("incomplete cannot be combined with failed or status")
	}
	if r.Error != nil && r.Status == 0 && !r.Failed {
		return errors.New("error needs status (HTTP error) or failed (stream failure)")
	}
	if r.ChunkSize < 0 || r.DelayMS < 0 || r.CutAfter < 0 || r.EndAfter < 0 || r.HangAfter < 0 {
		return errors.New("chunk_size, delay_ms, cut_after, end_after and hang_after must not be negative")
	}
	for i, o := range r.Output {
		if err := o.validate(); err != nil {
			return fmt.Errorf("output %d: %w", i, err)
		}
	}
	return nil
}

func (o Output) validate() error {
	set := 0
	if o.Text != "" {
		set++
	}
	if o.Reasoning != nil {
		set++
	}
	if o.Call != nil {
		set++
		if o.Call.Name == "" {
			return errors.New("call needs a name")
		}
	}
	if o.Custom != nil {
		set++
		if o.Custom.Name == "" {
			return errors.New("custom needs a name")
		}
	}
	if set != 1 {
		return fmt.Errorf("exactly one of text, reasoning, call, custom must be set (got %d)", set)
	}
	return nil
}
