// Package launch assembles a ready-to-run session from resolved settings:
// the model client for the chosen wire, the instructions and context the
// model starts with, and the transcript. Every front-end (the TUI, `warden
// exec`) starts sessions the same way through it, so what the model is told
// never depends on which front-end the user picked.
package launch

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"warden/harness"
	"warden/harness/approval"
	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/instructions"
	"warden/harness/model"
	"warden/harness/modelclient"
	"warden/harness/rules"
	"warden/harness/tool"
	"warden/harness/transcript"
	"warden/sandbox"
	"warden/tools"
)

// Params are what a front-end knows when it starts a session.
type Params struct {
	Settings config.Settings
	Cwd      string
	Getenv   func(string) string
	Sink     event.Sink
	// Tools replaces the session's tools (shell_command, apply_patch,
	// update_plan, confined by the settings' sandbox) when set.
	Tools   *tool.Registry
	Version string
	// SandboxHelper is the binary run as the sandbox helper and the patch
	// writer (this one if empty; see sandbox.IsHelper, patch.IsChild).
	SandboxHelper string
	// Now is the clock for the date the model is told (time.Now if nil).
	Now func() time.Time
	// HTTPClient is used for model requests (http.DefaultClient's
	// transport if nil).
	HTTPClient *http.Client
	// Retry overrides the retry policy (tests shorten the waits).
	Retry harness.RetryPolicy
}

// Session is a harness session together with the transcript it writes
// and the tools it runs.
type Session struct {
	*harness.Session
	transcript *transcript.Writer
	params     Params

	mu       sync.Mutex
	settings config.Settings // as in force: trust and changes applied
	perms    Permissions
	engine   *approval.Engine // nil when Params.Tools replaced the tools
	tools    *tools.Set       // nil when Params.Tools replaced them
	sandbox  SandboxInfo
}

// SandboxInfo is the sandbox mode a session runs under, why it is that one,
// and whether commands may use the network.
type SandboxInfo struct {
	Mode    string
	Why     string
	Network bool
}

// sandboxWhy says why the mode is in force, in the words a status line
// can show.
func sandboxWhy(st config.Settings, trusted bool) string {
	switch {
	case st.SandboxModeChosen:
		return "chosen"
	case trusted:
		return "trusted project"
	}
	return "untrusted project"
}

// TranscriptPath is where the session is recorded.
func (s *Session) TranscriptPath() string { return s.transcript.Path() }

// Sandbox is the sandbox in force and why, for front-ends to show.
func (s *Session) Sandbox() SandboxInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sandbox
}

// Settings are the settings in force, with the project's trust and any
// change made during the session applied.
func (s *Session) Settings() config.Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.settings
}

// Close syncs and closes the transcript and stops the sandbox runners.
func (s *Session) Close() error {
	err := s.transcript.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tools != nil {
		err = errors.Join(err, s.tools.Close())
	}
	return err
}

// Start builds the client, context and transcript and opens the session.
func Start(p Params) (*Session, error) {
	st := p.Settings
	if p.Now == nil {
		p.Now = time.Now
	}
	client, err := newClient(st, p.HTTPClient)
	if err != nil {
		return nil, err
	}
	perms, err := LoadPermissions(p.Getenv, p.Cwd)
	if err != nil {
		return nil, err
	}
	// An untrusted project starts in read-only, a trusted one in
	// workspace-write, unless the user chose.
	if !st.SandboxModeChosen && perms.Trusted {
		st.SandboxMode = config.SandboxWorkspaceWrite
	}
	network := networkOn(st)
	// Everything below, the model's own view of its sandbox included, must
	// see the mode in force, not the one before trust was considered.
	p.Settings = st
	registry := p.Tools
	var set *tools.Set
	var engine *approval.Engine
	if registry == nil {
		engine = &approval.Engine{
			Policy: st.ApprovalPolicy, FullAccess: st.SandboxMode == config.SandboxFullAccess, Rules: perms.Rules,
		}
		if set, err = newTools(p, st, perms, engine); err != nil {
			return nil, err
		}
		registry = set.Registry
	}
	closeTools := func() {
		if set != nil {
			set.Close()
		}
	}
	base := baseInstructions(st, registry)
	contextItems, refused, err := startingContext(p, network)
	if err != nil {
		closeTools()
		return nil, err
	}

	id := harness.NewSessionID()
	dir, err := transcript.Dir(p.Getenv)
	if err != nil {
		closeTools()
		return nil, err
	}
	tw, err := transcript.Create(dir, transcript.Header{
		SessionID:      id,
		Created:        p.Now(),
		Cwd:            p.Cwd,
		Model:          st.Model,
		Provider:       st.Provider.Name,
		BaseURL:        redactURL(st.Provider.BaseURL),
		Wire:           st.Provider.Wire,
		SandboxMode:    st.SandboxMode,
		ApprovalPolicy: st.ApprovalPolicy,
		Version:        p.Version,
		Instructions:   base,
	})
	if err != nil {
		closeTools()
		return nil, err
	}
	sess, err := harness.New(harness.Options{
		Client:           client,
		Model:            st.Model,
		Provider:         st.Provider.Name,
		Wire:             st.Provider.Wire,
		Instructions:     base,
		Context:          contextItems,
		Tools:            registry,
		ReasoningEffort:  st.ReasoningEffort,
		ReasoningSummary: st.ReasoningSummary,
		IncludeReasoning: config.Reasons(st.Model) || st.ReasoningEffort != "",
		ContextWindow:    st.ContextWindow,
		MaxSteps:         st.MaxSteps,
		Retry:            p.Retry,
		Sink:             p.Sink,
		Transcript:       tw,
		SessionID:        id,
		Cwd:              p.Cwd,
		SandboxMode:      st.SandboxMode,
		ApprovalPolicy:   st.ApprovalPolicy,
	})
	if err != nil {
		tw.Close()
		closeTools()
		return nil, err
	}
	if p.Sink != nil {
		for _, r := range perms.Rules.Ignored() {
			p.Sink(event.Error{Kind: "rules", Message: fmt.Sprintf("%s: this allow rule of the project is ignored until you trust the project (warden trust %s)", r.Where(), perms.Root)})
		}
		for _, d := range refused {
			p.Sink(event.Error{Kind: "instructions", Message: fmt.Sprintf("%s was not read: it is %s", d.Path, d.Refused)})
		}
	}
	return &Session{Session: sess, transcript: tw, params: p, settings: st, perms: perms, engine: engine, tools: set,
		sandbox: SandboxInfo{Mode: st.SandboxMode, Why: sandboxWhy(st, perms.Trusted), Network: network},
	}, nil
}

// newTools builds the session's tools under st's sandbox, judged by engine.
func newTools(p Params, st config.Settings, perms Permissions, engine *approval.Engine) (*tools.Set, error) {
	return tools.New(tools.Config{
		Sandbox:      SandboxConfig(st, p.Cwd, p.Getenv, p.SandboxHelper),
		Shell:        p.Getenv("SHELL"),
		Approvals:    engine,
		ProjectRoot:  perms.Root,
		OutputTokens: st.ToolOutputTokens,
	})
}

func newClient(st config.Settings, hc *http.Client) (model.Client, error) {
	cfg := modelclient.Config{
		BaseURL:     st.Provider.BaseURL,
		APIKey:      st.APIKey,
		IdleTimeout: st.StreamIdleTimeout,
		HTTPClient:  hc,
		KeyEnv:      keyEnv(st.Provider),
	}
	switch st.Provider.Wire {
	case config.WireResponses:
		return modelclient.NewResponses(cfg), nil
	case config.WireChat:
		return modelclient.NewChat(cfg), nil
	}
	return nil, fmt.Errorf("provider %s: unknown wire %q (want responses or chat)", st.Provider.Name, st.Provider.Wire)
}

// startingContext is what the model reads before the user's first message:
// the environment block, then the AGENTS.md files from the most general to
// the most specific. refused are the AGENTS.md files not read (see
// instructions.FindProjectDocs), for the user to be told.
func startingContext(p Params, network bool) (items []model.Item, refused []instructions.Doc, err error) {
	items = []model.Item{model.UserMessage(environment(p, p.Settings, network))}
	configDir, err := config.Dir(p.Getenv)
	if err != nil {
		configDir = ""
	}
	docs, err := instructions.FindProjectDocs(configDir, p.Cwd, p.Settings.ProjectDocMaxBytes)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range docs {
		if d.Refused != "" {
			refused = append(refused, d)
		}
	}
	if text := instructions.FormatProjectDocs(docs); text != "" {
		items = append(items, model.UserMessage(text))
	}
	return items, refused, nil
}

// networkOn: commands under st may reach the network.
func networkOn(st config.Settings) bool {
	return st.SandboxMode == config.SandboxFullAccess || st.Sandbox.Network
}

// baseInstructions are the system instructions for st's sandbox and
// approvals and the tools of registry.
func baseInstructions(st config.Settings, registry *tool.Registry) string {
	return instructions.Base(instructions.Params{
		SandboxMode:    st.SandboxMode,
		ApprovalPolicy: st.ApprovalPolicy,
		NetworkEnabled: networkOn(st),
		Tools:          registry.Names(),
	})
}

// environment is the environment block the model is given: at the start
// of a session, and again when the user changes its sandbox.
func environment(p Params, st config.Settings, network bool) string {
	shell := filepath.Base(p.Getenv("SHELL"))
	if shell == "" || shell == "." {
		shell = "bash"
	}
	return instructions.EnvironmentContext(instructions.Env{
		Cwd:            p.Cwd,
		Shell:          shell,
		Date:           p.Now().Format("2006-01-02"),
		SandboxMode:    st.SandboxMode,
		NetworkEnabled: network,
		ApprovalPolicy: st.ApprovalPolicy,
		OS:             runtime.GOOS,
	})
}

// redactURL drops what a base URL may carry besides where it points: a
// password in its userinfo and a query string (some gateways take keys as
// ?api-key=). Transcripts and events must never hold a credential.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable base URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// keyEnv is how an auth error names where the key comes from.
func keyEnv(p config.Provider) string {
	if p.EnvKey != "" {
		return p.EnvKey
	}
	return fmt.Sprintf("the variable holding it, named by env_key in [providers.%s] of config.toml", p.Name)
}

// SandboxConfig is the sandbox the settings give a session working in dir:
// the mode, network and writable roots, the timeouts, the environment
// filter (with the session's API key as a value no command may see), and
// warden's own files kept out of reach.
func SandboxConfig(st config.Settings, dir string, getenv func(string) string, helper string) sandbox.Config {
	protect := OwnPaths(getenv)
	if helper != "" {
		protect = append(protect, helper) // it runs as the helper and the patch writer
	}
	return sandbox.Config{
		Policy: sandbox.Policy{
			Mode:          sandbox.Mode(st.SandboxMode),
			Network:       st.Sandbox.Network,
			Workspace:     dir,
			WritableRoots: st.Sandbox.WritableRoots,
		},
		Env: sandbox.EnvPolicy{
			Exclude: st.Sandbox.EnvExclude,
			Include: st.Sandbox.EnvInclude,
			Secrets: []string{st.APIKey},
		},
		DefaultTimeout: st.Sandbox.CommandTimeout,
		MaxTimeout:     st.Sandbox.MaxCommandTimeout,
		HelperPath:     helper,
		Protect:        protect,
	}
}

// OwnPaths are what no command or patch may change where a writable root
// holds them: warden's config (its rules and settings), its session state,
// and its binary.
func OwnPaths(getenv func(string) string) []string {
	var paths []string
	if dir, err := config.Dir(getenv); err == nil {
		paths = append(paths, dir)
	}
	if dir, err := transcript.Dir(getenv); err == nil {
		paths = append(paths, filepath.Dir(dir))
	}
	if exe, err := os.Executable(); err == nil {
		paths = append(paths, exe)
	}
	return paths
}

// Permissions are a project's trust and the rules in force there.
type Permissions struct {
	// Root is the project: the repository holding the working directory,
	// or the directory itself.
	Root    string
	Trusted bool
	Rules   *rules.Set
}

// LoadPermissions finds the project of dir, whether the user trusts it,
// and its rules. A broken rules or trust file is an error naming the file
// and line: never ignored, never reset.
func LoadPermissions(getenv func(string) string, dir string) (Permissions, error) {
	configDir, err := config.Dir(getenv)
	if err != nil {
		return Permissions{}, err
	}
	root := rules.ProjectRoot(dir)
	trusted, err := rules.Trusted(configDir, root)
	if err != nil {
		return Permissions{}, err
	}
	set, err := rules.LoadSet(rules.Paths{ConfigDir: configDir, ProjectRoot: root}, trusted)
	if err != nil {
		return Permissions{}, err
	}
	return Permissions{Root: root, Trusted: trusted, Rules: set}, nil
}
