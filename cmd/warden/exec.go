package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/launch"
	"warden/harness/tool"
)

func newExecCommand() *cobra.Command {
	var ov config.Overrides
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "exec [flags] PROMPT",
		Short: "Run one task without the TUI (PROMPT '-' reads it from stdin)",
		Long: `Run one task without the TUI: progress goes to stderr and the final answer to
stdout, or with --json one event per line to stdout (see docs/events.md).
Nobody can answer approval requests here, so unless -a or --preset says
otherwise exec runs with approval_policy "never": the model is told so, and
what would need the user's yes is refused. With a policy that asks, every
question is refused at once and the model told why.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("exec needs exactly one PROMPT argument (use '-' to read it from stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			prompt, err := readPrompt(args[0], cmd.InOrStdin())
			if err != nil {
				return err
			}
			ctx, caught := cancelOnSignal(cmd.Context())
			err = runExec(ctx, execRun{
				prompt:    prompt,
				overrides: ov,
				json:      jsonOut,
				stdout:    cmd.OutOrStdout(),
				stderr:    cmd.ErrOrStderr(),
				getenv:    os.Getenv,
			})
			var ee *exitError
			if errors.As(err, &ee) && ee.code == 130 && caught() == syscall.SIGTERM {
				ee.code = 143 // 128 + SIGTERM, as shells report it
			}
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVar(&jsonOut, "json", false, "print one JSON event per line on stdout")
	addModelFlags(cmd, &ov)
	return cmd
}

// addModelFlags registers the flags that override the config file; the TUI
// will share them.
func addModelFlags(cmd *cobra.Command, ov *config.Overrides) {
	f := cmd.Flags()
	f.StringVarP(&ov.Model, "model", "m", "", "model to use")
	f.StringVar(&ov.Provider, "provider", "", "provider from the config file (openai, ollama, lmstudio, openrouter, or your own)")
	f.StringVar(&ov.BaseURL, "base-url", "", "base URL of an OpenAI-compatible API")
	f.StringVar(&ov.Wire, "wire", "", "wire protocol: responses or chat")
	f.StringVar(&ov.ReasoningEffort, "reasoning-effort", "", "reasoning effort: none, minimal, low, medium, high, xhigh, max")
	f.StringVar(&ov.ReasoningSummary, "reasoning-summary", "", "reasoning summary: auto, concise, detailed, none")
	f.StringVarP(&ov.SandboxMode, "sandbox", "s", "", "where the model's commands and patches may write: read-only, workspace-write or full-access (no sandbox)")
	f.StringVarP(&ov.ApprovalPolicy, "ask-for-approval", "a", "", "when the user is asked: untrusted, on-request or never")
	f.StringVar(&ov.Preset, "preset", "", "read-only (read-only, on-request), auto (workspace-write, on-request) or full-access (no sandbox, never)")
	f.StringVar(&ov.ConfigPath, "config", "", "config file (default $XDG_CONFIG_HOME/warden/config.toml)")
}

// cancelOnSignal cancels the returned context on SIGINT or SIGTERM, which
// interrupts the turn cleanly; caught tells which signal it was, if any.
func cancelOnSignal(parent context.Context) (ctx context.Context, caught func() os.Signal) {
	ctx, cancel := context.WithCancel(parent)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var mu sync.Mutex
	var got os.Signal
	go func() {
		defer signal.Stop(sigs)
		select {
		case sig := <-sigs:
			mu.Lock()
			got = sig
			mu.Unlock()
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return got
	}
}

func readPrompt(arg string, stdin io.Reader) (string, error) {
	if arg != "-" {
		if strings.TrimSpace(arg) == "" {
			return "", usageErr("the prompt is empty")
		}
		return arg, nil
	}
	b, err := io.ReadAll(stdin)
	if err != nil {
		return "", fmt.Errorf("read prompt from stdin: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", usageErr("the prompt read from stdin is empty")
	}
	return string(b), nil
}

type execRun struct {
	prompt    string
	overrides config.Overrides
	json      bool
	stdout    io.Writer
	stderr    io.Writer
	getenv    func(string) string
	// tools replaces the session's tools (tests register their own).
	tools *tool.Registry
}

func runExec(ctx context.Context, r execRun) error {
	// With --json, a run that cannot start still says why on stdout, so a
	// consumer reading only the event stream is not left with nothing.
	setupFailed := func(code int, err error) error {
		if r.json {
			writeEvent(r.stdout, event.Error{Kind: "setup", Message: err.Error(), Fatal: true})
		}
		return &exitError{code: code, err: err}
	}
	settings, err := config.Load(r.overrides, r.getenv)
	if err != nil {
		return setupFailed(2, err)
	}
	// Nobody can answer an approval request here: unless the user chose a
	// policy for this run, the model is told it is "never", so that it
	// works within the sandbox instead of asking. With a policy that asks,
	// every question is refused and the model told.
	if r.overrides.ApprovalPolicy == "" && r.overrides.Preset == "" {
		settings.ApprovalPolicy = config.ApprovalNever
	}
	if name, missing := settings.MissingKey(); missing {
		return setupFailed(2, fmt.Errorf("%s is not set. Export your API key (export %s=...), or point warden at a local OpenAI-compatible server, e.g. --base-url http://localhost:11434/v1 --wire chat --model MODEL", name, name))
	}
	cwd, err := os.Getwd()
	if err != nil {
		return setupFailed(1, fmt.Errorf("find working directory: %w", err))
	}

	var sink event.Sink
	if r.json {
		sink = func(e event.Event) {
			answerApproval(e)
			writeEvent(r.stdout, e)
		}
	} else {
		p := newProgressPrinter(r.stderr)
		sink = func(e event.Event) {
			answerApproval(e)
			p.handle(e)
		}
	}

	sess, err := launch.Start(launch.Params{
		Settings: settings,
		Cwd:      cwd,
		Getenv:   r.getenv,
		Sink:     sink,
		Tools:    r.tools,
		Version:  version(),
	})
	if err != nil {
		return setupFailed(1, err)
	}
	defer func() {
		if err := sess.Close(); err != nil {
			fmt.Fprintln(r.stderr, "warden:", err)
		}
	}()

	res := sess.RunTurn(ctx, r.prompt)
	switch res.Status {
	case event.TurnCompleted:
		if !r.json {
			text := res.FinalText
			if !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			io.WriteString(r.stdout, text)
		}
		return nil
	case event.TurnInterrupted:
		if !r.json {
			return &exitError{code: 130}
		}
		return &exitError{code: 130, err: fmt.Errorf("interrupted")}
	default:
		if !r.json {
			// The progress printer has already shown the error.
			return &exitError{code: 1}
		}
		return &exitError{code: 1, err: fmt.Errorf("the turn failed: %w", res.Err)}
	}
}

// writeEvent prints one event as one JSON line, in a single write so lines
// never interleave.
func writeEvent(w io.Writer, e event.Event) {
	b, err := event.Marshal(e)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"type": "error", "message": err.Error()})
	}
	w.Write(append(b, '\n'))
}

// answerApproval refuses approval requests: in exec nobody can answer, and
// waiting would hang the run.
func answerApproval(e event.Event) {
	if req, ok := e.(event.ApprovalRequested); ok && req.Respond != nil {
		req.Respond(event.Decision{
			Approved:   false,
			Unanswered: true,
			Message:    "warden exec runs without a user to ask. Work within the sandbox, or tell the user what needs their approval.",
		})
	}
}
