package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

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

	mu       sync.Mutex
	sess     *launch.Session
	baseline *workspace.Baseline
}

// startSession starts a session with st and records the workspace as it is
// now, for /diff.
func (c *sessionControl) startSession(r tuiRun) (*launch.Session, error) {
	sess, err := launch.Start(launch.Params{
		Settings: r.settings,
		Cwd:      r.cwd,
		Getenv:   r.getenv,
		Sink:     c.bridge.Sink,
		Version:  version(),
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sess = sess
	// The repository's root, not the directory warden was started in, so
	// that every .gitignore of the project applies and paths read as in git.
	c.baseline = workspace.Start(rules.ProjectRoot(r.cwd), workspace.Options{})
	return sess, nil
}

func (c *sessionControl) current() (*launch.Session, *workspace.Baseline) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess, c.baseline
}

// Close ends the session in force: a turn still running is stopped and has
// recorded how it ended before the transcript closes.
func (c *sessionControl) Close() error {
	sess, baseline := c.current()
	if sess == nil {
		return nil
	}
	sess.Shutdown()
	return errors.Join(sess.Close(), baseline.Close())
}

func (c *sessionControl) StatusReport() string {
	sess, _ := c.current()
	return statusReport(sess.Settings(), sess, c.run)
}

func (c *sessionControl) Models(ctx context.Context) ([]string, error) {
	sess, _ := c.current()
	st := sess.Settings()
	return modelclient.ListModels(ctx, modelclient.Config{BaseURL: st.Provider.BaseURL, APIKey: st.APIKey})
}

func (c *sessionControl) SetModel(model, effort string) error {
	sess, _ := c.current()
	return sess.SetModel(model, effort)
}

func (c *sessionControl) SetPreset(preset string) (tui.Access, error) {
	sess, _ := c.current()
	if err := sess.SetPreset(preset); err != nil {
		return tui.Access{}, err
	}
	sb := sess.Sandbox()
	return tui.Access{Mode: sb.Mode, Why: sb.Why, Network: sb.Network, Policy: sess.Settings().ApprovalPolicy}, nil
}

func (c *sessionControl) Permissions() []tui.Permission {
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
	sess, _ := c.current()
	return sess.Revoke(perm)
}

func (c *sessionControl) Diff(ctx context.Context) ([]event.FileChange, error) {
	_, baseline := c.current()
	return baseline.Diff(ctx)
}

// NewSession ends the session in force and starts another with the
// settings the user has now (a model or preset chosen meanwhile included).
func (c *sessionControl) NewSession() (tui.Session, error) {
	old, oldBaseline := c.current()
	r := c.run
	r.settings = old.Settings()
	old.Shutdown()
	if err := errors.Join(old.Close(), oldBaseline.Close()); err != nil {
		c.bridge.Sink(event.Error{Kind: "transcript", Message: "closing the last session: " + err.Error()})
	}
	sess, err := c.startSession(r)
	if err != nil {
		return nil, fmt.Errorf("start a new session: %w", err)
	}
	return sess, nil
}
