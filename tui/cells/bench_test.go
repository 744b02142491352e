package cells

import (
	"strings"
	"testing"

	"warden/harness/event"
)

// BenchmarkExecAppend streams 1 MB of output into a command's cell in
// 4 KB deltas, as the shell tool batches it.
func BenchmarkExecAppend(b *testing.B) {
	line := "ok  \twarden/tui/cells\t0.412s \x1b[32mPASS\x1b[0m\n"
	delta := strings.Repeat(line, 4096/len(line))
	n := (1 << 20) / len(delta)
	b.SetBytes(int64(n * len(delta)))
	b.ReportAllocs()
	for b.Loop() {
		e := NewExec("c", "go test ./...", "", t0)
		for range n {
			e.AppendOutput(delta)
		}
	}
}

// BenchmarkRenderRunningExec draws one frame of a running command that
// has printed a lot: the cost must not depend on how much.
func BenchmarkRenderRunningExec(b *testing.B) {
	e := NewExec("c", "go test -race ./...", "tui", t0)
	e.AppendOutput(numbered("=== RUN   TestSomething/with_a_longer_name", 100000))
	e.AppendOutput("--- PASS: TestSomething (0.0")
	ctx := newContext(120, themes[1].opts, false)
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Render(ctx)
	}
}

// BenchmarkRenderFinishedExec draws a finished command collapsed, once
// per cell in a session.
func BenchmarkRenderFinishedExec(b *testing.B) {
	e := NewExec("c", "go test -race ./...", "", t0)
	e.AppendOutput(numbered("=== RUN   TestSomething", 1000))
	e.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(0)})
	ctx := newContext(120, themes[1].opts, false)
	ctx.PagerKey = "ctrl+t"
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Render(ctx)
	}
}
