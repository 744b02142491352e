package shellcmd

import (
	"fmt"
	"path"
	"strings"
)

// maxWrappers bounds how many wrappers one command may stack.
const maxWrappers = 16

// wrapResult is what removing one wrapper yields.
type wrapResult struct {
	wrapper    []string // the wrapper invocation with its own arguments
	rest       []string // the command it runs; empty: the wrapper runs nothing, keep it as the command
	reason     string   // why the wrapped command cannot be judged
	privileged bool
	repl       string // xargs -I placeholder
	script     string // for sh -c, su -c, watch: a script to analyze instead of rest
	isScript   bool
}

// wrapperName is the name a wrapper is recognized by: its base name when
// it is a bare name or an absolute path (/usr/bin/time). A relative path
// (./sudo) is some local program and is not looked through.
func wrapperName(s string) string {
	if strings.Contains(s, "/") && !strings.HasPrefix(s, "/") {
		return ""
	}
	return path.Base(s)
}

// unwrap removes wrappers from argv and emits the resulting part (plus the
// parts of find -exec commands and sh -c scripts).
func (a *analyzer) unwrap(argv []string, literal bool, base Part, reasons []string, fr frame) {
	wrappers := append([][]string(nil), fr.wrappers...)
	priv := fr.privileged
	for n := 0; len(argv) > 0; n++ {
		if n == maxWrappers {
			reasons = append(reasons, "too many nested wrappers")
			break
		}
		if fr.repl != "" && strings.Contains(argv[0], fr.repl) {
			reasons = append(reasons, fmt.Sprintf("command name comes from input (%s)", argv[0]))
			break
		}
		res, ok := removeWrapper(argv)
		if !ok {
			break
		}
		if res.reason != "" {
			reasons = append(reasons, res.reason)
			break
		}
		if !res.isScript && len(res.rest) == 0 {
			break
		}
		wrappers = append(wrappers, res.wrapper)
		priv = priv || res.privileged
		if res.repl != "" {
			fr.repl = res.repl
		}
		if res.isScript {
			a.nested(res, literal, argv, base, wrappers, priv, reasons, fr)
			return
		}
		argv = res.rest
	}
	p := base
	p.Argv = argv
	p.Wrappers = wrappers
	p.Privileged = priv
	a.emit(p, reasons)
	if len(argv) > 0 && wrapperName(argv[0]) == "find" {
		a.findExec(argv, literal, base, wrappers, priv, fr)
	}
}

// nested analyzes the script of sh -c / su -c / watch as its own script,
// its parts carrying the shell as a wrapper.
func (a *analyzer) nested(res wrapResult, literal bool, argv []string, base Part, wrappers [][]string, priv bool, reasons []string, fr frame) {
	fail := func(reason string) {
		p := base
		p.Argv, p.Wrappers, p.Privileged = argv, wrappers[:len(wrappers)-1], priv
		a.emit(p, append(reasons, reason))
	}
	switch {
	case !literal:
		fail("shell script that is not a literal")
		return
	case fr.depth+1 > maxDepth:
		fail("shell scripts nested too deep")
		return
	case fr.repl != "" && strings.Contains(res.script, fr.repl):
		fail(fmt.Sprintf("input substituted into a shell script (%s)", fr.repl))
		return
	}
	for _, r := range reasons {
		a.opaque(r)
	}
	inner := frame{wrappers: wrappers, privileged: priv, text: base.Text, depth: fr.depth + 1}
	analyzeScript(res.script, inner, a.res, a.budget)
}

// findExec adds a part for each command find runs with -exec, -execdir,
// -ok, -okdir; the {} placeholder stays literal.
func (a *analyzer) findExec(argv []string, literal bool, base Part, wrappers [][]string, priv bool, fr frame) {
	for i := 1; i < len(argv); i++ {
		switch argv[i] {
		case "-exec", "-execdir", "-ok", "-okdir":
		default:
			continue
		}
		j := i + 1
		for j < len(argv) && argv[j] != ";" && (argv[j] != "+" || argv[j-1] != "{}") {
			j++
		}
		cmd := argv[i+1 : j]
		if len(cmd) > 0 {
			if fr.depth+1 > maxDepth {
				a.opaque("find -exec nested too deep")
				return
			}
			inner := frame{privileged: priv, depth: fr.depth + 1, repl: "{}"}
			inner.wrappers = append(append([][]string(nil), wrappers...), argv[:i+1])
			var reasons []string
			if !literal {
				reasons = []string{"find -exec with a non-literal word"}
			}
			a.unwrap(cmd, literal, Part{Text: base.Text}, reasons, inner)
		}
		i = j
	}
}

// opt is one parsed option of a wrapper.
type opt struct {
	name string // "-u" or "--user"
	val  string
}

// optSpec describes a wrapper's options, so the command after them can be
// found. An option not described makes the command unjudgeable: guessing
// whether it takes an argument would let `wrapper -X rm …` hide rm.
type optSpec struct {
	arg      string   // short options taking an argument (attached or next word)
	attached string   // short options whose optional argument must be attached
	flag     string   // short options without argument
	longArg  []string // long options taking an argument (--x=v or --x v)
	longFlag []string // long options without argument (--x=v accepted too)
}

// parse returns the options of argv (argv[0] is the wrapper) and the index
// of the first operand.
func (sp optSpec) parse(argv []string) ([]opt, int, string) {
	var opts []opt
	i := 1
	for ; i < len(argv); i++ {
		s := argv[i]
		if s == "--" {
			return opts, i + 1, ""
		}
		if len(s) < 2 || s[0] != '-' {
			break
		}
		if strings.HasPrefix(s, "--") {
			name, val, hasVal := strings.Cut(s, "=")
			switch {
			case contains(sp.longArg, name):
				if !hasVal {
					if i+1 == len(argv) {
						return opts, len(argv), ""
					}
					i++
					val = argv[i]
				}
			case contains(sp.longFlag, name):
			default:
				return opts, i, fmt.Sprintf("unrecognized option %s for %s", name, argv[0])
			}
			opts = append(opts, opt{name, val})
			continue
		}
		for k := 1; k < len(s); k++ {
			c := s[k]
			name := "-" + string(c)
			switch {
			case strings.IndexByte(sp.arg, c) >= 0:
				val := s[k+1:]
				if val == "" {
					if i+1 == len(argv) {
						return opts, len(argv), ""
					}
					i++
					val = argv[i]
				}
				opts = append(opts, opt{name, val})
				k = len(s)
			case strings.IndexByte(sp.attached, c) >= 0:
				opts = append(opts, opt{name, s[k+1:]})
				k = len(s)
			case strings.IndexByte(sp.flag, c) >= 0:
				opts = append(opts, opt{name, ""})
			default:
				return opts, i, fmt.Sprintf("unrecognized option %s for %s", name, argv[0])
			}
		}
	}
	return opts, i, ""
}

func hasOpt(opts []opt, names ...string) (string, bool) {
	for _, o := range opts {
		if contains(names, o.name) {
			return o.val, true
		}
	}
	return "", false
}

// Option tables of the wrappers looked through.
var (
	envSpec     = optSpec{arg: "uCS", flag: "i0v", longArg: []string{"--unset", "--chdir", "--split-string"}, longFlag: []string{"--ignore-environment", "--null", "--debug"}}
	timeoutSpec = optSpec{arg: "sk", flag: "v", longArg: []string{"--signal", "--kill-after"}, longFlag: []string{"--preserve-status", "--foreground", "--verbose"}}
	niceSpec    = optSpec{arg: "n", longArg: []string{"--adjustment"}}
	stdbufSpec  = optSpec{arg: "ioe", longArg: []string{"--input", "--output", "--error"}}
	timeSpec    = optSpec{arg: "fo", flag: "pvqa", longArg: []string{"--format", "--output"}, longFlag: []string{"--portability", "--verbose", "--quiet", "--append"}}
	commandSpec = optSpec{flag: "pvV"}
	execSpec    = optSpec{arg: "a", flag: "cl"}
	setsidSpec  = optSpec{flag: "cfw", longFlag: []string{"--ctty", "--fork", "--wait"}}
	ioniceSpec  = optSpec{arg: "cn", flag: "t", longArg: []string{"--class", "--classdata"}, longFlag: []string{"--ignore"}}
	sudoSpec    = optSpec{
		arg:      "CDghpRrtTUu",
		flag:     "AbBEeHiKklNnPSsVv",
		longArg:  []string{"--close-from", "--chdir", "--group", "--host", "--prompt", "--chroot", "--role", "--type", "--command-timeout", "--other-user", "--user"},
		longFlag: []string{"--askpass", "--bell", "--background", "--preserve-env", "--edit", "--set-home", "--login", "--remove-timestamp", "--reset-timestamp", "--list", "--no-update", "--non-interactive", "--preserve-groups", "--stdin", "--shell", "--version", "--validate"},
	}
	doasSpec   = optSpec{arg: "uC", flag: "nsL"}
	pkexecSpec = optSpec{longArg: []string{"--user"}, longFlag: []string{"--disable-internal-agent", "--keep-cwd"}}
	xargsSpec  = optSpec{
		arg: "adEILnPs", attached: "eil", flag: "0oprtx",
		longArg:  []string{"--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars", "--process-slot-var"},
		longFlag: []string{"--null", "--no-run-if-empty", "--verbose", "--interactive", "--exit", "--open-tty", "--show-limits", "--eof", "--replace", "--max-lines"},
	}
	suSpec = optSpec{arg: "csgGwu", flag: "lmpPf", longArg: []string{"--command", "--shell", "--group", "--supp-group", "--whitelist-environment", "--user"},
		longFlag: []string{"--login", "--preserve-environment", "--pty", "--fast"}}
	watchSpec = optSpec{arg: "nq", flag: "bcCdegtxpwr", longArg: []string{"--interval", "--equexit"},
		longFlag: []string{"--beep", "--color", "--no-color", "--differences", "--errexit", "--chgexit", "--no-title", "--exec", "--precise", "--no-wrap", "--no-linewrap"}}
)

// shells whose -c script is analyzed. fish and others have a different
// syntax and are left as the command itself.
var shells = map[string]bool{"sh": true, "bash": true, "zsh": true, "dash": true, "ksh": true, "mksh": true, "ash": true}

// removeWrapper removes one wrapper from argv; ok is false when argv[0] is
// not a wrapper.
func removeWrapper(argv []string) (wrapResult, bool) {
	name := wrapperName(argv[0])
	simple := func(sp optSpec, skip int) wrapResult {
		_, i, reason := sp.parse(argv)
		return split(argv, i+skip, reason)
	}
	switch name {
	case "nohup", "builtin":
		// Both accept -- (GNU getopt, bash's no_options) and no other
		// option that runs a command.
		switch {
		case len(argv) > 1 && argv[1] == "--":
			return split(argv, 2, ""), true
		case len(argv) > 1 && len(argv[1]) > 1 && argv[1][0] == '-':
			return split(argv, 1, fmt.Sprintf("unrecognized option %s for %s", argv[1], name)), true
		}
		return split(argv, 1, ""), true
	case "timeout":
		// The duration follows the options.
		return simple(timeoutSpec, 1), true
	case "nice":
		if len(argv) > 1 && len(argv[1]) > 1 && argv[1][0] == '-' && isInteger(argv[1][1:]) {
			if len(argv) > 2 && argv[2] == "--" {
				return split(argv, 3, ""), true // nice -10 -- cmd
			}
			return split(argv, 2, ""), true // nice -10 cmd
		}
		return simple(niceSpec, 0), true
	case "stdbuf":
		return simple(stdbufSpec, 0), true
	case "setsid":
		return simple(setsidSpec, 0), true
	case "ionice":
		return simple(ioniceSpec, 0), true
	case "exec":
		return simple(execSpec, 0), true
	case "time":
		opts, i, reason := timeSpec.parse(argv)
		if _, ok := hasOpt(opts, "-o", "--output"); ok && reason == "" {
			reason = "time -o (writes a file)"
		}
		return split(argv, i, reason), true
	case "command":
		opts, i, reason := commandSpec.parse(argv)
		if _, ok := hasOpt(opts, "-v", "-V"); ok {
			return wrapResult{}, false // a query: command -v x
		}
		return split(argv, i, reason), true
	case "env":
		opts, i, reason := envSpec.parse(argv)
		if _, ok := hasOpt(opts, "-S", "--split-string"); ok && reason == "" {
			reason = "env -S (splits a string into a command)"
		}
		i, r := skipAssigns(argv, i)
		if reason == "" {
			reason = r
		}
		return split(argv, i, reason), true
	case "sudo":
		opts, i, reason := sudoSpec.parse(argv)
		if _, ok := hasOpt(opts, "-e", "--edit", "-l", "--list"); ok {
			return wrapResult{}, false // sudoedit / listing: runs no command
		}
		i, r := skipAssigns(argv, i)
		if reason == "" {
			reason = r
		}
		res := split(argv, i, reason)
		res.privileged = true
		return res, true
	case "doas":
		res := simple(doasSpec, 0)
		res.privileged = true
		return res, true
	case "pkexec":
		res := simple(pkexecSpec, 0)
		res.privileged = true
		return res, true
	case "xargs":
		opts, i, reason := xargsSpec.parse(argv)
		if v, ok := hasOpt(opts, "--process-slot-var"); ok && reason == "" {
			// Sets a variable of xargs' choosing in the command's
			// environment (LD_LIBRARY_PATH=0 loads ./0/libc.so.6).
			reason = fmt.Sprintf("xargs --process-slot-var sets %s", v)
		}
		res := split(argv, i, reason)
		for _, o := range opts {
			switch o.name {
			case "-I":
				res.repl = o.val
			case "-i", "--replace":
				res.repl = o.val
				if res.repl == "" {
					res.repl = "{}"
				}
			}
		}
		return res, true
	case "su", "runuser":
		return suWrapper(argv), true
	case "watch":
		opts, i, reason := watchSpec.parse(argv)
		res := split(argv, i, reason)
		if _, ok := hasOpt(opts, "-x", "--exec"); ok || reason != "" || len(res.rest) == 0 {
			return res, true
		}
		// watch runs its arguments joined by spaces through sh -c.
		res.script, res.isScript = strings.Join(res.rest, " "), true
		return res, true
	}
	if shells[name] {
		return shellWrapper(argv)
	}
	return wrapResult{}, false
}

// split cuts argv into the wrapper (argv[:i]) and the command.
func split(argv []string, i int, reason string) wrapResult {
	if i > len(argv) {
		i = len(argv)
	}
	return wrapResult{wrapper: argv[:i:i], rest: argv[i:], reason: reason}
}

// skipAssigns skips env/sudo NAME=VALUE words, refusing those that change
// what runs.
func skipAssigns(argv []string, i int) (int, string) {
	for ; i < len(argv); i++ {
		name, _, ok := strings.Cut(argv[i], "=")
		if !ok || !validName(name) {
			break
		}
		if riskyVar(name) {
			return i, fmt.Sprintf("assignment that changes what runs (%s=…)", name)
		}
	}
	return i, ""
}

// validName reports a shell variable name; env also accepts odd names
// like BASH_FUNC_x%%, which the risky-prefix check covers.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') && c != '%' {
			return false
		}
	}
	return true
}

// shellWrapper handles sh/bash/zsh… -c SCRIPT [NAME ARGS…]. Without -c the
// shell runs a file or its input, and is itself the command. Options are
// read letter by letter as bash reads them: in `-co pipefail` the o takes
// the next word, and the script is the one after. Only bash-like shells'
// scripts are analyzed: zsh and ksh run code from constructs bash parses
// as plain words (`ls *(e:…:)`). A startup file named on the command line
// (--rcfile, --init-file) runs before the script; the user's own (-i,
// --login) are theirs, as they are for every command warden runs.
func shellWrapper(argv []string) (wrapResult, bool) {
	name := wrapperName(argv[0])
	hasC, startup := false, ""
	i := 1
	for ; i < len(argv); i++ {
		s := argv[i]
		if s == "--" || s == "-" {
			i++
			break
		}
		if len(s) < 2 || (s[0] != '-' && s[0] != '+') {
			break
		}
		if strings.HasPrefix(s, "--") {
			opt, _, hasValue := strings.Cut(s, "=")
			switch opt {
			case "--rcfile", "--init-file":
				startup = opt
				if !hasValue {
					i++
				}
			}
			continue
		}
		take := 0
		for _, c := range s[1:] {
			switch c {
			case 'c':
				hasC = hasC || s[0] == '-'
			case 'o', 'O':
				take++
			}
		}
		i += take
	}
	if !hasC {
		return wrapResult{}, false
	}
	if !bashLike[name] {
		return wrapResult{reason: name + " -c: its script is not in bash's syntax, so it cannot be judged"}, true
	}
	if startup != "" {
		return wrapResult{reason: fmt.Sprintf("%s %s -c runs startup files before the script", name, startup)}, true
	}
	if i >= len(argv) {
		return wrapResult{reason: argv[0] + " -c without a script"}, true
	}
	w := append(append([]string(nil), argv[:i]...), argv[i+1:]...)
	return wrapResult{wrapper: w, script: argv[i], isScript: true}, true
}

// bashLike are the shells whose -c scripts the bash grammar reads as they
// do.
var bashLike = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true}

// suWrapper handles su/runuser: `-c SCRIPT` runs a script as another user;
// `runuser -u USER -- CMD` runs an argv.
func suWrapper(argv []string) wrapResult {
	var script string
	hasC := false
	var w []string
	w = append(w, argv[0])
	for i := 1; i < len(argv); i++ {
		s := argv[i]
		if s == "-" {
			w = append(w, s)
			continue
		}
		if argv[0] != "su" && (s == "-u" || s == "--user") && i+1 < len(argv) {
			// runuser -u USER [--] CMD…
			j := i + 2
			if j < len(argv) && argv[j] == "--" {
				j++
			}
			res := split(argv, j, "")
			res.privileged = true
			return res
		}
		opts, next, reason := suSpec.parse(append([]string{argv[0]}, argv[i:]...))
		if reason != "" {
			return wrapResult{reason: reason}
		}
		if next == 1 { // an operand: the user name
			w = append(w, s)
			continue
		}
		consumed := argv[i : i+next-1]
		for _, o := range opts {
			switch o.name {
			case "-c", "--command":
				script, hasC = o.val, true
			case "-s", "--shell":
				return wrapResult{reason: fmt.Sprintf("%s with a chosen shell (%s)", argv[0], o.val)}
			}
		}
		for _, c := range consumed {
			if !hasC || c != script {
				w = append(w, c)
			}
		}
		i += next - 2
	}
	if !hasC {
		return wrapResult{}
	}
	return wrapResult{wrapper: w, script: script, isScript: true, privileged: true}
}
