// Package tools assembles the model's tools for a session: shell_command,
// apply_patch and update_plan (each in its own package), sharing one
// sandbox runner, so that every command and every patch of a session is
// confined by the same policy.
package tools

import (
	"errors"
	"fmt"
	"sync"

	"warden/harness/approval"
	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/patch"
	"warden/tools/plan"
	"warden/tools/shell"
)

// Config is what the tools need from the session.
type Config struct {
	// Sandbox configures the session's runner.
	Sandbox sandbox.Config
	// Shell is the user's shell ($SHELL).
	Shell string
	// Approvals decides what needs the user (nil: on-request, no rules).
	Approvals *approval.Engine
	// ProjectRoot is what patch rules' paths are relative to.
	ProjectRoot string
	// OutputTokens is the budget of command output sent to the model.
	OutputTokens int
}

// Set is a session's tools and the runner behind them.
type Set struct {
	Registry *tool.Registry
	runner   *sandbox.Runner
	cfg      sandbox.Config

	mu          sync.Mutex
	unsandboxed *sandbox.Runner
}

// New builds the tools. Close the Set when the session ends.
func New(cfg Config) (*Set, error) {
	runner, err := sandbox.NewRunner(cfg.Sandbox)
	if err != nil {
		return nil, fmt.Errorf("set up the sandbox: %w", err)
	}
	s := &Set{runner: runner, cfg: cfg.Sandbox}
	patchTool, err := patch.New(patch.Config{
		Runner:      runner,
		ChildPath:   cfg.Sandbox.HelperPath, // the same binary: warden's
		Approvals:   cfg.Approvals,
		ProjectRoot: cfg.ProjectRoot,
		Protect:     cfg.Sandbox.Protect,
	})
	if err != nil {
		runner.Close()
		return nil, err
	}
	shellTool, err := shell.New(shell.Config{
		Runner:       runner,
		Unsandboxed:  s.unsandboxedRunner,
		Shell:        cfg.Shell,
		Approvals:    cfg.Approvals,
		OutputTokens: cfg.OutputTokens,
		Patcher:      patchTool,
	})
	if err != nil {
		runner.Close()
		return nil, err
	}
	reg, err := tool.NewRegistry(shellTool, patchTool, plan.New())
	if err != nil {
		runner.Close()
		return nil, err
	}
	s.Registry = reg
	return s, nil
}

// unsandboxedRunner is the runner of commands the user let out of the
// sandbox: the session's settings (environment filter, timeouts) with no
// confinement. It is made on the first escalation.
func (s *Set) unsandboxedRunner() (*sandbox.Runner, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unsandboxed != nil {
		return s.unsandboxed, nil
	}
	cfg := s.cfg
	cfg.Policy.Mode = sandbox.FullAccess
	cfg.Policy.WritableRoots = nil
	r, err := sandbox.NewRunner(cfg)
	if err != nil {
		return nil, fmt.Errorf("set up the unsandboxed runner: %w", err)
	}
	s.unsandboxed = r
	return r, nil
}

// Close stops the runners and removes their temporary directories.
func (s *Set) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.runner.Close()
	if s.unsandboxed != nil {
		err = errors.Join(err, s.unsandboxed.Close())
	}
	return err
}
