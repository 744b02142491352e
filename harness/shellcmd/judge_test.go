package shellcmd

import (
	"slices"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

func TestSafe(t *testing.T) {
	cases := []struct {
		argv string
		ok   bool
	}{
		{"ls -la", true}, {"cat a b", true}, {"tail -f log", true}, {"grep -rn x .", true},
		{"rg foo", true}, {"rg --pre cat foo", false}, {"rg -z foo", false}, {"rg --pre=x foo", false},
		{"fd -e go", true}, {"fd -x rm", false}, {"fd --exec-batch rm", false},
		{"find . -name x", true}, {"find . -exec ls ;", false}, {"find . -delete", false}, {"find . -fprint f", false},
		{"sed -n 1,200p f", true}, {"sed -n /re/p f", true}, {"sed -n -e 5p -e $p f", true}, {"sed -n 1p;3p f", true},
		{"sed 1p f", false}, {"sed -n s/a/b/p f", false}, {"sed -n 1w out f", false}, {"sed -i -n 1p f", false}, {"sed -n 1e f", false},
		{"sort -u f", true}, {"sort -o out f", false}, {"sort --compress-program=x f", false},
		{"uniq a", true}, {"uniq a b", false}, {"uniq -f 1 a", true},
		{"date +%s", true}, {"date -s now", false}, {"date 01010000", false},
		{"printf %s x", true}, {"printf -v X y", false},
		{"hostname", true}, {"hostname newname", false},
		{"git status", true}, {"git log -p", true}, {"git diff --stat", true}, {"git -C sub status", true},
		{"git -c core.pager=x log", false}, {"git --git-dir=/x status", false}, {"git diff --ext-diff", false},
		{"git log --output=x", false}, {"git grep -Ovim x", false}, {"git show --textconv HEAD", false},
		{"git branch", true}, {"git branch -a", true}, {"git branch new", false}, {"git branch -D x", false},
		{"git branch --list feat*", true}, {"git remote -v", true}, {"git remote add x y", false},
		{"git push", false}, {"git commit -m x", false}, {"git", false},
		{"go version", false}, {"go env GOPATH", false}, {"go env -w X=1", false}, {"go list ./...", false}, // may fetch a toolchain or modules {"go list -export ./...", false}, {"go build", false},
		{"python --version", true}, {"python x.py", false}, {"node -v", true}, {"node -e x", false}, {"cargo --version", false}, // rustup may install a toolchain {"cargo build", false},
		{"./ls", false}, {"/bin/ls", false}, {"awk 1", false}, {"rm x", false}, {"env", true}, {"env X=1", false},
		{"file -C -m x", false}, {"tree -o out", false}, {"tree -L 2", true}, {"jq .a f.json", true},
		// Round 8: abbreviations, clusters, options after --, Go flag spellings.
		{"git grep --open=x TODO", false}, {"git grep --op TODO", false}, {"git grep -nOx TODO", false},
		{"git grep -e -- --open-files-in-pager=x", false}, {"git grep -n TODO", true}, {"git diff --text", true},
		{"git log --outp=x", false}, {"git log --textc", false}, {"git log --oneline", true},
		{"find -- . -fprint x", false}, {"find . -- -fls x", false}, {"find -- -x", false}, {"find . --exec ls ;", false},
		{"sort --outp=x f", false}, {"sort --compress-prog=x f", false}, {"sort -ro x f", false}, {"sort -- -o", false},
		{"date --se=x", false}, {"date -Iseconds", true}, {"date -us", false},
		{"file --comp -m x", false}, {"file --mime f", true},
		{"rg -e -- --pre=x", false}, {"rg --pre-g=x y", false},
		{"fd --exec=rm", false}, {"fd --exe rm", false}, {"fd --extension go", true},
		{"go list -toolexec=x ./...", false}, {"go list --toolexec x", false}, {"go list -export=true", false},
		{"go env --w X=1", false}, {"go env -u=X", false}, {"go list -json ./...", false},
		{"uniq -- -in out", false}, {"uniq -- -in", true}, {"uniq in -- out", false},
		{"test -v x", false}, {"[ -f x ]", true},
	}
	for _, tc := range cases {
		ok, why := Safe(strings.Fields(tc.argv))
		if ok != tc.ok {
			t.Errorf("Safe(%q) = %v (%s), want %v", tc.argv, ok, why, tc.ok)
		}
		if !ok && why == "" {
			t.Errorf("Safe(%q): no reason", tc.argv)
		}
	}
	if ok, _ := Safe(nil); ok {
		t.Error("Safe(nil)")
	}
}

func TestDangerous(t *testing.T) {
	cases := []struct {
		argv string
		bad  bool
	}{
		{"rm -rf x", true}, {"rm -r x", true}, {"rm -fr x", true}, {"rm -R x", true}, {"rm --recursive x", true},
		{"rm --no-preserve-root -f /", true}, {"/bin/rm -rf x", true}, {"rm x", false}, {"rm -f x", false}, {"rm -- -rf", false},
		{"git push --force", true}, {"git push -f origin x", true}, {"git push --force-with-lease", true}, {"git push --force-with-lease=main", true},
		{"git push origin +main", true}, {"git push origin :old", true}, {"git push origin main", false}, {"git -C x push -f", true},
		{"git reset --hard HEAD~1", true}, {"git reset HEAD~1", false}, {"git clean -fd", true}, {"git clean -n", false},
		{"git checkout -- file", true}, {"git checkout .", true}, {"git checkout main", false}, {"git checkout -b x", false},
		{"git restore file", true}, {"git restore --staged file", false}, {"git restore --staged --worktree f", true},
		{"git branch -D x", true}, {"git branch -d x", false}, {"git rebase main", true}, {"git filter-branch x", true},
		{"git stash drop", true}, {"git stash", false}, {"git status", false},
		{"dd if=x of=/dev/sda", true}, {"dd if=x", false}, {"mkfs.ext4 /dev/sda1", true}, {"shred f", true},
		{"chmod -R 777 .", true}, {"chmod 644 f", false}, {"chown -R u .", true}, {"find . -delete", true}, {"find . -name x", false},
		{"truncate -s 0 f", true}, {"tee /dev/sda", true}, {"tee out.txt", false}, {"tee /dev/null", false},
		{"kubectl delete pod x", true}, {"kubectl get pods", false}, {"ls", false},
	}
	for _, tc := range cases {
		bad, why := Dangerous(strings.Fields(tc.argv))
		if bad != tc.bad {
			t.Errorf("Dangerous(%q) = %v (%s), want %v", tc.argv, bad, why, tc.bad)
		}
		if bad && why == "" {
			t.Errorf("Dangerous(%q): no reason", tc.argv)
		}
	}
	if bad, _ := Dangerous(nil); bad {
		t.Error("Dangerous(nil)")
	}
}

func TestPrefix(t *testing.T) {
	cases := []struct {
		argv   []string
		prefix string // "" = nil
		min    int
	}{
		{[]string{"git", "commit", "-m", "x"}, "git commit", 2},
		{[]string{"git", "-C", "sub", "status"}, "git -C sub status", 4},
		{[]string{"git", "stash", "pop"}, "git stash pop", 3},
		{[]string{"git"}, "", 0},
		// Round 8: a prefix never ends in an option (what follows is not
		// pinned: `git --no-pager` would allow any subcommand).
		{[]string{"git", "--version"}, "", 0},
		{[]string{"git", "--no-pager"}, "", 0},
		{[]string{"git", "-C", "."}, "", 0},
		{[]string{"git", "-c", "a=b"}, "", 0},
		{[]string{"git", "--no-pager", "log", "-1"}, "git --no-pager log", 3},
		{[]string{"npm", "-s"}, "", 0},
		{[]string{"python3", "-u"}, "", 0},
		{[]string{"python3", "-Ic"}, "", 0},
		{[]string{"perl", "-w"}, "", 0},
		{[]string{"python3.12"}, "", 0},
		{[]string{"python3.12", "x.py"}, "python3.12 x.py", 2},
		{[]string{"nodejs"}, "", 0},
		{[]string{"--", "rm", "-rf", "~"}, "", 0},
		{[]string{"-x"}, "", 0},
		{[]string{"strace", "-f", "ls"}, "", 0},
		{[]string{"flock", "/tmp/l", "make"}, "", 0},
		{[]string{"busybox", "sh"}, "", 0},
		{[]string{"unshare", "-r", "bash"}, "", 0},
		{[]string{"nice", "bash"}, "", 0},
		{[]string{"gdb", "-ex", "run", "./a"}, "", 0},
		{[]string{"cmd", "/c", "dir"}, "", 0},
		{[]string{"java", "-jar", "x.jar"}, "java -jar x.jar", 3},
		{[]string{"java"}, "", 0},
		{[]string{"Rscript", "-e", "1"}, "Rscript -e 1", 3},
		{[]string{"gawk"}, "", 0},
		{[]string{"awk", "-v", "x=1"}, "awk -v x=1", 3},
		{[]string{"kubectl", "--weird", "x"}, "", 0},
		{[]string{"go", "test", "./..."}, "go test", 2},
		{[]string{"go", "mod", "tidy"}, "go mod tidy", 3},
		{[]string{"python", "-c", "print(1)"}, "python -c print(1)", 3},
		{[]string{"python3", "-m", "pytest", "-q"}, "python3 -m pytest", 3},
		{[]string{"python3", "script.py", "--x"}, "python3 script.py", 2},
		{[]string{"python3", "-W", "ignore", "x.py"}, "python3 -W ignore x.py", 4},
		{[]string{"python"}, "", 0},
		{[]string{"node", "-e", "1"}, "node -e 1", 3},
		{[]string{"bash", "-c", "ls"}, "bash -c ls", 3},
		{[]string{"bash", "build.sh"}, "bash build.sh", 2},
		{[]string{"pytest", "-q"}, "pytest", 1},
		{[]string{"npm", "run", "build"}, "npm run build", 3},
		{[]string{"npm", "test"}, "npm test", 2},
		{[]string{"npm", "install", "left-pad"}, "npm install", 2},
		{[]string{"cargo", "test"}, "cargo test", 2},
		{[]string{"cargo", "+nightly", "build"}, "cargo +nightly build", 3},
		{[]string{"docker", "compose", "up", "-d"}, "docker compose up", 3},
		{[]string{"docker", "run", "--rm", "img"}, "docker run", 2},
		{[]string{"kubectl", "-n", "prod", "get", "pods"}, "kubectl -n prod get", 4},
		{[]string{"kubectl", "--weird", "x", "delete"}, "kubectl --weird x delete", 4},
		{[]string{"gh", "pr", "view", "1"}, "gh pr view", 3},
		{[]string{"make", "test"}, "make test", 1},
		{[]string{"make", "-j4", "build"}, "make -j4 build", 1},
		{[]string{"make"}, "make", 1},
		{[]string{"ls", "-la"}, "ls", 1},
		{[]string{"./script.sh", "x"}, "./script.sh", 1},
		{[]string{"env"}, "", 0},
		// Round 8: a wrapper never gets a prefix (nice bash → nice bash -c …);
		// GNU sed permutes arguments, so any sed prefix also allows an
		// appended -e '1e CMD'; awk is an interpreter: whole argv only.
		{[]string{"xargs", "-0"}, "", 0},
		{[]string{"sed", "-n", "1p", "f"}, "", 0},
		{[]string{"awk", "{print $1}", "f"}, "awk {print $1} f", 3},
		{nil, "", 0},
	}
	for _, tc := range cases {
		got, min := Prefix(tc.argv)
		if strings.Join(got, " ") != tc.prefix || min != tc.min || (tc.prefix == "" && got != nil) {
			t.Errorf("Prefix(%q) = %q, %d; want %q, %d", tc.argv, got, min, tc.prefix, tc.min)
		}
		if got != nil && (min < 1 || min > len(got) || !slices.Equal(got, tc.argv[:len(got)])) {
			t.Errorf("Prefix(%q) = %q, %d: not a prefix", tc.argv, got, min)
		}
	}
}

// FuzzAnalyze checks that Analyze never panics and that a script that
// parses with a command or process substitution is always opaque.
func FuzzAnalyze(f *testing.F) {
	for _, tc := range analyzeCases {
		f.Add(tc.script)
	}
	f.Add("echo ${x:-$(id)} <(a) >(b) `c` $((1))")
	f.Fuzz(func(t *testing.T, script string) {
		a := Analyze(script)
		for _, p := range a.Parts {
			if p.Opaque != "" && len(a.Opaque) == 0 {
				t.Fatalf("part opaque %q but analysis not", p.Opaque)
			}
			if len(p.Argv) == 0 {
				t.Fatalf("empty argv part %+v", p)
			}
		}
		file, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
		if err != nil {
			if len(a.Opaque) == 0 {
				t.Fatalf("parse error %v but not opaque", err)
			}
			return
		}
		subst := false
		syntax.Walk(file, func(n syntax.Node) bool {
			switch n.(type) {
			case *syntax.CmdSubst, *syntax.ProcSubst:
				subst = true
			}
			return !subst
		})
		if subst && len(a.Opaque) == 0 {
			t.Fatalf("substitution but not opaque: %q", script)
		}
		for _, p := range a.Parts {
			Safe(p.Argv)
			Dangerous(p.Argv)
			Prefix(p.Argv)
		}
	})
}
