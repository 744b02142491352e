package shellcmd

import (
	"path"
	"regexp"
	"strings"
)

// Prefix proposes the token prefix a user could choose to "always allow"
// for argv, and the shortest length the user may shorten it to.
//
// Call it with Part.Argv, i.e. with wrappers (sudo, env, timeout…) already
// removed; whether a Privileged part may be always-allowed at all is the
// engine's decision.
//
// A nil prefix means no prefix is safe to offer: a bare interpreter or
// wrapper (`bash`, `python` reading its input, `env`, `xargs`, `git` alone),
// where any prefix would allow everything. Prefix never proposes a prefix
// whose first word is an option, nor one whose last word is an option
// (`git --no-pager`, `npm -s`, `python3 -u`): what follows an option is
// not pinned, so such a prefix would allow any subcommand or code.
//
//   - tools with subcommands (git, go, cargo, npm, docker, kubectl…): up to
//     the subcommand (two levels for `npm run build`, `go mod tidy`,
//     `docker compose up`, `gh pr view`), never shorter;
//   - interpreters (python, node, bash, perl…): up to the script or module
//     (`python -m pytest`, `bash build.sh`); with inline code (-c, -e) or
//     any other option, the whole argv;
//   - other interpreters and code runners (awk, java, R, julia, expect,
//     cmd…): the whole argv only;
//   - programs that run another command given in their arguments (strace,
//     gdb, flock, chroot, unshare, busybox, setsid… and the wrappers
//     Analyze removes): nil;
//   - sed: nil, since GNU sed permutes its arguments, so any prefix also
//     allows an appended -e '1e CMD';
//   - make: up to the first target, shortenable to `make` (the Makefile
//     is trusted as soon as any target is);
//   - anything else: the command name (`pytest`, `ls`).
func Prefix(argv []string) ([]string, int) {
	p, min := prefix(argv)
	if len(p) == 0 || strings.HasPrefix(p[0], "-") || strings.HasPrefix(p[len(p)-1], "-") {
		return nil, 0
	}
	return p, min
}

func prefix(argv []string) ([]string, int) {
	if len(argv) == 0 {
		return nil, 0
	}
	name := path.Base(argv[0])
	whole := func() ([]string, int) {
		if len(argv) == 1 {
			return nil, 0
		}
		return clone(argv), len(argv)
	}
	switch {
	case prefixWrappers[name] || runnerRE.MatchString(name) || name == "sed" || name == "gsed":
		return nil, 0
	case wholeOnlyRE.MatchString(name):
		return whole()
	case interpreter(name):
		return interpreterPrefix(argv)
	}
	if tool, ok := subTools[name]; ok {
		return subcommandPrefix(argv, name, tool)
	}
	return clone(argv[:1]), 1
}

func clone(s []string) []string { return append([]string(nil), s...) }

// prefixWrappers run another command, so a prefix of them alone would
// allow anything; Analyze normally removes them before Prefix sees argv.
var prefixWrappers = map[string]bool{
	"env": true, "sudo": true, "doas": true, "su": true, "runuser": true, "pkexec": true,
	"xargs": true, "nohup": true, "timeout": true, "nice": true, "ionice": true, "time": true,
	"exec": true, "command": true, "builtin": true, "watch": true, "stdbuf": true, "setsid": true,
	"eval": true, "source": true, ".": true, "parallel": true, "strace": true, "ltrace": true, "gdb": true,
}

// runnerRE are programs that run a command, script or code given in
// their arguments, so no prefix of them pins what runs.
var runnerRE = regexp.MustCompile(`^(parallel|sem|strace|ltrace|gdb|lldb|valgrind|flock|busybox|toybox|chroot|unshare|nsenter|setsid|setpriv|taskset|ionice|chrt|numactl|prlimit|script|unbuffer|rlwrap|fakeroot|faketime|firejail|bwrap|proot|systemd-run|sg|newgrp|runuser|su|ssh|perf|catchsegv|torsocks|proxychains4?|cgexec|nsjail|schroot|dbus-run-session|xvfb-run|expect|tclsh[0-9.]*|wish[0-9.]*|cmd|cmd\.exe)$`)

// wholeOnlyRE are interpreters whose arguments are all code or decide
// what runs: only the whole argv may be always-allowed.
var wholeOnlyRE = regexp.MustCompile(`^(awk|gawk|mawk|nawk|busybox-awk|java|jshell|groovy|scala|kotlin|kotlinc|clojure|clj|R|Rscript|julia|octave|matlab|osascript|pwsh|powershell|erl|escript|elixir|iex|ghci|runghc|runhaskell|ocaml|guile|racket|sbcl|clisp|lua[0-9.]*|luajit|php[0-9.]*|tcl)$`)

var interpreterRE = regexp.MustCompile(`^(python[0-9.]*[dmu]?(-dbg)?|py|pypy[0-9.]*|node|nodejs|ruby|perl|php|lua[0-9.]*|luajit|bash|sh|zsh|dash|ksh|mksh|ash|fish|pwsh|powershell|osascript|Rscript|tclsh|irb|ipython)$`)

func interpreter(name string) bool { return interpreterRE.MatchString(name) }

// interpreterPrefix: up to the script or module; inline code or any option
// means the whole argv, since an option may carry code (-c, -e, -r) or take
// a value that would be mistaken for the script.
func interpreterPrefix(argv []string) ([]string, int) {
	if len(argv) == 1 {
		return nil, 0 // reads code from its input
	}
	switch a := argv[1]; {
	case a == "-m" && len(argv) > 2:
		return clone(argv[:3]), 3
	case strings.HasPrefix(a, "-"):
		return clone(argv), len(argv)
	default:
		return clone(argv[:2]), 2
	}
}

// subTool describes a command with subcommands.
type subTool struct {
	valueOpts []string        // options before the subcommand that take a value
	flagOpts  []string        // options before the subcommand without value
	nested    map[string]bool // subcommands whose own subcommand is part of the prefix
	minOne    bool            // the user may shorten to the bare command (make)
	always2   bool            // two levels always (gh pr view, aws s3 ls)
}

func set(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

var (
	jsRun    = set("run", "run-script", "exec", "x", "dlx")
	dockerly = subTool{valueOpts: []string{"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"}, flagOpts: []string{"-D", "--debug", "--tls"},
		nested: set("compose", "container", "image", "network", "volume", "system", "buildx", "context", "builder", "plugin", "secret", "service", "stack", "swarm", "node", "trust", "manifest")}
)

// subTools are the commands with subcommands Prefix knows about.
var subTools = map[string]subTool{
	"git": {valueOpts: []string{"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"},
		flagOpts: []string{"--no-pager", "-P", "--no-optional-locks", "--literal-pathspecs", "--bare", "-p", "--paginate"},
		nested:   set("stash", "remote", "submodule", "worktree", "lfs", "bisect", "notes", "sparse-checkout", "reflog", "config", "subtree")},
	"go":     {valueOpts: []string{"-C"}, nested: set("mod", "tool", "work")},
	"cargo":  {valueOpts: []string{"-C", "--config", "-Z", "--color"}, flagOpts: []string{"-v", "-q", "--locked", "--offline", "--frozen", "-vv"}},
	"rustup": {nested: set("toolchain", "target", "component", "override", "self")},
	"docker": dockerly, "podman": dockerly,
	"kubectl": {valueOpts: []string{"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server"},
		nested: set("config", "rollout", "auth", "certificate", "top")},
	"helm":      {valueOpts: []string{"-n", "--namespace", "--kube-context", "--kubeconfig"}, nested: set("repo", "plugin", "dependency")},
	"gh":        {valueOpts: []string{"-R", "--repo"}, always2: true},
	"aws":       {valueOpts: []string{"--profile", "--region", "--output"}, always2: true},
	"gcloud":    {valueOpts: []string{"--project", "--account"}, always2: true},
	"az":        {always2: true},
	"terraform": {valueOpts: []string{}, flagOpts: []string{}}, "tofu": {},
	"npm":  {valueOpts: []string{"--prefix", "-w", "--workspace"}, flagOpts: []string{"-s", "--silent", "-q"}, nested: jsRun},
	"pnpm": {valueOpts: []string{"-C", "--dir", "--filter", "-F"}, flagOpts: []string{"-r", "--recursive", "-s", "--silent"}, nested: jsRun},
	"yarn": {valueOpts: []string{"--cwd"}, flagOpts: []string{"-s", "--silent"}, nested: set("run", "exec", "dlx", "workspace")},
	"bun":  {nested: jsRun}, "deno": {nested: set("run", "task")},
	"npx": {}, "pnpx": {}, "bunx": {},
	"uv":     {valueOpts: []string{"--directory", "--project"}, nested: set("run", "pip", "tool", "python")},
	"poetry": {nested: set("run", "self", "env", "cache")},
	"pip":    {}, "pip3": {}, "pipx": {nested: set("run")},
	"apt": {}, "apt-get": {}, "brew": {}, "dnf": {}, "yum": {}, "pacman": {}, "snap": {},
	"systemctl": {flagOpts: []string{"--user", "--now", "-q", "--quiet"}},
	"dotnet":    {}, "conda": {valueOpts: []string{"-n", "--name"}}, "bundle": {nested: set("exec")},
	"gradle": {}, "gradlew": {}, "mvn": {}, "mvnw": {}, "just": {}, "rake": {}, "composer": {}, "mix": {},
	"swift": {}, "flutter": {}, "zig": {}, "tox": {}, "nox": {},
	"make": {valueOpts: []string{"-C", "-f", "--file", "--directory", "-I", "-o", "-W", "-l"},
		flagOpts: []string{"-k", "-s", "-B", "-n", "-i", "-e", "-q", "--keep-going", "--silent", "--always-make", "--dry-run"}, minOne: true},
	"gmake": {valueOpts: []string{"-C", "-f"}, minOne: true},
}

// unknownOptionPrefix is the whole argv when, after the unknown option at
// index i, two words that are not options follow each other: whichever
// option takes a value (one at most), the subcommand is among them, so
// the whole argv pins it. Otherwise nil: the argv may end before the
// subcommand (git -c a=b), and its whole would allow any.
func unknownOptionPrefix(argv []string, i int) ([]string, int) {
	isOpt := func(s string) bool { return strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") }
	for j := i + 1; j+1 < len(argv); j++ {
		if !isOpt(argv[j]) && !isOpt(argv[j+1]) {
			return clone(argv), len(argv)
		}
	}
	return nil, 0
}

var jobsRE = regexp.MustCompile(`^-j[0-9]*$|^--jobs(=[0-9]+)?$`)

// subcommandPrefix returns argv up to the subcommand (and its own
// subcommand for nested ones). Options before the subcommand must be known:
// mistaking an option's value for the subcommand would propose a prefix
// that allows every real subcommand.
func subcommandPrefix(argv []string, name string, tool subTool) ([]string, int) {
	i := 1
	for ; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "+") {
			if (name == "make" || name == "gmake") && strings.Contains(a, "=") {
				continue // make VAR=value
			}
			break
		}
		opt, _, hasVal := strings.Cut(a, "=")
		switch {
		case strings.HasPrefix(a, "+") && (name == "cargo" || name == "rustup"):
		case contains(tool.flagOpts, a):
		case (name == "make" || name == "gmake") && jobsRE.MatchString(a):
			if (a == "-j" || a == "--jobs") && i+1 < len(argv) && isInteger(argv[i+1]) {
				i++
			}
		case contains(tool.valueOpts, opt):
			if !hasVal {
				i++
			}
		case len(a) > 2 && contains(tool.valueOpts, a[:2]):
			// -Cdir
		default:
			// An unknown option: where the subcommand is is unknown. The
			// whole argv pins it only if two words that are not options
			// follow the last option (one may be that option's value).
			return unknownOptionPrefix(argv, i)
		}
	}
	if i >= len(argv) {
		if tool.minOne {
			return clone(argv), 1
		}
		// No subcommand (git, git --no-pager, git -C .): any prefix
		// would allow every subcommand.
		return nil, 0
	}
	end := i + 1
	if (tool.always2 || tool.nested[argv[i]]) && end < len(argv) && !strings.HasPrefix(argv[end], "-") {
		end++
	}
	p := clone(argv[:end])
	if tool.minOne {
		return p, 1
	}
	return p, len(p)
}
