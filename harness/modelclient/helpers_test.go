package modelclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/model"
)

const testKey = "sk-test-0123456789abcdef"

// startFake serves script over real HTTP and returns the fake and a config
// pointing at it.
func startFake(t *testing.T, script fakemodel.Script) (*fakemodel.Server, Config) {
	t.Helper()
	fake := fakemodel.New(script)
	srv := httptest.NewServer(fake)
	// Cleanups run last-in first-out: release parked streams, then stop.
	t.Cleanup(srv.Close)
	t.Cleanup(fake.Close)
	return fake, Config{BaseURL: srv.URL + "/v1", APIKey: testKey}
}

// startHandler serves a hand-written handler, for wire shapes and faults the
// fake does not script.
func startHandler(t *testing.T, h http.HandlerFunc) Config {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return Config{BaseURL: srv.URL + "/v1", APIKey: testKey}
}

// sseData writes Chat-style events ("data:" lines only) and flushes.
func sseData(w http.ResponseWriter, data ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, d := range data {
		fmt.Fprintf(w, "data: %s\n\n", compact(d))
	}
	w.(http.Flusher).Flush()
}

// sseTyped writes Responses-style events: an "event:" line named after the
// JSON's "type", then the data.
func sseTyped(w http.ResponseWriter, data ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, d := range data {
		var ev struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal([]byte(d), &ev); err != nil {
			panic(fmt.Sprintf("bad test event %s: %v", d, err))
		}
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, compact(d))
	}
	w.(http.Flusher).Flush()
}

// deltas records what a stream reported, safely: onDelta runs on the
// caller's goroutine, but tests may look from elsewhere.
type deltas struct {
	mu  sync.Mutex
	all []model.Delta
}

func (d *deltas) add(x model.Delta) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.all = append(d.all, x)
}

// text concatenates the deltas of one kind.
func (d *deltas) text(kind model.DeltaKind) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var b strings.Builder
	for _, x := range d.all {
		if x.Kind == kind {
			b.WriteString(x.Text)
		}
	}
	return b.String()
}

func (d *deltas) ofKind(kind model.DeltaKind) []model.Delta {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []model.Delta
	for _, x := range d.all {
		if x.Kind == kind {
			out = append(out, x)
		}
	}
	return out
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// wantKind asserts err is a *model.Error of kind and returns it.
func wantKind(t *testing.T, err error, kind model.ErrorKind) *model.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", kind)
	}
	me, ok := model.AsError(err)
	if !ok {
		t.Fatalf("got %T %v, want a *model.Error of kind %s", err, err, kind)
	}
	if me.Kind != kind {
		t.Fatalf("got kind %s (%v), want %s", me.Kind, err, kind)
	}
	if strings.Contains(err.Error(), testKey) {
		t.Fatalf("error text contains the API key: %v", err)
	}
	return me
}

// bodyOf decodes the n-th recorded request body.
func bodyOf(t *testing.T, fake *fakemodel.Server, n int) map[string]any {
	t.Helper()
	reqs := fake.Requests()
	if len(reqs) <= n {
		t.Fatalf("got %d requests, want more than %d", len(reqs), n)
	}
	m, err := reqs[n].JSON()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// jsonEqual compares a decoded value with the JSON text want.
func jsonEqual(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON for %s: %v", what, err)
	}
	// Round-trip got so that typed values compare as plain JSON.
	raw, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g any
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, raw, compact(want))
	}
}

func compact(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func isCanceled(err error) bool {
	_, isModel := model.AsError(err)
	return errors.Is(err, context.Canceled) && !isModel
}
