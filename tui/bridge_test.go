package tui

import (
	"fmt"
	"sync"
	"testing"

	"warden/harness/event"
)

// Events sunk from many goroutines all arrive, each goroutine's in its
// order, in batches; Close ends the wait.
func TestBridgeDeliversEverythingInOrder(t *testing.T) {
	b := NewBridge()
	const senders, each = 8, 500
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				b.Sink(event.ToolOutputDelta{CallID: fmt.Sprint(s), Delta: fmt.Sprint(i)})
			}
		}()
	}
	next := map[string]int{}
	got, batches := 0, 0
	for got < senders*each {
		msg, ok := b.next()().(eventsMsg)
		if !ok || len(msg) == 0 {
			t.Fatalf("empty or wrong message %T", msg)
		}
		batches++
		for _, e := range msg {
			d := e.(event.ToolOutputDelta)
			if d.Delta != fmt.Sprint(next[d.CallID]) {
				t.Fatalf("sender %s: got %s, want %d", d.CallID, d.Delta, next[d.CallID])
			}
			next[d.CallID]++
			got++
		}
	}
	wg.Wait()
	t.Logf("%d events in %d batches", got, batches)
	done := make(chan any)
	go func() { done <- b.next()() }()
	b.Close()
	if msg := <-done; msg != nil {
		t.Fatalf("after Close: %v", msg)
	}
}
