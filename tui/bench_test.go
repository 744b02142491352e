package tui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
)

// Benchmarks for the figures in BENCHMARKS.md:
//
//	go test -run '^$' -bench . -benchmem ./tui/

// BenchmarkStartToFirstFrame: building the root model, its first update
// (the terminal's size) and its first frame.
func BenchmarkStartToFirstFrame(b *testing.B) {
	for b.Loop() {
		m := New(Options{Session: &fakeSession{}, Version: "bench", Print: func(string) tea.Cmd { return nil }})
		m.Init()
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
		_ = m.View()
	}
}

// sessionWith builds a model whose transcript holds about n finished cells
// (a user message, an answer and a command per exchange), all printed into
// the scrollback, plus a live answer streaming and a command running.
func sessionWith(b *testing.B, n int) *rig {
	r := newRig(b, 100, 40)
	for i := 0; len(r.m.all) < n; i++ {
		id := fmt.Sprint(i)
		r.events(
			event.UserInputQueued{Input: "please look at file " + id},
			event.TextDelta{Delta: "Looking at **file " + id + "** now.\n\nIt has a `main` function."},
			answer("Looking at **file "+id+"** now.\n\nIt has a `main` function."),
			shellStarted(id, "go test ./pkg"+id),
			event.ToolOutputDelta{CallID: id, Delta: "ok  \tpkg\t0.1s\nPASS\n"},
			finished(id, 0, time.Second),
		)
		r.printed = r.printed[:0] // the terminal keeps the scrollback, not the model
	}
	r.events(event.TurnStarted{TurnID: 1}, event.TextDelta{Delta: "A streaming answer with **bold** text and a list:\n\n- one\n- two"},
		shellStarted("live", "make build"), event.ToolOutputDelta{CallID: "live", Delta: strings.Repeat("compiling something\n", 50)})
	return r
}

// BenchmarkFrame is the cost of one frame with 10 and with 10,000
// finished cells: it must be about the same.
func BenchmarkFrame(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("cells=%d", n), func(b *testing.B) {
			r := sessionWith(b, n)
			b.ResetTimer()
			for b.Loop() {
				r.m.spinner++
				_ = r.m.view() // uncached: the whole cost of drawing a frame
			}
		})
	}
}

// BenchmarkStream200KB streams a 200 KB markdown answer as fast as
// possible, one 16-byte delta per message, with a frame after each, as
// bubbletea does.
func BenchmarkStream200KB(b *testing.B) {
	doc := benchMarkdown(200 << 10)
	var deltas []event.Event
	for i := 0; i < len(doc); i += 16 {
		deltas = append(deltas, event.TextDelta{Delta: doc[i:min(i+16, len(doc))]})
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		r := newRig(b, 100, 40)
		r.m.frame.interval = frameInterval // as in the product
		r.events(event.TurnStarted{TurnID: 1})
		for _, d := range deltas {
			r.m.Update(eventsMsg{d})
			r.settle()
			_ = r.m.View()
		}
		r.events(answer(doc), event.TurnFinished{Status: event.TurnCompleted})
	}
}

// BenchmarkMemory10000Cells reports the heap a session of 10,000 finished
// cells holds.
func BenchmarkMemory10000Cells(b *testing.B) {
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r := sessionWith(b, 10_000)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-heap")
		runtime.KeepAlive(r)
	}
}

// benchMarkdown is a deterministic markdown document of about size bytes:
// headings, paragraphs, lists, code blocks and tables.
func benchMarkdown(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "## Section %d\n\nThis paragraph explains **part %d** of the change, with `inline code` and a [link](https://example.com/%d). It runs long enough to wrap across several lines of a normal terminal window.\n\n", i, i, i)
		fmt.Fprintf(&b, "- first point about %d\n- second point, with *emphasis*\n- third point\n\n", i)
		fmt.Fprintf(&b, "```go\nfunc step%d(x int) int {\n\treturn x * %d\n}\n```\n\n", i, i)
		if i%4 == 0 {
			fmt.Fprintf(&b, "| name | value |\n|------|-------|\n| a%d | %d |\n| b%d | %d |\n\n", i, i, i, i*2)
		}
	}
	return b.String()
}
