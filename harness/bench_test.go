package harness_test

import (
	"context"
	"testing"

	"warden/harness/event"
	"warden/harness/tool"
)

// BenchmarkRoundTrip measures the harness's own cost for one tool-call round
// trip against the fake over loopback HTTP: a model request whose streamed
// reply is a tool call, the call dispatched to a tool that does nothing, its
// output appended, and the follow-up request answered with text. One op is
// one such turn (two model requests); the tool's own time is nil.
func BenchmarkRoundTrip(b *testing.B) {
	for _, w := range allWires() {
		b.Run(w.name, func(b *testing.B) {
			fm, url := fake(b)
			noop := funcTool{name: "noop", run: func() {}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				fm.Push(reply(call("", "noop", `{}`)), reply(text("done")))
				sess, _ := newSession(b, w, url, sessionConfig{tools: []tool.Tool{noop}})
				b.StartTimer()
				if res := sess.RunTurn(context.Background(), "go"); res.Status != event.TurnCompleted {
					b.Fatalf("turn %+v", res)
				}
			}
		})
	}
}
