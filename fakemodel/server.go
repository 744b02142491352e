// Package fakemodel is a scripted, OpenAI-compatible model server.
//
// The real OpenAI API is unreachable from tests, yet the agent loop must be
// exercised end to end over real HTTP with the production client. This
// package serves the Responses and Chat Completions streaming wires with the
// same event sequences the real APIs send, answering each request with the
// next scripted Reply, and records every request so tests can assert exactly
// what the client sent. It validates conversation history the way the real
// APIs do, because broken history is the bug class it exists to catch. It
// knows nothing about warden and must stay that way: anything it accepts or
// rejects should match what the real service would do.
package fakemodel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// defaultModels is what GET /v1/models lists when the script restricts
// nothing; clients that probe the list need something plausible.
func defaultModels() []string { return []string{"gpt-5", "gpt-5-mini", "gpt-4.1"} }

// Server is an http.Handler serving one Script. It is safe for concurrent
// use; replies are consumed in arrival order.
type Server struct {
	models   []string
	restrict bool // whether requests must name one of models

	mu       sync.Mutex
	replies  []Reply
	requests []RecordedRequest
	changed  chan struct{}     // closed and replaced each time a request is recorded
	stored   map[string][]item // response id → its tool calls, for previous_response_id
	nextID   int

	closed    chan struct{}
	closeOnce sync.Once
}

// RecordedRequest is one request exactly as the server received it.
type RecordedRequest struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// JSON decodes the body, for asserting on what the client sent.
func (r RecordedRequest) JSON() (map[string]any, error) {
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return nil, fmt.Errorf("fakemodel: decode body of %s %s: %w", r.Method, r.Path, err)
	}
	return m, nil
}

// New returns a server for script. Replies are not validated here, so Go
// tests can build scripts inline; an unplayable reply is answered with a 500
// naming the problem.
func New(script Script) *Server {
	s := &Server{
		models:   defaultModels(),
		restrict: len(script.Models) > 0,
		replies:  slices.Clone(script.Replies),
		changed:  make(chan struct{}),
		stored:   make(map[string][]item),
		closed:   make(chan struct{}),
	}
	if s.restrict {
		s.models = slices.Clone(script.Models)
	}
	return s
}

// Push appends replies to the queue, for tests that decide the next answer
// after seeing a request.
func (s *Server) Push(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, replies...)
}

// Pending is the number of replies not yet consumed, so a test can assert
// that the client made exactly the scripted number of model calls.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.replies)
}

// Requests returns every request received so far, in arrival order,
// including rejected ones and GET /v1/models. A request is recorded as soon
// as its body has been read, before it is answered.
func (s *Server) Requests() []RecordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// WaitRequests blocks until at least n requests have been received and
// returns them all, so tests never need to sleep.
func (s *Server) WaitRequests(ctx context.Context, n int) ([]RecordedRequest, error) {
	for {
		s.mu.Lock()
		if len(s.requests) >= n {
			reqs := slices.Clone(s.requests)
			s.mu.Unlock()
			return reqs, nil
		}
		changed, have := s.changed, len(s.requests)
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, fmt.Errorf("fakemodel: waiting for %d requests (have %d): %w", n, have, ctx.Err())
		}
	}
}

// Close drops every stream that is hanging, parked at a gate or pausing for
// DelayMS, now and later, so that shutting down the HTTP server does not
// wait on them forever. Requests are otherwise still served.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// ServeHTTP serves /v1/responses, /v1/chat/completions and /v1/models, with
// or without the /v1 prefix.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(r.Body)
	s.record(r, body)
	w.Header().Set("X-Request-Id", s.newID("req_"))
	if readErr != nil {
		writeError(w, nil, http.StatusBadRequest, APIError{
			Message: fmt.Sprintf("Could not read request body: %v", readErr),
			Type:    "invalid_request_error",
		})
		return
	}

	// Both base URLs are in use in the wild: ".../v1" for OpenAI itself and
	// a bare host for some compatible servers.
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/v1/"); ok {
		path = "/" + rest
	}
	switch {
	case path == "/responses" && r.Method == http.MethodPost:
		s.serveResponses(w, r, body)
	case path == "/chat/completions" && r.Method == http.MethodPost:
		s.serveChat(w, r, body)
	case path == "/models" && r.Method == http.MethodGet:
		s.serveModels(w)
	default:
		writeError(w, nil, http.StatusNotFound, APIError{
			Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path),
			Type:    "invalid_request_error",
		})
	}
}

func (s *Server) record(r *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, RecordedRequest{
		Method: r.Method,
		Path:   r.URL.Path,
		Header: r.Header.Clone(),
		Body:   body,
	})
	close(s.changed)
	s.changed = make(chan struct{})
}

// next pops the reply for a valid request. Invalid requests never get here:
// the real model never sees them, so they must not use up a scripted answer.
func (s *Server) next() (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.replies) == 0 {
		return Reply{}, false
	}
	r := s.replies[0]
	s.replies = s.replies[1:]
	return r, true
}

// newID makes ids deterministic per server so transcripts are stable
// across test runs, while keeping the real prefixes clients may rely on.
func (s *Server) newID(prefix string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return fmt.Sprintf("%sfake%06d", prefix, s.nextID)
}

func (s *Server) checkModel(model string) *failure {
	if !s.restrict || slices.Contains(s.models, model) {
		return nil
	}
	return &failure{http.StatusNotFound, APIError{
		Message: fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", model),
		Type:    "invalid_request_error",
		Code:    "model_not_found",
	}}
}

// takeReply pops the next reply and deals with the cases that are not a
// stream: exhaustion, scripted HTTP errors and unplayable replies.
func (s *Server) takeReply(w http.ResponseWriter, r *http.Request) (Reply, bool) {
	reply, ok := s.next()
	if !ok {
		writeError(w, nil, http.StatusInternalServerError, APIError{
			Message: fmt.Sprintf("fakemodel: script exhausted: no reply left for %s %s", r.Method, r.URL.Path),
			Type:    "server_error",
			Code:    "script_exhausted",
		})
		return Reply{}, false
	}
	if err := reply.validate(); err != nil {
		writeError(w, nil, http.StatusInternalServerError, APIError{
			Message: fmt.Sprintf("fakemodel: invalid scripted reply: %v", err),
			Type:    "server_error",
			Code:    "invalid_script",
		})
		return Reply{}, false
	}
	if reply.Status != 0 {
		writeError(w, reply.Headers, reply.Status, scriptedError(reply.Error, defaultError(reply.Status)))
		return Reply{}, false
	}
	return reply, true
}

func (s *Server) serveModels(w http.ResponseWriter) {
	data := make([]fields, 0, len(s.models))
	for _, m := range s.models {
		data = append(data, fields{
			{"id", m}, {"object", "model"}, {"created", 1700000000}, {"owned_by", "openai"},
		})
	}
	writeJSON(w, nil, http.StatusOK, fields{{"object", "list"}, {"data", data}})
}

// failure is an HTTP error answer decided before any stream starts.
type failure struct {
	status int
	err    APIError
}

func invalid(param, format string, args ...any) *failure {
	return &failure{http.StatusBadRequest, APIError{
		Message: fmt.Sprintf(format, args...),
		Type:    "invalid_request_error",
		Param:   param,
	}}
}

func (f *failure) write(w http.ResponseWriter) { writeError(w, nil, f.status, f.err) }

func writeError(w http.ResponseWriter, headers map[string]string, status int, e APIError) {
	writeJSON(w, headers, status, fields{{"error", e}})
}

func writeJSON(w http.ResponseWriter, headers map[string]string, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		// Only our own fixed shapes are marshalled, so this is a bug here.
		panic(fmt.Sprintf("fakemodel: marshal response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	for k, v := range headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// scriptedError completes a scripted error from the default, so a script
// can give just a message and still send a well-formed error object.
func scriptedError(scripted *APIError, def APIError) APIError {
	if scripted == nil {
		return def
	}
	e := *scripted
	if e.Type == "" {
		e.Type = def.Type
	}
	return e
}

// defaultError mirrors what OpenAI sends for each status, so a script that
// only says "429" still exercises the client's real error handling.
func defaultError(status int) APIError {
	switch status {
	case http.StatusBadRequest:
		return APIError{Message: "Invalid request.", Type: "invalid_request_error"}
	case http.StatusUnauthorized:
		return APIError{
			Message: "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
			Type:    "invalid_request_error",
			Code:    "invalid_api_key",
		}
	case http.StatusForbidden:
		return APIError{Message: "You are not allowed to sample from this model.", Type: "invalid_request_error"}
	case http.StatusNotFound:
		return APIError{Message: "The model does not exist or you do not have access to it.", Type: "invalid_request_error", Code: "model_not_found"}
	case http.StatusTooManyRequests:
		return APIError{Message: "Rate limit reached for requests. Please try again in 1s.", Type: "requests", Code: "rate_limit_exceeded"}
	case http.StatusInternalServerError:
		return APIError{Message: "The server had an error while processing your request. Sorry about that!", Type: "server_error"}
	case http.StatusServiceUnavailable:
		return APIError{Message: "The engine is currently overloaded, please try again later.", Type: "server_error"}
	}
	if status >= 500 {
		return APIError{Message: http.StatusText(status), Type: "server_error"}
	}
	return APIError{Message: http.StatusText(status), Type: "invalid_request_error"}
}

// field and fields build JSON objects whose keys keep the order the real API
// uses, which makes captured streams readable and diffable against real ones.
type field struct {
	k string
	v any
}

type fields []field

func (f fields) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range f {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv.k)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(kv.v)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", kv.k, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}
