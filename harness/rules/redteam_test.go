package rules

// Red-team tests (round 8). TestRedteam_* that FAIL show a real bypass;
// TestRedteamHeld_* are attacks that held.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A trusted project's own .warden/rules.toml (written by whoever wrote the
// repository) may carry `sandbox = "outside"` allow rules: the repository,
// not the user, lets commands out of the sandbox. The docs say only the
// user does, by a yes or a rule saved from such a question.
func TestRedteam_TrustedProjectRuleGrantsOutside(t *testing.T) {
	p := project(t)
	s0 := loadSet(t, p, true)
	writeFile(t, s0.FileFor(Project), "[[rule]]\ndecision = \"allow\"\ncommand = [\"make\"]\nsandbox = \"outside\"\n")
	s := loadSet(t, p, true)
	d, matched, ok := s.Judge([]string{"make", "deploy"})
	if ok && d == Allow && matched[0].Outside {
		t.Errorf("the project's own rule %s lets `make …` run outside the sandbox", matched[0].Where())
	}
}

// Held: an untrusted project may only restrict, and its deny beats the
// user's allow; its allow (outside or not) is ignored.
func TestRedteamHeld_UntrustedProjectOnlyRestricts(t *testing.T) {
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(User), shellRule(Allow, "git"))
	writeFile(t, s0.FileFor(Project), shellRule(Deny, "git", "push")+
		"[[rule]]\ndecision = \"allow\"\ncommand = [\"curl\"]\nsandbox = \"outside\"\n\n"+
		"[[rule]]\ndecision = \"allow\"\ntool = \"apply_patch\"\npaths = [\"**\"]\n")
	s := loadSet(t, p, false)
	if d := judged(t, s, "git push"); d != Deny {
		t.Errorf("git push = %q", d)
	}
	if d := judged(t, s, "curl x"); d != "" {
		t.Errorf("untrusted project allow rule applied: %q", d)
	}
	if _, _, ok := s.JudgePath("src/a.go"); ok {
		t.Errorf("untrusted project patch allow rule applied")
	}
	if len(s.Ignored()) != 2 {
		t.Errorf("ignored = %d", len(s.Ignored()))
	}
}

// Held: a rule whose example does not hold is an error at load, never
// silently skipped; a sandbox value on a deny rule is an error.
func TestRedteamHeld_BrokenRulesFailLoudly(t *testing.T) {
	p := project(t)
	s0 := loadSet(t, p, false)
	for _, text := range []string{
		"[[rule]]\ndecision = \"allow\"\ncommand = [\"git\", \"status\"]\nnot_match = [\"git status && rm -rf ~\"]\n",
		"[[rule]]\ndecision = \"deny\"\ncommand = [\"rm\"]\nsandbox = \"outside\"\n",
		"[[rule]]\ndecision = \"Allow\"\ncommand = [\"rm\"]\n",
		"rule = [{decision = \"allow\", command = [\"rm\"]}]\n",
		"[[rule]]\ndecision = \"allow\"\ncommand = []\n",
		"[[rule]]\ndecision = \"allow\"\ncommand = [\"ls\"]\nextra = 1\n",
	} {
		writeFile(t, s0.FileFor(User), text)
		if _, err := LoadSet(p, false); err == nil {
			t.Errorf("loaded without error:\n%s", text)
		}
	}
}

// Held: a symlink planted at the lock path is opened without truncation;
// the file it points to is left as it was, and the rule is still saved.
func TestRedteamHeld_LockSymlinkDoesNotClobber(t *testing.T) {
	p := project(t)
	s := loadSet(t, p, false)
	file := s.FileFor(User)
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	writeFile(t, victim, "precious\n")
	if err := os.Symlink(victim, file+".lock"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(User, Rule{Decision: Allow, Command: []Token{{"make"}, {"test"}}}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, victim); got != "precious\n" {
		t.Errorf("victim = %q", got)
	}
	if !strings.Contains(readFile(t, file), `"make", "test"`) {
		t.Errorf("rule not saved")
	}
}
