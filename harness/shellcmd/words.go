package shellcmd

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// maxBraceWords bounds brace expansion of one word; beyond it the word is
// opaque rather than blowing up the argv.
const maxBraceWords = 64

// maxScriptBraceWords and maxScriptBraceBytes bound brace expansion over a
// whole analysis (nested sh -c scripts included): many small expansions
// would otherwise cost time and memory in warden's own process. Beyond
// them every further brace word is opaque, without being expanded.
const (
	maxScriptBraceWords = 4096
	maxScriptBraceBytes = 256 << 10
)

// budget is what is left of the per-analysis brace-expansion allowance.
type budget struct {
	words, bytes int
}

func newBudget() *budget {
	return &budget{words: maxScriptBraceWords, bytes: maxScriptBraceBytes}
}

// argWord converts one argv word, brace-expanding it as bash would (so
// `{rm,-rf,/}` is seen as rm -rf /). It returns the words and a reason when
// some part is not literal; a non-literal word is kept as its source text.
// glob reports that some resulting word contains an unquoted glob.
func (a *analyzer) argWord(w *syntax.Word, cmdName bool) (out []string, glob bool, reason string) {
	src := a.text(w)
	if !hasBraceCandidate(w) {
		a.glob = false
		v, reason := a.wordValue(w, cmdName)
		return []string{v}, a.glob, reason
	}
	if a.budget.words <= 0 || a.budget.bytes <= 0 {
		return []string{src}, false, "brace expansion too large for one script"
	}
	// SplitBraces rewrites the word in place; work on a copy so that the
	// tree stays walkable by syntax.Walk, which knows no BraceExp.
	w = &syntax.Word{Parts: slices.Clone(w.Parts)}
	if !syntax.SplitBraces(w) {
		a.glob = false
		v, reason := a.wordValue(w, cmdName)
		return []string{v}, a.glob, reason
	}
	for ew, err := range expand.BracesSeq(nil, w) {
		if err != nil || len(out) >= maxBraceWords {
			return []string{src}, false, fmt.Sprintf("brace expansion too large (%s)", src)
		}
		a.glob = false
		v, reason := a.wordValue(ew, cmdName && len(out) == 0)
		if reason != "" {
			return []string{src}, false, reason
		}
		a.budget.words--
		a.budget.bytes -= len(v) + 1
		if a.budget.words < 0 || a.budget.bytes < 0 {
			return []string{src}, false, "brace expansion too large for one script"
		}
		glob = glob || a.glob
		out = append(out, v)
	}
	return out, glob, ""
}

// hasBraceCandidate reports whether an unquoted literal of w contains a
// '{', the only way the word can be subject to brace expansion; it spares
// the copy and the split for every other word.
func hasBraceCandidate(w *syntax.Word) bool {
	for _, p := range w.Parts {
		if l, ok := p.(*syntax.Lit); ok && strings.Contains(l.Value, "{") {
			return true
		}
	}
	return false
}

// wordValue returns a word's value after quote removal, or its source text
// and the reason it is not a literal.
func (a *analyzer) wordValue(w *syntax.Word, cmdName bool) (string, string) {
	var b strings.Builder
	reason := ""
	for _, p := range w.Parts {
		if r := a.partValue(&b, p, cmdName); r != "" && reason == "" {
			reason = r
		}
	}
	if reason != "" {
		return a.text(w), reason
	}
	return b.String(), ""
}

func (a *analyzer) partValue(b *strings.Builder, p syntax.WordPart, cmdName bool) string {
	switch p := p.(type) {
	case *syntax.Lit:
		if unquotedGlob(p.Value) {
			a.glob = true
		}
		b.WriteString(unescape(p.Value, false))
	case *syntax.SglQuoted:
		if p.Dollar {
			b.WriteString(decodeANSIC(p.Value))
		} else {
			b.WriteString(p.Value)
		}
	case *syntax.DblQuoted:
		if p.Dollar {
			a.reported[int(p.Pos().Offset())] = true
			return fmt.Sprintf("locale-translated string (%s)", a.text(p))
		}
		reason := ""
		for _, q := range p.Parts {
			if lit, ok := q.(*syntax.Lit); ok {
				b.WriteString(unescape(lit.Value, true))
				continue
			}
			if r := a.partValue(b, q, cmdName); r != "" && reason == "" {
				reason = r
			}
		}
		return reason
	case *syntax.ExtGlob:
		// A glob is matched against file names; it never changes which
		// program runs, so it stays literal text, but the word is marked:
		// a file name may start with - and become an option.
		a.glob = true
		b.WriteString(p.Op.String() + p.Pattern.Value + ")")
	case *syntax.BraceExp:
		// Only reached for words that were not expanded (not argv words);
		// keep the braces as text.
		b.WriteString(a.text(p))
	default:
		a.reported[int(p.Pos().Offset())] = true
		return partReason(a, p, cmdName)
	}
	return ""
}

// unquotedGlob reports an unescaped *, ? or [ in unquoted literal text,
// which bash expands to matching file names. A [ counts even without a
// closing ] (which may come from another part of the word): fail closed.
func unquotedGlob(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '*', '?', '[':
			return true
		}
	}
	return false
}

// partReason names a non-literal word part for a reason message.
func partReason(a *analyzer, p syntax.WordPart, cmdName bool) string {
	switch p := p.(type) {
	case *syntax.CmdSubst:
		if p.Backquotes {
			return "command substitution `…`"
		}
		return "command substitution $(…)"
	case *syntax.ProcSubst:
		if p.Op == syntax.CmdOut {
			return "process substitution >(…)"
		}
		return "process substitution <(…)"
	case *syntax.ArithmExp:
		return "arithmetic expansion $((…))"
	case *syntax.ParamExp:
		if cmdName {
			return fmt.Sprintf("variable as the command name (%s)", a.text(p))
		}
		return fmt.Sprintf("parameter expansion (%s)", a.text(p))
	}
	return fmt.Sprintf("expansion (%s)", a.text(p))
}

// unescape performs quote removal of backslashes in unquoted text, or, with
// dq, inside double quotes (where a backslash only escapes $ ` " \).
func unescape(s string, dq bool) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		if dq && !strings.ContainsRune("$`\"\\\n", rune(next)) {
			b.WriteByte(c)
			continue
		}
		i++
		if next != '\n' {
			b.WriteByte(next)
		}
	}
	return b.String()
}

// decodeANSIC decodes the body of $'…' the way bash does, so that
// $'\x72m' is judged as rm rather than hidden from the rules.
func decodeANSIC(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'e', 'E':
			b.WriteByte(0x1b)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '\\', '\'', '"', '?':
			b.WriteByte(c)
		case 'c':
			if i+1 < len(s) {
				i++
				b.WriteByte(s[i] & 0x1f)
			} else {
				b.WriteString(`\c`)
			}
		case 'x', 'u', 'U':
			maxDigits := 2
			if c == 'u' {
				maxDigits = 4
			} else if c == 'U' {
				maxDigits = 8
			}
			j := i + 1
			for j < len(s) && j-i-1 < maxDigits && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				b.WriteByte('\\')
				b.WriteByte(c)
				continue
			}
			n, _ := strconv.ParseUint(s[i+1:j], 16, 32)
			if c == 'x' {
				b.WriteByte(byte(n))
			} else {
				b.WriteRune(rune(n))
			}
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j-i < 3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(s[i:j], 8, 16)
			b.WriteByte(byte(n))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// hasInvisible reports zero-width, bidirectional-override and other format
// characters, which make text read differently from what runs.
func hasInvisible(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) || r == '\u115f' || r == '\u1160' || r == '\u3164' ||
			r == '\uffa0' || (r >= '\ufe00' && r <= '\ufe0f') || r == '\u034f' {
			return true
		}
	}
	return false
}

// nonASCII reports a non-ASCII (or invalid UTF-8) byte; command names
// containing one may be look-alikes of real commands (ｒｍ, Cyrillic о).
func nonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// riskyExact are variables whose value changes which program runs or what
// code a program loads, so assigning them makes a command unjudgeable.
var riskyExact = map[string]bool{
	"PATH": true, "ENV": true, "SHELLOPTS": true, "BASHOPTS": true, "PS4": true,
	"IFS": true, "PROMPT_COMMAND": true, "HOME": true, "XDG_CONFIG_HOME": true,
	"ZDOTDIR": true, "SHELL": true,
	"PAGER": true, "EDITOR": true, "VISUAL": true, "MANPAGER": true, "BROWSER": true,
	"LESSOPEN": true, "LESSCLOSE": true, "SSH_ASKPASS": true,
	"PYTHONPATH": true, "PYTHONSTARTUP": true, "PYTHONHOME": true,
	"PERL5OPT": true, "PERL5LIB": true, "PERLLIB": true, "RUBYOPT": true, "RUBYLIB": true,
	"NODE_OPTIONS": true, "NODE_PATH": true,
	"GOFLAGS": true, "GOROOT": true, "GOENV": true, "GOTOOLCHAIN": true,
	"RUSTC": true, "RUSTC_WRAPPER": true, "RUSTC_WORKSPACE_WRAPPER": true, "RUSTDOC": true,
	"CARGO_BUILD_RUSTC_WRAPPER": true,
	"MAKEFLAGS":                 true, "MFLAGS": true, "GNUMAKEFLAGS": true,
	"JAVA_TOOL_OPTIONS": true, "_JAVA_OPTIONS": true, "JDK_JAVA_OPTIONS": true,
	// Programs and libraries loaded through configuration files or module
	// paths: OpenSSL providers and engines (git-remote-https, curl), glibc
	// iconv modules and tunables, rg's option file (--pre=PROGRAM), curl's
	// and wget's rc files, gpg's home (agent programs), certificates.
	"GCONV_PATH": true, "GLIBC_TUNABLES": true, "LOCPATH": true, "NLSPATH": true,
	"RIPGREP_CONFIG_PATH": true, "CURL_HOME": true, "WGETRC": true, "GNUPGHOME": true,
	"CC": true, "CXX": true, "CPP": true, "LD": true, "AR": true, "CLASSPATH": true,
	"GEM_HOME": true, "GEM_PATH": true, "BUNDLE_GEMFILE": true, "PERLDB_OPTS": true,
	"TERMINFO": true, "TERMINFO_DIRS": true, "INPUTRC": true, "MAGIC": true,
	"PYTHONUSERBASE": true, "PYTHONBREAKPOINT": true, "PYTHONPYCACHEPREFIX": true,
	"PYTHONPLATLIBDIR": true, "PYTHONEXECUTABLE": true, "PYTHONINSPECT": true,
	"GOPROXY": true, "GONOSUMDB": true, "GONOSUMCHECK": true, "GOSUMDB": true, "GOINSECURE": true,
	"GOPRIVATE": true, "GONOPROXY": true,
}

// riskyPrefix are variable-name prefixes with the same effect: the dynamic
// loader (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT…), exported bash functions
// (BASH_FUNC_x%%), BASH_ENV, git's program and config hooks (GIT_SSH,
// GIT_EDITOR, GIT_CONFIG_*, GIT_DIR…), npm's config (npm_config_script_shell).
var riskyPrefix = []string{"LD_", "DYLD_", "BASH_", "GIT_", "NPM_CONFIG_",
	"OPENSSL_", "SSL_CERT_", "PERL5", "RUBY", "LUA_", "CGO_"}

// riskyVar reports whether assigning name changes what runs.
func riskyVar(name string) bool {
	if riskyExact[name] {
		return true
	}
	up := strings.ToUpper(name)
	for _, p := range riskyPrefix {
		if strings.HasPrefix(up, p) {
			return true
		}
	}
	return false
}

// commandReasons are the checks on the command that finally runs: builtins
// that run strings as code or change how later names resolve, and names
// that may not be what they look like.
func commandReasons(argv []string) []string {
	name := argv[0]
	var out []string
	if nonASCII(name) {
		out = append(out, fmt.Sprintf("look-alike or invisible characters in the command name (%q)", name))
	}
	for _, w := range argv {
		if hasInvisible(w) {
			out = append(out, "look-alike or invisible characters")
			break
		}
	}
	if strings.ContainsAny(name, "*?[") && name != "[" {
		out = append(out, fmt.Sprintf("glob in the command name (%s)", name))
	}
	for _, w := range argv {
		if networkPath(w) {
			out = append(out, fmt.Sprintf("network connection (%s)", w))
			break
		}
	}
	args := argv[1:]
	out = append(out, codeInArguments(wrapperName(name), args)...)
	switch name {
	case "eval", "source", ".", "alias", "trap", "enable", "bind", "complete", "compgen", "fc", "let", "history":
		out = append(out, name)
	case "hash":
		if len(args) > 0 && args[0] != "-r" && args[0] != "-t" && args[0] != "-l" {
			out = append(out, "hash (changes what a name runs)")
		}
	case "declare", "typeset", "local", "export", "readonly":
		for _, arg := range args {
			if r := declOption(name, arg); r != "" {
				out = append(out, r)
			} else if r := assignWord(name, arg); r != "" {
				out = append(out, r)
			}
		}
	case "unset":
		for _, arg := range args {
			if strings.Contains(arg, "[") {
				out = append(out, fmt.Sprintf("array subscript (unset %s)", arg))
			}
		}
	case "test", "[":
		for i, arg := range args {
			if (arg == "-v" || arg == "-R") && i+1 < len(args) && strings.Contains(args[i+1], "[") {
				out = append(out, fmt.Sprintf("array subscript in a test (%s)", args[i+1]))
			}
		}
	case "read", "mapfile", "readarray", "getopts", "printf", "wait":
		out = append(out, varBuiltinReasons(name, args)...)
	}
	return out
}

// varBuiltinReasons judges the builtins that assign variables named by
// their arguments: read NAME…, read -a NAME, mapfile NAME, getopts OPT
// NAME, printf -v NAME, wait -p NAME, the option value also attached
// (-vNAME, -raNAME). A risky name changes what later commands run; an
// array subscript (NAME[…]) is evaluated as arithmetic, which can run
// commands. Option values that are not names (a prompt, a delimiter) may
// be flagged too: that only costs a question.
func varBuiltinReasons(name string, args []string) []string {
	var out []string
	add := func(v string) {
		if riskyVar(v) {
			out = append(out, fmt.Sprintf("assignment that changes what runs (%s %s)", name, v))
		} else if strings.Contains(v, "[") {
			out = append(out, fmt.Sprintf("array subscript assignment (%s %s)", name, v))
		}
	}
	// Which option letters take a variable name as their value.
	nameOpt := map[string]string{"read": "a", "printf": "v", "wait": "p"}[name]
	operandsAreNames := name != "printf" && name != "wait"
	for i, arg := range args {
		if strings.HasPrefix(arg, "-") && len(arg) > 1 && arg != "--" {
			// Any attached suffix may be a name: -vPATH, -raIFS.
			for k := 1; k < len(arg); k++ {
				if nameOpt != "" && strings.IndexByte(nameOpt, arg[k]) >= 0 {
					if k+1 < len(arg) {
						add(arg[k+1:])
					} else if i+1 < len(args) {
						add(args[i+1])
					}
					break
				}
			}
			if (name == "mapfile" || name == "readarray") && strings.Contains(arg, "C") {
				out = append(out, name+" -C (callback)")
			}
			continue
		}
		if operandsAreNames {
			add(arg)
		}
	}
	return out
}

// assignWord judges a NAME=value argument of declare/export… given as a
// plain word (quoted, or through a wrapper), which bash still treats as
// an assignment.
func assignWord(variant, arg string) string {
	n, _, ok := strings.Cut(arg, "=")
	if strings.Contains(n, "[") {
		return fmt.Sprintf("array subscript assignment (%s %s)", variant, arg)
	}
	n = strings.TrimSuffix(n, "+")
	if ok && riskyVar(n) {
		return fmt.Sprintf("assignment that changes what runs (%s=…)", n)
	}
	return ""
}

// networkPath reports a path bash opens as a network connection in a
// redirection (/dev/tcp/HOST/PORT, /dev/udp/…); as an argument it names
// the same intent, so it is refused there too.
func networkPath(s string) bool {
	c := path.Clean(s)
	for _, p := range []string{"/dev/tcp", "/dev/udp"} {
		if c == p || strings.HasPrefix(c, p+"/") || strings.Contains(s, p+"/") {
			return true
		}
	}
	return false
}

// inlineCodeFlags make an interpreter run the argument that follows (or is
// attached to) them.
var inlineCodeFlags = map[string][]string{
	"python": {"-c"}, "node": {"-e", "--eval", "-p", "--print"}, "ruby": {"-e"}, "perl": {"-e", "-E"},
	"php": {"-r"}, "lua": {"-e"}, "deno": {"eval"}, "bun": {"-e", "--eval"}, "Rscript": {"-e"}, "julia": {"-e"},
}

// codeInArguments says when a command runs code written in its own
// arguments — an interpreter's inline script, awk's program, git -c
// settings that name programs, rg --pre — which no rule can see into: a
// deny rule for curl cannot see the curl in `python3 -c 'os.system("curl x")'`.
func codeInArguments(name string, args []string) []string {
	family := name
	switch {
	case interpreterRE.MatchString(name) && strings.HasPrefix(name, "python"):
		family = "python"
	case name == "nodejs":
		family = "node"
	}
	if flags, ok := inlineCodeFlags[family]; ok {
		for _, a := range args {
			for _, f := range flags {
				if a == f || (strings.HasPrefix(f, "-") && !strings.HasPrefix(f, "--") && strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a[1:], f[1:])) {
					return []string{fmt.Sprintf("%s runs the code in its arguments (%s)", name, a)}
				}
			}
		}
	}
	switch name {
	case "awk", "gawk", "mawk", "nawk":
		return []string{name + " runs the program in its arguments"}
	case "git":
		for _, a := range args {
			if a == "-c" || a == "--config-env" || strings.HasPrefix(a, "--config-env=") || (strings.HasPrefix(a, "-c") && len(a) > 2 && !strings.HasPrefix(a, "--")) {
				return []string{"git -c can name programs for git to run"}
			}
			if !strings.HasPrefix(a, "-") {
				break // the subcommand: what follows is its own
			}
		}
	case "rg":
		for _, a := range args {
			if a == "--pre" || strings.HasPrefix(a, "--pre=") {
				return []string{"rg --pre runs a program on every file"}
			}
		}
	}
	return nil
}

// Literal is a word's value after quote removal, when it is made only of
// plain text and quotes ('…', "…" without expansions, $'…', backslash
// escapes); ok is false for anything a shell would expand. It is the one
// decoder of shell words other packages use (rules' examples, the shell
// tool's apply_patch calls), so they read words as the judging does.
func Literal(w *syntax.Word) (string, bool) {
	var b strings.Builder
	for _, part := range w.Parts {
		switch p := part.(type) {
		case *syntax.Lit:
			b.WriteString(unescape(p.Value, false))
		case *syntax.SglQuoted:
			if p.Dollar {
				b.WriteString(decodeANSIC(p.Value))
			} else {
				b.WriteString(p.Value)
			}
		case *syntax.DblQuoted:
			if p.Dollar {
				return "", false
			}
			for _, q := range p.Parts {
				lit, ok := q.(*syntax.Lit)
				if !ok {
					return "", false
				}
				b.WriteString(unescape(lit.Value, true))
			}
		default:
			return "", false
		}
	}
	return b.String(), true
}
