package rules

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestMain doubles as the helper process of the concurrency tests: with
// helperEnv set, the test binary saves rules or trust and exits instead of
// running tests.
func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		if err := helper(mode, os.Getenv(helperDirEnv), os.Getenv(helperIDEnv)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const (
	helperEnv    = "WARDEN_RULES_TEST_HELPER"
	helperDirEnv = "WARDEN_RULES_TEST_DIR"
	helperIDEnv  = "WARDEN_RULES_TEST_ID"
	perProcess   = 10
)

func helper(mode, dir, id string) error {
	switch mode {
	case "save":
		s, err := LoadSet(Paths{ConfigDir: dir}, false)
		if err != nil {
			return err
		}
		for j := range perProcess {
			r := Rule{Decision: Allow, Command: []Token{{"tool"}, {fmt.Sprintf("p%s-r%d", id, j)}}}
			if _, err := s.Save(User, r); err != nil {
				return err
			}
		}
	case "trust":
		for j := range perProcess {
			if err := SetTrusted(dir, projectName(dir, id, j), true); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unknown helper mode %q", mode)
	}
	return nil
}

func projectName(dir, id string, j int) string {
	return filepath.Join(dir, "projects-root", fmt.Sprintf("p%s-%d", id, j))
}

// runHelpers runs n helper processes at once and waits for them all.
func runHelpers(t *testing.T, mode, dir string, n int) {
	t.Helper()
	cmds := make([]*exec.Cmd, n)
	outs := make([]*strings.Builder, n)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+mode, helperDirEnv+"="+dir, helperIDEnv+"="+strconv.Itoa(i))
		outs[i] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = outs[i], outs[i]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds[i] = cmd
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v\n%s", i, err, outs[i])
		}
	}
}

func TestConcurrentSavesFromProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 8
	runHelpers(t, "save", dir, n)
	rules, err := Load(filepath.Join(dir, "rules.toml"), User)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rules {
		seen[r.Command[1][0]] = true
	}
	if len(rules) != n*perProcess || len(seen) != n*perProcess {
		t.Errorf("%d rules (%d distinct), want %d", len(rules), len(seen), n*perProcess)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".rules.toml.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestConcurrentSetTrustedFromProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const n = 8
	runHelpers(t, "trust", dir, n)
	for i := range n {
		for j := range perProcess {
			ok, err := Trusted(dir, projectName(dir, strconv.Itoa(i), j))
			if err != nil || !ok {
				t.Fatalf("project %d-%d: trusted %v, %v", i, j, ok, err)
			}
		}
	}
	projects, err := parseTrust("trust.toml", readFile(t, TrustFile(dir)))
	if err != nil || len(projects) != n*perProcess {
		t.Errorf("%d projects, %v; want %d", len(projects), err, n*perProcess)
	}
}

func TestSaveRemoveRoundTrip(t *testing.T) {
	t.Parallel()
	p := project(t)
	s := loadSet(t, p, false)
	file := s.FileFor(User)
	orig := "# My rules; keep this comment.\n\n[[rule]]\ndecision   =   'deny'   # spaced oddly\ncommand = [\"sudo\"]\n"
	writeFile(t, file, orig)
	s = loadSet(t, p, false)

	r1 := Rule{Decision: Allow, Command: []Token{{"git"}, {"status", "log"}}, Justification: "read-only \"git\"\n", Match: []string{"git status"}, NotMatch: []string{"git push"}}
	got, err := s.Save(User, r1)
	if err != nil || got != file {
		t.Fatalf("Save = %s, %v", got, err)
	}
	r2 := Rule{Decision: Allow, Command: []Token{{"curl"}}, Outside: true}
	if _, err := s.Save(User, r2); err != nil {
		t.Fatal(err)
	}
	text := readFile(t, file)
	want := orig + "\n" + r1.String() + "\n" + r2.String()
	if text != want {
		t.Errorf("file\n%s\nwant\n%s", text, want)
	}
	// Saving it again changes nothing.
	if _, err := s.Save(User, r2); err != nil || readFile(t, file) != want {
		t.Errorf("saving a rule twice: %v\n%s", err, readFile(t, file))
	}

	// The Set has them in force, with their places in the file.
	if d, m, _ := s.Judge([]string{"curl", "x"}); d != Allow || !m[0].Outside || m[0].Where() != file+":14" {
		t.Errorf("after Save: %s %v", d, m)
	}
	rules := s.Rules()
	if len(rules) != 3 || rules[1].Line != 7 {
		t.Fatalf("rules %v", rules)
	}

	// Remove the middle one: the others and the comments stay.
	if err := Remove(file, rules[1].Line); err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, file), orig+"\n"+r2.String(); got != want {
		t.Errorf("after Remove\n%s\nwant\n%s", got, want)
	}
	if err := Remove(file, 8); err == nil || !strings.Contains(err.Error(), "no rule starts at line 8") {
		t.Errorf("Remove of no rule: %v", err)
	}
	if err := Remove(file, 8); err == nil || !strings.HasPrefix(err.Error(), "remove rule "+file+":8: ") {
		t.Errorf("Remove error %v", err)
	}
}

func TestStringParsesBack(t *testing.T) {
	t.Parallel()
	rules := []Rule{
		{Decision: Deny, Command: []Token{{"rm"}, {"-rf", "-fr"}, {"/"}}},
		{Decision: Allow, Command: []Token{{"echo"}, {"tab\tquote\"back\\slash\x01\x7f é ✓"}}, Justification: "line1\nline2 'single' \"\"\" triple",
			Match: []string{`echo 'tab	quote"back\slash` + "\x01\x7f" + ` é ✓'`}, Outside: true},
		{Decision: Ask, Tool: ToolPatch, Paths: []string{"migrations/**", "*.lock", "a b/[xy]?.go"}, Match: []string{"a b/x1.go"}, NotMatch: []string{"Cargo.lockx"}},
	}
	for _, r := range rules {
		if err := r.Validate(); err != nil {
			t.Fatalf("%v: %v", r, err)
		}
		file := filepath.Join(t.TempDir(), "rules.toml")
		writeFile(t, file, r.String())
		got, err := Load(file, Personal)
		if err != nil {
			t.Fatalf("%s\n%v", r, err)
		}
		r.Source, r.Line = Source{Kind: Personal, File: file}, 1
		if len(got) != 1 || !reflect.DeepEqual(got[0], r) {
			t.Errorf("%s\nread back as\n%#v\nwant\n%#v", r, got, r)
		}
	}
	want := "[[rule]]\ndecision = \"allow\"\ncommand = [\"git\", [\"status\", \"log\"]]\njustification = \"j\"\nmatch = [\"git log\"]\nnot_match = [\"git push\"]\nsandbox = \"outside\"\n"
	r := Rule{Decision: Allow, Command: []Token{{"git"}, {"status", "log"}}, Justification: "j", Match: []string{"git log"}, NotMatch: []string{"git push"}, Outside: true}
	if r.String() != want {
		t.Errorf("String\n%s\nwant\n%s", r, want)
	}
}

func TestRemoveKeepsNeighbours(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.toml")
	text := `# header comment
[[rule]]
decision = "allow"
command = ["a"]

# about b
[[rule]]
decision = "allow"
command = ["b"]
justification = """
# not a comment
"""

# about c
[[rule]]
decision = "allow"
command = ["c"]
`
	cases := []struct {
		line int
		want string
	}{
		{2, "# header comment\n\n# about b\n[[rule]]\ndecision = \"allow\"\ncommand = [\"b\"]\njustification = \"\"\"\n# not a comment\n\"\"\"\n\n# about c\n[[rule]]\ndecision = \"allow\"\ncommand = [\"c\"]\n"},
		{7, "# header comment\n[[rule]]\ndecision = \"allow\"\ncommand = [\"a\"]\n\n# about b\n\n# about c\n[[rule]]\ndecision = \"allow\"\ncommand = [\"c\"]\n"},
		{15, "# header comment\n[[rule]]\ndecision = \"allow\"\ncommand = [\"a\"]\n\n# about b\n[[rule]]\ndecision = \"allow\"\ncommand = [\"b\"]\njustification = \"\"\"\n# not a comment\n\"\"\"\n\n# about c\n"},
	}
	for _, c := range cases {
		writeFile(t, file, text)
		if err := Remove(file, c.line); err != nil {
			t.Fatalf("line %d: %v", c.line, err)
		}
		if got := readFile(t, file); got != c.want {
			t.Errorf("removing line %d:\n%s\nwant\n%s", c.line, got, c.want)
		}
	}
	writeFile(t, file, "[[rule]]\ndecision = \"allow\"\ncommand = [\"a\"]\n")
	if err := Remove(file, 1); err != nil || readFile(t, file) != "" {
		t.Errorf("removing the only rule: %v, %q", err, readFile(t, file))
	}
}

func TestSaveRefusesAndLeavesBrokenFiles(t *testing.T) {
	t.Parallel()
	p := project(t)
	s := loadSet(t, p, false)
	ok := Rule{Decision: Allow, Command: []Token{{"ls"}}}
	for _, k := range []Kind{Project, Session, "bogus"} {
		if _, err := s.Save(k, ok); err == nil {
			t.Errorf("Save(%s) succeeded", k)
		}
	}
	bad := Rule{Decision: Allow, Command: []Token{{"git"}, {"status"}}, Match: []string{"git log"}}
	if _, err := s.Save(User, bad); err == nil || !strings.Contains(err.Error(), `example "git log" is listed in match but does not match`) {
		t.Errorf("saving a rule whose example fails: %v", err)
	}
	if _, err := os.Stat(s.FileFor(User)); !os.IsNotExist(err) {
		t.Errorf("an invalid rule created the file: %v", err)
	}

	file := s.FileFor(Personal)
	broken := "# half edited\n[[rule]]\ndecision = \"alow\"\ncommand = [\"x\"]\n"
	writeFile(t, file, broken)
	_, err := s.Save(Personal, ok)
	if err == nil || !strings.Contains(err.Error(), file+": line 3: rule 1: decision must be") {
		t.Errorf("Save over a broken file: %v", err)
	}
	if got := readFile(t, file); got != broken {
		t.Errorf("broken file changed to\n%s", got)
	}
	if err := Remove(file, 2); err == nil {
		t.Error("Remove from a broken file succeeded")
	}
	if got := readFile(t, file); got != broken {
		t.Errorf("broken file changed to\n%s", got)
	}
}

func TestSaveThroughSymlinkKeepsModeAndLink(t *testing.T) {
	t.Parallel()
	p := project(t)
	s := loadSet(t, p, false)
	real := filepath.Join(t.TempDir(), "dotfiles", "rules.toml")
	writeFile(t, real, "# mine\n")
	if err := os.Chmod(real, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(p.ConfigDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, s.FileFor(User)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(User, Rule{Decision: Ask, Command: []Token{{"npm"}}}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(s.FileFor(User)); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	st, err := os.Stat(real)
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", st.Mode(), err)
	}
	if got := readFile(t, real); !strings.HasPrefix(got, "# mine\n\n[[rule]]") {
		t.Errorf("file\n%s", got)
	}
	if d, _, _ := s.Judge([]string{"npm"}); d != Ask {
		t.Errorf("saved rule not in force: %s", d)
	}
}

func TestSavePicksUpOtherSavers(t *testing.T) {
	t.Parallel()
	p := project(t)
	a, b := loadSet(t, p, false), loadSet(t, p, false)
	if _, err := a.Save(Personal, Rule{Decision: Allow, Command: []Token{{"a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Save(Personal, Rule{Decision: Allow, Command: []Token{{"b"}}}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range b.Rules() {
		names = append(names, r.Command[0][0])
	}
	if !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("b's rules %v, want a and b", names)
	}
}

func TestMultiLineArrays(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.toml")
	text := `[[rule]]
decision = "allow"
command = [
  "git",
  ["status", "log"],
]
justification = "x"

[[rule]]
decision = "deny"
command = [
  [
    "rm", "rmdir",
  ],
]
match = [
  # a comment in an array
  "rmdir x",
]
not_match = ["rm"]
`
	writeFile(t, file, text)
	_, err := Load(file, User)
	if err == nil || !strings.Contains(err.Error(), ": line 20: rule 2 (deny rm|rmdir): example \"rm\" matches but is listed in not_match") {
		t.Fatalf("error %v", err)
	}
	text = strings.Replace(text, `not_match = ["rm"]`, `not_match = ["ls"]`, 1)
	writeFile(t, file, text)
	rules, err := Load(file, User)
	if err != nil || len(rules) != 2 || rules[1].Line != 9 {
		t.Fatalf("rules %v, %v", rules, err)
	}
	if err := Remove(file, 1); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, file); got != text[strings.Index(text, "[[rule]]\ndecision = \"deny\""):] {
		t.Errorf("after Remove\n%s", got)
	}
}
