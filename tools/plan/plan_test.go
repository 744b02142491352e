package plan

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"warden/harness/event"
	"warden/harness/tool"
	"warden/tools/internal/tooltest"
)

func run(t *testing.T, input string) (tool.Result, []event.Event, error) {
	t.Helper()
	env := &tooltest.Env{}
	res, err := New().Run(context.Background(), tool.Call{ID: "c", Name: Name, Input: input}, env)
	return res, env.Events(), err
}

func TestUpdatePlanEmitsThePlan(t *testing.T) {
	t.Parallel()
	res, events, err := run(t, `{"explanation": "Two parts.", "plan": [{"step": "Read the code", "status": "completed"}, {"step": "Fix the bug", "status": "in_progress"}, {"step": "Test", "status": "pending"}]}`)
	if err != nil || res.Output != "Plan updated" {
		t.Fatalf("%+v, %v", res, err)
	}
	want := []event.Event{event.PlanUpdated{Explanation: "Two parts.", Steps: []event.PlanStep{
		{Step: "Read the code", Status: Completed}, {Step: "Fix the bug", Status: InProgress}, {Step: "Test", Status: Pending},
	}}}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("events %+v", events)
	}
}

func TestAnEmptyPlanClearsIt(t *testing.T) {
	t.Parallel()
	_, events, err := run(t, `{"plan": []}`)
	if err != nil || len(events) != 1 || len(events[0].(event.PlanUpdated).Steps) != 0 {
		t.Errorf("%+v, %v", events, err)
	}
}

func TestBadPlansAreRefusedAndNotEmitted(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`{}`,
		`{"plan": "do it"}`,
		`{"plan": [{"step": "a", "status": "done"}]}`,
		`{"plan": [{"step": "", "status": "pending"}]}`,
		`{"plan": [{"step": "a", "status": "in_progress"}, {"step": "b", "status": "in_progress"}]}`,
	} {
		_, events, err := run(t, in)
		if !errors.Is(err, tool.ErrBadArguments) || len(events) != 0 {
			t.Errorf("%s: err %v, events %v", in, err, events)
		}
	}
}
