// Package modelclient implements model.Client over the two OpenAI-style wires
// warden speaks: the Responses API (OpenAI's own, the default) and Chat
// Completions (what Ollama, vLLM, LM Studio, llama.cpp's server and OpenRouter
// offer). It exists so that everything wire-specific — request bodies, stream
// events, provider quirks, and turning HTTP and stream failures into
// actionable *model.Error values — stays in one place, and the agent loop
// only ever sees provider-neutral items, deltas and errors.
//
// openai-go carries the requests (base URL, auth header, transport, its
// origin guard) and supplies the stream event types. The request bodies are
// built here as plain JSON: the SDK's typed params require fields (such as a
// reasoning item's id) that a stateless, store=false conversation must not
// send, and the exact body is what the tests assert. Every Stream call makes
// exactly one attempt; retrying is the loop's decision.
package modelclient

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"

	"warden/harness/model"
)

// Config says where and how to reach a provider.
type Config struct {
	BaseURL     string        // e.g. https://api.openai.com/v1 or http://localhost:11434/v1
	APIKey      string        // may be empty (local servers)
	IdleTimeout time.Duration // a stream silent this long is cut (ErrStreamIdle); 0 = default 300s
	HTTPClient  *http.Client  // optional
	// KeyEnv names the environment variable the key came from, so an auth
	// error can say which one to fix ("" = OPENAI_API_KEY).
	KeyEnv string
}

const (
	defaultBaseURL     = "https://api.openai.com/v1"
	defaultIdleTimeout = 300 * time.Second
	// maxErrorBody bounds how much of an error response is kept: provider
	// messages are short, and a proxy's HTML page is not worth more.
	maxErrorBody = 64 << 10
)

// NewResponses returns a client for the Responses API (POST {base}/responses).
func NewResponses(cfg Config) model.Client {
	return &responsesClient{t: newTransport(cfg)}
}

// NewChat returns a client for the Chat Completions API
// (POST {base}/chat/completions).
func NewChat(cfg Config) model.Client {
	return &chatClient{t: newTransport(cfg)}
}

// transport is what both wires share: one configured SDK client, the idle
// limit, and what error messages may say about where requests go.
type transport struct {
	client  openai.Client
	baseURL string // as configured, for building requests
	shown   string // the base URL with any password removed, for messages
	badURL  error  // set when BaseURL cannot be used at all
	apiKey  string // only to scrub it from provider text and to word auth errors
	keyEnv  string // the variable to name in auth errors
	idle    time.Duration
}

func newTransport(cfg Config) *transport {
	t := &transport{
		baseURL: strings.TrimSpace(cfg.BaseURL),
		apiKey:  cfg.APIKey,
		keyEnv:  cmp.Or(cfg.KeyEnv, "OPENAI_API_KEY"),
		idle:    cfg.IdleTimeout,
	}
	if t.baseURL == "" {
		t.baseURL = defaultBaseURL
	}
	if t.idle <= 0 {
		t.idle = defaultIdleTimeout
	}
	u, err := url.Parse(t.baseURL)
	switch {
	case err != nil:
		t.badURL = err
		t.shown = "the configured base URL"
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		t.badURL = fmt.Errorf("want an http:// or https:// URL with a host")
		t.shown = u.Redacted()
	default:
		t.shown = u.Redacted()
	}

	hc := cfg.HTTPClient
	if hc == nil {
		// Not http.DefaultClient: nothing else in the process should be able
		// to change how model requests are made. No Timeout either: a whole
		// stream may legitimately take many minutes; the idle watchdog is
		// what catches a dead one.
		hc = &http.Client{}
	}
	// The client is assembled from explicit options only. openai.NewClient
	// would also read OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_CUSTOM_HEADERS
	// and friends from the environment, and send them to whatever provider
	// is configured — including a local or third-party server.
	opts := []option.RequestOption{
		option.WithBaseURL(t.baseURL),
		option.WithHTTPClient(hc),
		option.WithMaxRetries(0),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	t.client = openai.Client{Options: opts}
	return t
}

// eventFunc handles one SSE event. It returns done=true once the reply is
// complete, which ends reading without waiting for the server to close.
type eventFunc func(ev ssestream.Event) (done bool, err error)

// streamResult says how a stream ended when it ended without an error.
type streamResult struct {
	events int  // SSE events received
	done   bool // the handler said the reply was complete
	sawEOS bool // the server sent the [DONE] sentinel
}

// stream posts body to path and feeds the SSE events of the reply to handle,
// under an idle watchdog. It turns every way the exchange can fail — HTTP
// errors, connection failures, read errors, the watchdog, the caller's own
// cancellation — into what Stream must return; deciding whether a clean end
// of stream means a complete reply is left to the wire.
func (t *transport) stream(ctx context.Context, path, modelName string, body []byte, handle eventFunc) (streamResult, error) {
	var res streamResult
	if t.badURL != nil {
		return res, &model.Error{
			Kind:    model.ErrInvalidRequest,
			Message: fmt.Sprintf("the base URL %s is not usable: check the provider's base_url", t.shown),
			Detail:  t.scrub(t.badURL.Error()),
			Err:     t.badURL,
		}
	}

	wd := startWatchdog(ctx, t.idle)
	defer wd.stop()

	var raw *http.Response
	err := t.client.Post(wd.ctx, path, body, &raw)
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if raw != nil && raw.StatusCode >= 400 {
			return res, t.httpError(raw, err, path, modelName)
		}
		if wd.fired() {
			return res, wd.err()
		}
		return res, t.connectError(err)
	}
	defer raw.Body.Close()
	wd.touch()
	raw.Body = wd.watch(raw.Body)

	if isJSON(raw.Header.Get("Content-Type")) {
		// Some servers label their event stream application/json; only a
		// body that does not start like one is taken as a JSON document.
		br := bufio.NewReader(raw.Body)
		if !looksLikeSSE(br) {
			return res, t.notStreamed(br, raw, modelName)
		}
		raw.Body = readCloser{br, raw.Body}
	}

	dec := ssestream.NewDecoder(raw)
	defer dec.Close()
	for dec.Next() {
		// Events already buffered would otherwise still be handled (and
		// could even complete the reply) after the caller gave up.
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		ev := dec.Event()
		res.events++
		if isEndOfStream(ev.Data) {
			res.sawEOS = true
			return res, nil
		}
		done, err := handle(ev)
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			return res, err
		}
		if done {
			res.done = true
			return res, nil
		}
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if wd.fired() {
		return res, wd.err()
	}
	if err := dec.Err(); err != nil {
		return res, t.readError(err, res.events)
	}
	return res, nil
}

// checkToolCalls rejects a reply with a tool call that names no tool: there
// is nothing to run, and sent back in the history such a call can get every
// later request of the session refused. It is a garbled reply, retried like
// any other.
func (t *transport) checkToolCalls(items []model.Item) error {
	for _, it := range items {
		if it.IsToolCall() && it.Name == "" {
			return &model.Error{
				Kind:    model.ErrMalformed,
				Message: "the provider sent a tool call without a tool name",
				Detail:  t.scrub(fmt.Sprintf("%s %s with %d bytes of input", it.Type, it.CallID, len(it.Arguments))),
			}
		}
	}
	return nil
}

// newCallID stands in for a call id a server did not send: later requests
// pair results with calls by id, so a call must have one.
func newCallID() string { return "call_" + rand.Text() }

// isEndOfStream recognises the "[DONE]" sentinel Chat Completions servers
// send last. It is checked here, on the raw event, because openai-go's own
// Stream swallows it and so cannot tell it apart from a dropped connection.
func isEndOfStream(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte("[DONE]"))
}

func isJSON(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.ToLower(strings.TrimSpace(ct))
	return ct == "application/json" || strings.HasSuffix(ct, "+json")
}

type readCloser struct {
	io.Reader
	io.Closer
}

// looksLikeSSE peeks at the start of a body for an SSE field or comment.
func looksLikeSSE(br *bufio.Reader) bool {
	for n := 1; n <= 64; n++ {
		b, err := br.Peek(n)
		s := strings.TrimLeft(string(b), " \t\r\n")
		switch {
		case s == "":
		case strings.HasPrefix(s, ":"):
			return true
		case len(s) >= 6:
			return strings.HasPrefix(s, "data:") || strings.HasPrefix(s, "event:") ||
				strings.HasPrefix(s, "id:") || strings.HasPrefix(s, "retry:")
		case s[0] == '{' || s[0] == '[' || s[0] == '<':
			return false
		}
		if err != nil {
			return false
		}
	}
	return false
}

// notStreamed handles a 2xx reply that is a JSON document instead of an
// event stream: some servers report errors that way, and a server that
// ignores "stream": true cannot be used by a streaming client.
func (t *transport) notStreamed(body io.Reader, raw *http.Response, modelName string) error {
	data, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	if pe, ok := parseProviderError(data); ok {
		return t.classify(pe, raw.Header, modelName, "")
	}
	// Asking again gets the same document: not retried.
	return &model.Error{
		Kind:    model.ErrInvalidRequest,
		Message: "the server answered with a JSON document instead of an event stream: it may not support streaming",
		Status:  raw.StatusCode,
		Detail:  t.scrub(snippet(data)),
	}
}
