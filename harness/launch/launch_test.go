package launch

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/rules"
	"warden/harness/transcript"
)

func settingsFor(t *testing.T, wire, url string) config.Settings {
	t.Helper()
	return config.Settings{
		Model:              "gpt-5",
		Provider:           config.Provider{Name: "fake", BaseURL: url, Wire: wire},
		APIKey:             "sk-launch-secret",
		StreamIdleTimeout:  10 * time.Second,
		MaxSteps:           10,
		SandboxMode:        config.SandboxReadOnly,
		ApprovalPolicy:     config.ApprovalOnRequest,
		ProjectDocMaxBytes: 1 << 10,
		ContextWindow:      400_000,
	}
}

func TestStartAssemblesContextAndTranscript(t *testing.T) {
	for _, wire := range []string{"responses", "chat"} {
		t.Run(wire, func(t *testing.T) {
			fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "hello"}}}}})
			srv := httptest.NewServer(fm)
			defer srv.Close()
			home := t.TempDir()
			cwd := t.TempDir()
			os.WriteFile(filepath.Join(cwd, "AGENTS.md"), []byte("Use tabs."), 0o644)
			env := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "SHELL": "/bin/zsh"}
			var started []event.SessionStarted
			sess, err := Start(Params{
				Settings: settingsFor(t, wire, srv.URL+"/v1"),
				Cwd:      cwd,
				Getenv:   func(k string) string { return env[k] },
				Sink: func(e event.Event) {
					if s, ok := e.(event.SessionStarted); ok {
						started = append(started, s)
					}
				},
				Version: "test",
				Now:     func() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) },
			})
			if err != nil {
				t.Fatal(err)
			}
			if res := sess.RunTurn(context.Background(), "hi"); res.Status != event.TurnCompleted {
				t.Fatalf("turn %+v", res)
			}
			if err := sess.Close(); err != nil {
				t.Fatal(err)
			}
			if len(started) != 1 || started[0].Wire != wire || started[0].ContextWindow != 400_000 || started[0].TranscriptPath != sess.TranscriptPath() {
				t.Fatalf("session started %+v", started)
			}
			if !strings.HasPrefix(sess.TranscriptPath(), filepath.Join(home, "state", "warden", "sessions", "2026", "03", "04")) {
				t.Fatalf("transcript at %s", sess.TranscriptPath())
			}
			h, items, err := transcript.Read(sess.TranscriptPath())
			if err != nil {
				t.Fatal(err)
			}
			if h.Cwd != cwd || h.Version != "test" || h.SandboxMode != "read-only" || h.Instructions == "" || h.SessionID != sess.ID() {
				t.Fatalf("header %+v", h)
			}
			envBlock := items[0].Text
			for _, want := range []string{"<cwd>" + cwd + "</cwd>", "<shell>zsh</shell>", "<current_date>2026-03-04</current_date>",
				"<sandbox_mode>read-only</sandbox_mode>", "<network_access>restricted</network_access>"} {
				if !strings.Contains(envBlock, want) {
					t.Errorf("environment block lacks %s:\n%s", want, envBlock)
				}
			}
			if !strings.Contains(items[1].Text, "Use tabs.") {
				t.Fatalf("AGENTS.md not in context: %+v", items[1])
			}
			body := string(fm.Requests()[0].Body)
			if !strings.Contains(body, "environment_context") || !strings.Contains(body, "Use tabs.") {
				t.Fatal("context not sent to the model")
			}
			raw, _ := os.ReadFile(sess.TranscriptPath())
			if strings.Contains(string(raw), "sk-launch-secret") {
				t.Fatal("key in transcript")
			}
		})
	}
}

func TestStartRejectsAnUnknownWire(t *testing.T) {
	home := t.TempDir()
	_, err := Start(Params{
		Settings: settingsFor(t, "smoke-signals", "http://127.0.0.1:1/v1"),
		Cwd:      t.TempDir(),
		Getenv:   func(k string) string { return map[string]string{"HOME": home}[k] },
	})
	if err == nil || !strings.Contains(err.Error(), `unknown wire "smoke-signals"`) {
		t.Fatalf("err %v", err)
	}
}

func TestTranscriptNeverHoldsCredentialsFromTheBaseURL(t *testing.T) {
	fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "ok"}}}}})
	srv := httptest.NewServer(fm)
	defer srv.Close()
	home := t.TempDir()
	url := strings.Replace(srv.URL, "http://", "http://bob:hunter2pass@", 1) + "/v1?api-key=querysecret"
	sess, err := Start(Params{
		Settings: settingsFor(t, "chat", url),
		Cwd:      t.TempDir(),
		Getenv:   func(k string) string { return map[string]string{"HOME": home}[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	sess.RunTurn(context.Background(), "hi")
	sess.Close()
	raw, _ := os.ReadFile(sess.TranscriptPath())
	for _, secret := range []string{"hunter2pass", "querysecret", "sk-launch-secret"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%s is in the transcript", secret)
		}
	}
	if !strings.Contains(string(raw), "bob@") {
		t.Error("the user name should stay, to tell endpoints apart")
	}
}

func TestAuthErrorsNameTheProvidersKeyVariable(t *testing.T) {
	for envKey, want := range map[string]string{
		"OPENROUTER_API_KEY": "check OPENROUTER_API_KEY",
		"":                   "named by env_key in [providers.fake]",
	} {
		fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{{Status: 401}}})
		srv := httptest.NewServer(fm)
		home := t.TempDir()
		st := settingsFor(t, "chat", srv.URL+"/v1")
		st.Provider.EnvKey = envKey
		if envKey == "" {
			st.APIKey = ""
		}
		var errs []string
		sess, err := Start(Params{
			Settings: st, Cwd: t.TempDir(),
			Getenv: func(k string) string { return map[string]string{"HOME": home}[k] },
			Sink: func(e event.Event) {
				if ev, ok := e.(event.Error); ok {
					errs = append(errs, ev.Message)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		sess.RunTurn(context.Background(), "hi")
		sess.Close()
		srv.Close()
		if len(errs) != 1 || !strings.Contains(errs[0], want) {
			t.Errorf("env_key %q: errors %q, want one mentioning %q", envKey, errs, want)
		}
	}
}

// A trusted project runs in workspace-write; the model's environment block
// and the session's SandboxInfo must both say so, not the mode before trust.
func TestTrustedProjectTellsTheModelTheModeInForce(t *testing.T) {
	fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "hello"}}}}})
	srv := httptest.NewServer(fm)
	defer srv.Close()
	home := t.TempDir()
	cwd := t.TempDir()
	env := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "XDG_CONFIG_HOME": filepath.Join(home, "config")}
	getenv := func(k string) string { return env[k] }
	dir, err := config.Dir(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := rules.SetTrusted(dir, cwd, true); err != nil {
		t.Fatal(err)
	}
	sess, err := Start(Params{Settings: settingsFor(t, "responses", srv.URL+"/v1"), Cwd: cwd, Getenv: getenv, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if sess.Sandbox().Mode != config.SandboxWorkspaceWrite || sess.Sandbox().Why != "trusted project" || sess.Sandbox().Network {
		t.Fatalf("sandbox info %+v", sess.Sandbox())
	}
	if res := sess.RunTurn(context.Background(), "hi"); res.Status != event.TurnCompleted {
		t.Fatalf("turn %+v", res)
	}
	body := string(fm.Requests()[0].Body)
	if !strings.Contains(body, "workspace-write") || strings.Contains(body, "<sandbox_mode>read-only") {
		t.Fatal("the model was not told the sandbox mode in force")
	}
}
