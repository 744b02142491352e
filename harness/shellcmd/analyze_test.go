package shellcmd

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// compact renders an argv for table comparison: words joined by spaces,
// words with blanks or quotes Go-quoted.
func compact(argv []string) string {
	var out []string
	for _, w := range argv {
		if w == "" || strings.ContainsAny(w, " \t\n\"'\\") {
			w = strconv.Quote(w)
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// verdicts renders each part's judgement: S safe, D dangerous, . neither.
func verdicts(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		switch {
		case firstBool(Dangerous(p.Argv)):
			b.WriteByte('D')
		case firstBool(Safe(p.Argv)):
			b.WriteByte('S')
		default:
			b.WriteByte('.')
		}
	}
	return b.String()
}

func firstBool(b bool, _ string) bool { return b }

type analyzeCase struct {
	script string
	parts  []string // compact argv of each part
	opaque bool
	verd   string // "" = not checked
}

// p is shorthand for a parts list.
func p(parts ...string) []string { return parts }

var analyzeCases = []analyzeCase{
	// Connectives and compound commands.
	{"git status && rm -rf ~", p("git status", "rm -rf ~"), false, "SD"},
	{"git status", p("git status"), false, "S"},
	{"ls -la | grep foo; echo done &", p("ls -la", "grep foo", "echo done"), false, "SSS"},
	{"a || b; c\nd", p("a", "b", "c", "d"), false, "...."},
	{"(cd sub && make) ; { ls; pwd; }", p("cd sub", "make", "ls", "pwd"), false, "..SS"},
	{"if git diff --quiet; then echo clean; elif true; then ls; else rm -r x; fi", p("git diff --quiet", "echo clean", "true", "ls", "rm -r x"), false, "SSSSD"},
	{"while true; do sleep 1; done", p("true", "sleep 1"), false, "S."},
	{"until false; do ls; done", p("false", "ls"), false, "SS"},
	{"for f in a b c; do echo f; done", p("echo f"), false, "S"},
	{"for f in *.go; do cat \"$f\"; done", p(`cat "\"$f\""`), true, ""},
	{"case x in a) ls;; b|c) pwd;; *) rm -rf /;; esac", p("ls", "pwd", "rm -rf /"), false, "SSD"},
	{"! grep -q x file", p("grep -q x file"), false, "S"},
	{"ls |& cat", p("ls", "cat"), false, "SS"},
	{"sleep 10 & wait", p("sleep 10", "wait"), false, ".."},
	{"coproc cat", p("cat"), false, "S"},
	{"", nil, false, ""},
	{"# just a comment", nil, false, ""},
	{"ls # trailing comment", p("ls"), false, "S"},
	{"ls\n\n\npwd", p("ls", "pwd"), false, "SS"},
	{"echo a; echo a", p("echo a", "echo a"), false, "SS"},
	{"[[ -f go.mod ]] && go test ./...", p("go test ./..."), false, "."},
	{"[[ x -eq 1 ]] && ls", p("ls"), true, ""},
	{"[[ 3 -lt 4 ]]", nil, false, ""},
	{"[ -f x ] && cat x", p("[ -f x ]", "cat x"), false, "SS"},
	{"test -d .git", p("test -d .git"), false, "S"},
	{"select x in a b; do ls; done", p("ls"), false, "S"},

	// Wrappers.
	{"sudo timeout 5 env A=1 rm -rf x", p("rm -rf x"), false, "D"},
	{"timeout 5 env FOO=1 nice git status", p("git status"), false, "S"},
	{"timeout -s KILL 10s git log", p("git log"), false, "S"},
	{"timeout --signal=TERM -k 5 10 ls", p("ls"), false, "S"},
	{"timeout 5", p("timeout 5"), false, "."},
	{"nice -n 10 make", p("make"), false, "."},
	{"nice -10 ls", p("ls"), false, "S"},
	{"nohup ./server &", p("./server"), false, "."},
	{"env", p("env"), false, "S"},
	{"env -i HOME=/tmp ls", p("env -i HOME=/tmp ls"), true, ""},
	{"env -i FOO=1 ls", p("ls"), false, "S"},
	{"env -u FOO ls", p("ls"), false, "S"},
	{"env -S 'rm -rf /'", p(`env -S "rm -rf /"`), true, "."},
	{"env --frobnicate ls", p("env --frobnicate ls"), true, ""},
	{"stdbuf -oL grep x", p("grep x"), false, "S"},
	{"stdbuf -o L -e 0 tail -f log", p("tail -f log"), false, "S"},
	{"time ls", p("ls"), false, "S"},
	{"time -p ls | wc -l", p("ls", "wc -l"), false, "SS"},
	{"/usr/bin/time -v make", p("make"), false, "."},
	{"/usr/bin/time -o t.txt ls", p("/usr/bin/time -o t.txt ls"), true, ""},
	{"command ls", p("ls"), false, "S"},
	{"command -p ls", p("ls"), false, "S"},
	{"command -v git", p("command -v git"), false, "."},
	{"command -V git", p("command -V git"), false, "."},
	{"exec rm x", p("rm x"), false, "."},
	{"exec -a foo ls", p("ls"), false, "S"},
	{"builtin echo hi", p("echo hi"), false, "S"},
	{"builtin eval ls", p("eval ls"), true, ""},
	{"sudo rm -rf /var/tmp/x", p("rm -rf /var/tmp/x"), false, "D"},
	{"sudo -u www-data -H ls /srv", p("ls /srv"), false, "S"},
	{"sudo -E env FOO=1 git status", p("git status"), false, "S"},
	{"sudo PATH=/tmp ls", p("sudo PATH=/tmp ls"), true, ""},
	{"sudo -l", p("sudo -l"), false, "."},
	{"sudo -e /etc/hosts", p("sudo -e /etc/hosts"), false, "."},
	{"sudo --bogus ls", p("sudo --bogus ls"), true, ""},
	{"doas -u root ls", p("ls"), false, "S"},
	{"pkexec --user root ls", p("ls"), false, "S"},
	{"su -c 'rm -rf /tmp/x' root", p("rm -rf /tmp/x"), false, "D"},
	{"su - root -c 'ls; pwd'", p("ls", "pwd"), false, "SS"},
	{"su root", p("su root"), true, "."}, // a shell as another user: nothing to judge it by
	{"su -s /bin/evil -c ls", p("su -s /bin/evil -c ls"), true, ""},
	{"runuser -u app -- ls -l", p("ls -l"), false, "S"},
	{"./sudo rm -rf x", p("./sudo rm -rf x"), false, "."},
	{"/usr/bin/sudo ls", p("ls"), false, "S"},
	{"setsid -f ls", p("ls"), false, "S"},
	{"ionice -c 3 du -sh .", p("du -sh ."), false, "S"},
	{"watch -n 1 'git status'", p("git status"), false, "S"},
	{"watch -n 1 git status '&&' rm -rf x", p("git status", "rm -rf x"), false, "SD"},
	{"watch -x ls -l", p("ls -l"), false, "S"},
	{"nice nohup timeout 3 sudo -n env X=1 stdbuf -oL ls", p("ls"), false, "S"},

	// find -exec and xargs.
	{"find . -name '*.go' -exec grep -l foo {} \\;", p("find . -name *.go -exec grep -l foo {} ;", "grep -l foo {}"), false, ".S"},
	{"find . -name '*.tmp' -exec rm -rf {} +", p("find . -name *.tmp -exec rm -rf {} +", "rm -rf {}"), false, ".D"},
	{"find . -execdir sudo chmod -R 777 {} ';'", p("find . -execdir sudo chmod -R 777 {} ;", "chmod -R 777 {}"), false, ".D"},
	{"find . -ok rm {} \\; -exec ls {} \\;", p("find . -ok rm {} ; -exec ls {} ;", "rm {}", "ls {}"), false, "..S"},
	{"find . -exec {} \\;", p("find . -exec {} ;", "{}"), true, ""},
	{"find . -exec sh -c 'cat {}' \\;", p("find . -exec sh -c \"cat {}\" ;", `sh -c "cat {}"`), true, ""},
	{"find . -exec sh -c 'cat \"$1\"' _ {} \\;", p(`find . -exec sh -c "cat \"$1\"" _ {} ;`, `cat "\"$1\""`), true, ""},
	{"find . -exec bash -c 'ls' \\;", p("find . -exec bash -c ls ;", "ls"), false, ".S"},
	{"find . -delete", p("find . -delete"), false, "D"},
	{"find . -type f -name '*.go'", p("find . -type f -name *.go"), false, "S"},
	{"find . -type f -print0 | xargs -0 rm -f", p("find . -type f -print0", "rm -f"), false, "S."},
	{"git ls-files | xargs grep -n TODO", p("git ls-files", "grep -n TODO"), false, "SS"},
	{"ls | xargs -n1 -P4 wc -l", p("ls", "wc -l"), false, "SS"},
	{"ls | xargs", p("ls", "xargs"), false, "S."},
	{"xargs -I{} sh -c 'echo {}'", p(`sh -c "echo {}"`), true, ""},
	{"xargs -I % mv % %.bak", p("mv % %.bak"), false, "."},
	{"xargs -I % % --help", p("% --help"), true, ""},
	{"xargs -i cp {} /tmp", p("cp {} /tmp"), false, "."},
	{"xargs sh -c 'ls'", p("ls"), false, "S"},
	{"xargs --frob rm", p("xargs --frob rm"), true, ""},

	// sh -c and friends.
	{"bash -lc 'git status && cat <<EOF\nhi $USER\nEOF'", p("git status", "cat"), false, "SS"},
	{"sh -c 'ls; rm -rf build'", p("ls", "rm -rf build"), false, "SD"},
	{"bash -c \"git log | head\"", p("git log", "head"), false, "SS"},
	{"zsh -c ls", p("zsh -c ls"), true, "."}, // zsh's syntax is not bash's (`ls *(e:…:)` runs code)
	{"dash -ec 'ls'", p("ls"), false, "S"},
	{"bash -o pipefail -c 'ls | wc'", p("ls", "wc"), false, "SS"},
	{"bash -c 'echo $(id)'", p("echo $(id)"), true, ""},
	{"bash -c \"$CMD\"", p(`bash -c "\"$CMD\""`), true, ""},
	{"bash -c", p("bash -c"), true, ""},
	{"bash script.sh", p("bash script.sh"), false, "."},
	{"bash <<'EOS'\nrm -rf /\nEOS", p("bash"), false, "."},
	{"sh -c \"sh -c 'sh -c \\\"sh -c ls\\\"'\"", p("ls"), false, "S"},
	{"sh -c \"sh -c 'sh -c \\\"sh -c \\\\\\\"sh -c ls\\\\\\\"\\\"'\"", p("sh -c ls"), true, ""},
	{"sudo bash -c 'apt-get update && rm -rf /var/lib/apt/lists/*'", p("apt-get update", "rm -rf /var/lib/apt/lists/*"), false, ".D"},
	{"bash -c 'if x; then'", nil, true, ""},
	{"fish -c 'rm -rf x'", p(`fish -c "rm -rf x"`), false, "."},

	// Substitutions in every position.
	{"echo $(whoami)", p("echo $(whoami)"), true, ""},
	{"echo `whoami`", p("echo `whoami`"), true, ""},
	{"$(echo rm) -rf /", p(`"$(echo rm)" -rf /`), true, ""},
	{"X=$(id) ls", p("ls"), true, ""},
	{"x=1; y=$(date)", nil, true, ""},
	{"cat <<EOF\n$(id)\nEOF", p("cat"), true, ""},
	{"cat <<EOF\n`id`\nEOF", p("cat"), true, ""},
	{"cat <<'EOF'\n$(id) `id`\nEOF", p("cat"), false, "S"},
	{"cat <<EOF\nhome is $HOME\nEOF", p("cat"), false, "S"},
	{"cat <<EOF\n${a[$i]}\nEOF", p("cat"), true, ""},
	{"cat <<< \"$(id)\"", p("cat"), true, ""},
	{"cat <<< 'plain'", p("cat"), false, "S"},
	{"ls > $(mktemp)", p("ls"), true, ""},
	{"case $(id) in x) ls;; esac", p("ls"), true, ""},
	{"case x in $(id)) ls;; esac", p("ls"), true, ""},
	{"for i in $(seq 3); do echo i; done", p("echo i"), true, ""},
	{"diff <(ls a) <(ls b)", p(`diff "<(ls a)" "<(ls b)"`), true, ""},
	{"ls > >(cat)", p("ls"), true, ""},
	{"echo $((1+2))", p("echo $((1+2))"), true, ""},
	{"((i++))", nil, true, ""},
	{"let x=1", nil, true, ""},
	{"for ((i=0;i<3;i++)); do ls; done", p("ls"), true, ""},
	{"echo ${x:-$(id)}", p("echo ${x:-$(id)}"), true, ""},
	{"echo \"$HOME\"", p(`echo "\"$HOME\""`), true, ""},
	{"$CMD arg", p("$CMD arg"), true, ""},
	{"${CMD} arg", p("${CMD} arg"), true, ""},
	{"[[ $(id) == x ]]", nil, true, ""},
	{"a[$(id)]=1", nil, true, ""},
	{"echo '$(id)' \"\\$(id)\"", p("echo $(id) $(id)"), false, "S"},

	// eval, source, functions, aliases, traps.
	{"eval ls", p("eval ls"), true, ""},
	{"source env.sh", p("source env.sh"), true, ""},
	{". ./env.sh", p(". ./env.sh"), true, ""},
	{"f() { rm -rf /; }; f", p("f"), true, ""},
	{"function g { ls; }", nil, true, ""},
	{"alias ls='rm -rf'; ls", p(`alias "ls=rm -rf"`, "ls"), true, ""},
	{"trap 'rm -rf x' EXIT", p(`trap "rm -rf x" EXIT`), true, ""},
	{"hash -p /tmp/evil ls", p("hash -p /tmp/evil ls"), true, ""},
	{"enable -f ./x.so x", p("enable -f ./x.so x"), true, ""},
	{"mapfile -C 'rm -rf x' arr", p(`mapfile -C "rm -rf x" arr`), true, ""},

	// Redirections.
	{"ls >/dev/null 2>&1 < in.txt", p("ls"), false, "S"},
	{"ls > out.txt 2>&1", p("ls"), true, ""},
	{"ls >> log", p("ls"), true, ""},
	{"ls &> file", p("ls"), true, ""},
	{"ls &>> file", p("ls"), true, ""},
	{"ls >| file", p("ls"), true, ""},
	{"ls >& file", p("ls"), true, ""},
	{"ls 1>&2", p("ls"), false, "S"},
	{"ls 2>/dev/null", p("ls"), false, "S"},
	{"ls >&-", p("ls"), false, "S"},
	{"grep x < input.txt", p("grep x"), false, "S"},
	{"cat <> file", p("cat"), true, ""},
	{"{ ls; pwd; } > out", p("ls", "pwd"), true, ""},
	{"exec 3>&1", p("exec"), false, "."},
	{"> file", nil, true, ""},
	{"ls {fd}>/dev/null", p("ls"), true, ""},
	{"echo hi > /dev/stderr", p("echo hi"), false, "S"},

	// Quoting and escaping tricks.
	{"g''it st'a'tus", p("git status"), false, "S"},
	{"\"r\"m -rf x", p("rm -rf x"), false, "D"},
	{"\\rm -rf x", p("rm -rf x"), false, "D"},
	{"r\\m -r x", p("rm -r x"), false, "D"},
	{"$'\\x72m' -rf /", p("rm -rf /"), false, "D"},
	{"$'\\162\\155' -fr x", p("rm -fr x"), false, "D"},
	{"$'\\u0072m' -R x", p("rm -R x"), false, "D"},
	{"$\"ls\"", p(`"$\"ls\""`), true, ""},
	{"echo \"a b\" 'c d' e\\ f", p(`echo "a b" "c d" "e f"`), false, "S"},
	{"echo \"x\\\"y\\z\"", p(`echo "x\"y\\z"`), false, "S"},
	{"ls \\\n -la", p("ls -la"), false, "S"},
	{"{rm,-rf,/}", p("rm -rf /"), false, "D"},
	{"mkdir -p src/{a,b}", p("mkdir -p src/a src/b"), false, "."},
	{"echo {1..100000}", p("echo {1..100000}"), true, ""},
	{"ls *.go ~/x @(a|b) file?", p("ls *.go ~/x @(a|b) file?"), false, "S"},
	{"/bin/r? -rf x", p("/bin/r? -rf x"), true, ""},
	{"'' ls", p(`"" ls`), false, "."},

	// Assignments.
	{"FOO=1 make test", p("make test"), false, "."},
	{"X=1", nil, false, ""},
	{"X=1 Y=2; ls", p("ls"), false, "S"},
	{"PATH=. ls", p("ls"), true, ""},
	{"PATH=/tmp", nil, true, ""},
	{"env PATH=x ls", p("env PATH=x ls"), true, ""},
	{"LD_PRELOAD=x ls", p("ls"), true, ""},
	{"GIT_SSH_COMMAND='sh x' git fetch", p("git fetch"), true, ""},
	{"GIT_CONFIG_COUNT=1 git status", p("git status"), true, ""},
	{"BASH_ENV=x bash -c ls", p("ls"), true, ""},
	{"env 'BASH_FUNC_ls%%=() { rm -rf ~; }' bash -c ls", p(`env "BASH_FUNC_ls%%=() { rm -rf ~; }" bash -c ls`), true, ""},
	{"NODE_OPTIONS=--require=x node --version", p("node --version"), true, ""},
	{"export PATH=/tmp:$PATH", nil, true, ""},
	{"export FOO=bar; ls", p("ls"), false, "S"},
	{"declare -n r=PATH", nil, true, ""},
	{"declare -i n", nil, true, ""},
	{"local x=1", nil, false, ""},
	{"IFS=, read -r a b", p("read -r a b"), true, ""},
	{"read -r PATH", p("read -r PATH"), true, ""},
	{"printf -v PATH x", p("printf -v PATH x"), true, ""},
	{"for PATH in /tmp; do ls; done", p("ls"), true, ""},
	{"arr=(a b c)", nil, false, ""},

	// Look-alike and invisible characters.
	{"ｒｍ -rf x", p("ｒｍ -rf x"), true, ""},
	{"r\u200bm -rf x", p("r\u200bm -rf x"), true, ""},
	{"gо status", p("gо status"), true, ""}, // Cyrillic о
	{"echo 'a\u202eb'", p("echo a\u202eb"), true, ""},
	{"echo $'\\u200b'", p("echo \u200b"), true, ""},
	{"echo héllo", p("echo héllo"), false, "S"},

	// Parse errors.
	{"echo 'unterminated", nil, true, ""},
	{"if then fi", nil, true, ""},
	{"ls &&", nil, true, ""},

	// Misc.
	{"git push --force origin main", p("git push --force origin main"), false, "D"},
	{"cd /tmp && git clean -fdx", p("cd /tmp", "git clean -fdx"), false, ".D"},
	{"dd if=/dev/zero of=/dev/sda", p("dd if=/dev/zero of=/dev/sda"), false, "D"},
	{"python3 -c 'print(1)'", p("python3 -c print(1)"), true, "."}, // inline code no rule can see into
	{"sed -n '1,200p' file.go", p("sed -n 1,200p file.go"), false, "S"},
	{"sed -i 's/a/b/' f", p("sed -i s/a/b/ f"), false, "."},
	{"git -c core.pager=evil log", p("git -c core.pager=evil log"), true, "."}, // -c can name programs (core.pager, alias.x=!…)
}

func TestAnalyzeTable(t *testing.T) {
	if len(analyzeCases) < 150 {
		t.Fatalf("only %d cases", len(analyzeCases))
	}
	for _, tc := range analyzeCases {
		a := Analyze(tc.script)
		var got []string
		for _, p := range a.Parts {
			got = append(got, compact(p.Argv))
		}
		if !slices.Equal(got, tc.parts) {
			t.Errorf("%q: parts\n got %q\nwant %q", tc.script, got, tc.parts)
		}
		if (len(a.Opaque) > 0) != tc.opaque {
			t.Errorf("%q: opaque = %q, want opaque %v", tc.script, a.Opaque, tc.opaque)
		}
		if tc.verd != "" && verdicts(a.Parts) != tc.verd {
			t.Errorf("%q: verdicts %q, want %q", tc.script, verdicts(a.Parts), tc.verd)
		}
		for _, p := range a.Parts {
			if p.Opaque != "" && len(a.Opaque) == 0 {
				t.Errorf("%q: part opaque %q but analysis is not", tc.script, p.Opaque)
			}
		}
	}
}

func TestAnalyzeDetails(t *testing.T) {
	a := Analyze("sudo timeout 5 env A=1 rm -rf x")
	want := [][]string{{"sudo"}, {"timeout", "5"}, {"env", "A=1"}}
	if len(a.Parts) != 1 || !slices.EqualFunc(a.Parts[0].Wrappers, want, slices.Equal) || !a.Parts[0].Privileged {
		t.Fatalf("got %+v", a.Parts)
	}
	a = Analyze("timeout 5 env FOO=1 nice git status")
	want = [][]string{{"timeout", "5"}, {"env", "FOO=1"}, {"nice"}}
	if p := a.Parts[0]; !slices.EqualFunc(p.Wrappers, want, slices.Equal) || p.Privileged || p.Text != "timeout 5 env FOO=1 nice git status" {
		t.Fatalf("got %+v", p)
	}
	a = Analyze("FOO=1 BAR='x y' make test 2>&1")
	if p := a.Parts[0]; !slices.Equal(p.Assigns, []string{"FOO=1", "BAR='x y'"}) || p.Text != "FOO=1 BAR='x y' make test 2>&1" {
		t.Fatalf("got %+v", p)
	}
	a = Analyze("ls > out.txt")
	if a.Parts[0].Opaque != "redirection to a file (> out.txt)" || !slices.Equal(a.Opaque, []string{"redirection to a file (> out.txt)"}) {
		t.Fatalf("got %+v", a)
	}
	a = Analyze("$CMD x")
	if a.Parts[0].Opaque != "variable as the command name ($CMD)" {
		t.Fatalf("got %+v", a)
	}
	a = Analyze("bash -c 'ls && sudo rm -r x'")
	if len(a.Parts) != 2 || a.Parts[1].Text != "bash -c 'ls && sudo rm -r x'" || !a.Parts[1].Privileged || a.Parts[0].Privileged {
		t.Fatalf("got %+v", a.Parts)
	}
	if w := a.Parts[1].Wrappers; len(w) != 2 || !slices.Equal(w[0], []string{"bash", "-c"}) || !slices.Equal(w[1], []string{"sudo"}) {
		t.Fatalf("wrappers %q", w)
	}
	a = Analyze("find . -exec grep x {} +")
	if w := a.Parts[1].Wrappers; len(w) != 1 || !slices.Equal(w[0], []string{"find", ".", "-exec"}) {
		t.Fatalf("wrappers %q", w)
	}
	a = Analyze("eval ls")
	if !slices.Equal(a.Opaque, []string{"eval"}) {
		t.Fatalf("got %q", a.Opaque)
	}
	a = Analyze("if then")
	if len(a.Opaque) != 1 || !strings.HasPrefix(a.Opaque[0], "does not parse: ") {
		t.Fatalf("got %q", a.Opaque)
	}
}
