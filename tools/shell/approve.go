package shell

import (
	"context"
	"fmt"
	"strings"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/harness/rules"
	"warden/harness/tool"
	"warden/sandbox"
)

// approve puts the command to the approval engine, and to the user when
// the engine says ask. It returns the runner to run it with, or nil and
// the result to give the model instead.
func (t *Tool) approve(ctx context.Context, env tool.Env, argv []string, dir string, p params, escalate bool) (*sandbox.Runner, tool.Result) {
	v := t.approvals.JudgeCommand(p.Command, escalate)
	switch v.Decision {
	case rules.Deny:
		return nil, tool.Result{Status: "denied", Output: "refused, nothing ran: " + v.Reason + ". Do the task another way, or tell the user what needs to run."}
	case rules.Allow:
		return t.runnerFor(v.Sandboxed)
	}
	d, err := env.RequestApproval(ctx, event.ApprovalRequested{
		Kind:           "command",
		Command:        argv,
		Script:         p.Command,
		Cwd:            dir,
		Justification:  p.Justification,
		Reason:         v.Reason,
		Escalation:     !v.Sandboxed,
		PrefixRule:     p.PrefixRule,
		ProposedPrefix: v.Prefix,
		MinPrefix:      v.MinPrefix,
		PrefixOf:       v.PrefixOf,
		ProposedRule:   proposedRule(v),
		RuleFiles:      t.approvals.RuleFiles(),
	})
	if err != nil {
		return nil, tool.Result{Status: "denied", Output: fmt.Sprintf("not run: %v", err)}
	}
	if !d.Approved {
		return nil, deniedResult(d, !v.Sandboxed, v.Reason)
	}
	r, res := t.runnerFor(v.Sandboxed)
	if r != nil {
		if saved, err := t.approvals.Remember(d, p.Command, !v.Sandboxed); err != nil {
			env.Emit(event.Error{Kind: "rules", Message: "the rule was not saved: " + err.Error()})
		} else if saved != "" {
			env.Emit(event.RuleSaved{File: saved, Rule: approval.RuleFor(d.Prefix, !v.Sandboxed).String()})
		}
	}
	return r, res
}

// runnerFor is the sandboxed runner, or the unsandboxed one.
func (t *Tool) runnerFor(sandboxed bool) (*sandbox.Runner, tool.Result) {
	if sandboxed || t.cfg.Runner.Policy().Mode == sandbox.FullAccess {
		return t.cfg.Runner, tool.Result{}
	}
	if t.cfg.Unsandboxed == nil {
		return nil, tool.Result{Status: "denied", Output: "refused: running commands outside the sandbox is not available in this session"}
	}
	r, err := t.cfg.Unsandboxed()
	if err != nil {
		return nil, tool.Result{Status: "error", Output: fmt.Sprintf("not run: %v", err)}
	}
	return r, tool.Result{}
}

func deniedResult(d event.Decision, escalation bool, why string) tool.Result {
	msg := "The user denied this command."
	if escalation {
		msg = "The user denied running this command outside the sandbox."
	}
	if d.Unanswered {
		return tool.Result{Status: "denied", Output: "Not run: it needs the user's approval (" + why + "), and nobody can answer here. " + d.Message}
	}
	if d.Message != "" {
		msg += " They said: " + d.Message
	}
	if d.Stop {
		msg += " They stopped the turn: wait for their next message."
	}
	return tool.Result{Status: "denied", Output: msg, StopTurn: d.Stop}
}

// retryOutside offers the user, under untrusted, to run a command the
// sandbox blocked again without it; it returns the runner on yes.
func (t *Tool) retryOutside(ctx context.Context, env tool.Env, argv []string, dir string, p params, res tool.Result) *sandbox.Runner {
	if t.approvals.Policy != approval.Untrusted || t.cfg.Runner.Policy().Mode == sandbox.FullAccess {
		return nil
	}
	d, err := env.RequestApproval(ctx, event.ApprovalRequested{
		Kind:          "command",
		Command:       argv,
		Script:        p.Command,
		Cwd:           dir,
		Justification: p.Justification,
		Reason:        "the sandbox blocked " + denialList(res.Denials) + "; retry without the sandbox?",
		Escalation:    true,
	})
	if err != nil || !d.Approved {
		return nil
	}
	r, _ := t.runnerFor(false)
	return r
}

func denialList(ds []event.SandboxDenial) string {
	var parts []string
	for _, d := range ds {
		s := d.Op
		if d.Target != "" {
			s += " " + d.Target
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func proposedRule(v approval.Verdict) string {
	if len(v.Prefix) == 0 {
		return ""
	}
	return approval.RuleFor(v.Prefix, !v.Sandboxed).String()
}
