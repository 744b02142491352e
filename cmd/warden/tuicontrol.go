package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"warden/harness"
	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/launch"
	"warden/harness/modelclient"
	"warden/harness/rules"
	"warden/harness/workspace"
	"warden/tui"
)

// sessionControl is the TUI's Control over the session warden started:
// what /status, /model, /approvals, /permissions, /diff and /new do. It
// owns the session (which /new replaces) and the workspace baseline /diff
// compares with.
type sessionControl struct {
	run    tuiRun
	bridge *tui.Bridge

	// op serialises the operations, so that one never acts on a session
	// another is replacing (two /new at once would leave a session open).
	op sync.Mutex

	mu       sync.Mutex
	sess     *launch.Session
	baseline *workspace.Baseline
	// chosen is what the user changed with /model and /approvals, which a
	// session started with /new keeps.
	chosen userChoices
}

// userChoices are the settings the user chose during the session.
type userChoices struct {
	model, effort string
	modelChosen   bool
	preset        string
}

// apply is st with the choices made; the rest (the sandbox mode a trusted
// project gets, say) is decided afresh, as at launch.
func (u userChoices) apply(st config.Settings) (config.Settings, error) {
	if u.modelChosen {
		var err error
		if st, err = st.WithModel(u.model, u.effort); err != nil {
			return st, err
		}
	}
	if u.preset != "" {
		mode, policy, err := config.Preset(u.preset)
		if err != nil {
			return st, err
		}
		st.SandboxMode, st.ApprovalPolicy, st.SandboxModeChosen = mode, policy, true
	}
	return st, nil
}

// startSession starts a session with r's settings and the user's choices,
// and records the workspace as it is now, for /diff. The session in force
// is not touched.
func (c *sessionControl) startSession(r tuiRun) (*launch.Session, *workspace.Baseline, error) {
	c.mu.Lock()
	chosen := c.chosen
	c.mu.Unlock()
	st, err := chosen.apply(r.settings)
	if err != nil {
		return nil, nil, err
	}
	sess, err := launch.Start(launch.Params{
		Settings: st,
		Cwd:      r.cwd,
		Getenv:   r.getenv,
		Sink:     c.bridge.Sink,
		Version:  version(),
	})
	if err != nil {
		return nil, nil, err
	}
	// The repository's root, not the directory warden was started in, so
	// that every .gitignore of the project applies and paths read as in git.
	return sess, workspace.Start(rules.ProjectRoot(r.cwd), workspace.Options{}), nil
}

// open starts the first session and puts it in force.
func (c *sessionControl) open() (tui.Session, error) {
	sess, baseline, err := c.startSession(c.run)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sess, c.baseline = sess, baseline
	return gatedSession{sess, baseline.Ready(), c.bridge.Sink}, nil
}

func (c *sessionControl) current() (*launch.Session, *workspace.Baseline) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess, c.baseline
}

// Close ends the session in force: a turn still running is stopped and has
// recorded how it ended before the transcript closes.
func (c *sessionControl) Close() error {
	c.op.Lock()
	defer c.op.Unlock()
	sess, baseline := c.current()
	if sess == nil {
		return nil
	}
	sess.Shutdown()
	return errors.Join(sess.Close(), baseline.Close())
}

func (c *sessionControl) StatusReport() string {
	c.op.Lock()
	defer c.op.Unlock()
	sess, _ := c.current()
	return statusReport(sess.Settings(), sess, c.run)
}

func (c *sessionControl) Models(ctx context.Context) ([]string, error) {
	sess, _ := c.current()
	st := sess.Settings()
	return modelclient.ListModels(ctx, modelclient.Config{BaseURL: st.Provider.BaseURL, APIKey: st.APIKey})
}

func (c *sessionControl) SetModel(model, effort string) error {
	c.op.Lock()
	defer c.op.Unlock()
	sess, _ := c.current()
	if err := sess.SetModel(model, effort); err != nil {
		return err
	}
	st := sess.Settings()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.chosen.model, c.chosen.effort, c.chosen.modelChosen = st.Model, st.ReasoningEffort, true
	return nil
}

func (c *sessionControl) SetPreset(preset string) (tui.Access, error) {
	c.op.Lock()
	defer c.op.Unlock()
	sess, _ := c.current()
	if err := sess.SetPreset(preset); err != nil {
		return tui.Access{}, err
	}
	c.mu.Lock()
	c.chosen.preset = preset
	c.mu.Unlock()
	sb := sess.Sandbox()
	return tui.Access{Mode: sb.Mode, Why: sb.Why, Network: sb.Network, Policy: sess.Settings().ApprovalPolicy}, nil
}

func (c *sessionControl) Permissions() []tui.Permission {
	c.op.Lock()
	defer c.op.Unlock()
	sess, _ := c.current()
	var out []tui.Permission
	for _, p := range sess.Permissions() {
		switch {
		case p.Rule != nil:
			r := *p.Rule
			perm := tui.Permission{
				Title:  fmt.Sprintf("%s %s", r.Decision, describe(r)),
				Source: r.Where(),
				Ref:    p,
			}
			switch r.Source.Kind {
			case rules.Session:
				perm.Source = "this session"
			case rules.Project:
				perm.NoRevoke = "this rule is the repository's own (.warden/rules.toml): edit that file to change it"
			}
			out = append(out, perm)
		case p.Exact != nil:
			title := "allow exactly: " + p.Exact.Script
			if p.Exact.Outside {
				title += " (outside the sandbox)"
			}
			out = append(out, tui.Permission{Title: title, Source: "this session", Ref: p})
		}
	}
	for _, r := range sess.IgnoredRules() {
		out = append(out, tui.Permission{
			Title:    "ignored: allow " + describe(r),
			Source:   r.Where(),
			NoRevoke: "not in force: the project is not trusted (warden trust)",
		})
	}
	return out
}

func (c *sessionControl) Revoke(p tui.Permission) error {
	perm, ok := p.Ref.(launch.Permission)
	if !ok {
		return fmt.Errorf("revoke: %s is not in force", p.Title)
	}
	c.op.Lock()
	defer c.op.Unlock()
	sess, _ := c.current()
	return sess.Revoke(perm)
}

// Diff compares without holding the other operations back: it can take
// long (a huge tree), and quitting or /new must not wait for it; a Diff
// whose baseline /new closes meanwhile says so.
func (c *sessionControl) Diff(ctx context.Context) ([]event.FileChange, error) {
	_, baseline := c.current()
	return baseline.Diff(ctx)
}

// NewSession starts another session, with the settings warden started with
// and the model and preset the user chose since, and only once it runs
// ends the one in force: a session that cannot start leaves the old one
// working.
func (c *sessionControl) NewSession() (tui.Session, error) {
	c.op.Lock()
	defer c.op.Unlock()
	sess, baseline, err := c.startSession(c.run)
	if err != nil {
		return nil, fmt.Errorf("start a new session: %w (the current one goes on)", err)
	}
	c.mu.Lock()
	old, oldBaseline := c.sess, c.baseline
	c.sess, c.baseline = sess, baseline
	c.mu.Unlock()
	old.Shutdown()
	if err := errors.Join(old.Close(), oldBaseline.Close()); err != nil {
		c.bridge.Sink(event.Error{Kind: "transcript", Message: "closing the last session: " + err.Error()})
	}
	return gatedSession{sess, baseline.Ready(), c.bridge.Sink}, nil
}

// gatedSession holds a turn until the workspace baseline is recorded, so
// that nothing the agent does is already in the baseline /diff compares
// with. The baseline takes a fraction of a second on most projects; past
// baselineWait the turn goes ahead, and the user is told what that means.
type gatedSession struct {
	*launch.Session
	ready <-chan struct{}
	warn  event.Sink
}

// baselineWait is the longest a first message waits for the baseline.
const baselineWait = 10 * time.Second

func (g gatedSession) RunTurn(ctx context.Context, input string) harness.TurnResult {
	timer := time.NewTimer(baselineWait)
	defer timer.Stop()
	select {
	case <-g.ready:
	case <-ctx.Done():
	case <-timer.C:
		g.warn(event.Error{Kind: "diff", Message: fmt.Sprintf(
			"the workspace is still being recorded for /diff after %s; the turn starts anyway, so /diff may miss what it changes first", baselineWait)})
	}
	return g.Session.RunTurn(ctx, input)
}
