// Package approval decides, for each command and patch the model wants,
// whether it runs without asking, needs the user's yes, or is refused, and
// whether it runs inside the sandbox.
//
// It exists so that one place combines the approval policy, the sandbox
// mode, the user's rules and what the command really is: every part of a
// compound command is judged (a rule for `git status` never lets `git status
// && rm -rf ~` through), what cannot be judged statically is never allowed
// by a rule, and only the user — an answer now, or a rule saved from such an
// answer — lets a command out of the sandbox.
package approval

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"warden/harness/config"
	"warden/harness/event"
	"warden/harness/rules"
	"warden/harness/shellcmd"
)

// Policies: the config's approval_policy values.
const (
	Untrusted = config.ApprovalUntrusted
	OnRequest = config.ApprovalOnRequest
	Never     = config.ApprovalNever
)

// Engine judges a session's commands and patches.
type Engine struct {
	// Policy is the approval policy: Untrusted, OnRequest or Never.
	Policy string
	// FullAccess: there is no sandbox (sandbox_mode = "full-access").
	FullAccess bool
	// Rules are the rules in force; nil is none.
	Rules *rules.Set

	mu sync.Mutex
	// exact are the scripts the user allowed for the session, by whether
	// outside the sandbox.
	exact map[exactKey]bool
}

type exactKey struct {
	script  string
	outside bool
}

// WithoutRules is an engine with no rules: the policy alone (OnRequest if
// empty) decides, as for tools built without a session's rules.
func WithoutRules(policy string, fullAccess bool) *Engine {
	if policy == "" {
		policy = OnRequest
	}
	return &Engine{Policy: policy, FullAccess: fullAccess}
}

// Verdict is what to do with a command.
type Verdict struct {
	// Decision is Allow (run it), Ask (only the user's yes runs it) or
	// Deny (refused: Reason says why).
	Decision rules.Decision
	// Sandboxed: run it inside the sandbox. False only under full access,
	// or when every part is allowed to run outside by a rule the user saved
	// from an escalation prompt.
	Sandboxed bool
	// Reason says why it is asked or refused, for the user and the model.
	Reason string
	// Parts are the verdicts of the command's parts.
	Parts []Part
	// Prefix is the command prefix the user may choose to always allow
	// (empty when no single part needs asking), and MinPrefix the fewest
	// tokens it may be shortened to.
	Prefix    []string
	MinPrefix int
	// PrefixOf is the part the prefix is taken from: it may be lengthened
	// up to all of it.
	PrefixOf []string
}

// Part is the verdict on one simple command of a script.
type Part struct {
	Command  []string       `json:"command"`
	Decision rules.Decision `json:"decision"`
	// Rule is the rule that decided it ("file:line" or "session"), "" if
	// none did.
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// JudgeCommand judges a shell script; escalate says the model asked to run
// it outside the sandbox.
func (e *Engine) JudgeCommand(script string, escalate bool) Verdict {
	a := shellcmd.Analyze(script)
	v := Verdict{Decision: rules.Allow, Sandboxed: !e.FullAccess}
	outside := len(a.Parts) > 0 // every part allowed outside by a saved rule
	var askParts []shellcmd.Part
	for _, p := range a.Parts {
		pv, ruleOutside := e.judgePart(p)
		if !ruleOutside {
			outside = false
		}
		if pv.Decision == rules.Ask {
			askParts = append(askParts, p)
		}
		v.Parts = append(v.Parts, pv)
		v.Decision = rules.Stricter(v.Decision, pv.Decision)
	}
	var reasons []string
	for _, pv := range v.Parts {
		if pv.Decision != rules.Allow {
			reasons = append(reasons, fmt.Sprintf("`%s`: %s", strings.Join(pv.Command, " "), pv.Reason))
		}
	}
	// What cannot be judged as a whole (a script that does not parse has
	// no parts, though bash runs its lines up to the error) is judged like
	// an opaque part.
	if len(a.Opaque) > 0 && v.Decision == rules.Allow && (e.Policy == Untrusted || e.FullAccess || e.restricts()) {
		v.Decision = rules.Ask
		reasons = append(reasons, "cannot be judged without running it: "+strings.Join(a.Opaque, "; "))
	}
	if len(a.Parts) == 0 && len(a.Opaque) == 0 {
		// Nothing runs (comments, assignments): nothing to ask about.
		outside = false
	}
	if escalate && !e.FullAccess {
		switch {
		case outside && len(a.Opaque) == 0 && v.Decision == rules.Allow:
			v.Sandboxed = false // the user allowed these outside, by a saved rule
		case v.Decision != rules.Deny:
			v.Decision = rules.Ask
			v.Sandboxed = false // if the user says yes
			reasons = append([]string{"asks to run outside the sandbox"}, reasons...)
		}
	}
	v.Reason = strings.Join(reasons, "; ")
	if v.Decision == rules.Ask && e.allowedExactly(script, !v.Sandboxed) && !ruleAsked(v.Parts) {
		// The user allowed this very command for the session; a rule
		// that says ask still asks.
		v.Decision, v.Reason = rules.Allow, "allowed for this session"
	}
	if v.Decision == rules.Ask && e.Policy == Never {
		v.Decision = rules.Deny
		v.Reason = "the approval policy is \"never\", so nobody can allow what needs asking: " + v.Reason
	}
	if v.Decision == rules.Ask {
		switch {
		case len(askParts) == 1:
			v.Prefix, v.MinPrefix = proposal(askParts[0])
			v.PrefixOf = askParts[0].Argv
		case len(askParts) == 0 && len(a.Parts) == 1 && len(a.Opaque) == 0:
			// Asked only because of the escalation.
			v.Prefix, v.MinPrefix = proposal(a.Parts[0])
			v.PrefixOf = a.Parts[0].Argv
		}
		if len(v.Prefix) == 0 {
			v.PrefixOf = nil
		}
	}
	return v
}

func firstOr(argv []string) string {
	if len(argv) == 0 {
		return ""
	}
	return argv[0]
}

// firstWrapper is the outermost wrapper of a part, as written.
func firstWrapper(p shellcmd.Part) []string {
	for _, w := range p.Wrappers {
		switch filepath.Base(firstOr(w)) {
		case "sudo", "doas", "su", "runuser", "pkexec":
			return w
		}
	}
	return []string{"sudo"}
}

// proposal is the prefix to offer for a part that needs asking: what the
// analysis proposes, but the whole command for a destructive one — "always
// allow rm" after a question about `rm -rf build` would allow `rm -rf .`.
func proposal(p shellcmd.Part) ([]string, int) {
	if p.Opaque != "" || p.Privileged {
		return nil, 0 // no rule could spare the question
	}
	if bad, _ := shellcmd.Dangerous(p.Argv); bad {
		return append([]string(nil), p.Argv...), len(p.Argv)
	}
	return shellcmd.Prefix(p.Argv)
}

// judgePart decides one part: the strictest matching rule, then the safe
// and dangerous lists and the policy. It also reports whether a rule lets
// the part run outside the sandbox.
func (e *Engine) judgePart(p shellcmd.Part) (Part, bool) {
	pv := Part{Command: p.Argv, Decision: rules.Allow}
	if e.Rules != nil {
		d, matched, ok := e.Rules.Judge(p.Argv)
		// A command named by its path (/usr/bin/curl, ./curl) meets the
		// ask and deny rules for its name; never an allow rule, which
		// would cover whatever file sits at that path.
		if base := filepath.Base(firstOr(p.Argv)); strings.Contains(firstOr(p.Argv), "/") && base != "" {
			named := append([]string{base}, p.Argv[1:]...)
			if bd, bm, bok := e.Rules.Judge(named); bok && bd != rules.Allow && (!ok || rules.Stricter(d, bd) == bd && bd != d) {
				d, matched, ok = bd, bm, true
			}
		}
		if ok {
			pv.Decision, pv.Rule = d, matched[0].Where()
			switch {
			case d == rules.Allow && (p.Opaque != "" || p.Privileged):
				// An allow rule never covers what cannot be judged, or a
				// command run as another user.
			case d == rules.Allow:
				pv.Reason = "allowed by rule " + pv.Rule
				// Out of the sandbox only as written: an assignment or
				// a wrapper around it (OPENSSL_CONF=…, env, nice) could
				// change what the allowed command loads or runs.
				return pv, allOutside(matched) && len(p.Assigns) == 0 && len(p.Wrappers) == 0
			default:
				pv.Reason = string(d) + " by rule " + pv.Rule
				if j := matched[0].Justification; j != "" {
					pv.Reason += " (" + j + ")"
				}
				return pv, false
			}
		}
	}
	pv.Rule = ""
	safe, _ := shellcmd.SafePart(p)
	dangerous, why := shellcmd.Dangerous(p.Argv)
	switch {
	case p.Opaque != "":
		pv.Decision, pv.Reason = rules.Allow, "runs in the sandbox; cannot be judged without running it ("+p.Opaque+")"
		switch {
		case e.Policy == Untrusted || e.FullAccess:
			pv.Decision, pv.Reason = rules.Ask, "cannot be judged without running it ("+p.Opaque+")"
		case e.restricts():
			// A rule that says ask or deny cannot be shown not to apply
			// to what cannot be seen: `$(echo rm) -rf x` is still rm.
			pv.Decision, pv.Reason = rules.Ask, "cannot be judged without running it ("+p.Opaque+"), and a rule asks about or denies some commands"
		}
	case p.Privileged:
		pv.Decision, pv.Reason = rules.Ask, "runs as another user ("+firstOr(firstWrapper(p))+")"
	case dangerous:
		pv.Decision, pv.Reason = rules.Ask, "destructive: "+why
	case safe:
		pv.Decision, pv.Reason = rules.Allow, "known safe and read-only"
	case e.Policy == Untrusted:
		pv.Decision, pv.Reason = rules.Ask, "not a known-safe read-only command (approval policy untrusted)"
	default:
		pv.Decision, pv.Reason = rules.Allow, "runs in the sandbox"
		if e.FullAccess {
			pv.Reason = "runs without a sandbox (full access)"
		}
	}
	return pv, false
}

// restricts reports whether a shell rule says ask or deny.
func (e *Engine) restricts() bool {
	if e.Rules == nil {
		return false
	}
	for _, r := range e.Rules.Rules() {
		if !r.IsPatch() && r.Decision != rules.Allow {
			return true
		}
	}
	return false
}

// allOutside reports whether an allow rule lets the command out of the
// sandbox. Only the user's own rules can: a project's rules are written by
// whoever wrote the repository, trusted or not.
func allOutside(matched []rules.Rule) bool {
	for _, r := range matched {
		if r.Decision == rules.Allow && r.Outside && r.Source.Kind != rules.Project {
			return true
		}
	}
	return false
}

// JudgePatch judges a patch's targets (paths relative to the project
// root, slash-separated). needsUser says the sandbox would not let it
// through (read-only, or outside the writable roots); it returns Allow,
// Ask or Deny and why.
func (e *Engine) JudgePatch(rel []string, needsUser bool) (rules.Decision, string) {
	d := rules.Allow
	var reasons []string
	if needsUser {
		d = rules.Ask
	}
	if e.Policy == Untrusted {
		d = rules.Ask
		reasons = append(reasons, "every patch is put to the user (approval policy untrusted)")
	}
	if e.Rules != nil {
		allowedAll := len(rel) > 0
		strictest := rules.Allow
		for _, p := range rel {
			pd, matched, ok := e.Rules.JudgePath(p)
			if !ok {
				allowedAll = false
				continue
			}
			strictest = rules.Stricter(strictest, pd)
			if pd != rules.Allow {
				reasons = append(reasons, fmt.Sprintf("%s: %s by rule %s", p, pd, matched[0].Where()))
			}
		}
		switch {
		case strictest != rules.Allow:
			d = rules.Stricter(d, strictest)
		case allowedAll && d == rules.Ask:
			d = rules.Allow
			reasons = []string{"allowed by the patch rules"}
		}
	}
	if d == rules.Ask && e.Policy == Never {
		d = rules.Deny
		reasons = append(reasons, "the approval policy is \"never\", so nobody can allow this patch")
	}
	return d, strings.Join(reasons, "; ")
}

func ruleAsked(parts []Part) bool {
	for _, p := range parts {
		if p.Rule != "" && p.Decision != rules.Allow {
			return true
		}
	}
	return false
}

func (e *Engine) allowedExactly(script string, outside bool) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.exact[exactKey{script, outside}]
}

// Remember records what the user chose to remember with a yes: the exact
// command for the session, or a rule allowing a prefix for this project or
// everywhere (which lets it run outside the sandbox when the question was
// an escalation). It returns where a rule was saved.
func (e *Engine) Remember(d event.Decision, script string, outside bool) (string, error) {
	if !d.Approved {
		return "", nil
	}
	switch d.Remember {
	case "":
		return "", nil
	case event.RememberSession:
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.exact == nil {
			e.exact = map[exactKey]bool{}
		}
		e.exact[exactKey{script, outside}] = true
		return "", nil
	case event.RememberProject, event.RememberUser:
		if e.Rules == nil {
			return "", fmt.Errorf("no rules are loaded in this session")
		}
		if len(d.Prefix) == 0 {
			return "", fmt.Errorf("no prefix was chosen")
		}
		if why := tooBroad(d.Prefix); why != "" {
			return "", fmt.Errorf("refusing to save a rule for %q: %s", strings.Join(d.Prefix, " "), why)
		}
		if why := notOfScript(d.Prefix, script); why != "" {
			return "", fmt.Errorf("refusing to save a rule for %q: %s", strings.Join(d.Prefix, " "), why)
		}
		kind := rules.Personal
		if d.Remember == event.RememberUser {
			kind = rules.User
		}
		return e.Rules.Save(kind, RuleFor(d.Prefix, outside))
	}
	return "", fmt.Errorf("unknown remember scope %q", d.Remember)
}

// RememberPatch allows a patch's files for the rest of the session, each by
// its exact name: a name that reads as a glob (`*`, `**`) is not
// remembered, or it would allow every file.
func (e *Engine) RememberPatch(d event.Decision, rel []string) {
	if !d.Approved || d.Remember != event.RememberSession || e.Rules == nil {
		return
	}
	var exact []string
	for _, p := range rel {
		if !strings.ContainsAny(p, "*?[]{}\\") {
			exact = append(exact, p)
		}
	}
	if len(exact) == 0 {
		return
	}
	// Paths the globs cannot hold (outside the project) stay asked.
	_ = e.Rules.AddSession(rules.Rule{Decision: rules.Allow, Tool: rules.ToolPatch, Paths: exact})
}

// RuleFiles are where Remember saves a rule, by scope.
func (e *Engine) RuleFiles() map[string]string {
	if e.Rules == nil {
		return nil
	}
	return map[string]string{
		event.RememberProject: e.Rules.FileFor(rules.Personal),
		event.RememberUser:    e.Rules.FileFor(rules.User),
	}
}

// RuleFor is the rule that always allows prefix (outside the sandbox too,
// when it answers an escalation): what Remember saves, for front-ends to
// show before it is saved.
func RuleFor(prefix []string, outside bool) rules.Rule {
	return rules.Rule{Decision: rules.Allow, Command: tokens(prefix), Outside: outside,
		Justification: "saved from an approval prompt"}
}

func tokens(prefix []string) []rules.Token {
	out := make([]rules.Token, len(prefix))
	for i, p := range prefix {
		out[i] = rules.Token{p}
	}
	return out
}

// broadAlone are commands that, as a whole rule, would allow anything:
// interpreters, wrappers that run another command, and tools whose
// subcommands range from reading to publishing.
var broadAlone = map[string]bool{
	"python": true, "python3": true, "python2": true, "node": true, "deno": true, "bun": true, "ruby": true, "perl": true,
	"php": true, "lua": true, "bash": true, "sh": true, "zsh": true, "dash": true, "fish": true, "ksh": true,
	"env": true, "sudo": true, "doas": true, "xargs": true, "exec": true, "command": true, "nohup": true, "timeout": true,
	"nice": true, "time": true, "stdbuf": true, "watch": true, "git": true, "go": true, "npm": true, "npx": true, "yarn": true,
	"pnpm": true, "cargo": true, "docker": true, "podman": true, "kubectl": true, "pip": true, "pip3": true, "uv": true,
	"gh": true,
}

// evalFlags make an interpreter run the text that follows them.
var evalFlags = map[string]bool{"-c": true, "-lc": true, "-e": true, "--eval": true, "-p": true, "--print": true, "-E": true}

// tooBroad says why a prefix may not be saved as a rule, "" if it may: never
// a bare interpreter or wrapper, nor one with only its eval flag.
func tooBroad(prefix []string) string {
	if len(prefix) == 0 {
		return "it is empty"
	}
	if len(prefix) == 1 && broadAlone[prefix[0]] {
		return "alone it would allow any command it can run; keep its subcommand or script"
	}
	if last := prefix[len(prefix)-1]; evalFlags[last] && broadAlone[prefix[0]] {
		return "it would allow any code given to " + last
	}
	proposed, min := shellcmd.Prefix(prefix)
	if len(proposed) == 0 {
		return "no rule of these words alone is narrow enough (an option, an interpreter or a wrapper)"
	}
	if len(prefix) < min {
		return fmt.Sprintf("it must keep at least %d words", min)
	}
	return ""
}

// notOfScript says why prefix may not be saved for the approved script, ""
// if it may: it must begin one of the script's commands, be at least as
// long as warden would have proposed for it, and the script must be one
// that can be judged (a rule cannot pin what it could not see).
func notOfScript(prefix []string, script string) string {
	a := shellcmd.Analyze(script)
	if len(a.Opaque) > 0 {
		return "the command cannot be judged without running it (" + strings.Join(a.Opaque, "; ") + "), so no rule can stand for it"
	}
	for _, p := range a.Parts {
		if len(p.Argv) < len(prefix) || !slices.Equal(p.Argv[:len(prefix)], prefix) {
			continue
		}
		proposed, min := proposal(p)
		if len(proposed) == 0 {
			return "no prefix of `" + strings.Join(p.Argv, " ") + "` is narrow enough to allow always"
		}
		if len(prefix) < min {
			return fmt.Sprintf("keep at least %d words of `%s`", min, strings.Join(p.Argv, " "))
		}
		return ""
	}
	return "it does not begin any command of the one approved"
}

// WithPolicy is a new engine with another policy and sandbox, for a
// session whose settings the user changed: it keeps the rules and the
// commands already allowed for the session, since "this session" still
// means this one. The receiver is left as it was.
func (e *Engine) WithPolicy(policy string, fullAccess bool) *Engine {
	next := &Engine{Policy: policy, FullAccess: fullAccess, Rules: e.Rules}
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, v := range e.exact {
		if k.outside && e.FullAccess && !fullAccess {
			// Allowed when nothing was sandboxed, so every approval was
			// "outside" without the user choosing to let it out: with a
			// sandbox back, it must be asked again.
			continue
		}
		if next.exact == nil {
			next.exact = make(map[exactKey]bool, len(e.exact))
		}
		next.exact[k] = v
	}
	return next
}

// SessionApproval is a command the user allowed, exactly as written, for
// the rest of the session.
type SessionApproval struct {
	Script string
	// Outside: it may run outside the sandbox (it answered an escalation).
	Outside bool
}

// SessionApprovals are the commands allowed for the session, sorted.
func (e *Engine) SessionApprovals() []SessionApproval {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]SessionApproval, 0, len(e.exact))
	for k, ok := range e.exact {
		if ok {
			out = append(out, SessionApproval{Script: k.script, Outside: k.outside})
		}
	}
	slices.SortFunc(out, func(a, b SessionApproval) int {
		if c := strings.Compare(a.Script, b.Script); c != 0 {
			return c
		}
		return cmp.Compare(fmt.Sprint(a.Outside), fmt.Sprint(b.Outside))
	})
	return out
}

// Forget takes back a command allowed for the session: it is asked again.
// It reports whether there was such an approval.
func (e *Engine) Forget(a SessionApproval) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := exactKey{a.Script, a.Outside}
	if !e.exact[k] {
		return false
	}
	delete(e.exact, k)
	return true
}

// ForgetOutside takes back every command allowed for the session to run
// outside the sandbox, for a user going back to Read Only: from then on
// nothing leaves the sandbox without being asked (rules the user saved
// stay: they were chosen for good). It returns how many were forgotten.
func (e *Engine) ForgetOutside() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for k := range e.exact {
		if k.outside {
			delete(e.exact, k)
			n++
		}
	}
	return n
}
