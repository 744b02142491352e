package rules

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestRevokeRemovesAFileRuleAndItStopsMatching(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, true)
	writeFile(t, s0.FileFor(User), shellRule(Allow, "git", "status")+shellRule(Allow, "make"))
	writeFile(t, s0.FileFor(Personal), shellRule(Allow, "npm", "test"))
	s := loadSet(t, p, true)
	if judged(t, s, "make all") != Allow || judged(t, s, "npm test") != Allow {
		t.Fatal("rules not in force before revoking")
	}
	for _, r := range s.Rules() {
		if r.Matches([]string{"make"}) || r.Matches([]string{"npm", "test"}) {
			if err := s.Revoke(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if d := judged(t, s, "make all"); d != "" {
		t.Fatalf("make still judged %s after revoking", d)
	}
	if d := judged(t, s, "npm test"); d != "" {
		t.Fatalf("npm test still judged %s after revoking", d)
	}
	if judged(t, s, "git status") != Allow {
		t.Fatal("the rule left in place stopped matching")
	}
	// On disk too: a new session does not get them back.
	data, err := os.ReadFile(s.FileFor(User))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), `"make"`) || !strings.Contains(string(data), `"git"`) {
		t.Fatalf("user rules file after revoking make:\n%s", data)
	}
	if d := judged(t, loadSet(t, p, true), "npm test"); d != "" {
		t.Fatalf("a fresh load still judges npm test %s", d)
	}
}

func TestRevokeDropsASessionRule(t *testing.T) {
	t.Parallel()
	s := loadSet(t, project(t), false)
	r := Rule{Decision: Allow, Command: []Token{{"go"}, {"test"}}}
	if err := s.AddSession(r); err != nil {
		t.Fatal(err)
	}
	rules := s.Rules()
	if len(rules) != 1 {
		t.Fatalf("rules = %v", rules)
	}
	if err := s.Revoke(rules[0]); err != nil {
		t.Fatal(err)
	}
	if d := judged(t, s, "go test ./..."); d != "" {
		t.Fatalf("go test still judged %s", d)
	}
	if err := s.Revoke(rules[0]); err == nil {
		t.Fatal("revoking it twice did not fail")
	}
}

// The repository's own rules are not the user's to edit through warden,
// and a rule naming a file the set does not hold (a forged address) must
// not make Revoke remove a rule from some other file.
func TestRevokeRefusesProjectRulesAndForeignFiles(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, true)
	writeFile(t, s0.FileFor(Project), shellRule(Deny, "git", "push"))
	other := p.ConfigDir + "/other.toml"
	writeFile(t, other, shellRule(Allow, "ls"))
	s := loadSet(t, p, true)
	rules := s.Rules()
	if len(rules) != 1 || rules[0].Source.Kind != Project {
		t.Fatalf("rules = %v", rules)
	}
	if err := s.Revoke(rules[0]); err == nil || !strings.Contains(err.Error(), "repository") {
		t.Fatalf("revoking a project rule: %v", err)
	}
	if judged(t, s, "git push") != Deny {
		t.Fatal("the project's deny rule was dropped")
	}
	forged := Rule{Decision: Allow, Command: []Token{{"ls"}}, Source: Source{Kind: User, File: other}, Line: 1}
	if err := s.Revoke(forged); err == nil {
		t.Fatal("revoked a rule of a file outside the set")
	}
	if data, _ := os.ReadFile(other); !strings.Contains(string(data), `"ls"`) {
		t.Fatal("the other file was changed")
	}
}

// A rule revoked from a list read before the file changed (another session
// removed a rule, or the user edited the file) must not take out whatever
// rule now sits at its old line.
func TestRevokeRefusesWhenTheFileChanged(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, true)
	file := s0.FileFor(User)
	writeFile(t, file, shellRule(Allow, "ls")+shellRule(Allow, "make"))
	s := loadSet(t, p, true)
	var stale Rule
	for _, r := range s.Rules() {
		if r.Matches([]string{"make"}) {
			stale = r
		}
	}
	writeFile(t, file, shellRule(Deny, "git", "push")+shellRule(Deny, "rm")+shellRule(Allow, "make"))
	err := s.Revoke(stale)
	if !errors.Is(err, ErrFileChanged) {
		t.Fatalf("revoking a stale rule: %v", err)
	}
	// The set has read the file again: listing shows it as it is, and the
	// rule can be revoked from there.
	var fresh Rule
	found := 0
	for _, r := range s.Rules() {
		if r.Matches([]string{"rm"}) || r.Matches([]string{"git", "push"}) {
			found++
		}
		if r.Matches([]string{"make"}) {
			fresh = r
		}
	}
	if found != 2 || fresh.Line == stale.Line {
		t.Fatalf("the set was not read again: %v", s.Rules())
	}
	if err := s.Revoke(fresh); err != nil {
		t.Fatalf("revoking from the fresh list: %v", err)
	}
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), `"push"`) || !strings.Contains(string(data), `"rm"`) || strings.Contains(string(data), `"make"`) {
		t.Fatalf("the file after the second revoke:\n%s", data)
	}
}
