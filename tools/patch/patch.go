// Package patch is the apply_patch tool: the model's way to add, change,
// move and delete files, in the patch format OpenAI's coding models are
// trained to write (parsed and applied by tools/applypatch).
//
// A patch is confined like any write. It is checked and its diffs computed
// in warden's own process, which only reads; then, under workspace-write,
// it is written by warden's binary run as a command inside the session's
// sandbox, so the kernel holds it to the writable roots and the protected
// paths exactly as it holds a shell command. A patch that would land where
// the sandbox does not let commands write needs the user's yes; warden's
// own configuration is out of reach either way.
package patch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/rules"
	"warden/harness/tool"
	"warden/sandbox"
	"warden/tools/applypatch"
	"warden/tools/internal/sandboxevent"
)

// Name is the tool's name, as the models know it.
const Name = "apply_patch"

// Config is what the tool needs from the session.
type Config struct {
	// Runner is the session's sandbox runner; its policy decides where a
	// patch may write without asking.
	Runner *sandbox.Runner
	// ChildPath is the warden binary, run inside the sandbox to write a
	// patch (os.Executable if empty). It must call ChildMain when IsChild.
	ChildPath string
	// Approvals decides which patches need the user (nil: an engine with
	// ApprovalPolicy and no rules).
	Approvals *approval.Engine
	// ApprovalPolicy is used when Approvals is nil.
	ApprovalPolicy string
	// ProjectRoot is what patch rules' paths are relative to (the
	// workspace if empty).
	ProjectRoot string
	// Protect are warden's own files and directories (its config, rules
	// and state): no patch may touch them, approved or not.
	Protect []string
}

// Tool is apply_patch.
type Tool struct {
	cfg       Config
	approvals *approval.Engine
}

// New makes the tool.
func New(cfg Config) (*Tool, error) {
	if cfg.Runner == nil {
		return nil, errors.New("apply_patch tool: no sandbox runner")
	}
	if cfg.ChildPath == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("apply_patch tool: find warden's binary: %w", err)
		}
		cfg.ChildPath = exe
	}
	a := cfg.Approvals
	if a == nil {
		a = approval.WithoutRules(cfg.ApprovalPolicy, cfg.Runner.Policy().Mode == sandbox.FullAccess)
	}
	return &Tool{cfg: cfg, approvals: a}, nil
}

// Spec offers the tool as a freeform one with the patch grammar (the model
// client makes it a function with one "input" string where the wire has no
// freeform tools).
func (t *Tool) Spec() model.ToolSpec {
	return model.ToolSpec{
		Name:        Name,
		Description: description,
		Freeform:    &model.Grammar{Syntax: "lark", Definition: grammar},
	}
}

// ParallelSafe: patches write files.
func (t *Tool) ParallelSafe() bool { return false }

// Run applies the call's patch in the session's working directory.
func (t *Tool) Run(ctx context.Context, call tool.Call, env tool.Env) (tool.Result, error) {
	return t.ApplyPatch(ctx, call, env, call.Input, t.cfg.Runner.Policy().Workspace)
}

// ApplyPatch applies patch text with relative paths resolved against dir;
// the shell tool hands over `apply_patch <<'EOF'` calls through it.
func (t *Tool) ApplyPatch(ctx context.Context, call tool.Call, env tool.Env, text, dir string) (tool.Result, error) {
	text = unwrapInput(text)
	p, err := applypatch.Parse(text)
	if err != nil {
		return failed(err.Error() + "\nNo file was changed. Send the whole patch again, starting with *** Begin Patch and ending with *** End Patch."), nil
	}
	if path := kernelPath(dir, p.Paths()); path != "" {
		return kernelRefusal(path), nil
	}
	planned, err := applypatch.Plan(p, applypatch.Options{Dir: dir})
	if err != nil {
		return failed(err.Error()), nil
	}
	changes := planned.Changes()
	targets := planned.Targets()
	if res, refused := t.refuse(dir, targets); refused {
		return res, nil
	}

	var res *applypatch.Result
	var denied []sandbox.Denial
	pol := t.cfg.Runner.Policy()
	why := t.needsApproval(pol, targets)
	outside := why != "" // warden writes it itself, not the sandbox
	if outside {
		// Outside the sandbox the protected paths inside the writable
		// roots would not be protected: git's metadata and .warden are
		// refused whole, approved or not.
		if meta := metadataPath(targets); meta != "" {
			return tool.Result{Status: "denied", Output: fmt.Sprintf("refused: %s is in git's metadata or warden's project rules (.git, .warden), which a patch written outside the sandbox never changes: git runs hooks and config from there. No file was changed.", meta)}, nil
		}
		if links := linkedTargets(dir, p.Paths()); links != "" {
			why += "; " + links
		}
	}
	rel := t.relPaths(targets)
	decision, ruleWhy := t.approvals.JudgePatch(rel, outside)
	if ruleWhy != "" {
		why = strings.TrimPrefix(why+", and "+ruleWhy, ", and ")
	}
	switch decision {
	case rules.Deny:
		return tool.Result{Status: "denied", Output: fmt.Sprintf("refused: %s. No file was changed.", why)}, nil
	case rules.Ask:
		d, msg := t.ask(ctx, env, dir, why, changes)
		if !d.Approved {
			return tool.Result{Status: "denied", Output: msg, StopTurn: d.Stop}, nil
		}
		t.approvals.RememberPatch(d, rel)
		// Checked again: the answer may have taken a while.
		if res, refused := t.refuse(dir, planned.Targets()); refused {
			return res, nil
		}
	}
	switch {
	case pol.Mode == sandbox.FullAccess || outside:
		res, err = planned.Commit()
	default:
		res, denied, err = t.applySandboxed(ctx, text, dir)
	}
	if err != nil {
		out := failed(err.Error())
		if d := sandbox.FormatDenials(denied); d != "" {
			out.Output += "\n" + d
			out.Denials = sandboxevent.Denials(denied)
		}
		return out, nil
	}
	env.Emit(event.PatchApplied{CallID: call.ID, Changes: eventChanges(res.Changes)})
	return tool.Result{Output: res.Summary()}, nil
}

// refuse checks what no patch may touch, approved or not: kernel file
// systems and warden's own files.
func (t *Tool) refuse(dir string, targets []string) (tool.Result, bool) {
	if path := kernelPath(dir, targets); path != "" {
		return kernelRefusal(path), true
	}
	if own := t.ownPath(targets); own != "" {
		return tool.Result{Status: "denied", Output: fmt.Sprintf("refused: %s belongs to warden's own configuration, which no patch may change. No file was changed.", own)}, true
	}
	return tool.Result{}, false
}

func kernelRefusal(path string) tool.Result {
	return tool.Result{Status: "denied", Output: fmt.Sprintf("refused: %s is in a kernel file system (/proc, /sys, /dev), which no patch may read or write. No file was changed.", path)}
}

func failed(msg string) tool.Result {
	return tool.Result{Status: "error", Output: msg}
}

// unwrapInput takes the patch out of {"input": "..."}, which models
// sometimes send when they mistake the freeform tool for a function.
func unwrapInput(text string) string {
	trimmed := strings.TrimSpace(text)
	if !strings.HasPrefix(trimmed, "{") {
		return text
	}
	var v struct {
		Input *string `json:"input"`
		Patch *string `json:"patch"`
	}
	if json.Unmarshal([]byte(trimmed), &v) != nil {
		return text
	}
	switch {
	case v.Input != nil:
		return *v.Input
	case v.Patch != nil:
		return *v.Patch
	}
	return text
}

// kernelPath is the first of paths that leads into /proc, /sys or /dev,
// "" if none. The patch is checked in warden's own process, unconfined:
// reading /proc/self/environ there would put warden's API key into a
// failure message for the model, where a command in the sandbox only ever
// sees its own, scrubbed /proc.
func kernelPath(dir string, paths []string) string {
	for _, p := range paths {
		abs := p
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, abs)
		}
		abs = filepath.Clean(abs)
		for _, path := range []string{abs, resolve(abs)} {
			for _, k := range []string{"/proc", "/sys", "/dev"} {
				if within(path, k) {
					return p
				}
			}
		}
	}
	return ""
}

// ownPath is the first target inside warden's own files, "" if none.
func (t *Tool) ownPath(targets []string) string {
	for _, path := range targets {
		real := resolve(path)
		for _, own := range t.cfg.Protect {
			if within(path, own) || within(real, resolve(own)) {
				return path
			}
		}
	}
	return ""
}

// needsApproval says why the patch cannot be written inside the sandbox
// (the session is read-only, or a target lies outside where commands may
// write), or "" when it can.
func (t *Tool) needsApproval(pol sandbox.Policy, targets []string) string {
	switch pol.Mode {
	case sandbox.FullAccess:
		return ""
	case sandbox.ReadOnly:
		return "the session's sandbox is read-only"
	}
	for _, path := range targets {
		real := resolve(path)
		if t.cfg.Runner.Writable(real) {
			continue
		}
		roots := strings.Join(append([]string{pol.Workspace}, pol.WritableRoots...), ", ")
		if real != path {
			return fmt.Sprintf("%s leads (through a symbolic link) to %s, outside the writable roots (%s)", path, real, roots)
		}
		return fmt.Sprintf("%s is outside the writable roots (%s)", path, roots)
	}
	return ""
}

// ask puts a patch to the user. It returns the answer, and what to tell
// the model when it is no.
func (t *Tool) ask(ctx context.Context, env tool.Env, dir, why string, changes []applypatch.FileChange) (event.Decision, string) {
	d, err := env.RequestApproval(ctx, event.ApprovalRequested{
		Kind:    "patch",
		Cwd:     dir,
		Reason:  why,
		Changes: eventChanges(changes),
	})
	if err != nil {
		return event.Decision{}, fmt.Sprintf("not applied: %v. No file was changed.", err)
	}
	if d.Approved {
		return d, ""
	}
	if d.Unanswered {
		return d, fmt.Sprintf("Not applied: this patch needs the user's approval (%s), and nobody can answer here. No file was changed. %s", why, d.Message)
	}
	msg := fmt.Sprintf("The user did not allow this patch (%s). No file was changed.", why)
	if d.Message != "" {
		msg += " They said: " + d.Message
	}
	if d.Stop {
		msg += " They stopped the turn: wait for their next message."
	}
	return d, msg
}

// relPaths are the targets relative to the project root, as patch rules
// name them; a target outside the project keeps its absolute path.
func (t *Tool) relPaths(targets []string) []string {
	root := t.cfg.ProjectRoot
	if root == "" {
		root = t.cfg.Runner.Policy().Workspace
	}
	out := make([]string, len(targets))
	for i, path := range targets {
		out[i] = filepath.ToSlash(path)
		if rel, err := filepath.Rel(root, resolve(path)); err == nil && filepath.IsLocal(rel) {
			out[i] = filepath.ToSlash(rel)
		}
	}
	return out
}

// metadataPath is the first target inside a .git or .warden directory (or
// a .git file), through its links or as it reads, "" if none.
func metadataPath(targets []string) string {
	for _, t := range targets {
		for _, path := range []string{t, resolve(t)} {
			for _, part := range strings.Split(path, string(filepath.Separator)) {
				if part == ".git" || part == ".warden" {
					return t
				}
			}
		}
	}
	return ""
}

// linkedTargets says which of a patch's paths lead, through symbolic links,
// somewhere else than they say ("notes.txt leads to /home/u/.bashrc"), so
// that the user approves the files really written; "" when none do.
func linkedTargets(dir string, paths []string) string {
	var out []string
	realDir := resolve(dir)
	for _, p := range paths {
		// What the path says: relative ones from the real working
		// directory, so that a workspace reached through a link does not
		// make every path look redirected.
		said := filepath.Clean(p)
		if !filepath.IsAbs(said) {
			said = filepath.Join(realDir, said)
		}
		if real := resolve(said); real != said {
			out = append(out, p+" leads to "+real)
		}
	}
	return strings.Join(out, ", ")
}

// resolve is path with the symbolic links of its existing part resolved:
// where a write to it would land.
func resolve(path string) string {
	rest := ""
	cur := filepath.Clean(path)
	for {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return filepath.Clean(path)
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// within reports whether path is dir or inside it (both clean, absolute).
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, "/")+"/")
}

func eventChanges(cs []applypatch.FileChange) []event.FileChange {
	out := make([]event.FileChange, len(cs))
	for i, c := range cs {
		out[i] = event.FileChange{Path: c.Path, Kind: string(c.Kind), MoveTo: c.MoveTo, Diff: c.Diff, Added: c.Added, Removed: c.Removed}
	}
	return out
}
