package rules

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

const goodRules = `# My rules.

[[rule]]
decision = "allow"
command = ["git", ["status", "log", "diff"]]   # read-only git
justification = "read-only git"
match = ["git status", "git log --oneline", "git diff 'a b'"]
not_match = ["git push", "git statusx", "git"]

[[rule]]
decision = "deny"
tool = "shell_command"
command = ["rm", "-rf"]
description = """
[[rule]]
not a header: inside a string
"""

[[ rule ]]
decision = "ask"
tool = "apply_patch"
paths = ["migrations/**", "*.lock", "**/secret.*"]
match = ["migrations/001.sql", "migrations/a/b.sql", "Cargo.lock", "x/y/secret.txt"]
not_match = ["src/Cargo.lock", "migrationsx/a", "../migrations/x"]

[[rule]]
decision = "allow"
command = ["curl"]
sandbox = "outside"
`

func TestLoadGood(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.toml")
	// The description key is unknown; take it out but keep its string's
	// lines, to check the scanner skips a [[rule]] inside a string.
	text := strings.Replace(goodRules, `description = """`, `justification = """`, 1)
	writeFile(t, file, text)
	rules, err := Load(file, User)
	if err != nil {
		t.Fatal(err)
	}
	src := Source{Kind: User, File: file}
	want := []Rule{
		{
			Decision:      Allow,
			Command:       []Token{{"git"}, {"status", "log", "diff"}},
			Justification: "read-only git",
			Match:         []string{"git status", "git log --oneline", "git diff 'a b'"},
			NotMatch:      []string{"git push", "git statusx", "git"},
			Source:        src, Line: 3,
		},
		{
			Decision:      Deny,
			Command:       []Token{{"rm"}, {"-rf"}},
			Justification: "[[rule]]\nnot a header: inside a string\n",
			Source:        src, Line: 10,
		},
		{
			Decision: Ask,
			Tool:     ToolPatch,
			Paths:    []string{"migrations/**", "*.lock", "**/secret.*"},
			Match:    []string{"migrations/001.sql", "migrations/a/b.sql", "Cargo.lock", "x/y/secret.txt"},
			NotMatch: []string{"src/Cargo.lock", "migrationsx/a", "../migrations/x"},
			Source:   src, Line: 19,
		},
		{
			Decision: Allow,
			Command:  []Token{{"curl"}},
			Outside:  true,
			Source:   src, Line: 26,
		},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("got\n%#v\nwant\n%#v", rules, want)
	}
	if got := rules[2].Where(); got != file+":19" {
		t.Errorf("Where = %q", got)
	}
}

func TestLoadMissingAndEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rules, err := Load(filepath.Join(dir, "none.toml"), User)
	if rules != nil || err != nil {
		t.Errorf("missing file: %v, %v", rules, err)
	}
	file := filepath.Join(dir, "empty.toml")
	writeFile(t, file, "# nothing yet\n")
	rules, err = Load(file, User)
	if len(rules) != 0 || err != nil {
		t.Errorf("empty file: %v, %v", rules, err)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	const allowGit = "[[rule]]\ndecision = \"allow\"\ncommand = [\"git\"]\n\n"
	tests := []struct {
		name, text, want string
	}{
		{"syntax", "[[rule]\n", `line 2: expected end of table array name delimiter ']'`},
		{"unknown top-level key", "version = 1\n" + allowGit, `line 1: unknown key "version" (a rules file is a list of [[rule]] tables)`},
		{"unknown rule key", allowGit + "[[rule]]\ndecision = \"allow\"\ncommand = [\"ls\"]\nsandbx = \"outside\"\n",
			`line 8: rule 2 (allow ls): unknown key "sandbx"`},
		{"bad decision", allowGit + "[[rule]]\ncommand = [\"ls\"]\ndecision = \"permit\"\n",
			`line 7: rule 2: decision must be "allow", "ask" or "deny", got "permit"`},
		{"missing decision", "[[rule]]\ncommand = [\"ls\"]\n", `line 1: rule 1: decision is required ("allow", "ask" or "deny")`},
		{"decision not a string", "[[rule]]\ndecision = 3\ncommand = [\"ls\"]\n", `line 2: rule 1: decision must be a string, got integer 3`},
		{"empty command", "[[rule]]\ndecision = \"deny\"\ncommand = []\n", `line 3: rule 1 (deny): command must not be empty`},
		{"no command", "[[rule]]\ndecision = \"deny\"\n", `line 1: rule 1 (deny): command must not be empty`},
		{"command not a list", "[[rule]]\ndecision = \"deny\"\ncommand = \"rm -rf\"\n", `line 3: rule 1 (deny): command must be a list of tokens, got string "rm -rf"`},
		{"token not a string", "[[rule]]\ndecision = \"deny\"\ncommand = [\"git\", 3]\n", `line 3: rule 1 (deny git): command token 2 must be a string or a list of strings, got integer 3`},
		{"alternative not a string", "[[rule]]\ndecision = \"deny\"\ncommand = [\"git\", [\"a\", true]]\n", `line 3: rule 1 (deny git): command token 2 must be a string or a list of strings, got a list holding boolean true`},
		{"empty alternatives", "[[rule]]\ndecision = \"deny\"\ncommand = [\"git\", []]\n", `line 3: rule 1 (deny git): command token 2 is an empty list of alternatives`},
		{"nested too deep", "[[rule]]\ndecision = \"deny\"\ncommand = [[[\"x\"]]]\n", `line 3: rule 1 (deny): command token 1 must be a string or a list of strings, got a list holding a list`},
		{"bad glob", "[[rule]]\ndecision = \"ask\"\ntool = \"apply_patch\"\npaths = [\"src/[a\"]\n", `line 4: rule 1 (ask apply_patch src/[a): paths pattern "src/[a": syntax error in pattern`},
		{"absolute glob", "[[rule]]\ndecision = \"ask\"\ntool = \"apply_patch\"\npaths = [\"/etc/**\"]\n", `line 4: rule 1 (ask apply_patch /etc/**): paths pattern "/etc/**" must be relative to the project root`},
		{"partial doublestar", "[[rule]]\ndecision = \"ask\"\ntool = \"apply_patch\"\npaths = [\"a**\"]\n", `paths pattern "a**": ** must be a whole path segment`},
		{"trailing slash glob", "[[rule]]\ndecision = \"ask\"\ntool = \"apply_patch\"\npaths = [\"migrations/\"]\n", `(for a directory and everything in it, write "migrations/**")`},
		{"patch without paths", "[[rule]]\ndecision = \"ask\"\ntool = \"apply_patch\"\n", `line 1: rule 1 (ask apply_patch ): paths must not be empty for tool = "apply_patch"`},
		{"command on patch rule", "[[rule]]\ndecision = \"ask\"\ntool = \"apply_patch\"\npaths = [\"x\"]\ncommand = [\"ls\"]\n", `line 5: rule 1 (ask apply_patch x): command is only for shell rules`},
		{"paths on shell rule", "[[rule]]\ndecision = \"ask\"\ncommand = [\"ls\"]\npaths = [\"x\"]\n", `line 4: rule 1 (ask ls): paths is only for tool = "apply_patch" rules`},
		{"bad tool", "[[rule]]\ndecision = \"ask\"\ntool = \"web_search\"\ncommand = [\"ls\"]\n", `line 3: rule 1 (ask ls): tool must be "shell_command" or "apply_patch", got "web_search"`},
		{"outside on ask", "[[rule]]\ndecision = \"ask\"\ncommand = [\"curl\"]\nsandbox = \"outside\"\n", `line 4: rule 1 (ask curl): sandbox = "outside" is only meaningful on an allow rule, not ask`},
		{"bad sandbox", "[[rule]]\ndecision = \"allow\"\ncommand = [\"curl\"]\nsandbox = \"nowhere\"\n", `line 4: rule 1 (allow curl): sandbox must be "inside" or "outside", got "nowhere"`},
		{"match fails", "[[rule]]\ndecision = \"allow\"\ncommand = [\"git\", [\"status\", \"log\"]]\nmatch = [\"git status\", \"git lg\"]\n",
			`line 4: rule 1 (allow git status|log): example "git lg" is listed in match but does not match`},
		{"not_match matches", allowGit + allowGit + "\n[[rule]]\ndecision = \"allow\"\ncommand = [\"git\", [\"status\", \"log\", \"diff\", \"show\", \"blame\", \"shortlog\"]]\nnot_match = [\"git push\", \"git status --short\"]\n",
			`line 13: rule 3 (allow git status|log|diff|show|blame|sh…): example "git status --short" matches but is listed in not_match`},
		{"example not simple", "[[rule]]\ndecision = \"allow\"\ncommand = [\"git\"]\nmatch = [\"git status | cat\"]\n", `line 4: rule 1 (allow git): example "git status | cat": not a simple command`},
		{"example with expansion", "[[rule]]\ndecision = \"allow\"\ncommand = [\"git\"]\nmatch = [\"git $X\"]\n", `example "git $X": examples must not use expansions`},
		{"example unparsable", "[[rule]]\ndecision = \"allow\"\ncommand = [\"git\"]\nmatch = [\"git 'oops\"]\n", `line 4: rule 1 (allow git): example "git 'oops": `},
		{"patch example", "[[rule]]\ndecision = \"deny\"\ntool = \"apply_patch\"\npaths = [\"*.lock\"]\nmatch = [\"a/Cargo.lock\"]\n", `line 5: rule 1 (deny apply_patch *.lock): example "a/Cargo.lock" is listed in match but does not match`},
		{"inline rules", "rule = [{decision = \"allow\", command = [\"ls\"]}]\n", `line 1: rule must be written as [[rule]] tables`},
		{"rule not a table", "rule = 3\n", `line 1: rule must be written as [[rule]] tables`},
		{"quoted key", "[[rule]]\n\"decision\" = \"maybe\"\ncommand = [\"ls\"]\n", `line 2: rule 1: decision must be`},
		{"sub-table", "[[rule]]\ndecision = \"allow\"\ncommand = [\"ls\"]\n[rule.extra]\nx = 1\n", `line 1: rule 1 (allow ls): unknown key "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "rules.toml")
			writeFile(t, file, tt.text)
			rules, err := Load(file, User)
			if err == nil {
				t.Fatalf("no error; rules %v", rules)
			}
			if rules != nil {
				t.Errorf("rules %v returned with the error", rules)
			}
			prefix := "load rules " + file + ": "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error\n%s\nwant it to start %q and contain\n%s", err, prefix, tt.want)
			}
		})
	}
}

func TestLoadReportsEveryBrokenRule(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "rules.toml")
	writeFile(t, file, "[[rule]]\ndecision = \"nope\"\ncommand = [\"a\"]\n\n[[rule]]\ndecision = \"allow\"\ncommand = [\"b\"]\n\n[[rule]]\ndecision = \"deny\"\ncommand = []\n")
	_, err := Load(file, User)
	want := "load rules " + file + `: line 2: rule 1: decision must be "allow", "ask" or "deny", got "nope"` + "\n" +
		"load rules " + file + ": line 11: rule 3 (deny): command must not be empty (a shell rule needs a command prefix)"
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A directory where the file should be: not "no rules", an error.
	if err := os.Mkdir(filepath.Join(dir, "rules.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "rules.toml"), User); err == nil {
		t.Error("no error reading a directory")
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	r := Rule{Decision: Allow, Command: []Token{{"git"}, {"status", "log"}}}
	for argv, want := range map[string]bool{
		"git status":        true,
		"git log --oneline": true,
		"git":               false,
		"git push":          false,
		"git statusx":       false,
		"gitx status":       false,
		"sudo git status":   false,
	} {
		if got := r.Matches(strings.Fields(argv)); got != want {
			t.Errorf("Matches(%q) = %v, want %v", argv, got, want)
		}
	}
	if (Rule{Decision: Allow}).Matches([]string{"anything"}) {
		t.Error("a rule without a command matched")
	}
	if (Rule{Decision: Allow, Tool: ToolPatch, Paths: []string{"**"}}).Matches([]string{"x"}) {
		t.Error("a patch rule matched a command")
	}
}

func TestMatchesPath(t *testing.T) {
	t.Parallel()
	r := Rule{Decision: Ask, Tool: ToolPatch, Paths: []string{"migrations/**", "*.lock", "a/**/z.go", "docs/*.md"}}
	for p, want := range map[string]bool{
		"migrations":          true,
		"migrations/1.sql":    true,
		"migrations/a/b/c":    true,
		"./migrations/1.sql":  true,
		"x/../migrations/1":   true,
		"migrationsx/1.sql":   false,
		"Cargo.lock":          true,
		"sub/Cargo.lock":      false,
		"a/z.go":              true,
		"a/b/c/z.go":          true,
		"a/b/c/y.go":          false,
		"docs/x.md":           true,
		"docs/sub/x.md":       false,
		"../migrations/1.sql": false,
		"/migrations/1.sql":   false,
		".":                   false,
	} {
		if got := r.MatchesPath(p); got != want {
			t.Errorf("MatchesPath(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestSplitCommand(t *testing.T) {
	t.Parallel()
	got, err := SplitCommand(`git commit -m 'a b' "c \$d \x" e\ f\g`)
	want := []string{"git", "commit", "-m", "a b", `c $d \x`, "e fg"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"", "a; b", "a && b", "a | b", "a > f", "X=1 a", "a $(b)", "a `b`", "! a", "a &", "$'a'"} {
		if argv, err := SplitCommand(bad); err == nil {
			t.Errorf("SplitCommand(%q) = %q, want an error", bad, argv)
		}
	}
}

func TestStricter(t *testing.T) {
	t.Parallel()
	for _, c := range [][3]Decision{
		{Allow, Allow, Allow}, {Allow, Ask, Ask}, {Ask, Allow, Ask},
		{Ask, Deny, Deny}, {Deny, Allow, Deny}, {Deny, Ask, Deny},
	} {
		if got := Stricter(c[0], c[1]); got != c[2] {
			t.Errorf("Stricter(%s, %s) = %s, want %s", c[0], c[1], got, c[2])
		}
	}
}
