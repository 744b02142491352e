package tui

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
)

// fakeControl records what the slash commands ask of the session.
type fakeControl struct {
	mu sync.Mutex

	report    string
	models    []string
	modelsErr error

	setModels   [][2]string
	setModelErr error
	presets     []string
	access      Access

	perms   []Permission
	revoked []Permission

	diff    []event.FileChange
	diffErr error

	next     Session
	newCalls int
}

func (f *fakeControl) StatusReport() string { return f.report }

func (f *fakeControl) Models(context.Context) ([]string, error) { return f.models, f.modelsErr }

func (f *fakeControl) SetModel(model, effort string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.setModels = append(f.setModels, [2]string{model, effort})
	return f.setModelErr
}

func (f *fakeControl) SetPreset(preset string) (Access, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presets = append(f.presets, preset)
	return f.access, nil
}

func (f *fakeControl) Permissions() []Permission {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Permission(nil), f.perms...)
}

func (f *fakeControl) Revoke(p Permission) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revoked = append(f.revoked, p)
	for i, q := range f.perms {
		if q.Ref == p.Ref {
			f.perms = append(f.perms[:i], f.perms[i+1:]...)
			break
		}
	}
	return nil
}

func (f *fakeControl) Diff(context.Context) ([]event.FileChange, error) { return f.diff, f.diffErr }

func (f *fakeControl) NewSession() (Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.newCalls++
	return f.next, nil
}

// deliver runs the commands and sends back what the control calls and
// /status answered, as bubbletea would.
func (r *rig) deliver(cmds []tea.Cmd) {
	for _, msg := range messages(cmds...) {
		switch msg.(type) {
		case statusMsg, modelsMsg, permissionsMsg, controlDoneMsg, diffMsg, newSessionMsg:
			r.deliver(r.send(msg))
		}
	}
}
