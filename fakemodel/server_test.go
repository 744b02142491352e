package fakemodel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"warden/fakemodel"
)

// start serves script over real HTTP and returns a production-configured
// client for it.
func start(t *testing.T, script fakemodel.Script) (*fakemodel.Server, *httptest.Server, openai.Client) {
	t.Helper()
	fake := fakemodel.New(script)
	srv := httptest.NewServer(fake)
	// Cleanups run last-in first-out: release parked streams, then stop.
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close)
	client := openai.NewClient(
		option.WithBaseURL(srv.URL+"/v1"),
		option.WithAPIKey("test"),
		option.WithMaxRetries(0),
	)
	return fake, srv, client
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// post sends a raw JSON body, for requests the SDK would refuse to build.
func post(t *testing.T, url, body string) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	var m map[string]any
	if resp.Header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("decode %q: %v", data, err)
		}
	} else {
		m = map[string]any{"raw": string(data)}
	}
	return resp.StatusCode, resp.Header, m
}

func errorMessage(t *testing.T, body map[string]any) (msg string, e map[string]any) {
	t.Helper()
	e, ok := body["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %v", body)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := e[k]; !ok {
			t.Errorf("error object lacks %q: %v", k, e)
		}
	}
	msg, _ = e["message"].(string)
	return msg, e
}

func TestHTTPErrorWithHeaders(t *testing.T) {
	fake, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Status: 429, Headers: map[string]string{"Retry-After": "7"}},
		{Status: 401, Error: &fakemodel.APIError{Message: "bad key", Code: "invalid_api_key"}},
	}})
	ctx := testContext(t)

	stream := client.Chat.Completions.NewStreaming(ctx, chatParams("hi"))
	for stream.Next() {
		t.Fatal("got a chunk from an HTTP error")
	}
	var apiErr *openai.Error
	if !errors.As(stream.Err(), &apiErr) {
		t.Fatalf("err = %v, want *openai.Error", stream.Err())
	}
	if apiErr.StatusCode != 429 || apiErr.Code != "rate_limit_exceeded" || apiErr.Type != "requests" {
		t.Errorf("got %d %q %q", apiErr.StatusCode, apiErr.Code, apiErr.Type)
	}
	if got := apiErr.Response.Header.Get("Retry-After"); got != "7" {
		t.Errorf("Retry-After = %q", got)
	}

	rstream := client.Responses.NewStreaming(ctx, responsesParams("hi"))
	for rstream.Next() {
		t.Fatal("got an event from an HTTP error")
	}
	if !errors.As(rstream.Err(), &apiErr) {
		t.Fatalf("err = %v, want *openai.Error", rstream.Err())
	}
	if apiErr.StatusCode != 401 || apiErr.Message != "bad key" || apiErr.Type != "invalid_request_error" {
		t.Errorf("got %d %q %q", apiErr.StatusCode, apiErr.Message, apiErr.Type)
	}
	if fake.Pending() != 0 {
		t.Errorf("pending = %d", fake.Pending())
	}
}

func TestExhaustedScript(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{})
	stream := client.Responses.NewStreaming(testContext(t), responsesParams("hi"))
	for stream.Next() {
	}
	var apiErr *openai.Error
	if !errors.As(stream.Err(), &apiErr) || apiErr.StatusCode != 500 {
		t.Fatalf("err = %v, want 500", stream.Err())
	}
	if !strings.Contains(apiErr.Message, "script exhausted") {
		t.Errorf("message = %q", apiErr.Message)
	}
}

func TestUnplayableReplyIs500(t *testing.T) {
	_, srv, _ := start(t, fakemodel.Script{Replies: []fakemodel.Reply{
		{Output: []fakemodel.Output{{Text: "a", Call: &fakemodel.FunctionCall{Name: "x"}}}},
	}})
	status, _, body := post(t, srv.URL+"/v1/chat/completions",
		`{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	msg, _ := errorMessage(t, body)
	if status != 500 || !strings.Contains(msg, "exactly one of") {
		t.Errorf("got %d %q", status, msg)
	}
}

func TestModels(t *testing.T) {
	_, srv, client := start(t, fakemodel.Script{Models: []string{"alpha", "beta"}})
	page, err := client.Models.List(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
		if m.Object != "model" || m.OwnedBy == "" || m.Created == 0 {
			t.Errorf("incomplete model %+v", m)
		}
	}
	if strings.Join(ids, ",") != "alpha,beta" {
		t.Errorf("ids = %v", ids)
	}

	// Some compatible servers are addressed without /v1.
	resp, err := http.Get(srv.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /models = %d", resp.StatusCode)
	}
}

func TestDefaultModelsAcceptAnything(t *testing.T) {
	_, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{textReply("ok")}})
	page, err := client.Models.List(testContext(t))
	if err != nil || len(page.Data) == 0 {
		t.Fatalf("list: %v, %d models", err, len(page.Data))
	}
	params := chatParams("hi")
	params.Model = "anything-goes"
	acc, err := drainChat(client.Chat.Completions.NewStreaming(testContext(t), params))
	if err != nil || acc.Choices[0].Message.Content != "ok" {
		t.Fatalf("err %v, content %q", err, acc.Choices[0].Message.Content)
	}
}

func TestUnknownPath(t *testing.T) {
	_, srv, _ := start(t, fakemodel.Script{})
	status, _, body := post(t, srv.URL+"/v1/embeddings", `{}`)
	msg, _ := errorMessage(t, body)
	if status != 404 || msg != "Invalid URL (POST /v1/embeddings)" {
		t.Errorf("got %d %q", status, msg)
	}
}

func TestRecordsRequests(t *testing.T) {
	fake, _, client := start(t, fakemodel.Script{Replies: []fakemodel.Reply{textReply("a"), textReply("b")}})
	ctx := testContext(t)

	done := make(chan error)
	go func() {
		_, err := drainChat(client.Chat.Completions.NewStreaming(ctx, chatParams("first")))
		if err == nil {
			_, err = drainResponses(client.Responses.NewStreaming(ctx, responsesParams("second")))
		}
		done <- err
	}()
	reqs, err := fake.WaitRequests(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if reqs[0].Path != "/v1/chat/completions" || reqs[1].Path != "/v1/responses" || reqs[0].Method != "POST" {
		t.Errorf("paths %s %s", reqs[0].Path, reqs[1].Path)
	}
	if got := reqs[0].Header.Get("Authorization"); got != "Bearer test" {
		t.Errorf("Authorization = %q", got)
	}
	body, err := reqs[1].JSON()
	if err != nil {
		t.Fatal(err)
	}
	if body["model"] != "gpt-5" || body["input"] != "second" || body["stream"] != true {
		t.Errorf("body = %v", body)
	}

	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	if _, err := fake.WaitRequests(short, 3); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitRequests beyond count: %v", err)
	}
}

func TestConcurrentRequests(t *testing.T) {
	const n = 8
	var replies []fakemodel.Reply
	for range n {
		replies = append(replies, textReply("same"))
	}
	fake, _, client := start(t, fakemodel.Script{Replies: replies})
	ctx := testContext(t)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			var err error
			if i%2 == 0 {
				_, err = drainChat(client.Chat.Completions.NewStreaming(ctx, chatParams("hi")))
			} else {
				_, err = drainResponses(client.Responses.NewStreaming(ctx, responsesParams("hi")))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if fake.Pending() != 0 || len(fake.Requests()) != n {
		t.Errorf("pending %d, requests %d", fake.Pending(), len(fake.Requests()))
	}
}

func TestLoadScript(t *testing.T) {
	s, err := fakemodel.LoadScript("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Replies) != 7 || s.Replies[0].Output[2].Call.Name != "shell" || s.Replies[2].Headers["Retry-After"] != "1" {
		t.Errorf("unexpected script %+v", s)
	}

	dir := t.TempDir()
	cases := map[string]string{
		"broken.json":  `{"replies": [`,
		"unknown.json": `{"replies": [{"txt": "typo"}]}`,
		"invalid.json": `{"replies": [{"output": [{"text": "a", "custom": {"name": "x", "input": ""}}]}]}`,
		"status.json":  `{"replies": [{"status": 200}]}`,
	}
	for name, content := range cases {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := fakemodel.LoadScript(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
	if _, err := fakemodel.LoadScript(filepath.Join(dir, "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// TestExampleScriptPlays runs the example end to end so it cannot rot.
func TestExampleScriptPlays(t *testing.T) {
	s, err := fakemodel.LoadScript("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	_, _, client := start(t, s)
	ctx := testContext(t)
	params := responsesParams("list files")
	params.Model = "gpt-5-mini"
	resp, err := drainResponses(client.Responses.NewStreaming(ctx, params))
	if err != nil || resp.completed == nil || resp.completed.Output[2].CallID != "call_ls" {
		t.Fatalf("reply 0: %v %+v", err, resp)
	}
	acc, err := drainChat(client.Chat.Completions.NewStreaming(ctx, chatParams("patch")))
	if err != nil || !strings.Contains(acc.Choices[0].Message.ToolCalls[0].Function.Arguments, "Begin Patch") {
		t.Fatalf("reply 1: %v", err)
	}
}

func TestGoScriptRoundTripsThroughJSON(t *testing.T) {
	in := fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{Name: "f", Arguments: "{"}}},
		Gate:   fakemodel.NewGate(1),
	}}}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("Gate")) || !bytes.Contains(data, []byte(`"call":{"name":"f","arguments":"{"}`)) {
		t.Errorf("json = %s", data)
	}
}
