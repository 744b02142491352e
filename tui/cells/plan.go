package cells

import (
	"strings"

	"warden/harness/event"
)

// Plan is the agent's plan as it last updated it (event.PlanUpdated).
// Under its title, "• Updated plan":
//
//	└ Split the parser first, so the tests stay green.
//	  ✔ Read the parser
//	  → Split it into files
//	  □ Update the tests
type Plan struct {
	explanation string
	steps       []event.PlanStep
}

// NewPlan is the cell of a plan update.
func NewPlan(e event.PlanUpdated) *Plan {
	return &Plan{explanation: strings.TrimSpace(e.Explanation), steps: e.Steps}
}

// Done: a plan update never changes; the next one is a new cell.
func (p *Plan) Done() bool { return true }

// Render draws the explanation and the checklist.
func (p *Plan) Render(ctx Context) string {
	st := ctx.Styles
	width := atLeast1(ctx.Width - bodyIndent)
	var body []string
	if p.explanation != "" {
		for _, l := range wrap(p.explanation, width) {
			body = append(body, paint(st.Dim, l))
		}
	}
	for _, s := range p.steps {
		box, style := "□", st.Text
		switch s.Status {
		case "completed":
			box, style = "✔", st.StepDone
		case "in_progress":
			box, style = "→", st.StepActive
		}
		for i, l := range wrap(strings.TrimSpace(s.Step), width-2) {
			prefix := "  "
			if i == 0 {
				prefix = paint(style, box) + " "
			}
			body = append(body, prefix+paint(style, l))
		}
	}
	if len(p.steps) == 0 && p.explanation == "" {
		body = append(body, paint(st.Dim, "(no steps)"))
	}
	lines := append([]string{paint(st.Accent, bullet) + " " + paint(st.Bold, "Updated plan")}, indent(body, bodyPrefix(ctx), bodyRest)...)
	return block(lines, ctx.Width)
}
