// Package tool is the one interface through which the agent loop runs tools.
//
// The loop knows nothing about shells, patches or plans: it looks a call up
// by name, hands it the call's raw input and an Env to report through, and
// sends whatever Result comes back to the model. Keeping that seam narrow is
// what lets tests register their own tools and the real ones live in tools/.
package tool

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"warden/harness/event"
	"warden/harness/model"
)

// Tool is something the model can call.
type Tool interface {
	// Spec is what the model is told: name, description, and a JSON schema
	// (function tool) or a grammar (freeform tool).
	Spec() model.ToolSpec
	// ParallelSafe reports whether calls of this tool may run concurrently
	// with other parallel-safe calls of the same reply.
	ParallelSafe() bool
	// Run executes one call. Input is the raw JSON arguments of a function
	// tool or the raw text of a freeform tool. An error return means the
	// tool itself failed; it is reported to the model, never fatal to the
	// loop. Run must return promptly once ctx is done.
	Run(ctx context.Context, call Call, env Env) (Result, error)
}

// Call is one invocation requested by the model.
type Call struct {
	ID    string
	Name  string
	Input string
}

// Result is what a tool call produced.
type Result struct {
	// Output is sent to the model verbatim.
	Output string
	// ExitCode is set by tools that run a process.
	ExitCode *int
	// Status overrides the finished event's status ("denied", "error");
	// empty means "ok".
	Status string
	// Denials are what the sandbox stopped the call from doing; they are
	// shown by front-ends (the Output should say so too, for the model).
	Denials []event.SandboxDenial
	// TimedOut: the process ran out of time and was killed.
	TimedOut bool
	// StopTurn: the user denied the call and asked to stop the turn.
	StopTurn bool
}

// Env is how a running tool reaches the rest of warden.
type Env interface {
	// Emit forwards an event to the front-ends (output deltas, plan
	// updates, patch diffs).
	Emit(event.Event)
	// RequestApproval asks the user and waits for the answer or for ctx.
	RequestApproval(ctx context.Context, req event.ApprovalRequested) (event.Decision, error)
}

// ErrBadArguments marks input the model sent that the tool cannot use; the
// loop tells the model what was wrong so it can correct itself.
var ErrBadArguments = errors.New("invalid arguments")

// BadArguments wraps a description of malformed input.
func BadArguments(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadArguments, fmt.Sprintf(format, args...))
}

// Registry holds the tools of a session, by name.
type Registry struct {
	tools map[string]Tool
}

// NewRegistry builds a registry; duplicate names are an error, since the
// model could not tell them apart.
func NewRegistry(tools ...Tool) (*Registry, error) {
	r := &Registry{tools: make(map[string]Tool, len(tools))}
	for _, t := range tools {
		name := t.Spec().Name
		if name == "" {
			return nil, errors.New("register tool: empty name")
		}
		if _, dup := r.tools[name]; dup {
			return nil, fmt.Errorf("register tool %q: already registered", name)
		}
		r.tools[name] = t
	}
	return r, nil
}

// Lookup finds a tool by name.
func (r *Registry) Lookup(name string) (Tool, bool) {
	if r == nil {
		return nil, false
	}
	t, ok := r.tools[name]
	return t, ok
}

// Names lists the registered tool names, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	names := make([]string, 0, len(r.tools))
	for n := range r.tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Specs lists the tool specs in name order, so requests are stable across
// steps (which keeps the provider's prompt cache warm).
func (r *Registry) Specs() []model.ToolSpec {
	names := r.Names()
	specs := make([]model.ToolSpec, 0, len(names))
	for _, n := range names {
		specs = append(specs, r.tools[n].Spec())
	}
	return specs
}
