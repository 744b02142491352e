// Package launch assembles a ready-to-run session from resolved settings:
// the model client for the chosen wire, the instructions and context the
// model starts with, and the transcript. Every front-end (the TUI, `warden
// exec`) starts sessions the same way through it, so what the model is told
// never depends on which front-end the user picked.
package launch

import (
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"time"

	"warden/harness"
	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/instructions"
	"warden/harness/model"
	"warden/harness/modelclient"
	"warden/harness/tool"
	"warden/harness/transcript"
)

// Params are what a front-end knows when it starts a session.
type Params struct {
	Settings config.Settings
	Cwd      string
	Getenv   func(string) string
	Sink     event.Sink
	Tools    *tool.Registry
	Version  string
	// Now is the clock for the date the model is told (time.Now if nil).
	Now func() time.Time
	// HTTPClient is used for model requests (http.DefaultClient's
	// transport if nil).
	HTTPClient *http.Client
	// Retry overrides the retry policy (tests shorten the waits).
	Retry harness.RetryPolicy
}

// Session is a harness session together with the transcript it writes.
type Session struct {
	*harness.Session
	transcript *transcript.Writer
}

// TranscriptPath is where the session is recorded.
func (s *Session) TranscriptPath() string { return s.transcript.Path() }

// Close syncs and closes the transcript.
func (s *Session) Close() error { return s.transcript.Close() }

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
	network := st.SandboxMode == config.SandboxFullAccess
	base := instructions.Base(instructions.Params{
		SandboxMode:    st.SandboxMode,
		ApprovalPolicy: st.ApprovalPolicy,
		NetworkEnabled: network,
		Tools:          p.Tools.Names(),
	})
	contextItems, err := startingContext(p, network)
	if err != nil {
		return nil, err
	}

	id := harness.NewSessionID()
	dir, err := transcript.Dir(p.Getenv)
	if err != nil {
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
		return nil, err
	}
	sess, err := harness.New(harness.Options{
		Client:           client,
		Model:            st.Model,
		Provider:         st.Provider.Name,
		Wire:             st.Provider.Wire,
		Instructions:     base,
		Context:          contextItems,
		Tools:            p.Tools,
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
		return nil, err
	}
	return &Session{Session: sess, transcript: tw}, nil
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
// the most specific.
func startingContext(p Params, network bool) ([]model.Item, error) {
	shell := filepath.Base(p.Getenv("SHELL"))
	if shell == "" || shell == "." {
		shell = "bash"
	}
	items := []model.Item{model.UserMessage(instructions.EnvironmentContext(instructions.Env{
		Cwd:            p.Cwd,
		Shell:          shell,
		Date:           p.Now().Format("2006-01-02"),
		SandboxMode:    p.Settings.SandboxMode,
		NetworkEnabled: network,
		ApprovalPolicy: p.Settings.ApprovalPolicy,
		OS:             runtime.GOOS,
	}))}
	configDir, err := config.Dir(p.Getenv)
	if err != nil {
		configDir = ""
	}
	docs, err := instructions.FindProjectDocs(configDir, p.Cwd, p.Settings.ProjectDocMaxBytes)
	if err != nil {
		return nil, err
	}
	if len(docs) > 0 {
		items = append(items, model.UserMessage(instructions.FormatProjectDocs(docs)))
	}
	return items, nil
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
