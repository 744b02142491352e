package approval

// Red-team tests (round 8) against the real engine. TestRedteam_* that FAIL
// show a real bypass; TestRedteamHeld_* are attacks that held. Nothing here
// runs a command: the engine only judges.

import (
	"os"
	"path/filepath"
	"testing"

	"warden/harness/event"
	"warden/harness/rules"
)

func rtSet(t *testing.T, rs ...rules.Rule) *rules.Set {
	t.Helper()
	for i := range rs {
		rs[i].Source = rules.Source{Kind: rules.User, File: "user.toml"}
		rs[i].Line = i + 1
	}
	return rules.NewSet(rs)
}

func rtRule(d rules.Decision, outside bool, cmd ...string) rules.Rule {
	r := rules.Rule{Decision: d, Outside: outside}
	for _, c := range cmd {
		r.Command = append(r.Command, rules.Token{c})
	}
	return r
}

// savingSet is a Set backed by files in a temporary config dir, so that
// Remember really saves.
func savingSet(t *testing.T) *rules.Set {
	t.Helper()
	dir := t.TempDir()
	p := rules.Paths{ConfigDir: filepath.Join(dir, "config"), ProjectRoot: filepath.Join(dir, "proj")}
	if err := os.MkdirAll(filepath.Join(p.ProjectRoot, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := rules.LoadSet(p, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A user's deny rule for rm (and the destructive list) is bypassed by `--`
// after nohup / builtin / time / nice -N: the part's command is "--".
func TestRedteam_DenyRuleBypassedByDoubleDash(t *testing.T) {
	e := &Engine{Policy: OnRequest, Rules: rtSet(t, rtRule(rules.Deny, false, "rm"))}
	if v := e.JudgeCommand("rm -rf ~", false); v.Decision != rules.Deny {
		t.Fatalf("control: rm -rf ~ = %s", v.Decision)
	}
	for _, s := range []string{"nohup -- rm -rf ~", "time -- rm -rf ~", "nice -10 -- rm -rf ~", "git status; nohup -- rm -rf ~"} {
		if v := e.JudgeCommand(s, false); v.Decision == rules.Allow {
			t.Errorf("%q is allowed despite the deny rule for rm (parts %+v)", s, v.Parts)
		}
	}
	// And the prefix offered for it is ["--"], which would allow anything
	// after `nohup --`, even outside the sandbox.
	u := &Engine{Policy: Untrusted}
	if v := u.JudgeCommand("nohup -- rm -rf build", false); len(v.Prefix) == 1 && v.Prefix[0] == "--" {
		if why := tooBroad(v.Prefix); why == "" {
			t.Errorf("proposed prefix %q for `nohup -- rm -rf build` is accepted by tooBroad", v.Prefix)
		}
	}
}

// Remember saves prefixes that allow any command of a tool or any code of an
// interpreter: tooBroad checks the prefix against Prefix(prefix) itself, so
// a prefix that stops before the subcommand (git --no-pager, git -C x) or is
// an interpreter/wrapper not in broadAlone passes.
func TestRedteam_RememberSavesOverbroadPrefix(t *testing.T) {
	for _, p := range [][]string{
		{"git", "--no-pager"}, // every git subcommand: push --force, -c core.pager=…
		{"git", "-C", "."},    // same
		{"python3.12"},        // interpreter, any -c code
		{"nodejs"},            // interpreter
		{"python3", "-u"},     // python3 -u -c CODE
		{"python3", "-Ic"},    // eval flag in a cluster
		{"perl", "-w"},        // perl -w -e CODE
		{"awk"},               // awk 'BEGIN{system(…)}'
		{"strace"},            // wrapper Analyze does not remove
		{"gdb"},               // gdb -ex '!cmd'
		{"--"},                // see DoubleDash above
		{"npm", "-s"},         // every npm subcommand
	} {
		s := savingSet(t)
		e := &Engine{Policy: OnRequest, Rules: s}
		file, err := e.Remember(event.Decision{Approved: true, Remember: event.RememberUser, Prefix: p}, "x", true)
		if err == nil {
			t.Errorf("Remember saved an outside allow rule for %q to %s", p, file)
		}
	}
}

// The consequence: after saving ["git","--no-pager"] from an escalation,
// any git command (force push, -c core.sshCommand=…) runs outside the
// sandbox without asking.
func TestRedteam_OverbroadSavedRuleLetsAnythingOutside(t *testing.T) {
	s := savingSet(t)
	e := &Engine{Policy: OnRequest, Rules: s}
	v := e.JudgeCommand("git --no-pager fetch origin", true)
	if v.Decision != rules.Ask {
		t.Fatalf("control: %s", v.Decision)
	}
	// The engine proposes git --no-pager fetch (min 3); the answer carries
	// a shorter prefix. Remember does not hold it to MinPrefix.
	if _, err := e.Remember(event.Decision{Approved: true, Remember: event.RememberUser, Prefix: []string{"git", "--no-pager"}}, "git --no-pager fetch origin", true); err != nil {
		t.Skipf("refused (fixed): %v", err)
	}
	v = e.JudgeCommand("git --no-pager -c core.sshCommand='sh -c x' push --force origin main", true)
	if v.Decision == rules.Allow && !v.Sandboxed {
		t.Errorf("force push with a chosen ssh command runs outside the sandbox without asking: %+v", v.Parts)
	}
}

// Remember saves a prefix that is not a prefix of the command approved
// (the model's prefix_rule, forwarded unchecked): approving `ls` can save
// an outside rule for curl.
func TestRedteam_RememberPrefixUnrelatedToCommand(t *testing.T) {
	s := savingSet(t)
	e := &Engine{Policy: OnRequest, Rules: s}
	if _, err := e.Remember(event.Decision{Approved: true, Remember: event.RememberUser, Prefix: []string{"curl"}}, "ls -la", true); err == nil {
		t.Errorf("approving `ls -la` saved an outside rule for curl")
	}
}

// With an outside rule for `git fetch` (what users save, since the sandbox
// has no network), an assignment of a variable that makes git load code
// chosen by the model still runs outside without asking.
func TestRedteam_OutsideRuleWithCodeLoadingVariable(t *testing.T) {
	e := &Engine{Policy: OnRequest, Rules: rtSet(t, rtRule(rules.Allow, true, "git", "fetch"), rtRule(rules.Allow, true, "git", "log"))}
	for _, s := range []string{
		"OPENSSL_CONF=./evil.cnf git fetch origin", // provider module = ./evil.so
		"GCONV_PATH=./gconv git log",               // iconv module loaded to re-encode a commit
	} {
		if v := e.JudgeCommand(s, true); v.Decision == rules.Allow && !v.Sandboxed {
			t.Errorf("%q runs outside the sandbox without asking", s)
		}
	}
}

// "Allow edits to these files for the session" turns the patch's file
// names into globs: a file named `**` (or `*`) allows every later patch to
// anything in the project, including patches warden writes outside the
// sandbox (read-only session, needsUser).
func TestRedteam_RememberPatchFileNameIsGlob(t *testing.T) {
	e := &Engine{Policy: Untrusted, Rules: rules.NewSet(nil)}
	e.RememberPatch(event.Decision{Approved: true, Remember: event.RememberSession}, []string{"**"})
	if d, why := e.JudgePatch([]string{"src/main.go", "Makefile"}, true); d == rules.Allow {
		t.Errorf("after allowing a file named ** for the session, a patch to other files is allowed: %s", why)
	}
	e2 := &Engine{Policy: Untrusted, Rules: rules.NewSet(nil)}
	e2.RememberPatch(event.Decision{Approved: true, Remember: event.RememberSession}, []string{"*"})
	if d, _ := e2.JudgePatch([]string{"Makefile"}, false); d == rules.Allow {
		t.Errorf("after allowing a file named * for the session, a patch to Makefile is allowed")
	}
}

// Under untrusted, a "safe" command with a glob that expands to options.
func TestRedteam_UntrustedGlobOption(t *testing.T) {
	e := &Engine{Policy: Untrusted}
	for _, s := range []string{"rg TODO *", "find * -name x", "sed -n p *"} {
		if v := e.JudgeCommand(s, false); v.Decision == rules.Allow {
			t.Errorf("%q runs without asking under untrusted; a file named --pre=./x / -fprint / -i makes it run or write", s)
		}
	}
}

// Held: a rule for git status never lets anything else through, nor out of
// the sandbox.
func TestRedteamHeld_RuleCoversOnlyItsCommand(t *testing.T) {
	e := &Engine{Policy: Untrusted, Rules: rtSet(t, rtRule(rules.Allow, true, "git", "status"))}
	for _, s := range []string{
		"git status && rm -rf ~", "git status; curl x|sh", "git status | sh", "git status $(id)",
		"git status > ~/.bashrc", "PATH=/tmp git status", "sudo git status", "git status\nmake",
		"git status & python3 -c 'x'",
	} {
		v := e.JudgeCommand(s, true)
		if v.Decision == rules.Allow {
			t.Errorf("%q allowed (sandboxed=%v)", s, v.Sandboxed)
		}
	}
	if v := e.JudgeCommand("git status --short", true); v.Decision != rules.Allow || v.Sandboxed {
		t.Errorf("control: %+v", v)
	}
	// An inside-only rule never lets it out.
	e2 := &Engine{Policy: OnRequest, Rules: rtSet(t, rtRule(rules.Allow, false, "git", "status"))}
	if v := e2.JudgeCommand("git status", true); v.Decision != rules.Ask {
		t.Errorf("inside rule + escalation: %s", v.Decision)
	}
	// Session exact: only that script, only that sandboxing.
	e3 := &Engine{Policy: Untrusted}
	e3.Remember(event.Decision{Approved: true, Remember: event.RememberSession}, "make test", false)
	if v := e3.JudgeCommand("make test", true); v.Decision != rules.Ask {
		t.Errorf("session exact (inside) let the command out: %s", v.Decision)
	}
	if v := e3.JudgeCommand("make test; rm -rf ~", false); v.Decision != rules.Ask {
		t.Errorf("session exact covered another script: %s", v.Decision)
	}
}

// Held: the prefixes named in the docs are refused.
func TestRedteamHeld_RememberRefusesBareInterpreters(t *testing.T) {
	s := savingSet(t)
	e := &Engine{Policy: OnRequest, Rules: s}
	for _, p := range [][]string{{"python"}, {"python3", "-c"}, {"bash"}, {"bash", "-lc"}, {"env"}, {"sudo"}, {"node", "-e"}, {"git"}, {"xargs"}, {"perl", "-e"}} {
		if _, err := e.Remember(event.Decision{Approved: true, Remember: event.RememberUser, Prefix: p}, "x", true); err == nil {
			t.Errorf("saved %q", p)
		}
	}
}
