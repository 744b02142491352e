package event

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestMarshalPutsTheTypeFirst(t *testing.T) {
	code := 2
	b, err := Marshal(ToolCallFinished{CallID: "c1", Name: "shell", ExitCode: &code, Duration: 1500 * time.Millisecond, Output: "x", Status: "ok"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"tool_call_finished","call_id":"c1","name":"shell","exit_code":2,"duration_ns":1500000000,"output":"x","status":"ok"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestMarshalApprovalOmitsTheResponder(t *testing.T) {
	b, err := Marshal(ApprovalRequested{ID: "a1", Kind: "command", Respond: func(Decision) {}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["type"] != "approval_requested" || m["id"] != "a1" || strings.Contains(string(b), "Respond") {
		t.Fatalf("%s", b)
	}
}

func TestEveryEventHasADistinctTypeName(t *testing.T) {
	all := []Event{SessionStarted{}, SessionUpdated{}, TurnStarted{}, UserInputQueued{}, TextDelta{}, ReasoningDelta{}, ItemCompleted{},
		ToolCallStarted{}, ToolOutputDelta{}, ToolCallFinished{}, ApprovalRequested{}, PlanUpdated{}, TokenUsage{},
		Retrying{}, Error{}, TurnFinished{}}
	seen := map[string]bool{}
	for _, e := range all {
		if seen[e.Type()] {
			t.Fatalf("duplicate type %q", e.Type())
		}
		seen[e.Type()] = true
		if _, err := Marshal(e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestContextLeftPercent(t *testing.T) {
	cases := []struct {
		used, window int64
		want         int
	}{{0, 0, -1}, {100, 1000, 90}, {2000, 1000, 0}, {0, 400000, 100}}
	for _, c := range cases {
		if got := (TokenUsage{ContextUsed: c.used, ContextWindow: c.window}).ContextLeftPercent(); got != c.want {
			t.Errorf("used %d of %d: %d%%, want %d%%", c.used, c.window, got, c.want)
		}
	}
}
