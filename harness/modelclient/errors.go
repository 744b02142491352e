package modelclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/openai/openai-go/v3"

	"warden/harness/model"
)

// providerError is a provider's account of a failure, from an HTTP error
// body or from an error event inside a stream, normalised across the shapes
// OpenAI and the compatible servers use.
type providerError struct {
	status  int    // HTTP status; 0 for a failure reported inside a stream
	code    string // "context_length_exceeded", "rate_limit_exceeded", "429", …
	typ     string // "invalid_request_error", "insufficient_quota", …
	message string
	param   string // the request field the provider objects to
	raw     string // a snippet of an unparseable body, for Detail
}

// httpError maps a non-2xx reply. The body is read from the raw response
// rather than taken from openai-go's *openai.Error, which only understands
// {"error": {…}}: for Ollama's {"error": "…"} the SDK returns a JSON decoding
// error instead, and vLLM's top-level {"message": …} comes out empty.
func (t *transport) httpError(raw *http.Response, sdkErr error, path, modelName string) error {
	var body []byte
	if raw.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(raw.Body, maxErrorBody))
	}
	pe, ok := parseProviderError(body)
	if !ok {
		var ae *openai.Error
		if errors.As(sdkErr, &ae) && ae.Message != "" {
			pe = providerError{code: ae.Code, typ: ae.Type, message: ae.Message, param: ae.Param}
		} else {
			pe.raw = snippet(body)
		}
	}
	pe.status = raw.StatusCode
	return t.classify(pe, raw.Header, modelName, path)
}

// parseProviderError understands {"error": {…}}, {"error": "…"}, a bare
// {"message": …, "code": …} (vLLM, the Responses "error" event) and
// FastAPI's {"detail": …}.
func parseProviderError(body []byte) (providerError, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return providerError{}, false
	}
	if e, ok := top["error"]; ok && !isNull(e) {
		if s, ok := jsonText(e); ok {
			return providerError{message: s}, true
		}
		var inner map[string]json.RawMessage
		if json.Unmarshal(e, &inner) == nil {
			return errorFields(inner), true
		}
	}
	if _, ok := top["message"]; ok {
		return errorFields(top), true
	}
	if d, ok := top["detail"]; ok && !isNull(d) {
		if s, ok := jsonText(d); ok {
			return providerError{message: s}, true
		}
		return providerError{message: string(d)}, true
	}
	return providerError{}, false
}

func errorFields(f map[string]json.RawMessage) providerError {
	pe := providerError{}
	pe.code, _ = jsonText(f["code"])
	pe.typ, _ = jsonText(f["type"])
	pe.message, _ = jsonText(f["message"])
	pe.param, _ = jsonText(f["param"])
	// OpenRouter's own message is often just "Provider returned error"; the
	// upstream provider's words are in metadata.raw.
	var meta struct {
		Raw json.RawMessage `json:"raw"`
	}
	if json.Unmarshal(f["metadata"], &meta) == nil {
		if s, ok := jsonText(meta.Raw); ok && s != "" && !strings.Contains(pe.message, s) {
			pe.message = strings.TrimSpace(pe.message + ": " + s)
		}
	}
	return pe
}

// jsonText returns a JSON string's value, or a number's text.
func jsonText(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || strings.TrimSpace(string(raw)) == "null"
}

// classify turns a provider's failure into a *model.Error whose Message says
// what to do. path is the endpoint that was called; it is empty for failures
// reported inside a stream, where no endpoint can be missing.
func (t *transport) classify(pe providerError, h http.Header, modelName, path string) *model.Error {
	code := strings.ToLower(strings.TrimSpace(pe.code))
	typ := strings.ToLower(strings.TrimSpace(pe.typ))
	msg := strings.ToLower(pe.message)
	status := pe.status
	if status == 0 {
		// OpenRouter and llama.cpp report HTTP-like numbers as the code of
		// an error that arrives inside a stream.
		if n, err := strconv.Atoi(code); err == nil && n >= 400 && n < 600 {
			status = n
		}
	}

	e := &model.Error{Status: pe.status, Detail: t.detail(pe)}
	switch {
	case status == 401 || code == "invalid_api_key" || typ == "authentication_error":
		e.Kind = model.ErrAuth
		e.Message = "the API key was rejected: check " + t.keyEnv
		if t.apiKey == "" {
			e.Message = "the server wants an API key and none is set: set " + t.keyEnv
		}
	case code == "model_not_found":
		e.Kind, e.Message = model.ErrUnknownModel, unknownModel(modelName)
	case status == 403 || typ == "permission_error":
		e.Kind = model.ErrAuth
		e.Message = "the API key is not allowed to do this: check its permissions, project and organization, and whether it has access to the model"
	case status == 402 || isQuota(code, typ, msg):
		e.Kind = model.ErrQuota
		e.Message = "the account has run out of quota or credits: check the plan and billing with the provider"
	case status == 429 || code == "rate_limit_exceeded" || typ == "rate_limit_error":
		e.Kind = model.ErrRateLimit
		e.Message = "the provider is rate-limiting requests: wait a little, or use a plan with higher limits"
		e.RetryAfter = retryAfter(h, pe.message, time.Now())
	case isContextLength(code, msg):
		e.Kind = model.ErrContextLength
		e.Message = "the conversation is longer than the model's context window: start a new session or switch to a model with a larger context"
	case isUnknownModel(msg):
		e.Kind, e.Message = model.ErrUnknownModel, unknownModel(modelName)
	case status == 404:
		e.Kind = model.ErrInvalidRequest
		e.Message = fmt.Sprintf("%s/%s does not exist: check the provider's base_url (it usually ends in /v1)", strings.TrimSuffix(t.shown, "/"), path)
		if path == responsesPath {
			e.Message += ", or use the chat wire if the server has no Responses API"
		}
	case status >= 500 || status == 408 || status == 409 ||
		code == "server_error" || typ == "server_error" || typ == "api_error":
		e.Kind = model.ErrServer
		e.Message = "the provider failed with a server error: this is usually temporary, try again shortly"
		e.RetryAfter = retryAfter(h, pe.message, time.Now())
	case isReasoningRejected(code, pe.param, msg):
		e.Kind = model.ErrInvalidRequest
		e.Message = `this model takes no reasoning settings: set reasoning_effort to "" and reasoning_summary to "none"`
	case status >= 400 || strings.HasPrefix(code, "invalid") || strings.HasPrefix(typ, "invalid"):
		e.Kind = model.ErrInvalidRequest
		e.Message = "the provider rejected the request"
	default:
		// A failure inside a stream with no recognisable cause: most such
		// failures are the provider's and pass on a retry.
		e.Kind = model.ErrServer
		e.Message = "the provider reported an error while streaming the reply: try again shortly"
		e.RetryAfter = retryAfterInMessage(pe.message)
	}
	return e
}

func unknownModel(name string) string {
	return fmt.Sprintf("the provider does not serve the model %q: choose another (--model, or /model in the interface)", name)
}

func isQuota(code, typ, msg string) bool {
	return code == "insufficient_quota" || typ == "insufficient_quota" ||
		strings.Contains(msg, "exceeded your current quota") ||
		strings.Contains(msg, "insufficient credits")
}

// isContextLength recognises OpenAI's code and the wordings compatible
// servers use for the same condition.
func isContextLength(code, msg string) bool {
	if code == "context_length_exceeded" {
		return true
	}
	for _, s := range []string{
		"context_length_exceeded",
		"maximum context length",
		"context length",
		"context window",
		"prompt is too long",
		"input is too long",
		"too many tokens",
		"exceeds the available context",
	} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// isReasoningRejected recognises a model refusing the reasoning parameters,
// which warden sends whenever they are configured (and reasoning_summary
// defaults to "auto").
func isReasoningRejected(code, param, msg string) bool {
	if !strings.Contains(param, "reasoning") && !strings.Contains(msg, "reasoning") {
		return false
	}
	return code == "unsupported_parameter" || code == "unsupported_value" ||
		strings.Contains(msg, "unsupported parameter") || strings.Contains(msg, "not supported") ||
		strings.Contains(msg, "unrecognized request argument")
}

func isUnknownModel(msg string) bool {
	if !strings.Contains(msg, "model") {
		return false
	}
	for _, s := range []string{"does not exist", "not found", "not a valid model", "unknown model", "no such model", "invalid model"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// connectError maps a failure before any reply arrived.
func (t *transport) connectError(err error) error {
	e := &model.Error{Kind: model.ErrNetwork, Detail: t.scrub(rootCause(err).Error()), Err: err}
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Message = fmt.Sprintf("could not connect to %s: connection refused (is the server running?)", t.shown)
	case errors.As(err, &dnsErr):
		e.Message = fmt.Sprintf("could not resolve the host of %s: check the base URL and the network", t.shown)
	case errors.As(err, &netErr) && netErr.Timeout():
		e.Message = fmt.Sprintf("timed out waiting for %s", t.shown)
	default:
		e.Message = fmt.Sprintf("the request to %s failed before a reply arrived", t.shown)
	}
	return e
}

// readError maps a failure while reading the stream: a cut if the reply had
// begun, otherwise a failed connection.
func (t *transport) readError(err error, events int) error {
	if events > 0 {
		return &model.Error{
			Kind:    model.ErrStreamCut,
			Message: "the stream broke off before the reply was complete",
			Detail:  t.scrub(rootCause(err).Error()),
			Err:     err,
		}
	}
	return &model.Error{
		Kind:    model.ErrNetwork,
		Message: fmt.Sprintf("the connection to %s failed before any data arrived", t.shown),
		Detail:  t.scrub(rootCause(err).Error()),
		Err:     err,
	}
}

// streamCut is a stream that ended cleanly but without saying it was done.
func streamCut(why string) error {
	return &model.Error{
		Kind:    model.ErrStreamCut,
		Message: "the stream ended before the reply was complete",
		Detail:  why,
	}
}

// malformed is an event that does not decode.
func (t *transport) malformed(what string, err error) error {
	return &model.Error{
		Kind:    model.ErrMalformed,
		Message: "the provider sent a stream event that could not be read",
		Detail:  t.scrub(what + ": " + err.Error()),
		Err:     err,
	}
}

// rootCause drops the *url.Error wrapper, whose text repeats the request
// URL; the messages name the base URL themselves.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

func (t *transport) detail(pe providerError) string {
	d := pe.message
	if d == "" {
		d = pe.code
	}
	if d == "" {
		d = pe.raw
	}
	return t.scrub(d)
}

// minSecretKeyLen is the shortest API key scrubbed from provider text.
const minSecretKeyLen = 8

// keyLike matches OpenAI-style secret keys, masked or not.
var keyLike = regexp.MustCompile(`\bsk-[A-Za-z0-9_*\-]{4,}`)

// scrub keeps provider text to one bounded line and makes sure the API key
// never appears in it, whatever a server chose to echo back.
func (t *transport) scrub(s string) string {
	// A key of a few characters ("x", "test", "ollama") is a placeholder
	// for a local server, not a secret, and replaced wherever it occurs it
	// would garble the message ("the [redacted] example is invalid").
	if len(t.apiKey) >= minSecretKeyLen {
		s = strings.ReplaceAll(s, t.apiKey, "[redacted]")
	}
	// OpenAI quotes a rejected key half-masked ("sk-proj-ab***…wxyz");
	// even that much of a key has no place in warden's output.
	s = keyLike.ReplaceAllString(s, "sk-[redacted]")
	s = strings.Join(strings.Fields(s), " ")
	return clip(s, 600)
}

// clip shortens s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// snippet is the start of a body worth quoting: not an HTML page.
func snippet(body []byte) string {
	s := strings.TrimSpace(string(body))
	if s == "" || strings.HasPrefix(s, "<") {
		return ""
	}
	return clip(s, 200)
}
