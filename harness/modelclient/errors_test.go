package modelclient

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/model"
)

// bothWires runs f against a client of each wire.
func bothWires(t *testing.T, f func(t *testing.T, newClient func(Config) model.Client)) {
	t.Run("responses", func(t *testing.T) { f(t, NewResponses) })
	t.Run("chat", func(t *testing.T) { f(t, NewChat) })
}

func hi() []model.Item { return []model.Item{model.UserMessage("hi")} }

func TestHTTPErrors(t *testing.T) {
	type errCase struct {
		name    string
		status  int
		body    string
		header  map[string]string
		noKey   bool
		kind    model.ErrorKind
		message string        // a part of the message
		detail  string        // a part of Detail
		after   time.Duration // RetryAfter
	}
	for _, tc := range []errCase{
		{name: "401", status: 401, body: `{"error":{"message":"Incorrect API key provided: sk-test-01***********cdef.","type":"invalid_request_error","code":"invalid_api_key"}}`,
			kind: model.ErrAuth, message: "the API key was rejected: check OPENAI_API_KEY", detail: "Incorrect API key provided: sk-[redacted]."},
		{name: "401 without key", status: 401, body: `{"error":"unauthorized"}`, noKey: true,
			kind: model.ErrAuth, message: "none is set"},
		{name: "403", status: 403, body: `{"error":{"message":"You are not allowed to sample from this model.","type":"invalid_request_error"}}`,
			kind: model.ErrAuth, message: "permissions"},
		{name: "404 model_not_found", status: 404, body: `{"error":{"message":"The model ` + "`gpt-9`" + ` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}`,
			kind: model.ErrUnknownModel, message: `"gpt-9": choose another (--model, or /model in the interface)`},
		{name: "404 ollama", status: 404, body: `{"error":"model \"gpt-9\" not found, try pulling it first"}`,
			kind: model.ErrUnknownModel, detail: "try pulling it first"},
		{name: "404 vllm", status: 404, body: `{"object":"error","message":"The model ` + "`gpt-9`" + ` does not exist.","type":"NotFoundError","param":null,"code":404}`,
			kind: model.ErrUnknownModel},
		{name: "400 openrouter bad model", status: 400, body: `{"error":{"message":"gpt-9 is not a valid model ID","code":400}}`,
			kind: model.ErrUnknownModel},
		{name: "404 wrong base URL", status: 404, body: `404 page not found`,
			kind: model.ErrInvalidRequest, message: "check the provider's base_url"},
		{name: "400 context", status: 400, body: `{"error":{"message":"Your input exceeds the context window of this model.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}`,
			kind: model.ErrContextLength, message: "start a new session"},
		{name: "400 context vllm", status: 400, body: `{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.","type":"BadRequestError","code":400}`,
			kind: model.ErrContextLength},
		{name: "429 quota", status: 429, body: `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","code":"insufficient_quota"}}`,
			kind: model.ErrQuota, message: "billing"},
		{name: "402 credits", status: 402, body: `{"error":{"message":"Insufficient credits","code":402}}`,
			kind: model.ErrQuota},
		{name: "429 retry-after seconds", status: 429, header: map[string]string{"Retry-After": "7"},
			body: `{"error":{"message":"Rate limit reached.","type":"requests","code":"rate_limit_exceeded"}}`, kind: model.ErrRateLimit, after: 7 * time.Second},
		{name: "429 retry-after-ms wins", status: 429, header: map[string]string{"Retry-After": "7", "Retry-After-Ms": "1500"},
			body: `{"error":{"message":"Rate limit reached.","code":"rate_limit_exceeded"}}`, kind: model.ErrRateLimit, after: 1500 * time.Millisecond},
		{name: "429 message seconds", status: 429,
			body: `{"error":{"message":"Rate limit reached for gpt-5 on tokens per min (TPM): Limit 30000, Used 29000. Please try again in 1.5s. Visit https://platform.openai.com/account/rate-limits.","code":"rate_limit_exceeded"}}`,
			kind: model.ErrRateLimit, after: 1500 * time.Millisecond},
		{name: "429 message ms", status: 429, body: `{"error":{"message":"Please try again in 20ms.","code":"rate_limit_exceeded"}}`,
			kind: model.ErrRateLimit, after: 20 * time.Millisecond},
		{name: "429 plain", status: 429, body: `Too Many Requests`, kind: model.ErrRateLimit},
		{name: "500", status: 500, body: `{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}`,
			kind: model.ErrServer},
		{name: "503 with retry-after", status: 503, header: map[string]string{"Retry-After": "2"}, body: `<html><body>Service Unavailable</body></html>`,
			kind: model.ErrServer, after: 2 * time.Second},
		{name: "422", status: 422, body: `{"detail":[{"loc":["body","messages"],"msg":"field required"}]}`,
			kind: model.ErrInvalidRequest, detail: "field required"},
		{name: "400 reasoning rejected", status: 400, body: `{"error":{"message":"Unsupported parameter: 'reasoning.summary' is not supported with this model.","type":"invalid_request_error","param":"reasoning.summary","code":"unsupported_parameter"}}`,
			kind: model.ErrInvalidRequest, message: `reasoning_summary to "none"`, detail: "Unsupported parameter"},
		{name: "400 other", status: 400, body: `{"error":{"message":"Unsupported parameter: 'temperature' is not supported with this model.","type":"invalid_request_error","param":"temperature","code":"unsupported_parameter"}}`,
			kind: model.ErrInvalidRequest, message: "the provider rejected the request", detail: "Unsupported parameter"},
		{name: "key echoed", status: 400, body: `{"error":{"message":"bad key ` + testKey + ` given"}}`,
			kind: model.ErrInvalidRequest, detail: "bad key [redacted] given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
				cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
					for k, v := range tc.header {
						w.Header().Set(k, v)
					}
					if strings.HasPrefix(tc.body, "{") {
						w.Header().Set("Content-Type", "application/json")
					}
					w.WriteHeader(tc.status)
					fmt.Fprint(w, tc.body)
				})
				if tc.noKey {
					cfg.APIKey = ""
				}
				_, err := newClient(cfg).Stream(testContext(t), model.Request{Model: "gpt-9", Input: hi()}, nil)
				me := wantKind(t, err, tc.kind)
				if me.Status != tc.status {
					t.Errorf("Status = %d", me.Status)
				}
				if !strings.Contains(me.Message, tc.message) {
					t.Errorf("Message = %q, want it to contain %q", me.Message, tc.message)
				}
				if !strings.Contains(me.Detail, tc.detail) {
					t.Errorf("Detail = %q, want it to contain %q", me.Detail, tc.detail)
				}
				if me.RetryAfter != tc.after {
					t.Errorf("RetryAfter = %s, want %s", me.RetryAfter, tc.after)
				}
			})
		})
	}
}

// Exactly one attempt: the SDK's own retries are off, whatever the status.
func TestOneAttempt(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{
			{Status: 503}, {Status: 429, Headers: map[string]string{"Retry-After": "0"}},
		}})
		c := newClient(cfg)
		_, err := c.Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
		wantKind(t, err, model.ErrServer)
		_, err = c.Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
		wantKind(t, err, model.ErrRateLimit)
		if n := len(fake.Requests()); n != 2 {
			t.Errorf("%d requests for 2 Stream calls", n)
		}
	})
}

func TestUnknownModelFromFake(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		_, cfg := startFake(t, fakemodel.Script{Models: []string{"gpt-5"}})
		_, err := newClient(cfg).Stream(testContext(t), model.Request{Model: "gpt-9", Input: hi()}, nil)
		me := wantKind(t, err, model.ErrUnknownModel)
		if !strings.Contains(me.Message, `"gpt-9"`) || !strings.Contains(me.Message, "--model") {
			t.Errorf("Message = %q", me.Message)
		}
	})
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL + "/v1"
	srv.Close() // nothing listens there any more
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		_, err := newClient(Config{BaseURL: base, APIKey: testKey}).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
		me := wantKind(t, err, model.ErrNetwork)
		if !strings.Contains(me.Message, base) || !strings.Contains(me.Message, "connection refused") {
			t.Errorf("Message = %q, want the base URL and the cause", me.Message)
		}
		if !me.Retryable() {
			t.Error("a refused connection should be retried")
		}
	})
}

func TestBaseURLPasswordNotShown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := strings.Replace(srv.URL, "http://", "http://user:hunter2@", 1) + "/v1"
	srv.Close()
	_, err := NewChat(Config{BaseURL: base}).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
	me := wantKind(t, err, model.ErrNetwork)
	if strings.Contains(err.Error(), "hunter2") || !strings.Contains(me.Message, "user:xxxxx@") {
		t.Errorf("error = %v", err)
	}
}

func TestUnusableBaseURL(t *testing.T) {
	for _, base := range []string{"localhost:11434/v1", "ftp://example.com", "http://%zz"} {
		_, err := NewChat(Config{BaseURL: base}).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
		if me := wantKind(t, err, model.ErrInvalidRequest); !strings.Contains(me.Message, "base_url") {
			t.Errorf("%s: %v", base, err)
		}
	}
}

// A 200 with a JSON document is a server that did not stream: its error is
// still classified, and anything else is reported as such.
func TestJSONInsteadOfStream(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		for body, kind := range map[string]model.ErrorKind{
			`{"error":{"message":"maximum context length exceeded"}}`: model.ErrContextLength,
			`{"id":"x","object":"chat.completion","choices":[]}`:      model.ErrInvalidRequest, // not retried: it would answer the same
		} {
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, body)
			})
			_, err := newClient(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
			wantKind(t, err, kind)
		}
	})
}

// A stream labelled application/json is still read as a stream.
func TestStreamLabelledJSON(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "\n: hello\n\ndata: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n")
	})
	resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
	if err != nil || len(resp.Items) != 1 || resp.Items[0].Text != "hi" {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
}

// The connection breaking after the headers but before any event is a
// network failure; after an event it is a cut stream.
func TestConnectionResetBeforeEvents(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		})
		_, err := newClient(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
		wantKind(t, err, model.ErrNetwork)
	})
}

// Nothing from the environment reaches the provider: a local server must
// not receive the OpenAI key, organization or custom headers.
func TestNoAmbientCredentials(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_ORG_ID", "org-env")
	t.Setenv("OPENAI_PROJECT_ID", "proj-env")
	t.Setenv("OPENAI_CUSTOM_HEADERS", "X-Secret: env")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	fake, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	cfg.APIKey = ""
	if _, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil); err != nil {
		t.Fatal(err)
	}
	h := fake.Requests()[0].Header
	for _, k := range []string{"Authorization", "OpenAI-Organization", "OpenAI-Project", "X-Secret"} {
		if v := h.Get(k); v != "" {
			t.Errorf("%s: %q sent", k, v)
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name string
		h    http.Header
		msg  string
		want time.Duration
	}{
		{"seconds", hdr("Retry-After", "12"), "", 12 * time.Second},
		{"fractional seconds", hdr("Retry-After", "0.25"), "", 250 * time.Millisecond},
		{"http date", hdr("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat)), "", 90 * time.Second},
		{"http date in the past", hdr("Retry-After", now.Add(-time.Minute).Format(http.TimeFormat)), "", 0},
		{"ms header", hdr("retry-after-ms", "250"), "", 250 * time.Millisecond},
		{"ms header beats seconds", hdr("Retry-After", "3", "Retry-After-Ms", "3500"), "", 3500 * time.Millisecond},
		{"garbage header falls back to message", hdr("Retry-After", "soon"), "Please try again in 2s.", 2 * time.Second},
		{"huge", hdr("Retry-After", "1e30"), "", maxRetryAfter},
		{"negative", hdr("Retry-After", "-5"), "", 0},
		{"msg seconds", nil, "Please try again in 1.5s.", 1500 * time.Millisecond},
		{"msg ms", nil, "Rate limit reached. Please try again in 20ms. Visit …", 20 * time.Millisecond},
		{"msg minutes", nil, "Please try again in 6m0s.", 6 * time.Minute},
		{"msg compound", nil, "try again in 1m23.456s", 83456 * time.Millisecond},
		{"msg words", nil, "Requests exceeded. Please retry after 20 seconds.", 20 * time.Second},
		{"msg words ms", nil, "try again in 500 milliseconds", 500 * time.Millisecond},
		{"gemini", nil, "Please retry in 37.2s.", 37200 * time.Millisecond},
		{"none", nil, "Rate limit reached.", 0},
	} {
		if got := retryAfter(tc.h, tc.msg, now); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.name, got, tc.want)
		}
	}
}

// A placeholder key for a local server ("test") is no secret: scrubbing
// it everywhere would garble the provider's message.
func TestShortPlaceholderKeysAreNotScrubbed(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":{"message":"the test example is invalid"}}`)
		})
		cfg.APIKey = "test"
		_, err := newClient(cfg).Stream(testContext(t), model.Request{Model: "gpt-9", Input: hi()}, nil)
		if me := wantKind(t, err, model.ErrInvalidRequest); me.Detail != "the test example is invalid" {
			t.Errorf("Detail = %q", me.Detail)
		}
	})
}
