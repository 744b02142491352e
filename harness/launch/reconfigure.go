package launch

import (
	"errors"
	"fmt"

	"warden/harness"
	"warden/harness/approval"
	"warden/harness/config"
	"warden/harness/rules"
)

// SetModel puts another model and reasoning effort ("" leaves it to the
// provider) in force from the next turn. It is refused while a turn runs.
func (s *Session) SetModel(model, effort string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.settings.WithModel(model, effort)
	if err != nil {
		return err
	}
	cur := s.Session.Settings()
	cur.Model, cur.ReasoningEffort, cur.ContextWindow = st.Model, st.ReasoningEffort, st.ContextWindow
	cur.ReasoningSummary = st.ReasoningSummary
	cur.IncludeReasoning = config.Reasons(st.Model) || st.ReasoningEffort != ""
	if err := s.Session.Reconfigure(cur, ""); err != nil {
		return fmt.Errorf("change the model: %w", reconfigureErr(err))
	}
	s.settings = st
	return nil
}

// SetPreset puts a preset's sandbox mode and approval policy in force from
// the next turn (config.PresetReadOnly, PresetAuto, PresetFullAccess): the
// tools are rebuilt under the new sandbox, the commands allowed for the
// session stay allowed, and the model is told its new environment. It is
// refused while a turn runs.
func (s *Session) SetPreset(preset string) error {
	mode, policy, err := config.Preset(preset)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.engine == nil {
		return fmt.Errorf("change the sandbox: this session's tools were given to it and cannot be rebuilt")
	}
	st := s.settings
	st.SandboxMode, st.ApprovalPolicy, st.SandboxModeChosen = mode, policy, true
	network := networkOn(st)
	engine := s.engine.WithPolicy(policy, mode == config.SandboxFullAccess)
	if mode == config.SandboxReadOnly {
		engine.ForgetOutside()
	}
	set, err := newTools(s.params, st, s.perms, engine)
	if err != nil {
		return fmt.Errorf("change the sandbox: %w", err)
	}
	cur := s.Session.Settings()
	cur.SandboxMode, cur.ApprovalPolicy, cur.Tools = mode, policy, set.Registry
	cur.Instructions = baseInstructions(st, set.Registry)
	note := "The user changed the sandbox and approval settings. From now on:\n" + environment(s.params, st, network)
	if err := s.Session.Reconfigure(cur, note); err != nil {
		set.Close()
		return fmt.Errorf("change the sandbox: %w", reconfigureErr(err))
	}
	old := s.tools
	s.settings, s.engine, s.tools = st, engine, set
	s.sandbox = SandboxInfo{Mode: mode, Why: sandboxWhy(st, s.perms.Trusted), Network: network}
	if old != nil {
		old.Close()
	}
	return nil
}

// Permission is one thing in force that lets a command or patch through,
// or stops it: a rule with its source, or a command the user allowed for
// the session.
type Permission struct {
	Rule *rules.Rule
	// Exact is set instead of Rule for a command allowed for the session.
	Exact *approval.SessionApproval
}

// Permissions are every rule in force (user, project, personal, session)
// and every command allowed for the session, for /permissions.
func (s *Session) Permissions() []Permission {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Permission
	for _, r := range s.perms.Rules.Rules() {
		out = append(out, Permission{Rule: &r})
	}
	if s.engine != nil {
		for _, a := range s.engine.SessionApprovals() {
			out = append(out, Permission{Exact: &a})
		}
	}
	return out
}

// IgnoredRules are the project's allow rules not in force because the
// project is not trusted.
func (s *Session) IgnoredRules() []rules.Rule {
	return s.perms.Rules.Ignored()
}

// Revoke takes a permission back (see rules.Set.Revoke): what it allowed is
// asked again from the next command on.
func (s *Session) Revoke(p Permission) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case p.Rule != nil:
		return s.perms.Rules.Revoke(*p.Rule)
	case p.Exact != nil && s.engine != nil:
		if !s.engine.Forget(*p.Exact) {
			return fmt.Errorf("revoke: %q is not allowed for this session", p.Exact.Script)
		}
		return nil
	}
	return fmt.Errorf("revoke: nothing to revoke")
}

// reconfigureErr words the harness's refusals for a settings change.
func reconfigureErr(err error) error {
	switch {
	case errors.Is(err, harness.ErrTurnRunning):
		return fmt.Errorf("a turn is running; wait for it to end or interrupt it (%w)", err)
	case errors.Is(err, harness.ErrShutdown):
		return fmt.Errorf("this session has ended (%w)", err)
	}
	return err
}
