package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"warden/harness/config"
	"warden/harness/event"
	"warden/tui"
)

// control opens a sessionControl on c's project and fake model, as the
// root command does.
func control(t *testing.T, c *cli) *sessionControl {
	t.Helper()
	getenv := func(k string) string { return c.env[k] }
	st, err := config.Load(config.Overrides{}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctl := &sessionControl{run: tuiRun{settings: st, cwd: c.dir, getenv: getenv}, bridge: tui.NewBridge()}
	if _, err := ctl.open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctl.Close() })
	return ctl
}

// A /new that cannot start (a rules file broken meanwhile) says why and
// leaves the session in force working.
func TestNewSessionThatFailsKeepsTheOldOne(t *testing.T) {
	c := newCLI(t, textReply("still here"))
	ctl := control(t, c)
	before, _ := ctl.current()
	rulesFile := filepath.Join(c.home, "config", "warden", "rules.toml")
	if err := os.MkdirAll(filepath.Dir(rulesFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rulesFile, []byte("[[rule]]\ndecision = \"maybe\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.NewSession(); err == nil || !strings.Contains(err.Error(), "rules.toml") || !strings.Contains(err.Error(), "the current one goes on") {
		t.Fatalf("NewSession with a broken rules file: %v", err)
	}
	after, _ := ctl.current()
	if after != before {
		t.Fatal("a failed /new replaced the session")
	}
	if res := after.RunTurn(context.Background(), "are you there"); res.Status != event.TurnCompleted || res.FinalText != "still here" {
		t.Fatalf("the old session no longer works: %+v", res)
	}
}

// Two /new at once make two sessions in turn, and every one but the last
// is closed: none is left running with its transcript open.
func TestNewSessionsAreSerialised(t *testing.T) {
	c := newCLI(t)
	ctl := control(t, c)
	first, _ := ctl.current()
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := ctl.NewSession(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	last, _ := ctl.current()
	if last == first {
		t.Fatal("no new session")
	}
	if res := first.RunTurn(context.Background(), "x"); res.Err == nil {
		t.Fatal("the first session still runs turns")
	}
	transcripts, _ := filepath.Glob(filepath.Join(c.home, "state", "warden", "sessions", "*", "*", "*", "*.jsonl"))
	if len(transcripts) != 3 {
		t.Fatalf("transcripts %v", transcripts)
	}
}

// /new keeps the model and preset the user chose, but decides the rest
// afresh: a project no longer trusted starts read-only again.
func TestNewSessionKeepsChoicesNotTrust(t *testing.T) {
	c := newCLI(t)
	cfgDir := filepath.Join(c.home, "config", "warden")
	if err := os.MkdirAll(cfgDir, 0o755); err != nil {
		t.Fatal(err)
	}
	trustFile := filepath.Join(cfgDir, "trust.toml")
	if err := os.WriteFile(trustFile, []byte("[projects]\n\""+c.dir+"\" = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctl := control(t, c)
	if sess, _ := ctl.current(); sess.Sandbox().Mode != config.SandboxWorkspaceWrite {
		t.Fatalf("trusted project started in %s", sess.Sandbox().Mode)
	}
	if err := ctl.SetModel("gpt-4.1", ""); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(trustFile, []byte("[projects]\n\""+c.dir+"\" = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.NewSession(); err != nil {
		t.Fatal(err)
	}
	sess, _ := ctl.current()
	if sb := sess.Sandbox(); sb.Mode != config.SandboxReadOnly || sb.Why != "untrusted project" {
		t.Fatalf("after the trust was revoked, /new started in %+v", sb)
	}
	if m := sess.Settings().Model; m != "gpt-4.1" {
		t.Fatalf("/new dropped the chosen model: %s", m)
	}
	if _, err := ctl.SetPreset(config.PresetAuto); err != nil {
		t.Fatal(err)
	}
	if _, err := ctl.NewSession(); err != nil {
		t.Fatal(err)
	}
	if sess, _ := ctl.current(); sess.Sandbox().Mode != config.SandboxWorkspaceWrite || sess.Sandbox().Why != "chosen" {
		t.Fatalf("/new dropped the chosen preset: %+v", sess.Sandbox())
	}
}
