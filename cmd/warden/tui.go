package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"

	"warden/demo"
	"warden/harness/config"
	"warden/harness/launch"
	"warden/harness/rules"
	"warden/sandbox"
	"warden/tui"
	"warden/tui/status"
	"warden/tui/trustprompt"
)

// runTUI is the root command: the interactive terminal interface in the
// current directory, with the arguments (if any) as the first prompt.
func runTUI(cmd *cobra.Command, args []string, ov config.Overrides) error {
	if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
		return usageErr("warden's interface needs a terminal; to run a task without one use: warden exec PROMPT")
	}
	cwd, err := os.Getwd()
	if err != nil {
		return fmt.Errorf("find working directory: %w", err)
	}
	settings, err := config.Load(ov, os.Getenv)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	if err := askTrustOnce(cmd.Context(), settings, cwd, os.Getenv); err != nil {
		if errors.Is(err, trustprompt.ErrAborted) {
			return nil
		}
		return &exitError{code: 2, err: err}
	}
	return startTUI(cmd.Context(), tuiRun{
		settings: settings,
		cwd:      cwd,
		prompt:   strings.Join(args, " "),
	})
}

type tuiRun struct {
	settings config.Settings
	cwd      string
	prompt   string
	// skipKeyCheck: the demo has its own model and needs no key.
	skipKeyCheck bool
	// getenv is os.Getenv unless the demo points warden's state and config
	// directories elsewhere.
	getenv func(string) string
	// demo: the session is thrown away, so do not point at its transcript.
	demo bool
}

// askTrustOnce asks, the first time warden opens in a project, whether
// the user trusts it, and remembers the answer in the config directory.
// It runs before the session starts, since trust decides the sandbox mode
// and which of the project's rules apply.
func askTrustOnce(ctx context.Context, st config.Settings, cwd string, getenv func(string) string) error {
	configDir, err := config.Dir(getenv)
	if err != nil {
		return err
	}
	root, files, err := launch.TrustFiles(getenv, cwd, st.ProjectDocMaxBytes)
	if err != nil {
		return err
	}
	if !utf8.ValidString(root) {
		// trust.toml could not hold the answer, so asking would be in
		// vain: the project opens untrusted, every time.
		fmt.Fprintf(os.Stderr, "warden: %q is not a valid UTF-8 path, so its trust cannot be recorded: it opens untrusted\n", root)
		return nil
	}
	if _, decided, err := rules.TrustDecision(configDir, root); err != nil || decided {
		return err
	}
	q := trustprompt.Question{
		Root:       root,
		Home:       getenv("HOME"),
		TrustFile:  rules.TrustFile(configDir),
		ModeChosen: st.SandboxModeChosen,
		ChosenMode: st.SandboxMode,
	}
	for _, f := range files {
		q.Files = append(q.Files, trustprompt.File{Path: f.Path, What: f.What})
	}
	trusted, err := trustprompt.Run(ctx, q, trustprompt.IO{})
	if err != nil {
		return err
	}
	return rules.SetTrusted(configDir, root, trusted)
}

// startTUI opens the session and runs the interface until the user quits.
// Without an API key it still opens, and says exactly how to give warden a
// model instead of failing.
func startTUI(ctx context.Context, r tuiRun) error {
	st := r.settings
	if r.getenv == nil {
		r.getenv = os.Getenv
	}
	info := status.Info{
		Model:           st.Model,
		ReasoningEffort: st.ReasoningEffort,
		SandboxMode:     st.SandboxMode,
		ApprovalPolicy:  st.ApprovalPolicy,
		Cwd:             r.cwd,
		Home:            r.getenv("HOME"),
		ContextLeft:     -1,
	}
	opts := tui.Options{
		Status:      info,
		Version:     version(),
		Root:        r.cwd,
		FirstPrompt: r.prompt,
		NoColor:     r.getenv("NO_COLOR") != "",
	}
	if name, missing := st.MissingKey(); missing && !r.skipKeyCheck {
		opts.Setup = tui.SetupHelp(name)
		return tui.Run(ctx, opts, tui.IO{})
	}
	ctl := &sessionControl{run: r, bridge: tui.NewBridge()}
	sess, err := ctl.open()
	if err != nil {
		return err
	}
	first, _ := ctl.current()
	opts.Session = sess
	opts.Bridge = ctl.bridge
	opts.Control = ctl
	sb := first.Sandbox()
	opts.Status.SandboxMode, opts.Status.SandboxWhy, opts.Status.Network = sb.Mode, sb.Why, sb.Network
	err = tui.Run(ctx, opts, tui.IO{})
	// The session in force (/new may have replaced the first) is stopped:
	// a turn still running, or just asked for, records how it ended
	// before the transcript closes.
	last, _ := ctl.current()
	if cerr := ctl.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil && !r.demo {
		fmt.Fprintf(os.Stderr, "Session %s saved to %s\n", last.ID(), last.TranscriptPath())
	}
	return err
}
func newDemoCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Watch warden work on a sample repository, with a built-in scripted model (no API key)",
		Long: `Watch warden work without an API key: a built-in scripted model plays a
session in a temporary copy of a small sample repository. It explores,
asks your approval for a command, fixes a bug with a patch, runs the tests
and sums up. Everything happens in the temporary copy, which is removed
when you quit; your own config, rules and transcripts are not touched.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !term.IsTerminal(os.Stdin.Fd()) || !term.IsTerminal(os.Stdout.Fd()) {
				return usageErr("warden demo needs a terminal")
			}
			return runDemo(cmd.Context())
		},
	}
}

func runDemo(ctx context.Context) error {
	parent, err := os.MkdirTemp("", "warden-demo-")
	if err != nil {
		return fmt.Errorf("make the demo's directory: %w", err)
	}
	defer os.RemoveAll(parent)
	dir, err := demo.Prepare(parent)
	if err != nil {
		return err
	}
	srv, err := demo.Serve()
	if err != nil {
		return err
	}
	defer srv.Close()
	// The demo's config, rules and transcript live beside the copy, so it
	// leaves nothing in the user's own directories.
	env := map[string]string{
		"XDG_CONFIG_HOME": filepath.Join(parent, "config"),
		"XDG_STATE_HOME":  filepath.Join(parent, "state"),
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	base, err := config.Load(config.Overrides{}, getenv)
	if err != nil {
		return err
	}
	return startTUI(ctx, tuiRun{
		settings:     demo.Settings(base, srv.BaseURL),
		cwd:          dir,
		prompt:       demo.Prompt,
		skipKeyCheck: true,
		getenv:       getenv,
		demo:         true,
	})
}

// statusReport is what /status shows. It reads the rules files and runs
// the sandbox probe, so the TUI calls it off its UI loop.
func statusReport(st config.Settings, sess *launch.Session, r tuiRun) string {
	var b strings.Builder
	row := func(name, value string) { fmt.Fprintf(&b, "%-11s%s\n", name, value) }
	row("session", sess.ID())
	model := st.Model
	if st.ReasoningEffort != "" {
		model += " (reasoning " + st.ReasoningEffort + ")"
	}
	row("model", model)
	row("provider", fmt.Sprintf("%s, %s wire, %s", st.Provider.Name, st.Provider.Wire, st.Provider.BaseURL))
	sb := sess.Sandbox()
	network := "network off"
	if sb.Network {
		network = "network on"
	}
	row("sandbox", fmt.Sprintf("%s (%s), %s", sb.Mode, sb.Why, network))
	if sb.Mode != config.SandboxFullAccess {
		probe := sandbox.RunProbe("/proc/self/exe")
		if err := probe.Check(sandbox.Policy{Mode: sandbox.ReadOnly}); err != nil {
			row("", "probe: "+err.Error())
		} else {
			row("", fmt.Sprintf("probe: ready (Landlock ABI %d, kernel %s)", probe.LandlockABI, probe.Kernel))
		}
	}
	row("approvals", st.ApprovalPolicy)
	u := sess.Usage()
	row("tokens", fmt.Sprintf("%d in (%d cached), %d out, %d total", u.InputTokens, u.CachedInputTokens, u.OutputTokens, u.TotalTokens))
	cfg := st.ConfigFile
	if cfg == "" {
		cfg = "none: built-in defaults"
	}
	row("config", cfg)
	if perms, err := launch.LoadPermissions(r.getenv, r.cwd); err != nil {
		row("rules", "cannot load: "+err.Error())
	} else {
		for _, kind := range []rules.Kind{rules.User, rules.Project, rules.Personal} {
			if f := perms.Rules.FileFor(kind); f != "" {
				state := "absent"
				if _, err := os.Stat(f); err == nil {
					state = "loaded"
				}
				row("rules", fmt.Sprintf("%s (%s)", f, state))
			}
		}
		trust := "not trusted"
		if perms.Trusted {
			trust = "trusted"
		}
		row("project", perms.Root+" ("+trust+")")
	}
	row("transcript", sess.TranscriptPath())
	return strings.TrimRight(b.String(), "\n")
}
