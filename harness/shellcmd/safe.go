package shellcmd

import (
	"fmt"
	"strings"
)

// Safe reports whether argv is a known-safe, read-only command whose
// arguments were checked, and why not when it is not.
//
// The list is small on purpose (about 45 commands): each entry is a program
// that only reads, with the options that would make it write a file or run
// another program refused. Anything unknown is not safe. The command must
// be a bare name: ./ls or /tmp/x/ls may be anything.
func Safe(argv []string) (bool, string) {
	if len(argv) == 0 {
		return false, "empty command"
	}
	name, args := argv[0], argv[1:]
	if strings.Contains(name, "/") {
		return false, fmt.Sprintf("%s is a path, not a known command", name)
	}
	check, ok := safeCommands[name]
	if !ok {
		return false, fmt.Sprintf("%s is not on the read-only list", name)
	}
	if why := check(args); why != "" {
		return false, name + ": " + why
	}
	return true, ""
}

// SafePart is Safe for a part of an Analysis: it also refuses what Safe,
// judging argv alone, cannot see.
//
//   - an opaque part;
//   - assignments before the command (Part.Assigns) or given to an env or
//     sudo wrapper (NAME=value): a variable may make the program load an
//     option file or code (RIPGREP_CONFIG_PATH=./rgrc rg);
//   - a part run as another user (sudo…);
//   - arguments that are not in Argv: an unquoted glob (Part.Globbed),
//     which expands to file names the model can create (a file named
//     --pre=./evil.sh), or a command run by xargs or find -exec, which
//     appends words from its input or file names. Only commands none of
//     whose options write a file or run a program (harmlessArgs: cat, ls,
//     grep…) stay safe then.
func SafePart(p Part) (bool, string) {
	if ok, why := Safe(p.Argv); !ok {
		return false, why
	}
	name := p.Argv[0]
	switch {
	case p.Opaque != "":
		return false, "cannot be judged: " + p.Opaque
	case len(p.Assigns) > 0:
		return false, fmt.Sprintf("%s: an assignment before the command (%s) may change what it loads", name, p.Assigns[0])
	case p.Privileged:
		return false, name + ": runs as another user"
	}
	for _, w := range p.Wrappers {
		if len(w) == 0 {
			continue
		}
		switch wrapperName(w[0]) {
		case "xargs", "find":
			if !harmlessArgs[name] {
				return false, fmt.Sprintf("%s: %s adds arguments, which may be options", name, w[0])
			}
		}
		for _, a := range w[1:] {
			if n, _, ok := strings.Cut(a, "="); ok && validName(n) {
				return false, fmt.Sprintf("%s: %s sets %s, which may change what it loads", name, w[0], n)
			}
		}
	}
	for i, g := range p.Globbed {
		if g && i > 0 && !harmlessArgs[name] {
			return false, fmt.Sprintf("%s: the glob %s may expand to an option", name, p.Argv[i])
		}
	}
	return true, ""
}

// harmlessArgs are the safe commands none of whose options writes a file,
// runs a program or evaluates code, so arguments unseen by Safe (from a
// glob or xargs) cannot make them unsafe. test and [ are not among them:
// test -v 'a[$(cmd)]' runs cmd.
var harmlessArgs = set("ls", "pwd", "cat", "head", "tail", "wc", "echo", "true", "false",
	"which", "whoami", "id", "uname", "basename", "dirname", "realpath", "readlink",
	"stat", "du", "df", "nl", "cut", "tr", "cmp", "comm", "column", "diff",
	"grep", "egrep", "fgrep", "printenv")

// argCheck returns why the arguments make a command unsafe, or "".
type argCheck func(args []string) string

func anyArgs([]string) string { return "" }

// noFlags refuses the listed options, also as --opt=value, abbreviated
// (GNU getopt_long and git accept any unambiguous prefix: --outp for
// --output) and, for single-letter ones, inside a cluster of short flags
// (-xf). Every argument is checked, also after --: the -- may be the value
// of an option (rg -e -- --pre=x), and a false refusal only costs a
// question.
func noFlags(bad ...string) argCheck {
	return func(args []string) string {
		for _, a := range args {
			if f := badFlag(a, bad); f != "" {
				return "option " + f + " is not read-only"
			}
		}
		return ""
	}
}

func badFlag(a string, bad []string) string {
	if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
		return ""
	}
	for _, b := range bad {
		switch {
		case a == b:
			return b
		case strings.HasPrefix(b, "--") && longAbbrev(a, b):
			return b
		case len(b) == 2 && !strings.HasPrefix(a, "--") && strings.Contains(a[1:], b[1:]):
			return b
		case strings.HasPrefix(b, "-") && !strings.HasPrefix(b, "--") && len(b) > 2 && a == b:
			return b
		}
	}
	return ""
}

// longAbbrev reports whether a is the long option long, possibly
// abbreviated, possibly with =value: --outp=x for --output.
func longAbbrev(a, long string) bool {
	if !strings.HasPrefix(a, "--") || a == "--" {
		return false
	}
	name, _, _ := strings.Cut(a, "=")
	return len(name) > 2 && strings.HasPrefix(long, name)
}

// onlyFlags allows only the listed arguments.
func onlyFlags(ok ...string) argCheck {
	return func(args []string) string {
		for _, a := range args {
			if !contains(ok, a) {
				return fmt.Sprintf("argument %q is not allowed", a)
			}
		}
		return ""
	}
}

// versionOnly allows `tool --version` and nothing else: runtimes and
// build tools run arbitrary code for every other invocation.
func versionOnly(flags ...string) argCheck {
	return func(args []string) string {
		if len(args) == 1 && contains(flags, args[0]) {
			return ""
		}
		return "only a version query is read-only"
	}
}

// safeCommands maps each read-only command to its argument check.
// It is read-only after initialization.
var safeCommands = map[string]argCheck{
	"ls": anyArgs, "pwd": anyArgs, "cat": anyArgs, "head": anyArgs,
	"tail": anyArgs, // -f is read-only; it only never ends (the tool has a timeout)
	"wc":   anyArgs, "echo": anyArgs, "true": anyArgs, "false": anyArgs,
	"which": anyArgs, "type": anyArgs, "whoami": anyArgs, "id": anyArgs,
	"uname": anyArgs, "basename": anyArgs, "dirname": anyArgs,
	"realpath": anyArgs, "readlink": anyArgs, "stat": anyArgs, "du": anyArgs,
	"df": anyArgs, "nl": anyArgs, "cut": anyArgs, "tr": anyArgs, "cmp": anyArgs,
	"comm": anyArgs, "column": anyArgs, "diff": anyArgs, "test": checkTest, "[": checkTest,
	"grep": anyArgs, "egrep": anyArgs, "fgrep": anyArgs, "jq": anyArgs,
	"printenv": anyArgs,
	"env":      onlyFlags(), // bare env prints the environment; with a command it is a wrapper
	"printf":   noFlags("-v"),
	"file":     noFlags("-C", "--compile"),
	"tree":     noFlags("-o", "-R", "--output"),
	"date":     checkDate,
	"hostname": onlyFlags("-f", "-s", "-i", "-I", "-d", "-A", "--fqdn", "--short", "--domain", "--ip-address", "--all-ip-addresses"),
	"rg":       noFlags("--pre", "--pre-glob", "-z", "--search-zip", "--hostname-bin"),
	"fd":       checkFd, "fdfind": checkFd,
	"find":    checkFind,
	"sed":     checkSed,
	"sort":    noFlags("-o", "--output", "--compress-program"),
	"uniq":    checkUniq,
	"git":     checkGit,
	"node":    versionOnly("--version", "-v"),
	"python":  versionOnly("--version", "-V"),
	"python3": versionOnly("--version", "-V"),
	"ruby":    versionOnly("--version", "-v"),
	"npm":     versionOnly("--version", "-v"),
}

// checkTest refuses -v and -R (is the variable set): their operand may be
// an array element, whose subscript bash evaluates, running $(…) in it.
func checkTest(args []string) string {
	for _, a := range args {
		if a == "-v" || a == "-R" {
			return "test " + a + " evaluates an array subscript"
		}
	}
	return ""
}

// checkFind refuses the actions that run programs, delete or write files,
// wherever they are (GNU find accepts -- before the starting points), and
// a starting point that begins with -.
func checkFind(args []string) string {
	bad := []string{"exec", "execdir", "ok", "okdir", "delete", "fprint", "fprint0", "fprintf", "fls"}
	afterDashes := false
	for _, a := range args {
		if a == "--" {
			afterDashes = true
			continue
		}
		if name := strings.TrimLeft(a, "-"); strings.HasPrefix(a, "-") && contains(bad, name) {
			return "option -" + name + " is not read-only"
		}
		if afterDashes && strings.HasPrefix(a, "-") && a != "-" {
			return fmt.Sprintf("starting point %q looks like an option", a)
		}
	}
	return ""
}

// checkDate refuses setting the clock (-s, --set, or an MMDDhhmm operand).
func checkDate(args []string) string {
	for _, a := range args {
		if strings.HasPrefix(a, "--") && longAbbrev(a, "--set") {
			return "date --set sets the clock"
		}
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") {
			// A cluster: -d, -f, -I, -r take the rest as their value.
			for k := 1; k < len(a); k++ {
				if a[k] == 's' {
					return "date -s sets the clock"
				}
				if strings.IndexByte("dfIr", a[k]) >= 0 {
					break
				}
			}
		}
		if !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "+") {
			return "a date operand sets the clock"
		}
	}
	return ""
}

// checkFd refuses -x/--exec and -X/--exec-batch, also inside clusters.
func checkFd(args []string) string {
	for _, a := range args {
		if longAbbrev(a, "--exec") || longAbbrev(a, "--exec-batch") || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsAny(a, "xX")) {
			return "fd --exec runs commands"
		}
	}
	return ""
}

// checkUniq refuses the second operand, which uniq writes to.
func checkUniq(args []string) string {
	operands := 0
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			// Everything after it is an operand, whatever it looks like.
			operands += len(args) - i - 1
			i = len(args)
		case a == "-f" || a == "-s" || a == "-w":
			i++
		case strings.HasPrefix(a, "-") && a != "-":
		default:
			operands++
		}
	}
	if operands > 1 {
		return "a second operand is an output file"
	}
	return ""
}

// checkSed allows only `sed -n` with scripts that print (p, =, l, q…):
// every other sed command may write (w, s///w), read files into the output
// stream (r) or run programs (e, s///e).
func checkSed(args []string) string {
	quiet := false
	var scripts []string
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-n" || a == "--quiet" || a == "--silent":
			quiet = true
		case a == "-E" || a == "-r" || a == "--regexp-extended" || a == "-z" || a == "-u" || a == "-s" || a == "--posix" || a == "--null-data" || a == "--separate" || a == "--unbuffered":
		case a == "-e" || a == "--expression":
			if i+1 < len(args) {
				i++
				scripts = append(scripts, args[i])
			}
		case strings.HasPrefix(a, "--expression="):
			scripts = append(scripts, strings.TrimPrefix(a, "--expression="))
		case strings.HasPrefix(a, "-") && a != "-":
			if strings.Trim(a[1:], "nEr") == "" { // -nE, -En
				quiet = quiet || strings.Contains(a, "n")
				continue
			}
			return "option " + a + " is not allowed"
		default:
			operands = append(operands, a)
		}
	}
	if len(scripts) == 0 {
		if len(operands) == 0 {
			return "no script"
		}
		scripts = operands[:1]
	}
	if !quiet {
		return "only sed -n with print commands is read-only"
	}
	for _, s := range scripts {
		if !printOnlySed(s) {
			return fmt.Sprintf("script %q is not print-only", s)
		}
	}
	return ""
}

// printOnlySed reports whether a sed script is a list of [address[,address]][!]cmd
// with cmd one of p P = l q Q n, separated by ; or newlines.
func printOnlySed(s string) bool {
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	address := func() bool {
		switch {
		case i < len(s) && s[i] >= '0' && s[i] <= '9':
			for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '~') {
				i++
			}
		case i < len(s) && s[i] == '$':
			i++
		case i < len(s) && s[i] == '/':
			i++
			for i < len(s) && s[i] != '/' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(s) {
				return false
			}
			i++
			for i < len(s) && (s[i] == 'I' || s[i] == 'M') {
				i++
			}
		}
		return true
	}
	for {
		skipSpace()
		for i < len(s) && (s[i] == ';' || s[i] == '\n') {
			i++
			skipSpace()
		}
		if i >= len(s) {
			return true
		}
		if !address() {
			return false
		}
		if i < len(s) && s[i] == ',' {
			i++
			if i < len(s) && s[i] == '+' {
				i++
			}
			if !address() {
				return false
			}
		}
		skipSpace()
		if i < len(s) && s[i] == '!' {
			i++
			skipSpace()
		}
		if i >= len(s) || !strings.ContainsRune("pP=lqQn", rune(s[i])) {
			return false
		}
		cmd := s[i]
		i++
		if cmd == 'q' || cmd == 'Q' {
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
		}
		skipSpace()
		if i < len(s) && s[i] != ';' && s[i] != '\n' {
			return false
		}
	}
}

// gitGlobalOK are options allowed before a git subcommand. -c and
// --config-env set configuration that can run programs (core.pager,
// core.fsmonitor…); --git-dir/--work-tree point git at a repository whose
// configuration was not vetted, and --exec-path chooses git's programs.
var gitGlobalOK = map[string]bool{"--no-pager": true, "-P": true, "--no-optional-locks": true, "--literal-pathspecs": true, "--no-replace-objects": true}

// gitSafeSub are the read-only subcommands.
var gitSafeSub = map[string]bool{
	"status": true, "log": true, "diff": true, "show": true, "branch": true, "rev-parse": true,
	"ls-files": true, "blame": true, "remote": true, "grep": true,
}

// gitBadOpt are subcommand options that write files or run programs.
// Long options are also refused abbreviated (git's parse_options accepts
// unique prefixes: --open for --open-files-in-pager).
var gitBadOpt = []string{"--output", "--ext-diff", "--textconv", "--open-files-in-pager", "-O", "--exec", "--upload-pack", "--paginate"}

// gitExactOK are real options that happen to be prefixes of a refused one
// (--text of --textconv); an exact match is that option, not an
// abbreviation.
var gitExactOK = set("--text")

func checkGit(args []string) string {
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "-C" {
			i++
			continue
		}
		if !strings.HasPrefix(a, "-") {
			break
		}
		if !gitGlobalOK[a] {
			return "git option " + a + " is not allowed"
		}
	}
	if i >= len(args) {
		return "no subcommand"
	}
	sub, rest := args[i], args[i+1:]
	if !gitSafeSub[sub] {
		return "git " + sub + " is not on the read-only list"
	}
	// Every argument is checked, also after --, which may be an option's
	// value (git grep -e -- --open-files-in-pager=x).
	for _, a := range rest {
		if sub == "grep" && strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "O") {
			// -O[PAGER], also inside a cluster (-nO./evil).
			return "git grep -O runs a program"
		}
		if gitExactOK[a] {
			continue
		}
		for _, b := range gitBadOpt {
			if a == b || (strings.HasPrefix(b, "--") && longAbbrev(a, b)) {
				return "git option " + b + " is not read-only"
			}
		}
	}
	switch sub {
	case "branch":
		list := false
		for _, a := range rest {
			switch a {
			case "-a", "-r", "-v", "-vv", "--all", "--remotes", "--verbose", "--show-current", "--no-color", "--color":
			case "--list", "-l":
				list = true
			default:
				if strings.HasPrefix(a, "-") || !list {
					return "only listing branches is read-only"
				}
			}
		}
	case "remote":
		for _, a := range rest {
			if a != "-v" && a != "--verbose" {
				return "only listing remotes is read-only"
			}
		}
	}
	return ""
}
