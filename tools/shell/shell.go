// Package shell is the shell_command tool: the model's way to run a command
// in the user's shell, confined by the session's sandbox.
//
// Its parameters and the layout of what it answers follow the Codex
// harness's shell_command, which OpenAI's coding models are trained on.
// Output streams to the front-ends while the command runs; the model gets
// the exit status, the wall time and the head and tail of the output within
// a token budget, plus what the sandbox blocked. Running outside the sandbox
// takes the user's yes, asked through the front-end, never the model's word.
package shell

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/internal/sandboxevent"
)

// Name is the tool's name, as the models know it.
const Name = "shell_command"

// Sandbox permissions a call may ask for.
const (
	UseDefault       = "use_default"
	RequireEscalated = "require_escalated"
)

// Patcher applies a patch found in a shell command (`apply_patch <<'EOF'`),
// exactly as the apply_patch tool would have.
type Patcher interface {
	ApplyPatch(ctx context.Context, call tool.Call, env tool.Env, patch, dir string) (tool.Result, error)
}

// Config is what the tool needs from the session.
type Config struct {
	// Runner runs commands under the session's sandbox.
	Runner *sandbox.Runner
	// Unsandboxed gives the runner for commands the user let out of the
	// sandbox (made on first use).
	Unsandboxed func() (*sandbox.Runner, error)
	// Shell is the user's shell, run as a login shell: bash, zsh, sh, dash
	// or ksh, by name or path. Anything else, or empty, means bash.
	Shell string
	// Approvals decides what runs without asking, what needs the user, and
	// what is refused. Nil: an engine with ApprovalPolicy and no rules.
	Approvals *approval.Engine
	// ApprovalPolicy is used when Approvals is nil.
	ApprovalPolicy string
	// OutputTokens is the budget of output sent to the model
	// (DefaultOutputTokens if 0).
	OutputTokens int
	// Patcher handles apply_patch calls made through the shell; nil
	// refuses them with a pointer to the apply_patch tool.
	Patcher Patcher
}

// Tool is shell_command.
type Tool struct {
	cfg       Config
	shell     string
	approvals *approval.Engine
}

// New makes the tool.
func New(cfg Config) (*Tool, error) {
	if cfg.Runner == nil {
		return nil, errors.New("shell tool: no sandbox runner")
	}
	a := cfg.Approvals
	if a == nil {
		a = approval.WithoutRules(cfg.ApprovalPolicy, cfg.Runner.Policy().Mode == sandbox.FullAccess)
	}
	return &Tool{cfg: cfg, shell: pickShell(cfg.Shell), approvals: a}, nil
}

// pickShell is the shell to run commands with: the user's own when it
// takes `-lc SCRIPT` as bash does, else bash, which the models' commands
// are written for.
func pickShell(s string) string {
	switch filepath.Base(s) {
	case "bash", "zsh", "sh", "dash", "ksh":
		return s
	}
	return "bash"
}

// params are the call's arguments. Login is accepted, as Codex offers it,
// though rarely sent; with_escalated_permissions is how older Codex models
// ask for require_escalated.
type params struct {
	Command                  string   `json:"command"`
	Workdir                  string   `json:"workdir"`
	TimeoutMS                *float64 `json:"timeout_ms"`
	SandboxPermissions       string   `json:"sandbox_permissions"`
	Justification            string   `json:"justification"`
	PrefixRule               []string `json:"prefix_rule"`
	Login                    *bool    `json:"login"`
	WithEscalatedPermissions bool     `json:"with_escalated_permissions"`
}

// parseParams decodes the arguments, explaining mistakes in the terms of
// the tool's parameters rather than Go's: the model reads the message.
func parseParams(input string) (params, error) {
	var p params
	if err := json.Unmarshal([]byte(input), &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			if te.Field == "command" {
				return p, tool.BadArguments("command must be a string holding the whole script (e.g. \"ls -la src\"), not a JSON %s", te.Value)
			}
			return p, tool.BadArguments("%s must be a JSON %s, not a JSON %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return p, tool.BadArguments("%v", err)
	}
	if strings.TrimSpace(p.Command) == "" {
		var all map[string]json.RawMessage
		json.Unmarshal([]byte(input), &all)
		var unknown []string
		for k := range all {
			if !slices.Contains(paramNames, k) {
				unknown = append(unknown, strconv.Quote(k))
			}
		}
		if len(unknown) > 0 {
			slices.Sort(unknown)
			return p, tool.BadArguments("command is missing; the script goes in \"command\" (%s %s not a parameter of %s)", strings.Join(unknown, ", "), plural(len(unknown), "is", "are"), Name)
		}
		return p, tool.BadArguments("command is empty")
	}
	return p, nil
}

var paramNames = []string{"command", "workdir", "timeout_ms", "sandbox_permissions", "justification", "prefix_rule", "login", "with_escalated_permissions"}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "float64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "array"
	}
	return goKind
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

const description = `Runs a shell command in the user's shell and returns its output.
- Set workdir instead of starting the command with cd.
- Each call is a fresh shell; processes it starts in the background end with it.
- Commands run in a sandbox; to run one outside it, set sandbox_permissions to "require_escalated" with a one-sentence justification, and the user is asked.`

var schema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "command": {"type": "string", "description": "The shell script to run, e.g. \"rg --files\" or \"go test ./...\"."},
    "workdir": {"type": "string", "description": "The directory to run it in (default: the session's working directory)."},
    "timeout_ms": {"type": "number", "description": "Kill the command after this many milliseconds."},
    "login": {"type": "boolean", "description": "Run the shell as a login shell (default true)."},
    "sandbox_permissions": {"type": "string", "enum": ["use_default", "require_escalated"], "description": "\"require_escalated\" asks the user to run this command outside the sandbox; default \"use_default\"."},
    "justification": {"type": "string", "description": "Only with require_escalated: one sentence, put to the user, saying what the command does and why it must leave the sandbox."},
    "prefix_rule": {"type": "array", "items": {"type": "string"}, "description": "Only with require_escalated: a short command prefix the user could allow from now on, e.g. [\"git\", \"pull\"] or [\"pytest\"]."}
  },
  "required": ["command"],
  "additionalProperties": false
}`)

// Spec describes the tool to the model.
func (t *Tool) Spec() model.ToolSpec {
	return model.ToolSpec{Name: Name, Description: description, Parameters: schema}
}

// ParallelSafe: commands may write, so they run one at a time.
func (t *Tool) ParallelSafe() bool { return false }

// Run runs one command.
func (t *Tool) Run(ctx context.Context, call tool.Call, env tool.Env) (tool.Result, error) {
	p, err := parseParams(call.Input)
	if err != nil {
		return tool.Result{}, err
	}
	var timeout time.Duration
	if p.TimeoutMS != nil {
		if *p.TimeoutMS <= 0 {
			return tool.Result{}, tool.BadArguments("timeout_ms must be a positive number of milliseconds, got %v", *p.TimeoutMS)
		}
		timeout = time.Duration(math.MaxInt64) // the runner cuts it to max_command_timeout
		if ms := *p.TimeoutMS; ms < float64(math.MaxInt64/int64(time.Millisecond)) {
			timeout = time.Duration(ms * float64(time.Millisecond))
		}
	}
	escalate := p.WithEscalatedPermissions
	switch p.SandboxPermissions {
	case "", UseDefault:
	case RequireEscalated:
		escalate = true
	default:
		return tool.Result{}, tool.BadArguments("sandbox_permissions must be %q or %q, got %q", UseDefault, RequireEscalated, p.SandboxPermissions)
	}
	dir, werr := t.workdir(p.Workdir)
	if werr != nil {
		return tool.Result{Status: "error", Output: werr.Error()}, nil
	}

	pc, isPatch, err := findPatchCall(p.Command)
	if isPatch {
		if err != nil {
			return tool.Result{Status: "error", Output: "error: " + err.Error()}, nil
		}
		if t.cfg.Patcher == nil {
			return tool.Result{Status: "error", Output: "error: apply_patch is not available in this session"}, nil
		}
		if pc.Dir != "" {
			if dir, err = t.subdir(dir, pc.Dir); err != nil {
				return tool.Result{Status: "error", Output: err.Error()}, nil
			}
		}
		return t.cfg.Patcher.ApplyPatch(ctx, call, env, pc.Patch, dir)
	}

	login := p.Login == nil || *p.Login
	shown := []string{t.shell, "-c", p.Command}
	if login {
		shown[1] = "-lc"
	}
	runner, refused := t.approve(ctx, env, shown, dir, p, escalate)
	if runner == nil {
		return refused, nil
	}
	cmd := func(r *sandbox.Runner) sandbox.Command {
		args := shown
		if login {
			args = []string{t.shell, "-lc", keepPath(r.Getenv("PATH")) + p.Command}
		}
		return sandbox.Command{Args: args, Dir: dir, Timeout: timeout}
	}
	res, err := t.run(ctx, runner, env, call.ID, cmd(runner))
	if err != nil || len(res.Denials) == 0 || runner != t.cfg.Runner || t.approvals.Policy != approval.Untrusted {
		return res, err
	}
	// Under untrusted the user, not the model, is offered the way out of
	// what the sandbox blocked.
	if outside := t.retryOutside(ctx, env, shown, dir, p, res); outside != nil {
		again, err := t.run(ctx, outside, env, call.ID, cmd(outside))
		again.Output = "The sandbox blocked the first run (" + denialList(res.Denials) + "); the user let it run again without the sandbox.\n" + again.Output
		return again, err
	}
	return res, nil
}

// keepPath is a prelude that puts the PATH warden was started with back in
// front after the login profile ran: Debian's and Ubuntu's /etc/profile set
// PATH outright, which would hide the user's Go, node version manager or
// activated virtualenv from every command. What the profile added stays,
// after. The prelude holds no newline, so line numbers in the shell's
// error messages are the script's own.
func keepPath(path string) string {
	if path == "" {
		return ""
	}
	return "PATH=" + shellQuote(path) + "${PATH:+:$PATH}; export PATH; "
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// workdir resolves the call's working directory against the session's.
func (t *Tool) workdir(w string) (string, error) {
	base := t.cfg.Runner.Policy().Workspace
	if w == "" {
		return base, nil
	}
	return t.subdir(base, w)
}

func (t *Tool) subdir(base, w string) (string, error) {
	dir := w
	if strings.HasPrefix(dir, "~/") || dir == "~" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, strings.TrimPrefix(dir, "~"))
		}
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(base, dir)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("error: workdir %s does not exist", dir)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("error: workdir %s is not a directory", dir)
	}
	return filepath.Clean(dir), nil
}

// run runs the command, streaming its output to the front-ends.
func (t *Tool) run(ctx context.Context, runner *sandbox.Runner, env tool.Env, callID string, c sandbox.Command) (tool.Result, error) {
	live := newStreamer(func(text string) {
		env.Emit(event.ToolOutputDelta{CallID: callID, Delta: text})
	}, streamInterval)
	c.OnOutput = live.write
	res, err := runner.Run(ctx, c)
	live.close()
	if err != nil {
		var se *sandbox.SetupError
		if errors.As(err, &se) {
			return tool.Result{Status: "error", Output: "error: the command did not run, because the sandbox could not be set up: " + err.Error()}, nil
		}
		return tool.Result{Status: "error", Output: "error: " + err.Error()}, nil
	}
	if ctx.Err() != nil {
		return tool.Result{}, ctx.Err()
	}
	code := exitCode(res)
	out := tool.Result{
		Output:   formatResult(res, t.cfg.OutputTokens),
		ExitCode: &code,
		Denials:  sandboxevent.Denials(res.Denials),
		TimedOut: res.TimedOut,
	}
	return out, nil
}
