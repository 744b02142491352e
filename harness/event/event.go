// Package event defines the typed events the harness emits while it works,
// and their stable JSON form.
//
// Events are the only way the harness talks to a front-end: the TUI,
// `warden exec --json` and tests all consume the same stream, so each type's
// name and fields are a public contract documented in docs/events.md. Add
// fields freely; never rename or repurpose one.
package event

import (
	"encoding/json"
	"fmt"
	"time"

	"warden/harness/model"
)

// Event is one thing that happened. Type returns its stable wire name.
type Event interface {
	Type() string
}

// Sink receives events in order. It is called from the harness's goroutines
// and must not block for long: a slow sink slows the agent down.
type Sink func(Event)

// SessionStarted opens every event stream.
type SessionStarted struct {
	SessionID      string `json:"session_id"`
	Model          string `json:"model"`
	Provider       string `json:"provider"`
	Wire           string `json:"wire"`
	Cwd            string `json:"cwd"`
	SandboxMode    string `json:"sandbox_mode"`
	ApprovalPolicy string `json:"approval_policy"`
	ContextWindow  int64  `json:"context_window,omitempty"`
	TranscriptPath string `json:"transcript_path,omitempty"`
}

// SessionUpdated: between turns, the user changed the model, its reasoning
// effort, the sandbox mode or the approval policy (the TUI's /model and
// /approvals). Every field is the value now in force, changed or not.
type SessionUpdated struct {
	Model           string `json:"model"`
	ReasoningEffort string `json:"reasoning_effort,omitempty"`
	SandboxMode     string `json:"sandbox_mode"`
	ApprovalPolicy  string `json:"approval_policy"`
	ContextWindow   int64  `json:"context_window,omitempty"`
}

// TurnStarted: the user's input was accepted and the loop began.
type TurnStarted struct {
	TurnID int    `json:"turn_id"`
	Input  string `json:"input"`
}

// UserInputQueued: input sent while a turn ran was added to the conversation
// at a step boundary.
type UserInputQueued struct {
	TurnID int    `json:"turn_id"`
	Input  string `json:"input"`
}

// TextDelta is a piece of the assistant's answer as it streams.
type TextDelta struct {
	ItemID string `json:"item_id,omitempty"`
	Delta  string `json:"delta"`
}

// ReasoningDelta is a piece of a reasoning summary as it streams.
type ReasoningDelta struct {
	ItemID string `json:"item_id,omitempty"`
	Delta  string `json:"delta"`
}

// ItemCompleted carries an item of the model's reply in its final form.
// Deltas are for display; this is authoritative.
type ItemCompleted struct {
	Item model.Item `json:"item"`
}

// ToolCallStarted: a tool call is about to run. Arguments holds the parsed
// JSON arguments of a function tool; Input the raw text of a freeform one.
type ToolCallStarted struct {
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Input     string          `json:"input,omitempty"`
}

// ToolOutputDelta is output of a running tool, as it comes.
type ToolOutputDelta struct {
	CallID string `json:"call_id"`
	Delta  string `json:"delta"`
}

// ToolCallFinished: the tool ended. ExitCode is set for tools that run a
// process. Output is what the model is sent.
type ToolCallFinished struct {
	CallID   string        `json:"call_id"`
	Name     string        `json:"name"`
	ExitCode *int          `json:"exit_code,omitempty"`
	Duration time.Duration `json:"duration_ns"`
	Output   string        `json:"output"`
	// Status is "ok", "error" (the tool failed or the call was invalid),
	// "denied" or "aborted".
	Status string `json:"status"`
	// Denials are what the sandbox stopped the call from doing.
	Denials []SandboxDenial `json:"denials,omitempty"`
	// TimedOut: the command ran out of time and was killed.
	TimedOut bool `json:"timed_out,omitempty"`
}

// SandboxDenial is something the sandbox stopped a command from doing:
// the operation ("write", "delete", "connect", …), the path or address
// when it is known, and the rule that stopped it.
type SandboxDenial struct {
	Op     string `json:"op"`
	Target string `json:"target,omitempty"`
	Reason string `json:"reason"`
}

// ApprovalRequested: a tool needs the user's decision. A front-end answers
// through Respond exactly once; the tool waits until it does, or until the
// turn is interrupted.
type ApprovalRequested struct {
	ID     string `json:"id"`
	CallID string `json:"call_id"`
	Kind   string `json:"kind"` // "command" or "patch"
	// Command is the argv that would run; Script the shell script the
	// model wrote, when the command is one.
	Command       []string `json:"command,omitempty"`
	Script        string   `json:"script,omitempty"`
	Cwd           string   `json:"cwd,omitempty"`
	Justification string   `json:"justification,omitempty"`
	Reason        string   `json:"reason,omitempty"`
	// Escalation: approving runs the command outside the sandbox.
	Escalation bool `json:"escalation,omitempty"`
	// PrefixRule is the command prefix the model suggests the user allow
	// from now on; only a suggestion, for the approvals engine to check.
	PrefixRule []string `json:"prefix_rule,omitempty"`
	// ProposedPrefix is the prefix warden offers to always allow (empty:
	// none is offered); the user may shorten it to MinPrefix tokens or
	// lengthen it to the whole command.
	ProposedPrefix []string `json:"proposed_prefix,omitempty"`
	MinPrefix      int      `json:"min_prefix,omitempty"`
	// PrefixOf is the command (one part of the script) the prefix is taken
	// from: the user may lengthen the prefix up to all of it.
	PrefixOf []string `json:"prefix_of,omitempty"`
	// ProposedRule is the rule "always allow" would save for
	// ProposedPrefix, exactly as it would be written.
	ProposedRule string `json:"proposed_rule,omitempty"`
	// RuleFiles are where a rule is saved, by Decision.Remember scope
	// ("project", "user"), so front-ends can show it before saving.
	RuleFiles map[string]string `json:"rule_files,omitempty"`
	// Changes are what a patch would do, file by file (Kind "patch").
	Changes []FileChange `json:"changes,omitempty"`
	// Respond delivers the answer back to the harness.
	Respond func(Decision) `json:"-"`
}

// Remember scopes of a Decision.
const (
	// RememberSession: allow this exact command (or these files) for the
	// rest of the session.
	RememberSession = "session"
	// RememberProject and RememberUser: save a rule allowing Prefix, for
	// this project (in the user's config directory) or everywhere.
	RememberProject = "project"
	RememberUser    = "user"
)

// Decision answers an ApprovalRequested.
type Decision struct {
	Approved bool `json:"approved"`
	// Remember is "" (this once), RememberSession, RememberProject or
	// RememberUser.
	Remember string `json:"remember,omitempty"`
	// Prefix is the command prefix to save, with RememberProject or
	// RememberUser (the proposed one, or as the user changed it).
	Prefix []string `json:"prefix,omitempty"`
	// Message is told to the model with a denial.
	Message string `json:"message,omitempty"`
	// Stop ends the turn after a denial.
	Stop bool `json:"stop,omitempty"`
	// Unanswered: nobody was there to answer (warden exec), so the
	// request was refused; Message says why.
	Unanswered bool `json:"unanswered,omitempty"`
}

// PlanStep is one step of the agent's plan.
type PlanStep struct {
	Step   string `json:"step"`
	Status string `json:"status"` // pending, in_progress, completed
}

// PlanUpdated: the model replaced its plan.
type PlanUpdated struct {
	Explanation string     `json:"explanation,omitempty"`
	Steps       []PlanStep `json:"steps"`
}

// FileChange is one file's part of a patch: its path (as the patch gave
// it), "add", "update" or "delete", the new path of a moved file, and a
// unified diff with its counts of added and removed lines.
type FileChange struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	MoveTo  string `json:"move_to,omitempty"`
	Diff    string `json:"diff"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
}

// RuleSaved: a rule the user chose with an approval ("always allow") was
// written to File; Rule is its text as written there.
type RuleSaved struct {
	File string `json:"file"`
	Rule string `json:"rule"`
}

// PatchApplied: a patch changed files on disk. Front-ends render its diffs.
type PatchApplied struct {
	CallID  string       `json:"call_id"`
	Changes []FileChange `json:"changes"`
}

// TokenUsage reports usage after each model reply: the reply's own, the
// running totals of the turn and the session, and how much of the context
// window the last request used (ContextWindow 0 means unknown).
type TokenUsage struct {
	Last          model.Usage `json:"last"`
	Turn          model.Usage `json:"turn"`
	Session       model.Usage `json:"session"`
	ContextUsed   int64       `json:"context_used"`
	ContextWindow int64       `json:"context_window,omitempty"`
}

// ContextLeftPercent is the share of the window not yet used, or -1 when the
// window is unknown.
func (u TokenUsage) ContextLeftPercent() int {
	if u.ContextWindow <= 0 {
		return -1
	}
	left := u.ContextWindow - u.ContextUsed
	if left < 0 {
		left = 0
	}
	return int(left * 100 / u.ContextWindow)
}

// Retrying: a model request failed in a way that may pass, and the harness
// will try again after Delay. Front-ends should discard the partial reply
// they were showing.
type Retrying struct {
	Attempt     int           `json:"attempt"`
	MaxAttempts int           `json:"max_attempts"`
	Delay       time.Duration `json:"delay_ns"`
	Kind        string        `json:"kind"`
	Reason      string        `json:"reason"`
}

// Error: something went wrong. Fatal errors end the turn.
type Error struct {
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message"`
	Fatal   bool   `json:"fatal"`
}

// Turn statuses.
const (
	TurnCompleted   = "completed"
	TurnInterrupted = "interrupted"
	TurnFailed      = "failed"
)

// TurnFinished closes a turn. FinalText is the last assistant message.
type TurnFinished struct {
	TurnID    int           `json:"turn_id"`
	Status    string        `json:"status"`
	FinalText string        `json:"final_text,omitempty"`
	Steps     int           `json:"steps"`
	Usage     model.Usage   `json:"usage"`
	Duration  time.Duration `json:"duration_ns"`
	Error     string        `json:"error,omitempty"`
}

func (SessionStarted) Type() string    { return "session_started" }
func (SessionUpdated) Type() string    { return "session_updated" }
func (TurnStarted) Type() string       { return "turn_started" }
func (UserInputQueued) Type() string   { return "user_input_queued" }
func (TextDelta) Type() string         { return "text_delta" }
func (ReasoningDelta) Type() string    { return "reasoning_delta" }
func (ItemCompleted) Type() string     { return "item_completed" }
func (ToolCallStarted) Type() string   { return "tool_call_started" }
func (ToolOutputDelta) Type() string   { return "tool_output_delta" }
func (ToolCallFinished) Type() string  { return "tool_call_finished" }
func (ApprovalRequested) Type() string { return "approval_requested" }
func (PlanUpdated) Type() string       { return "plan_updated" }
func (PatchApplied) Type() string      { return "patch_applied" }
func (RuleSaved) Type() string         { return "rule_saved" }
func (TokenUsage) Type() string        { return "token_usage" }
func (Retrying) Type() string          { return "retrying" }
func (Error) Type() string             { return "error" }
func (TurnFinished) Type() string      { return "turn_finished" }

// Marshal renders an event as one JSON object whose first field is "type".
func Marshal(e Event) ([]byte, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshal %s event: %w", e.Type(), err)
	}
	out := make([]byte, 0, len(body)+len(e.Type())+12)
	out = append(out, `{"type":`...)
	out = append(out, fmt.Sprintf("%q", e.Type())...)
	if len(body) > 2 {
		out = append(out, ',')
	}
	out = append(out, body[1:]...)
	return out, nil
}
