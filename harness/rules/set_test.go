package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// project makes a config dir and a project root (a git repository) and
// returns the Paths of both.
func project(t *testing.T) Paths {
	t.Helper()
	dir := t.TempDir()
	p := Paths{ConfigDir: filepath.Join(dir, "config"), ProjectRoot: filepath.Join(dir, "proj")}
	if err := os.MkdirAll(filepath.Join(p.ProjectRoot, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func shellRule(d Decision, cmd ...string) string {
	toks := make([]string, len(cmd))
	for i, c := range cmd {
		toks[i] = quote(c)
	}
	return "[[rule]]\ndecision = " + quote(string(d)) + "\ncommand = [" + strings.Join(toks, ", ") + "]\n\n"
}

func loadSet(t *testing.T, p Paths, trusted bool) *Set {
	t.Helper()
	s, err := LoadSet(p, trusted)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func judged(t *testing.T, s *Set, cmd string) Decision {
	t.Helper()
	d, matched, ok := s.Judge(strings.Fields(cmd))
	if !ok {
		return ""
	}
	if len(matched) == 0 || matched[0].Decision != d {
		t.Errorf("Judge(%q) = %s but matched %v", cmd, d, matched)
	}
	return d
}

func TestStrictestWinsAcrossSources(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(User), shellRule(Allow, "git")+shellRule(Ask, "npm")+shellRule(Allow, "make"))
	writeFile(t, s0.FileFor(Project), shellRule(Deny, "git", "push")+shellRule(Allow, "make")+shellRule(Ask, "make", "deploy"))
	writeFile(t, s0.FileFor(Personal), shellRule(Allow, "npm", "test"))
	s := loadSet(t, p, false)

	if err := s.AddSession(Rule{Decision: Allow, Command: []Token{{"npm"}, {"install"}}}); err != nil {
		t.Fatal(err)
	}
	for cmd, want := range map[string]Decision{
		"git status":  Allow, // user allow
		"git push":    Deny,  // user allow + project deny
		"npm install": Ask,   // session allow + user ask
		"npm test":    Ask,   // personal allow + user ask
		"make deploy": Ask,   // user allow + project ask
		"make":        Allow, // user allow; the project's allow is ignored
		"ls":          "",    // nothing matches
	} {
		if got := judged(t, s, cmd); got != want {
			t.Errorf("Judge(%q) = %q, want %q", cmd, got, want)
		}
	}

	_, matched, _ := s.Judge([]string{"git", "push"})
	if len(matched) != 2 || matched[0].Decision != Deny || matched[0].Source.Kind != Project || matched[1].Source.Kind != User {
		t.Errorf("matched %v, want the project deny then the user allow", matched)
	}

	kinds := []Kind{}
	for _, r := range s.Rules() {
		kinds = append(kinds, r.Source.Kind)
	}
	want := []Kind{User, User, User, Project, Project, Personal, Session}
	if strings.Join(toStrings(kinds), " ") != strings.Join(toStrings(want), " ") {
		t.Errorf("Rules kinds %v, want %v", kinds, want)
	}
}

func toStrings(ks []Kind) []string {
	ss := make([]string, len(ks))
	for i, k := range ks {
		ss[i] = string(k)
	}
	return ss
}

func TestUntrustedProjectMayOnlyRestrict(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(Project), shellRule(Allow, "curl")+shellRule(Ask, "rm")+shellRule(Deny, "sudo"))

	s := loadSet(t, p, false)
	if d := judged(t, s, "curl x"); d != "" {
		t.Errorf("untrusted project allow applied: %s", d)
	}
	if d := judged(t, s, "rm x"); d != Ask {
		t.Errorf("rm: %s, want ask", d)
	}
	if d := judged(t, s, "sudo x"); d != Deny {
		t.Errorf("sudo: %s, want deny", d)
	}
	ign := s.Ignored()
	if len(ign) != 1 || ign[0].Line != 1 || ign[0].Command[0][0] != "curl" {
		t.Errorf("Ignored = %v", ign)
	}
	notes := s.Notes()
	if len(notes) != 1 || !strings.HasPrefix(notes[0], s.FileFor(Project)+":1: rule (allow curl) ignored") {
		t.Errorf("Notes = %q", notes)
	}

	trusted := loadSet(t, p, true)
	if d := judged(t, trusted, "curl x"); d != Allow {
		t.Errorf("trusted project allow: %s, want allow", d)
	}
	if len(trusted.Ignored()) != 0 || len(trusted.Notes()) != 0 {
		t.Errorf("trusted: ignored %v", trusted.Ignored())
	}
}

func TestJudgePath(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(User), `[[rule]]
decision = "allow"
tool = "apply_patch"
paths = ["**"]

[[rule]]
decision = "ask"
tool = "apply_patch"
paths = ["migrations/**"]
`+shellRule(Deny, "migrations"))
	s := loadSet(t, p, false)
	for rel, want := range map[string]Decision{"src/a.go": Allow, "migrations/1.sql": Ask} {
		d, matched, ok := s.JudgePath(rel)
		if !ok || d != want || matched[0].Decision != want {
			t.Errorf("JudgePath(%q) = %s, %v, %v; want %s", rel, d, matched, ok, want)
		}
	}
	if _, _, ok := s.JudgePath("../elsewhere"); ok {
		t.Error("a path outside the project matched")
	}
	if d, _, _ := s.Judge([]string{"migrations"}); d != Deny {
		t.Errorf("shell rule not judged: %s", d)
	}
}

func TestLoadSetReportsEveryBrokenFile(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(User), "[[rule]]\ndecision = 1\n")
	writeFile(t, s0.FileFor(Project), "oops\n")
	_, err := LoadSet(p, false)
	if err == nil || !strings.Contains(err.Error(), s0.FileFor(User)+": line 2") || !strings.Contains(err.Error(), s0.FileFor(Project)+": line 1") {
		t.Errorf("error %v, want both files named", err)
	}
}

func TestAddSessionRefusesInvalid(t *testing.T) {
	t.Parallel()
	s := loadSet(t, project(t), false)
	if err := s.AddSession(Rule{Decision: Allow}); err == nil {
		t.Error("a session rule without a command was accepted")
	}
	if err := s.AddSession(Rule{Decision: Allow, Command: []Token{{"ls"}}, Tool: ToolShell}); err != nil {
		t.Fatal(err)
	}
	r := s.Rules()[0]
	if r.Where() != "session" || r.Source.String() != "session" || r.Tool != "" {
		t.Errorf("session rule %+v", r)
	}
}

func TestPersonalFileOutsideProject(t *testing.T) {
	t.Parallel()
	p := project(t)
	s := loadSet(t, p, false)
	f := s.FileFor(Personal)
	if !strings.HasPrefix(f, filepath.Join(p.ConfigDir, "projects", "proj-")) {
		t.Errorf("personal file %s", f)
	}
	// The same project reached through a symlink has the same file.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(p.ProjectRoot, link); err != nil {
		t.Fatal(err)
	}
	if g := loadSet(t, Paths{ConfigDir: p.ConfigDir, ProjectRoot: link}, false).FileFor(Personal); g != f {
		t.Errorf("through a symlink: %s, want %s", g, f)
	}
	none := loadSet(t, Paths{ConfigDir: p.ConfigDir}, false)
	if none.FileFor(Personal) != "" || none.FileFor(Project) != "" {
		t.Error("files for a set without a project")
	}
	if _, err := none.Save(Personal, Rule{Decision: Allow, Command: []Token{{"ls"}}}); err == nil {
		t.Error("saved a personal rule without a project")
	}
}

func TestProjectRoot(t *testing.T) {
	t.Parallel()
	p := project(t)
	root, err := filepath.EvalSymlinks(p.ProjectRoot)
	if err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(p.ProjectRoot, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := ProjectRoot(sub); got != root {
		t.Errorf("ProjectRoot(%s) = %s, want %s", sub, got, root)
	}
	plain, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := ProjectRoot(plain); got != plain {
		t.Errorf("ProjectRoot outside git = %s, want %s", got, plain)
	}
	// A worktree's .git is a file.
	wt := filepath.Join(plain, "wt")
	writeFile(t, filepath.Join(wt, ".git"), "gitdir: elsewhere\n")
	if got := ProjectRoot(filepath.Join(wt, ".")); got != wt {
		t.Errorf("worktree root = %s, want %s", got, wt)
	}
}
