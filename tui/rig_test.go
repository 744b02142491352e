package tui

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness"
	"warden/harness/event"
	"warden/harness/model"
	"warden/tui/status"
)

// fakeSession records what the TUI asks of the harness.
type fakeSession struct {
	mu          sync.Mutex
	turns       []string
	queued      []string
	interrupted int
	result      harness.TurnResult
}

func (f *fakeSession) RunTurn(ctx context.Context, input string) harness.TurnResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.turns = append(f.turns, input)
	return f.result
}

func (f *fakeSession) Queue(input string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued = append(f.queued, input)
}

func (f *fakeSession) TakeQueued() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.queued
	f.queued = nil
	return q
}

func (f *fakeSession) Interrupt() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.interrupted++
}

// rig drives the root model as bubbletea would, recording what it prints
// into the scrollback.
type rig struct {
	t       testing.TB
	m       *Model
	sess    *fakeSession
	printed []string
	now     time.Time
}

var rigStart = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func newRig(t testing.TB, width, height int, edit ...func(*Options)) *rig {
	t.Helper()
	r := &rig{t: t, sess: &fakeSession{result: harness.TurnResult{Status: event.TurnCompleted}}, now: rigStart}
	o := Options{
		Session: r.sess,
		Status: status.Info{
			Model: "gpt-5", SandboxMode: "workspace-write", SandboxWhy: "trusted project",
			ApprovalPolicy: "on-request", Cwd: "/home/dev/proj", Home: "/home/dev", ContextLeft: -1,
		},
		Version: "test",
		NoColor: true,
		Now:     func() time.Time { return r.now },
		Print: func(s string) tea.Cmd {
			r.printed = append(r.printed, s)
			return nil
		},
	}
	for _, e := range edit {
		e(&o)
	}
	r.m = New(o)
	r.m.frame.interval = 0 // every view is fresh: tests look at each state
	r.m.Init()
	r.send(tea.WindowSizeMsg{Width: width, Height: height})
	return r
}

// send delivers messages and lets every print complete, returning the
// commands the model asked for.
func (r *rig) send(msgs ...tea.Msg) []tea.Cmd {
	var cmds []tea.Cmd
	for _, msg := range msgs {
		_, cmd := r.m.Update(msg)
		r.m.View() // bubbletea draws after every message
		cmds = append(cmds, cmd)
		r.settle()
	}
	return cmds
}

func (r *rig) settle() {
	for r.m.printer.inFlight {
		r.m.Update(printedMsg{})
		r.m.View()
	}
}

func (r *rig) events(evs ...event.Event) []tea.Cmd { return r.send(eventsMsg(evs)) }

func (r *rig) typeText(s string) {
	for _, c := range s {
		r.send(tea.KeyPressMsg{Code: c, Text: string(c)})
	}
}

func (r *rig) press(code rune, mod ...tea.KeyMod) []tea.Cmd {
	k := tea.KeyPressMsg{Code: code}
	for _, m := range mod {
		k.Mod |= m
	}
	return r.send(k)
}

// scrollback is everything printed above the live area, plain.
func (r *rig) scrollback() string { return ansi.Strip(strings.Join(r.printed, "\n")) }

// view is the live area, plain.
func (r *rig) view() string { return ansi.Strip(r.m.View().Content) }

// messages runs commands (and batches of them) and returns the messages
// they produce. Only use it on commands that cannot block in tests.
func messages(cmds ...tea.Cmd) []tea.Msg {
	var out []tea.Msg
	for _, c := range cmds {
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			out = append(out, messages(b...)...)
			continue
		}
		out = append(out, msg)
	}
	return out
}

func shellStarted(id, command string) event.ToolCallStarted {
	args, _ := json.Marshal(map[string]string{"command": command})
	return event.ToolCallStarted{CallID: id, Name: "shell_command", Arguments: args}
}

func finished(id string, exit int, d time.Duration) event.ToolCallFinished {
	return event.ToolCallFinished{CallID: id, Name: "shell_command", ExitCode: &exit, Duration: d, Status: "ok"}
}

func answer(text string) event.ItemCompleted {
	return event.ItemCompleted{Item: model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: text}}
}

func (r *rig) mustContain(where, got string, wants ...string) {
	r.t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			r.t.Fatalf("%s lacks %q:\n%s", where, w, got)
		}
	}
}

func (r *rig) mustNotContain(where, got string, wants ...string) {
	r.t.Helper()
	for _, w := range wants {
		if strings.Contains(got, w) {
			r.t.Fatalf("%s has %q:\n%s", where, w, got)
		}
	}
}
