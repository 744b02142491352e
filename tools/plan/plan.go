// Package plan is the update_plan tool: the model keeps a short list of
// steps and their status, which front-ends show so the user can follow a
// long task. It changes nothing on disk and needs no approval; its only
// effect is the event it emits.
package plan

import (
	"context"
	"encoding/json"
	"strings"

	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
)

// Name is the tool's name, as the models know it.
const Name = "update_plan"

// Step statuses.
const (
	Pending    = "pending"
	InProgress = "in_progress"
	Completed  = "completed"
)

// maxSteps bounds a plan: a longer one is no longer a plan the user can
// follow, and an event that size would only be a model gone astray.
const maxSteps = 50

// Tool is update_plan.
type Tool struct{}

// New makes the tool.
func New() *Tool { return &Tool{} }

const description = `Updates the task plan.
Give an optional explanation and a list of steps, each with a status. At most one step may be in_progress at a time.`

var schema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "explanation": {"type": "string"},
    "plan": {
      "type": "array",
      "description": "The list of steps",
      "items": {
        "type": "object",
        "properties": {
          "step": {"type": "string"},
          "status": {"type": "string", "enum": ["pending", "in_progress", "completed"], "description": "One of: pending, in_progress, completed"}
        },
        "required": ["step", "status"],
        "additionalProperties": false
      }
    }
  },
  "required": ["plan"],
  "additionalProperties": false
}`)

// Spec describes the tool to the model.
func (Tool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: Name, Description: description, Parameters: schema}
}

// ParallelSafe: a plan update touches nothing the other tools use.
func (Tool) ParallelSafe() bool { return true }

type params struct {
	Explanation string            `json:"explanation"`
	Plan        *[]event.PlanStep `json:"plan"`
}

// Run checks the plan and emits it.
func (Tool) Run(_ context.Context, call tool.Call, env tool.Env) (tool.Result, error) {
	var p params
	if err := json.Unmarshal([]byte(call.Input), &p); err != nil {
		return tool.Result{}, tool.BadArguments("%v", err)
	}
	if p.Plan == nil {
		return tool.Result{}, tool.BadArguments("plan is missing: give a list of {\"step\", \"status\"} objects")
	}
	steps := *p.Plan
	if len(steps) > maxSteps {
		return tool.Result{}, tool.BadArguments("the plan has %d steps; keep it to at most %d", len(steps), maxSteps)
	}
	inProgress := 0
	for i, s := range steps {
		if strings.TrimSpace(s.Step) == "" {
			return tool.Result{}, tool.BadArguments("step %d has no text", i+1)
		}
		switch s.Status {
		case Pending, Completed:
		case InProgress:
			inProgress++
		default:
			return tool.Result{}, tool.BadArguments("step %d (%q) has status %q; use pending, in_progress or completed", i+1, s.Step, s.Status)
		}
	}
	if inProgress > 1 {
		return tool.Result{}, tool.BadArguments("%d steps are in_progress; at most one may be", inProgress)
	}
	env.Emit(event.PlanUpdated{Explanation: p.Explanation, Steps: append([]event.PlanStep{}, steps...)})
	return tool.Result{Output: "Plan updated"}, nil
}
