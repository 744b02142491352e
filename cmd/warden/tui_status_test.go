package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warden/fakemodel"
	"warden/harness/config"
	"warden/harness/launch"
)

// /status names the session, model, provider, sandbox with its probe,
// approvals, tokens and every file in use.
func TestStatusReportNamesEverythingInUse(t *testing.T) {
	fm := fakemodel.New(fakemodel.Script{})
	srv := httptest.NewServer(fm)
	defer srv.Close()
	home := t.TempDir()
	cwd := t.TempDir()
	env := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_STATE_HOME": filepath.Join(home, "state"), "OPENAI_API_KEY": "sk-x", "OPENAI_BASE_URL": srv.URL + "/v1"}
	getenv := func(k string) string { return env[k] }
	if err := os.MkdirAll(filepath.Join(home, "config", "warden"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config", "warden", "rules.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := config.Load(config.Overrides{}, getenv)
	if err != nil {
		t.Fatal(err)
	}
	sess, err := launch.Start(launch.Params{Settings: st, Cwd: cwd, Getenv: getenv, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	got := statusReport(st, sess, tuiRun{settings: st, cwd: cwd, getenv: getenv})
	for _, want := range []string{
		"session    " + sess.ID(),
		"model      " + st.Model,
		"provider   openai, responses wire, " + srv.URL + "/v1",
		"sandbox    read-only (untrusted project), network off",
		"probe: ready",
		"approvals  on-request",
		"tokens     0 in",
		"config     none: built-in defaults",
		filepath.Join(home, "config", "warden", "rules.toml") + " (loaded)",
		"(not trusted)",
		"transcript " + sess.TranscriptPath(),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
}
