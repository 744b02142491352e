// Package config resolves warden's settings — which model, which server, which
// key, how sandboxed — from built-in defaults, the config file, the
// environment and command-line flags, in that order of increasing precedence.
//
// It exists so every front-end starts from the same validated answer, and so a
// mistake in any of those sources is caught once, at startup, with a message
// that says where it is (file and line, variable, or flag) instead of showing
// up later as a puzzling API error or a setting that silently does nothing.
package config

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// DefaultModel is used when neither the file nor a flag names a model.
const DefaultModel = "gpt-5.1-codex"

// DefaultProvider is used when neither the file nor a flag names a provider.
const DefaultProvider = "openai"

// Wire protocols: which OpenAI-compatible API a provider speaks.
const (
	WireResponses = "responses"
	WireChat      = "chat"
)

// Sandbox modes.
const (
	SandboxReadOnly       = "read-only"
	SandboxWorkspaceWrite = "workspace-write"
	SandboxFullAccess     = "full-access"
)

// Approval policies.
const (
	ApprovalUntrusted = "untrusted"
	ApprovalOnRequest = "on-request"
	ApprovalNever     = "never"
)

// Overrides are the settings given on the command line; an empty field is
// not set. Errors about them name the flags the front-ends offer
// (sandbox_mode → --sandbox, approval_policy → --ask-for-approval), so
// front-ends must name their flags that way.
type Overrides struct {
	ConfigPath       string // --config: read this file instead of the default
	Model            string
	Provider         string
	BaseURL          string // applies to the selected provider
	Wire             string // applies to the selected provider
	ReasoningEffort  string
	ReasoningSummary string
	SandboxMode      string
	ApprovalPolicy   string
	// Preset sets both (PresetReadOnly, PresetAuto, PresetFullAccess);
	// SandboxMode and ApprovalPolicy, when given too, win.
	Preset string
}

// Presets: named pairs of sandbox mode and approval policy.
const (
	PresetReadOnly   = "read-only"   // read-only + on-request
	PresetAuto       = "auto"        // workspace-write + on-request
	PresetFullAccess = "full-access" // full-access + never
)

// Preset is the sandbox mode and approval policy of a preset
// (PresetReadOnly, PresetAuto or PresetFullAccess).
func Preset(name string) (mode, policy string, err error) {
	return presetSettings("preset", name)
}

// PresetOf names the preset that mode and policy make up, "" when they
// make up none.
func PresetOf(mode, policy string) string {
	for _, p := range []string{PresetReadOnly, PresetAuto, PresetFullAccess} {
		if m, pol, _ := Preset(p); m == mode && pol == policy {
			return p
		}
	}
	return ""
}

// presetSettings are the sandbox mode and approval policy of a preset.
func presetSettings(name, value string) (mode, policy string, err error) {
	switch value {
	case PresetReadOnly:
		return SandboxReadOnly, ApprovalOnRequest, nil
	case PresetAuto:
		return SandboxWorkspaceWrite, ApprovalOnRequest, nil
	case PresetFullAccess:
		return SandboxFullAccess, ApprovalNever, nil
	}
	return "", "", fmt.Errorf("%s must be %s, %s or %s, got %q", name, PresetReadOnly, PresetAuto, PresetFullAccess, value)
}

// Provider is an OpenAI-compatible API endpoint.
type Provider struct {
	Name    string
	BaseURL string
	// EnvKey names the environment variable holding the API key; "" when
	// no key is sent.
	EnvKey string
	Wire   string // WireResponses or WireChat
}

// Settings are the resolved, validated settings of a session.
//
// The API key is kept out of every printed form: Settings formats itself with
// the key redacted for any fmt verb, and JSON omits it.
type Settings struct {
	Model    string
	Provider Provider
	APIKey   string `json:"-"`

	ReasoningEffort  string // "" leaves it to the provider
	ReasoningSummary string
	// ContextWindow is the model's context window in tokens, 0 if unknown.
	ContextWindow int64
	// ContextWindows are the config file's [models] windows, by model, so
	// a model chosen mid-session finds its own.
	ContextWindows map[string]int64
	// ReasoningSummaryChosen: the config or a flag set reasoning_summary;
	// otherwise it follows the model (see WithModel).
	ReasoningSummaryChosen bool

	StreamIdleTimeout time.Duration
	MaxSteps          int

	SandboxMode    string
	ApprovalPolicy string
	// SandboxModeChosen: the config file or a flag chose the sandbox mode
	// (directly or by a preset); if not, a trusted project starts in
	// workspace-write.
	SandboxModeChosen bool
	Sandbox           SandboxSettings

	// ToolOutputTokens is how much of a command's output the model is
	// sent, in tokens: its head and tail, the middle cut.
	ToolOutputTokens int

	// ProjectDocMaxBytes caps the AGENTS.md text given to the model; 0
	// gives it none.
	ProjectDocMaxBytes int

	// ConfigFile is the file that was loaded, "" if none was.
	ConfigFile string
}

// SandboxSettings are the [sandbox] table: what sandboxed commands may do
// besides what the mode allows, and how long they may run.
type SandboxSettings struct {
	// Network lets sandboxed commands reach the network.
	Network bool
	// WritableRoots are directories writable under workspace-write besides
	// the workspace: absolute, with a leading ~/ expanded.
	WritableRoots []string
	// CommandTimeout applies to a command that sets none; a command may ask
	// for up to MaxCommandTimeout.
	CommandTimeout    time.Duration
	MaxCommandTimeout time.Duration
	// EnvExclude and EnvInclude are glob patterns of environment variable
	// names to drop, and to keep although they look like secrets.
	EnvExclude []string
	EnvInclude []string
}

// MissingKey reports the environment variable that should hold the
// provider's API key when it is empty. It is not a load error because the
// front-end is better placed to explain how to set it. After --base-url
// (Overrides.BaseURL) a missing key is never reported: Load clears EnvKey
// and the server is used without one.
func (s Settings) MissingKey() (envKey string, missing bool) {
	if s.Provider.EnvKey != "" && s.APIKey == "" {
		return s.Provider.EnvKey, true
	}
	return "", false
}

// Format prints s with the API key redacted, whatever the verb, so logging
// Settings can never leak the key.
func (s Settings) Format(f fmt.State, verb rune) {
	type settings Settings // drops the methods, so printing does not recurse
	r := settings(s)
	if r.APIKey != "" {
		r.APIKey = "[redacted]"
	}
	out := fmt.Sprintf(fmt.FormatString(f, verb), r)
	if verb == 'v' && f.Flag('#') {
		out = "config.Settings" + strings.TrimPrefix(out, "config.settings")
	}
	io.WriteString(f, out)
}

// Dir is warden's config directory, home of config.toml and the global
// AGENTS.md: $XDG_CONFIG_HOME/warden, or ~/.config/warden. A relative
// XDG_CONFIG_HOME is ignored, as the XDG spec asks.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "warden"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "warden"), nil
	}
	return "", errors.New("cannot find the config directory: neither XDG_CONFIG_HOME nor HOME is set")
}

// Load reads the config file (the one named by ov.ConfigPath or
// WARDEN_CONFIG, else config.toml in Dir), merges it with the defaults, the
// environment and ov, and validates the result. A missing default file is
// not an error; a missing file that was asked for by name is.
func Load(ov Overrides, getenv func(string) string) (Settings, error) {
	s := Settings{
		Model:              DefaultModel,
		StreamIdleTimeout:  300 * time.Second,
		MaxSteps:           200,
		SandboxMode:        SandboxReadOnly,
		ApprovalPolicy:     ApprovalOnRequest,
		ProjectDocMaxBytes: 32 * 1024,
		ToolOutputTokens:   10_000,
		Sandbox: SandboxSettings{
			CommandTimeout:    3 * time.Minute,
			MaxCommandTimeout: 30 * time.Minute,
		},
	}
	providers := builtinProviders()
	providerName := DefaultProvider
	var windows map[string]int64

	f, err := readFile(configPath(ov, getenv))
	if err != nil {
		return Settings{}, err
	}
	if f != nil {
		if err := f.apply(&s, providers, &providerName); err != nil {
			return Settings{}, err
		}
		s.ConfigFile = f.path
		windows = f.contextWindows()
	}

	if u := getenv("OPENAI_BASE_URL"); u != "" {
		if err := checkURL("OPENAI_BASE_URL", u); err != nil {
			return Settings{}, err
		}
		p := providers["openai"]
		p.BaseURL = u
		providers["openai"] = p
	}

	if f != nil {
		if err := f.applySandbox(&s.Sandbox, getenv); err != nil {
			return Settings{}, err
		}
	}

	if ov.Preset != "" {
		mode, policy, err := presetSettings("--preset", ov.Preset)
		if err != nil {
			return Settings{}, err
		}
		s.SandboxMode, s.ApprovalPolicy, s.SandboxModeChosen = mode, policy, true
	}
	if err := applyOverrides(ov, &s, providers, &providerName); err != nil {
		return Settings{}, err
	}
	if ov.SandboxMode != "" {
		s.SandboxModeChosen = true
	}

	s.Provider = providers[providerName]
	if ov.BaseURL != "" {
		s.Provider.BaseURL = ov.BaseURL
	}
	if ov.Wire != "" {
		s.Provider.Wire = ov.Wire
	}
	if s.Provider.EnvKey != "" {
		s.APIKey = strings.TrimSpace(getenv(s.Provider.EnvKey))
		// A server pointed at by hand (--base-url, OPENAI_BASE_URL) often needs no key
		// (a local one, a test double), so an absent key means "send none"
		// rather than "refuse to start".
		pointedByHand := ov.BaseURL != "" || (providerName == "openai" && getenv("OPENAI_BASE_URL") != "")
		if s.APIKey == "" && pointedByHand {
			s.Provider.EnvKey = ""
		}
	}
	s.ContextWindows = windows
	s.ReasoningSummaryChosen = s.ReasoningSummary != ""
	s.ContextWindow = ContextWindow(s.Model, windows)
	s.ReasoningSummary = defaultSummary(s)
	return s, nil
}

// defaultSummary is the reasoning summary to ask for. Models without
// reasoning reject a reasoning parameter, so a summary is asked for by
// default only from models known to reason.
func defaultSummary(s Settings) string {
	if s.ReasoningSummaryChosen {
		return s.ReasoningSummary
	}
	if Reasons(s.Model) {
		return "auto"
	}
	return ""
}

// ReasoningEfforts are the reasoning_effort values warden accepts, from
// the least to the most effort.
func ReasoningEfforts() []string {
	return []string{"none", "minimal", "low", "medium", "high", "xhigh", "max"}
}

// WithModel is s with another model and reasoning effort ("" leaves the
// effort to the provider), as the TUI's /model chooses them mid-session:
// the context window and the default reasoning summary follow the model.
func (s Settings) WithModel(model, effort string) (Settings, error) {
	model = strings.TrimSpace(model)
	if model == "" {
		return s, fmt.Errorf("model: give a model name")
	}
	if effort != "" {
		if err := checkEffort("reasoning effort", effort); err != nil {
			return s, err
		}
	}
	s.Model, s.ReasoningEffort = model, effort
	s.ContextWindow = ContextWindow(model, s.ContextWindows)
	s.ReasoningSummary = defaultSummary(s)
	return s, nil
}

// configPath is the file to read and whether the user named it.
func configPath(ov Overrides, getenv func(string) string) (path string, named bool) {
	if ov.ConfigPath != "" {
		return ov.ConfigPath, true
	}
	if p := getenv("WARDEN_CONFIG"); p != "" {
		return p, true
	}
	dir, err := Dir(getenv)
	if err != nil {
		return "", false // nowhere to look: run on defaults
	}
	return filepath.Join(dir, "config.toml"), false
}

func builtinProviders() map[string]Provider {
	return map[string]Provider{
		"openai":     {Name: "openai", BaseURL: "https://api.openai.com/v1", EnvKey: "OPENAI_API_KEY", Wire: WireResponses},
		"ollama":     {Name: "ollama", BaseURL: "http://localhost:11434/v1", Wire: WireChat},
		"lmstudio":   {Name: "lmstudio", BaseURL: "http://localhost:1234/v1", Wire: WireChat},
		"openrouter": {Name: "openrouter", BaseURL: "https://openrouter.ai/api/v1", EnvKey: "OPENROUTER_API_KEY", Wire: WireChat},
	}
}

// applyOverrides validates the flags and applies those that are settings of
// their own; BaseURL and Wire are applied by Load to the chosen provider.
func applyOverrides(ov Overrides, s *Settings, providers map[string]Provider, providerName *string) error {
	checks := []struct {
		flag, value string
		check       func(name, value string) error
		dst         *string
	}{
		{"--model", ov.Model, nil, &s.Model},
		{"--provider", ov.Provider, func(n, v string) error { return checkProvider(n, v, providers) }, providerName},
		{"--base-url", ov.BaseURL, checkURL, nil},
		{"--wire", ov.Wire, checkWire, nil},
		{"--reasoning-effort", ov.ReasoningEffort, checkEffort, &s.ReasoningEffort},
		{"--reasoning-summary", ov.ReasoningSummary, checkSummary, &s.ReasoningSummary},
		{"--sandbox", ov.SandboxMode, checkSandbox, &s.SandboxMode},
		{"--ask-for-approval", ov.ApprovalPolicy, checkApproval, &s.ApprovalPolicy},
	}
	for _, c := range checks {
		if c.value == "" {
			continue
		}
		if c.check != nil {
			if err := c.check(c.flag, c.value); err != nil {
				return err
			}
		}
		if c.dst != nil {
			*c.dst = c.value
		}
	}
	return nil
}

// The checks below take the name of what is being checked (a config key, a
// flag or an environment variable) so each source reports in its own terms.

func checkWire(name, v string) error {
	return oneOf(name, v, WireResponses, WireChat)
}

func checkEffort(name, v string) error {
	return oneOf(name, v, ReasoningEfforts()...)
}

func checkSummary(name, v string) error {
	return oneOf(name, v, "auto", "concise", "detailed", "none")
}

func checkSandbox(name, v string) error {
	return oneOf(name, v, SandboxReadOnly, SandboxWorkspaceWrite, SandboxFullAccess)
}

func checkApproval(name, v string) error {
	return oneOf(name, v, ApprovalUntrusted, ApprovalOnRequest, ApprovalNever)
}

func checkProvider(name, v string, providers map[string]Provider) error {
	if _, ok := providers[v]; ok {
		return nil
	}
	known := make([]string, 0, len(providers))
	for k := range providers {
		known = append(known, k)
	}
	slices.Sort(known)
	return fmt.Errorf("%s must name a known provider (%s), got %q", name, strings.Join(known, ", "), v)
}

func checkURL(name, v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s must be an http or https URL, got %q", name, v)
	}
	return nil
}

// checkDuration takes any TOML value, since a bare number is the likely
// mistake and deserves a better message than a type mismatch.
func checkDuration(name string, v any) (time.Duration, error) {
	s, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("%s must be a duration string such as \"300s\" or \"5m\", got %v", name, v)
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s must be a positive duration such as \"300s\" or \"5m\", got %q", name, s)
	}
	return d, nil
}

// oneOf reads "wire must be responses or chat, got \"x\"".
func oneOf(name, v string, allowed ...string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	list := allowed[0]
	if n := len(allowed); n > 1 {
		list = strings.Join(allowed[:n-1], ", ") + " or " + allowed[n-1]
	}
	return fmt.Errorf("%s must be %s, got %q", name, list, v)
}
