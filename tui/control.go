package tui

import (
	"context"

	"warden/harness/event"
)

// Control is what the slash commands that look into or change the session
// need: /status, /model, /approvals, /permissions, /diff and /new. The
// front-end's command provides it over the session it started (tests
// provide their own), so the TUI never builds sessions or reads rules
// files itself. Every method may do I/O: the TUI calls them off its loop.
type Control interface {
	// StatusReport is what /status shows.
	StatusReport() string
	// Models lists the provider's models for /model.
	Models(ctx context.Context) ([]string, error)
	// SetModel puts a model and reasoning effort ("" for the provider's
	// default) in force from the next turn.
	SetModel(model, effort string) error
	// SetPreset puts a preset (read-only, auto, full-access) in force from
	// the next turn and returns the sandbox now in force.
	SetPreset(preset string) (Access, error)
	// Permissions are the rules in force and the commands allowed for the
	// session.
	Permissions() []Permission
	// Revoke takes one back.
	Revoke(p Permission) error
	// Diff is every change in the workspace since the session started.
	Diff(ctx context.Context) ([]event.FileChange, error)
	// NewSession starts a fresh session (the settings warden started with,
	// the model and preset chosen since) sending its events to the same
	// bridge, and then ends the one in force.
	NewSession() (Session, error)
}

// Access is the sandbox a session runs under and why.
type Access struct {
	Mode    string
	Why     string
	Network bool
	Policy  string
}

// Permission is one entry of /permissions.
type Permission struct {
	// Title is what it decides, as the user reads it ("allow git status …").
	Title string
	// Source is where it comes from: a file and line, or "this session".
	Source string
	// NoRevoke, when not empty, says why it cannot be revoked here.
	NoRevoke string
	// Ref identifies it to Control.Revoke.
	Ref any
}

// Messages of the control commands, run off the UI loop.
type (
	modelsMsg struct {
		names []string
		err   error
	}
	permissionsMsg struct{ perms []Permission }
	// controlDoneMsg reports a change: notice says what changed, err why
	// it was refused.
	controlDoneMsg struct {
		notice string
		access *Access
		err    error
		// reopen: show /permissions again, with what is left.
		reopen bool
	}
	diffMsg struct {
		changes []event.FileChange
		err     error
	}
	newSessionMsg struct {
		sess Session
		err  error
	}
)
