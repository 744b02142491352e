package harness_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"warden/fakemodel"
	"warden/harness/event"
	"warden/harness/tool"
)

// replay serves, for the i-th request of each turn, the bytes the fake
// produced the first time. Rendering and validating on every request would
// put the fake's own cost into the figure; replaying leaves only the
// harness, the client and loopback HTTP.
type replay struct {
	fake    http.Handler
	perTurn int

	mu     sync.Mutex
	n      int
	bodies [][]byte
	header []http.Header
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	i := r.n % r.perTurn
	r.n++
	cached := i < len(r.bodies)
	r.mu.Unlock()
	if !cached {
		rec := httptest.NewRecorder()
		r.fake.ServeHTTP(rec, req)
		r.mu.Lock()
		r.bodies = append(r.bodies, rec.Body.Bytes())
		r.header = append(r.header, rec.Header().Clone())
		r.mu.Unlock()
	}
	r.mu.Lock()
	body, h := r.bodies[i], r.header[i]
	r.mu.Unlock()
	for k, v := range h {
		w.Header()[k] = v
	}
	w.Write(body)
}

// BenchmarkRoundTrip measures the harness's own cost for one tool-call round
// trip over loopback HTTP: a model request whose streamed reply is a tool
// call, the call dispatched to a tool that does nothing, its output
// appended, and the follow-up request streamed and answered with text. One
// op is one such turn on a fresh session (session setup is not timed).
// Goal: well under 2 ms per op on CI's 2 cores.
func BenchmarkRoundTrip(b *testing.B) {
	for _, w := range allWires() {
		b.Run(w.name, func(b *testing.B) {
			fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{
				reply(call("call_1", "noop", `{"path":"README.md"}`)),
				reply(text("The file says hello; nothing else to do here.")),
			}})
			srv := httptest.NewServer(&replay{fake: fm, perTurn: 2})
			b.Cleanup(srv.Close)
			url := srv.URL + "/v1"
			noop := funcTool{name: "noop", run: func() {}}
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				sess, _ := newSession(b, w, url, sessionConfig{tools: []tool.Tool{noop}})
				b.StartTimer()
				if res := sess.RunTurn(context.Background(), "go"); res.Status != event.TurnCompleted {
					b.Fatalf("turn %+v", res)
				}
			}
		})
	}
}
