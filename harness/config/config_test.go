package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// load runs Load with a config dir of its own under XDG_CONFIG_HOME (unless
// env names another), holding text as config.toml when text is not empty.
// It returns the path the file has or would have.
func load(t *testing.T, text string, env map[string]string, ov Overrides) (Settings, string, error) {
	t.Helper()
	env = maps.Clone(env)
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["XDG_CONFIG_HOME"]; !ok {
		env["XDG_CONFIG_HOME"] = t.TempDir()
	}
	path := filepath.Join(env["XDG_CONFIG_HOME"], "warden", "config.toml")
	if text != "" {
		writeFile(t, path, text)
	}
	s, err := Load(ov, func(k string) string { return env[k] })
	return s, path, err
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s, _, err := load(t, "", map[string]string{"OPENAI_API_KEY": "sk-test"}, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		Model: DefaultModel,
		Provider: Provider{
			Name: "openai", BaseURL: "https://api.openai.com/v1",
			EnvKey: "OPENAI_API_KEY", Wire: WireResponses,
		},
		APIKey:             "sk-test",
		ReasoningSummary:   "auto",
		ContextWindow:      400_000,
		StreamIdleTimeout:  300 * time.Second,
		MaxSteps:           200,
		SandboxMode:        SandboxReadOnly,
		ApprovalPolicy:     ApprovalOnRequest,
		ProjectDocMaxBytes: 32768,
		ToolOutputTokens:   10_000,
		Sandbox:            SandboxSettings{CommandTimeout: 3 * time.Minute, MaxCommandTimeout: 30 * time.Minute},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", s, want)
	}
}

func TestFullFile(t *testing.T) {
	t.Parallel()
	s, path, err := load(t, `
model = "my-local-model"
provider = "local"
reasoning_effort = "high"
reasoning_summary = "detailed"
stream_idle_timeout = "90s"
max_steps = 50
sandbox_mode = "workspace-write"
approval_policy = "never"
project_doc_max_bytes = 1000
tool_output_token_limit = 2500

[sandbox]
network = true
writable_roots = ["/srv/data", "~/scratch"]
command_timeout = "90s"
max_command_timeout = "1h"
env_exclude = ["AWS_*"]
env_include = ["GH_TOKEN"]

[providers.local]
base_url = "http://localhost:8000/v1"
env_key = "LOCAL_KEY"

[models."my-local-model"]
context_window = 32768
`, map[string]string{"LOCAL_KEY": "  k  \n", "HOME": "/home/ada"}, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := Settings{
		Model:              "my-local-model",
		Provider:           Provider{Name: "local", BaseURL: "http://localhost:8000/v1", EnvKey: "LOCAL_KEY", Wire: WireChat},
		APIKey:             "k",
		ReasoningEffort:    "high",
		ReasoningSummary:   "detailed",
		ContextWindow:      32768,
		ContextWindows:     map[string]int64{"my-local-model": 32768},
		StreamIdleTimeout:  90 * time.Second,
		MaxSteps:           50,
		SandboxMode:        SandboxWorkspaceWrite,
		ApprovalPolicy:     ApprovalNever,
		SandboxModeChosen:  true,
		ProjectDocMaxBytes: 1000,
		// Set in the file, so it does not follow the model.
		ReasoningSummaryChosen: true,
		ToolOutputTokens:       2500,
		Sandbox: SandboxSettings{
			Network:           true,
			WritableRoots:     []string{"/srv/data", "/home/ada/scratch"},
			CommandTimeout:    90 * time.Second,
			MaxCommandTimeout: time.Hour,
			EnvExclude:        []string{"AWS_*"},
			EnvInclude:        []string{"GH_TOKEN"},
		},
		ConfigFile: path,
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("\n got %+v\nwant %+v", s, want)
	}
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		ov    Overrides
		check func(t *testing.T, s Settings)
	}{
		{
			name: "file over default",
			file: `model = "gpt-4.1"`,
			check: func(t *testing.T, s Settings) {
				eq(t, "model", s.Model, "gpt-4.1")
				eq(t, "context window", s.ContextWindow, int64(1_047_576))
			},
		},
		{
			name: "flag over file",
			file: "model = \"gpt-4.1\"\nreasoning_effort = \"low\"\nsandbox_mode = \"read-only\"\napproval_policy = \"never\"",
			ov: Overrides{Model: "o3", ReasoningEffort: "high", ReasoningSummary: "none",
				SandboxMode: "full-access", ApprovalPolicy: "untrusted"},
			check: func(t *testing.T, s Settings) {
				eq(t, "model", s.Model, "o3")
				eq(t, "effort", s.ReasoningEffort, "high")
				eq(t, "summary", s.ReasoningSummary, "none")
				eq(t, "sandbox", s.SandboxMode, SandboxFullAccess)
				eq(t, "approval", s.ApprovalPolicy, ApprovalUntrusted)
				eq(t, "context window", s.ContextWindow, int64(200_000))
			},
		},
		{
			name: "env base URL over file",
			file: "[providers.openai]\nbase_url = \"https://file.example/v1\"",
			env:  map[string]string{"OPENAI_BASE_URL": "https://env.example/v1"},
			check: func(t *testing.T, s Settings) {
				eq(t, "base url", s.Provider.BaseURL, "https://env.example/v1")
			},
		},
		{
			name: "flag base URL over env",
			env:  map[string]string{"OPENAI_BASE_URL": "https://env.example/v1"},
			ov:   Overrides{BaseURL: "https://flag.example/v1"},
			check: func(t *testing.T, s Settings) {
				eq(t, "base url", s.Provider.BaseURL, "https://flag.example/v1")
			},
		},
		{
			name: "OPENAI_BASE_URL leaves other providers alone",
			env:  map[string]string{"OPENAI_BASE_URL": "https://env.example/v1"},
			ov:   Overrides{Provider: "ollama"},
			check: func(t *testing.T, s Settings) {
				eq(t, "base url", s.Provider.BaseURL, "http://localhost:11434/v1")
			},
		},
		{
			name: "base-url and wire flags apply to the provider chosen in the file",
			file: `provider = "lmstudio"`,
			ov:   Overrides{BaseURL: "http://127.0.0.1:9/v1", Wire: "responses"},
			check: func(t *testing.T, s Settings) {
				eq(t, "provider", s.Provider, Provider{Name: "lmstudio", BaseURL: "http://127.0.0.1:9/v1", Wire: WireResponses})
			},
		},
		{
			name: "provider flag over file",
			file: `provider = "lmstudio"`,
			ov:   Overrides{Provider: "openrouter"},
			env:  map[string]string{"OPENROUTER_API_KEY": "or-key", "OPENAI_API_KEY": "sk"},
			check: func(t *testing.T, s Settings) {
				eq(t, "provider", s.Provider, Provider{Name: "openrouter", BaseURL: "https://openrouter.ai/api/v1", EnvKey: "OPENROUTER_API_KEY", Wire: WireChat})
				eq(t, "key", s.APIKey, "or-key")
			},
		},
		{
			name: "provider flag may name a provider from the file",
			file: "[providers.mine]\nbase_url = \"https://mine.example/v1\"\nwire = \"responses\"",
			ov:   Overrides{Provider: "mine"},
			check: func(t *testing.T, s Settings) {
				eq(t, "provider", s.Provider, Provider{Name: "mine", BaseURL: "https://mine.example/v1", Wire: WireResponses})
				eq(t, "key", s.APIKey, "")
			},
		},
		{
			name: "file overrides a built-in provider field by field",
			file: "[providers.openai]\nenv_key = \"\"",
			env:  map[string]string{"OPENAI_API_KEY": "sk"},
			check: func(t *testing.T, s Settings) {
				eq(t, "provider", s.Provider, Provider{Name: "openai", BaseURL: "https://api.openai.com/v1", Wire: WireResponses})
				eq(t, "key", s.APIKey, "")
			},
		},
		{
			name: "model override of a known window",
			file: "model = \"gpt-4o-2024-08-06\"\n[models.gpt-4o]\ncontext_window = 64000",
			check: func(t *testing.T, s Settings) {
				eq(t, "context window", s.ContextWindow, int64(64000))
			},
		},
		{
			name: "empty reasoning_effort in the file means provider default",
			file: `reasoning_effort = ""`,
			check: func(t *testing.T, s Settings) {
				eq(t, "effort", s.ReasoningEffort, "")
			},
		},
		{
			name: "project docs can be turned off",
			file: `project_doc_max_bytes = 0`,
			check: func(t *testing.T, s Settings) {
				eq(t, "max bytes", s.ProjectDocMaxBytes, 0)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _, err := load(t, tt.file, tt.env, tt.ov)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func TestConfigPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	named := filepath.Join(dir, "named.toml")
	fromEnv := filepath.Join(dir, "env.toml")
	home := filepath.Join(dir, "home")
	writeFile(t, named, `model = "named"`)
	writeFile(t, fromEnv, `model = "env"`)
	writeFile(t, filepath.Join(home, ".config", "warden", "config.toml"), `model = "home"`)
	xdg := filepath.Join(dir, "xdg")
	writeFile(t, filepath.Join(xdg, "warden", "config.toml"), `model = "xdg"`)

	tests := []struct {
		name      string
		env       map[string]string
		ov        Overrides
		wantModel string
		wantFile  string
	}{
		{"--config over WARDEN_CONFIG", map[string]string{"WARDEN_CONFIG": fromEnv, "XDG_CONFIG_HOME": xdg}, Overrides{ConfigPath: named}, "named", named},
		{"WARDEN_CONFIG over the default", map[string]string{"WARDEN_CONFIG": fromEnv, "XDG_CONFIG_HOME": xdg}, Overrides{}, "env", fromEnv},
		{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}, Overrides{}, "xdg", filepath.Join(xdg, "warden", "config.toml")},
		{"relative XDG_CONFIG_HOME is ignored", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": home}, Overrides{}, "home", filepath.Join(home, ".config", "warden", "config.toml")},
		{"HOME", map[string]string{"HOME": home}, Overrides{}, "home", filepath.Join(home, ".config", "warden", "config.toml")},
		{"missing default file", map[string]string{"XDG_CONFIG_HOME": filepath.Join(dir, "none")}, Overrides{}, DefaultModel, ""},
		{"no config dir at all", map[string]string{}, Overrides{}, DefaultModel, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Load(tt.ov, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "model", s.Model, tt.wantModel)
			eq(t, "config file", s.ConfigFile, tt.wantFile)
		})
	}
}

func TestDir(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	d, err := Dir(env(map[string]string{"XDG_CONFIG_HOME": "/x", "HOME": "/h"}))
	eq(t, "xdg dir", d, filepath.Join("/x", "warden"))
	eq(t, "xdg err", err, nil)
	d, err = Dir(env(map[string]string{"HOME": "/h"}))
	eq(t, "home dir", d, filepath.Join("/h", ".config", "warden"))
	eq(t, "home err", err, nil)
	if _, err := Dir(env(nil)); err == nil {
		t.Error("Dir with neither XDG_CONFIG_HOME nor HOME: no error")
	}
}

func TestMissingKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		file        string
		env         map[string]string
		ov          Overrides
		wantKey     string
		wantMissing bool
	}{
		{"openai without key", "", nil, Overrides{}, "OPENAI_API_KEY", true},
		{"openai with blank key", "", map[string]string{"OPENAI_API_KEY": " \n"}, Overrides{}, "OPENAI_API_KEY", true},
		{"openai with key", "", map[string]string{"OPENAI_API_KEY": "sk"}, Overrides{}, "", false},
		{"openrouter without key", "", nil, Overrides{Provider: "openrouter"}, "OPENROUTER_API_KEY", true},
		{"ollama needs none", "", nil, Overrides{Provider: "ollama"}, "", false},
		{"custom env_key", "[providers.p]\nbase_url = \"http://h/v1\"\nenv_key = \"P_KEY\"", nil, Overrides{Provider: "p"}, "P_KEY", true},
		// A server given by hand may need no key: run without one.
		{"base-url without key", "", nil, Overrides{BaseURL: "http://127.0.0.1:1/v1"}, "", false},
		{"OPENAI_BASE_URL without key", "", map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}, Overrides{}, "", false},
		{"OPENAI_BASE_URL does not excuse other providers", "", map[string]string{"OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}, Overrides{Provider: "openrouter"}, "OPENROUTER_API_KEY", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _, err := load(t, tt.file, tt.env, tt.ov)
			if err != nil {
				t.Fatal(err)
			}
			key, missing := s.MissingKey()
			if key != tt.wantKey || missing != tt.wantMissing {
				t.Errorf("MissingKey() = %q, %v; want %q, %v", key, missing, tt.wantKey, tt.wantMissing)
			}
		})
	}

	// With a key, --base-url sends it: the flag redirects, it does not
	// change who the user is.
	s, _, err := load(t, "", map[string]string{"OPENAI_API_KEY": "sk"}, Overrides{BaseURL: "http://127.0.0.1:1/v1"})
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "key with base-url", s.APIKey, "sk")
	eq(t, "env key with base-url", s.Provider.EnvKey, "OPENAI_API_KEY")
}

// TestErrors checks that every error says what is wrong and where: the file
// and line, the flag or the variable.
func TestErrors(t *testing.T) {
	t.Parallel()
	const file = "FILE" // replaced by the config file's path
	tests := []struct {
		name string
		file string
		env  map[string]string
		ov   Overrides
		want string
	}{
		{"syntax", "model = \"x\"\n\nprovider = \n", nil, Overrides{}, `load config FILE: line 3`},
		{"type mismatch", "max_steps = \"many\"", nil, Overrides{}, `load config FILE: line 1 (last key "max_steps"): incompatible types`},
		{"wire", "[providers.openai]\n\nwire = \"x\"", nil, Overrides{}, `load config FILE: line 3: providers.openai.wire must be responses or chat, got "x"`},
		{"wire flag", "", nil, Overrides{Wire: "grpc"}, `--wire must be responses or chat, got "grpc"`},
		{"provider", "\nprovider = \"nope\"", nil, Overrides{}, `load config FILE: line 2: provider must name a known provider (lmstudio, ollama, openai, openrouter), got "nope"`},
		{"provider flag lists file providers", "[providers.mine]\nbase_url = \"http://h/v1\"", nil, Overrides{Provider: "nope"}, `--provider must name a known provider (lmstudio, mine, ollama, openai, openrouter), got "nope"`},
		{"provider without base_url", "model = \"m\"\n[providers.mine]\nwire = \"chat\"", nil, Overrides{}, `load config FILE: line 2: providers.mine.base_url must be set: "mine" is not a built-in provider`},
		{"base_url", "[providers.ollama]\nbase_url = \"localhost:11434\"", nil, Overrides{}, `load config FILE: line 2: providers.ollama.base_url must be an http or https URL, got "localhost:11434"`},
		{"base_url env", "", map[string]string{"OPENAI_BASE_URL": "ftp://x"}, Overrides{}, `OPENAI_BASE_URL must be an http or https URL, got "ftp://x"`},
		{"base_url flag", "", nil, Overrides{BaseURL: "http://"}, `--base-url must be an http or https URL, got "http://"`},
		{"duration", "stream_idle_timeout = \"300\"", nil, Overrides{}, `load config FILE: line 1: stream_idle_timeout must be a positive duration such as "300s" or "5m", got "300"`},
		{"negative duration", "stream_idle_timeout = \"-1s\"", nil, Overrides{}, `load config FILE: line 1: stream_idle_timeout must be a positive duration`},
		{"bare number duration", "\nstream_idle_timeout = 300", nil, Overrides{}, `load config FILE: line 2: stream_idle_timeout must be a duration string such as "300s" or "5m", got 300`},
		{"effort", "reasoning_effort = \"max-ish\"", nil, Overrides{}, `load config FILE: line 1: reasoning_effort must be none, minimal, low, medium, high, xhigh or max, got "max-ish"`},
		{"effort flag", "", nil, Overrides{ReasoningEffort: "huge"}, `--reasoning-effort must be none, minimal, low, medium, high, xhigh or max, got "huge"`},
		{"summary", "reasoning_summary = \"\"", nil, Overrides{}, `load config FILE: line 1: reasoning_summary must be auto, concise, detailed or none, got ""`},
		{"summary flag", "", nil, Overrides{ReasoningSummary: "brief"}, `--reasoning-summary must be auto, concise, detailed or none, got "brief"`},
		{"sandbox", "sandbox_mode = \"danger\"", nil, Overrides{}, `load config FILE: line 1: sandbox_mode must be read-only, workspace-write or full-access, got "danger"`},
		{"sandbox flag", "", nil, Overrides{SandboxMode: "none"}, `--sandbox must be read-only, workspace-write or full-access, got "none"`},
		{"approval", "approval_policy = \"always\"", nil, Overrides{}, `load config FILE: line 1: approval_policy must be untrusted, on-request or never, got "always"`},
		{"approval flag", "", nil, Overrides{ApprovalPolicy: "on-failure"}, `--ask-for-approval must be untrusted, on-request or never, got "on-failure"`},
		{"max_steps", "max_steps = 0", nil, Overrides{}, `load config FILE: line 1: max_steps must be at least 1, got 0`},
		{"tool_output_token_limit", "tool_output_token_limit = 5", nil, Overrides{}, `load config FILE: line 1: tool_output_token_limit must be between 100 and 200000 tokens (the sandbox keeps 1 MiB of a command's output), got 5`},
		{"project_doc_max_bytes", "project_doc_max_bytes = -1", nil, Overrides{}, `load config FILE: line 1: project_doc_max_bytes must be 0 or more, got -1`},
		{"context_window", "[models.\"m\"]\ncontext_window = 0", nil, Overrides{}, `load config FILE: line 2: models.m.context_window must be positive, got 0`},
		{"empty model", "model = \"\"", nil, Overrides{}, `load config FILE: line 1: model must not be empty`},
		{"writable root relative", "[sandbox]\nwritable_roots = [\"build\"]", nil, Overrides{}, `load config FILE: line 2: sandbox.writable_roots: "build" must be an absolute path (or start with ~/)`},
		{"writable root home without HOME", "[sandbox]\n\nwritable_roots = [\"~/x\"]", nil, Overrides{}, `load config FILE: line 3: sandbox.writable_roots: "~/x" needs HOME, which is not set`},
		{"command timeout", "[sandbox]\ncommand_timeout = 60", nil, Overrides{}, `load config FILE: line 2: sandbox.command_timeout must be a duration string such as "300s" or "5m", got 60`},
		{"command timeout over the cap", "[sandbox]\nmax_command_timeout = \"1m\"\ncommand_timeout = \"2m\"", nil, Overrides{}, `load config FILE: line 3: sandbox.command_timeout (2m0s) must not exceed sandbox.max_command_timeout (1m0s)`},
		{"default timeout over a lowered cap", "[sandbox]\nmax_command_timeout = \"1m\"", nil, Overrides{}, `load config FILE: line 2: sandbox.command_timeout (3m0s) must not exceed sandbox.max_command_timeout (1m0s)`},
		{"env pattern", "[sandbox]\nenv_exclude = [\"AWS_[\"]", nil, Overrides{}, `load config FILE: line 2: sandbox.env_exclude: malformed pattern "AWS_["`},
		{"empty env pattern", "[sandbox]\nenv_include = [\"\"]", nil, Overrides{}, `load config FILE: line 2: sandbox.env_include: malformed pattern ""`},
		{"network type", "[sandbox]\nnetwork = \"yes\"", nil, Overrides{}, `load config FILE: line 2 (last key "sandbox.network"): incompatible types`},
		{"bad file is an error even when a flag overrides it", "sandbox_mode = \"x\"", nil, Overrides{SandboxMode: "read-only"}, `load config FILE: line 1: sandbox_mode must be`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, path, err := load(t, tt.file, tt.env, tt.ov)
			want := strings.ReplaceAll(tt.want, file, path)
			if err == nil {
				t.Fatalf("no error, want %q", want)
			}
			if !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error:\n got %q\nwant %q...", err, want)
			}
		})
	}
}

func TestNamedFileMissing(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "nope.toml")
	for _, ov := range []struct {
		ov  Overrides
		env map[string]string
	}{
		{Overrides{ConfigPath: missing}, nil},
		{Overrides{}, map[string]string{"WARDEN_CONFIG": missing}},
	} {
		_, _, err := load(t, "", ov.env, ov.ov)
		if err == nil || !strings.HasPrefix(err.Error(), "load config "+missing+": ") {
			t.Errorf("named but missing config file: got %v", err)
		}
	}
}

func TestUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file string
		want []string // one line per unknown key
	}{
		{"top level", "model = \"m\"\nmodle = \"m\"", []string{`line 2: unknown key "modle"`}},
		{"in a provider", "[providers.openai]\nbase_url = \"http://h/v1\"\napi_key = \"sk\"", []string{`line 3: unknown key "providers.openai.api_key"`}},
		{"in a model", "[models.m]\ncontext = 5", []string{`line 2: unknown key "models.m.context"`}},
		{"a whole table, reported once", "[sandboxes]\nmode = \"x\"\nnetwork = true", []string{`line 1: unknown key "sandboxes"`}},
		{"in the sandbox table", "[sandbox]\nnetwork = true\nnetwork_access = true", []string{`line 3: unknown key "sandbox.network_access"`}},
		{"several", "a = 1\nmodel = \"m\"\nb = 2", []string{`line 1: unknown key "a"`, `line 3: unknown key "b"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, path, err := load(t, tt.file, nil, Overrides{})
			if err == nil {
				t.Fatal("no error")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("error:\n%s\nwant %d lines", err, len(tt.want))
			}
			for i, w := range tt.want {
				if want := "load config " + path + ": " + w; lines[i] != want {
					t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], want)
				}
			}
		})
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	t.Parallel()
	const key = "sk-secret-0123456789"
	s, _, err := load(t, "", map[string]string{"OPENAI_API_KEY": key}, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if s.APIKey != key {
		t.Fatalf("APIKey = %q, want the key", s.APIKey)
	}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%10.3v"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, &s))
	}
	outs = append(outs,
		fmt.Sprint(s), fmt.Sprintln(s),
		fmt.Sprintf("%+v", struct{ S Settings }{s}),
		fmt.Sprintf("%v", []Settings{s}),
	)
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(b))
	for _, out := range outs {
		if strings.Contains(out, key) || strings.Contains(out, fmt.Sprintf("%x", key)) {
			t.Errorf("key printed: %s", out)
		}
	}
	if out := fmt.Sprintf("%+v", s); !strings.Contains(out, "APIKey:[redacted]") || !strings.Contains(out, "Model:"+DefaultModel) {
		t.Errorf("%%+v = %s, want the fields with the key redacted", out)
	}
}

func TestGoSyntaxNamesSettings(t *testing.T) {
	t.Parallel()
	out := fmt.Sprintf("%#v", Settings{Model: "m", APIKey: "k"})
	if !strings.HasPrefix(out, `config.Settings{Model:"m"`) || !strings.Contains(out, `APIKey:"[redacted]"`) {
		t.Errorf("%%#v = %s", out)
	}
	if out := fmt.Sprintf("%+v", Settings{}); !strings.Contains(out, "APIKey: ") {
		t.Errorf("an empty key should print as empty, so a missing key is visible: %s", out)
	}
}

func TestPresets(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file      string
		ov        Overrides
		mode, pol string
		chosen    bool
	}{
		{"", Overrides{}, SandboxReadOnly, ApprovalOnRequest, false},
		{`preset = "auto"`, Overrides{}, SandboxWorkspaceWrite, ApprovalOnRequest, true},
		{`preset = "full-access"`, Overrides{}, SandboxFullAccess, ApprovalNever, true},
		{"preset = \"auto\"\napproval_policy = \"untrusted\"", Overrides{}, SandboxWorkspaceWrite, ApprovalUntrusted, true},
		{`preset = "auto"`, Overrides{Preset: "read-only"}, SandboxReadOnly, ApprovalOnRequest, true},
		{"", Overrides{Preset: "full-access", ApprovalPolicy: "on-request"}, SandboxFullAccess, ApprovalOnRequest, true},
		{"", Overrides{SandboxMode: "workspace-write"}, SandboxWorkspaceWrite, ApprovalOnRequest, true},
		{`approval_policy = "never"`, Overrides{}, SandboxReadOnly, ApprovalNever, false},
	} {
		s, _, err := load(t, c.file, map[string]string{"OPENAI_API_KEY": "k"}, c.ov)
		if err != nil || s.SandboxMode != c.mode || s.ApprovalPolicy != c.pol || s.SandboxModeChosen != c.chosen {
			t.Errorf("%q %+v: %s %s %v, %v", c.file, c.ov, s.SandboxMode, s.ApprovalPolicy, s.SandboxModeChosen, err)
		}
	}
	if _, _, err := load(t, `preset = "yolo"`, nil, Overrides{}); err == nil || !strings.Contains(err.Error(), `line 1: preset must be read-only, auto or full-access, got "yolo"`) {
		t.Errorf("bad preset: %v", err)
	}
}

// A model chosen mid-session brings its own context window and, unless
// the user set one, its own reasoning summary default.
func TestWithModelFollowsTheModel(t *testing.T) {
	s, _, err := load(t, `
model = "gpt-4.1"

[models."my-local-model"]
context_window = 32768
`, nil, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if s.ReasoningSummary != "" {
		t.Fatalf("gpt-4.1 got summary %q", s.ReasoningSummary)
	}
	next, err := s.WithModel("o3", "high")
	if err != nil {
		t.Fatal(err)
	}
	if next.Model != "o3" || next.ReasoningEffort != "high" || next.ReasoningSummary != "auto" || next.ContextWindow != ContextWindow("o3", nil) {
		t.Fatalf("o3: %+v", next)
	}
	local, err := next.WithModel(" my-local-model ", "")
	if err != nil {
		t.Fatal(err)
	}
	if local.Model != "my-local-model" || local.ContextWindow != 32768 || local.ReasoningSummary != "" || local.ReasoningEffort != "" {
		t.Fatalf("local: %+v", local)
	}
	if _, err := s.WithModel("o3", "extreme"); err == nil || !strings.Contains(err.Error(), "reasoning effort must be") {
		t.Fatalf("bad effort: %v", err)
	}
	if _, err := s.WithModel("  ", ""); err == nil {
		t.Fatal("an empty model was accepted")
	}
	if PresetOf(SandboxWorkspaceWrite, ApprovalOnRequest) != PresetAuto || PresetOf(SandboxReadOnly, ApprovalNever) != "" {
		t.Fatal("PresetOf")
	}
}
