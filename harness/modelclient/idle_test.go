package modelclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/model"
)

const tinyIdle = 50 * time.Millisecond

func TestIdleTimeout(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		for _, after := range []int{0, 3} { // right after the headers, and mid-reply
			t.Run(fmt.Sprintf("after %d events", after), func(t *testing.T) {
				var cfg Config
				if after == 0 {
					// HangAfter 0 means never; park at a gate nobody opens.
					cfg, _ = gated(t, 0)
				} else {
					_, cfg = startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
						Output: []fakemodel.Output{{Text: "a reply that stalls"}}, ChunkSize: 2, HangAfter: after,
					}}})
				}
				cfg.IdleTimeout = tinyIdle
				_, err := newClient(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
				me := wantKind(t, err, model.ErrStreamIdle)
				if want := "no data from the model for 50ms; the stream was treated as cut"; me.Message != want {
					t.Errorf("Message = %q, want %q", me.Message, want)
				}
				if !me.Retryable() {
					t.Error("an idle stream must be retryable")
				}
			})
		}
	})
}

// gated serves one reply that parks after n events until the test ends.
func gated(t *testing.T, n int) (Config, *fakemodel.Gate) {
	t.Helper()
	g := fakemodel.NewGate(n)
	t.Cleanup(g.Release)
	_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
		Output: []fakemodel.Output{{Text: "a reply that stalls"}}, Gate: g,
	}}})
	return cfg, g
}

// A server that takes the request and never answers is cut too.
func TestIdleBeforeHeaders(t *testing.T) {
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		// Only once the body is read does the server notice a client leaving.
		io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	})
	cfg.IdleTimeout = tinyIdle
	_, err := NewResponses(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
	wantKind(t, err, model.ErrStreamIdle)
}

// Data arriving more often than the limit keeps the stream alive well past
// it, keep-alive comments included.
func TestIdleResetByData(t *testing.T) {
	// Gaps of a tenth of the limit leave room for a loaded CI machine;
	// twelve of them outlast the limit, so only resets can save the stream.
	const limit = time.Second
	const gap = limit / 10
	cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
		sseData(w) // headers
		for i := range 12 {
			time.Sleep(gap)
			if i%2 == 0 {
				fmt.Fprint(w, ": keep-alive\n\n")
				w.(http.Flusher).Flush()
				continue
			}
			sseData(w, `{"id":"c","choices":[{"index":0,"delta":{"content":"x"}}]}`)
		}
		sseData(w, `{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, "[DONE]")
	})
	cfg.IdleTimeout = limit
	start := time.Now()
	resp, err := NewChat(cfg).Stream(testContext(t), model.Request{Model: "m", Input: hi()}, nil)
	if err != nil {
		t.Fatalf("after %s: %v", time.Since(start), err)
	}
	if resp.Items[0].Text != "xxxxxx" || time.Since(start) < limit {
		t.Errorf("got %+v after %s", resp.Items, time.Since(start))
	}
}

// The caller's own cancellation is returned as is, never as a model error,
// and wins over anything still buffered.
func TestCallerCancellation(t *testing.T) {
	bothWires(t, func(t *testing.T, newClient func(Config) model.Client) {
		t.Run("mid-stream", func(t *testing.T) {
			_, cfg := startFake(t, fakemodel.Script{Replies: []fakemodel.Reply{{
				Output: []fakemodel.Output{{Text: "a long and complete reply"}}, ChunkSize: 2,
			}}})
			ctx, cancel := context.WithCancel(testContext(t))
			defer cancel()
			_, err := newClient(cfg).Stream(ctx, model.Request{Model: "m", Input: hi()}, func(d model.Delta) { cancel() })
			if !isCanceled(err) {
				t.Fatalf("err = %T %v, want context.Canceled", err, err)
			}
		})
		t.Run("while parked", func(t *testing.T) {
			cfg, g := gated(t, 2)
			ctx, cancel := context.WithCancel(testContext(t))
			go func() {
				<-g.Reached()
				cancel()
			}()
			_, err := newClient(cfg).Stream(ctx, model.Request{Model: "m", Input: hi()}, nil)
			if !isCanceled(err) {
				t.Fatalf("err = %T %v, want context.Canceled", err, err)
			}
		})
		t.Run("before headers", func(t *testing.T) {
			arrived := make(chan struct{})
			cfg := startHandler(t, func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				close(arrived)
				<-r.Context().Done()
			})
			ctx, cancel := context.WithCancel(testContext(t))
			go func() {
				<-arrived
				cancel()
			}()
			_, err := newClient(cfg).Stream(ctx, model.Request{Model: "m", Input: hi()}, nil)
			if !isCanceled(err) {
				t.Fatalf("err = %T %v, want context.Canceled", err, err)
			}
		})
	})
}

func TestDefaultIdleTimeout(t *testing.T) {
	tr := newTransport(Config{})
	if tr.idle != 300*time.Second || !strings.HasPrefix(tr.shown, "https://api.openai.com/v1") {
		t.Errorf("defaults: idle %s, base %s", tr.idle, tr.shown)
	}
}
