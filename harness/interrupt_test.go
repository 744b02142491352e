package harness_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"warden/fakemodel"
	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
)

func TestInterruptWhileStreaming(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		gate := fakemodel.NewGate(4)
		fm, url := fake(t,
			fakemodel.Reply{Gate: gate, ChunkSize: 2, Output: []fakemodel.Output{text("a long answer that never finishes")}},
			reply(text("second turn works")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{})
		go func() {
			<-gate.Reached()
			sess.Interrupt()
		}()
		res := sess.RunTurn(waitCtx(t), "hi")
		gate.Release()
		if res.Status != event.TurnInterrupted {
			t.Fatalf("result %+v", res)
		}
		if len(of[event.Retrying](rec)) != 0 {
			t.Fatal("an interrupt was retried")
		}
		// The history is valid: the fake rejects broken histories.
		res = sess.RunTurn(waitCtx(t), "again")
		if res.Status != event.TurnCompleted || res.FinalText != "second turn works" {
			t.Fatalf("next turn %+v", res)
		}
		if got := userTexts(t, fm.Requests()[1]); !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, "interrupted") }) {
			t.Fatalf("the model was not told about the interrupt: %q", got)
		}
	})
}

func TestInterruptWhileToolRuns(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		started := make(chan string, 1)
		fm, url := fake(t,
			reply(call("call_slow", "block", `{}`), call("call_next", "echo", `{"text":"x"}`)),
			reply(text("recovered")),
		)
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{blockTool{started: started}, echoTool{}}})
		go func() {
			<-started
			sess.Interrupt()
		}()
		res := sess.RunTurn(waitCtx(t), "run it")
		if res.Status != event.TurnInterrupted {
			t.Fatalf("result %+v", res)
		}
		fin := of[event.ToolCallFinished](rec)
		if len(fin) != 2 || fin[0].Status != "aborted" || !strings.HasPrefix(fin[0].Output, "aborted by user after ") ||
			fin[1].Status != "aborted" {
			t.Fatalf("finished %+v", fin)
		}
		res = sess.RunTurn(waitCtx(t), "continue")
		if res.Status != event.TurnCompleted {
			t.Fatalf("next turn %+v", res)
		}
		outs := toolOutputs(t, fm.Requests()[1])
		if !strings.HasPrefix(outs["call_slow"], "aborted by user after") || !strings.Contains(outs["call_next"], "interrupted") {
			t.Fatalf("outputs %v", outs)
		}
	})
}

// lateTool ignores cancellation and keeps emitting after its call was
// answered, as a badly behaved tool might.
type lateTool struct {
	started, release, returned chan struct{}
}

func (lateTool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: "late", Description: "Ignores cancel.", Parameters: []byte(`{"type":"object"}`)}
}
func (lateTool) ParallelSafe() bool { return false }
func (l lateTool) Run(ctx context.Context, c tool.Call, env tool.Env) (tool.Result, error) {
	defer close(l.returned)
	close(l.started)
	<-l.release
	env.Emit(event.ToolOutputDelta{CallID: c.ID, Delta: "too late"})
	_, err := env.RequestApproval(context.Background(), event.ApprovalRequested{Kind: "command"})
	return tool.Result{Output: "finished anyway"}, err
}

func TestEventsOfAnAbortedCallAreDropped(t *testing.T) {
	forEachWire(t, func(t *testing.T, w wire) {
		lt := lateTool{started: make(chan struct{}), release: make(chan struct{}), returned: make(chan struct{})}
		_, url := fake(t, reply(call("call_l", "late", `{}`)))
		sess, rec := newSession(t, w, url, sessionConfig{tools: []tool.Tool{lt}})
		go func() {
			<-lt.started
			sess.Interrupt()
		}()
		if res := sess.RunTurn(waitCtx(t), "go"); res.Status != event.TurnInterrupted {
			t.Fatalf("result %+v", res)
		}
		close(lt.release)
		<-lt.returned
		if d := of[event.ToolOutputDelta](rec); len(d) != 0 {
			t.Fatalf("late output reached the front-end: %+v", d)
		}
		if a := of[event.ApprovalRequested](rec); len(a) != 0 {
			t.Fatalf("late approval request reached the front-end: %+v", a)
		}
		if types := rec.types(); types[len(types)-1] != "turn_finished" {
			t.Fatalf("events after the turn ended: %v", types)
		}
	})
}

// Shutdown returns only once an interrupted turn has ended and said so,
// and no turn starts after it, so a front-end that quits mid-turn can close
// the session safely after it.
func TestShutdownEndsTheTurnAndRefusesNewOnes(t *testing.T) {
	gate := fakemodel.NewGate(4)
	fm, url := fake(t, fakemodel.Reply{Gate: gate, ChunkSize: 2, Output: []fakemodel.Output{text("a long answer that never finishes")}})
	sess, rec := newSession(t, allWires()[0], url, sessionConfig{})
	done := make(chan struct{})
	go func() {
		sess.RunTurn(waitCtx(t), "hi")
		close(done)
	}()
	<-gate.Reached()
	sess.Shutdown()
	if len(of[event.TurnFinished](rec)) != 1 {
		t.Fatal("Shutdown returned before the turn finished")
	}
	gate.Release()
	<-done
	if res := sess.RunTurn(waitCtx(t), "again"); !errors.Is(res.Err, harness.ErrShutdown) {
		t.Fatalf("a turn after Shutdown: %+v", res)
	}
	if len(fm.Requests()) != 1 || len(of[event.TurnStarted](rec)) != 1 {
		t.Fatal("a turn ran after Shutdown")
	}
}
