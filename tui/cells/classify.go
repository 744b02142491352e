package cells

import (
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"warden/harness/shellcmd"
)

// The model explores a codebase with dozens of small read-only commands;
// shown one by one, with their output, they bury what it then does.
// Classify recognises them so that a run of them collapses into one
// Explored cell that says what was looked at, not what it printed.

// OpKind is what an exploring command does.
type OpKind int

// The kinds of exploration.
const (
	OpRead   OpKind = iota + 1 // reads files
	OpList                     // lists a directory
	OpSearch                   // searches for a pattern or a name
)

// Op is one thing an exploring script does.
type Op struct {
	Kind  OpKind
	Files []string // OpRead: the files, as written (joined to a cd)
	Query string   // OpSearch: the pattern or the name searched for
	Paths []string // OpList, OpSearch: where; none is the working directory
}

// Action is what an exploring script does, in order.
type Action struct {
	Ops []Op
	// searchStatus: the script's exit status is a search's, whose 1 means
	// "nothing found", not a failure.
	searchStatus bool
}

// Classify reports whether a shell_command script only explores, and
// what it looks at. Only a script that shellcmd can judge whole (nothing
// opaque) and whose every command it knows to be read-only qualifies,
// so a script that writes anything is never hidden in an Explored cell.
// Besides those, a script may cd, echo, and pipe into filters (head,
// wc, sort, grep…).
func Classify(script string) (Action, bool) {
	an := shellcmd.Analyze(script)
	if len(an.Opaque) > 0 || len(an.Parts) == 0 {
		return Action{}, false
	}
	piped, ok := pipedCommands(script, an.Parts)
	if !ok {
		return Action{}, false
	}
	var act Action
	dir := ""
	for i, p := range an.Parts {
		if len(p.Wrappers) > 0 || len(p.Assigns) > 0 || p.Privileged || p.Opaque != "" || len(p.Argv) == 0 {
			return Action{}, false
		}
		if p.Argv[0] == "cd" {
			if len(p.Argv) != 2 || p.Globbed != nil || strings.HasPrefix(p.Argv[1], "-") || strings.HasPrefix(p.Argv[1], "~") {
				return Action{}, false
			}
			dir = joinDir(dir, p.Argv[1])
			continue
		}
		if safe, _ := shellcmd.SafePart(p); !safe {
			return Action{}, false
		}
		op, role := explore(p.Argv, piped[i])
		switch role {
		case roleOp:
			act.Ops = append(act.Ops, inDir(op, dir))
		case roleFilter, roleQuiet:
		default:
			return Action{}, false
		}
	}
	if len(act.Ops) == 0 {
		return Action{}, false
	}
	last := an.Parts[len(an.Parts)-1].Argv
	act.searchStatus = isSearchCommand(last)
	return act, true
}

// pipedCommands parses the script again for what shellcmd does not say:
// which commands read a pipe (a grep there filters, it searches nothing).
// Only plain lists and pipelines of simple commands are accepted, so the
// commands line up one to one with the parts of the analysis.
func pipedCommands(script string, parts []shellcmd.Part) ([]bool, bool) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return nil, false
	}
	var piped []bool
	var texts []string
	var walk func(s *syntax.Stmt, in bool) bool
	walk = func(s *syntax.Stmt, in bool) bool {
		if s == nil || s.Negated || s.Background || s.Coprocess {
			return false
		}
		switch c := s.Cmd.(type) {
		case *syntax.CallExpr:
			from, to := int(c.Pos().Offset()), int(c.End().Offset())
			if len(c.Args) == 0 || from < 0 || to > len(script) || from > to {
				return false
			}
			piped = append(piped, in)
			texts = append(texts, script[from:to])
			return true
		case *syntax.BinaryCmd:
			switch c.Op {
			case syntax.Pipe, syntax.PipeAll:
				return walk(c.X, in) && walk(c.Y, true)
			case syntax.AndStmt, syntax.OrStmt:
				return walk(c.X, in) && walk(c.Y, in)
			}
		}
		return false
	}
	for _, s := range f.Stmts {
		if !walk(s, false) {
			return nil, false
		}
	}
	if len(piped) != len(parts) {
		return nil, false
	}
	for i, p := range parts {
		if !strings.Contains(p.Text, texts[i]) {
			return nil, false
		}
	}
	return piped, true
}

// role is what a command is to the classification.
type role int

const (
	roleOther  role = iota // not exploration: the script is not either
	roleOp                 // reads, lists or searches
	roleFilter             // transforms what is piped into it
	roleQuiet              // prints nothing of the codebase (echo, pwd)
)

// filters are commands that, reading a pipe with no file operand, only
// shape another command's output.
var filters = map[string]bool{
	"head": true, "tail": true, "cat": true, "nl": true, "wc": true, "sort": true,
	"uniq": true, "cut": true, "tr": true, "column": true, "grep": true,
	"egrep": true, "fgrep": true, "rg": true, "jq": true, "sed": true,
}

// quiet commands may stand between exploring ones.
var quiet = map[string]bool{"echo": true, "printf": true, "pwd": true, "true": true}

// explore says what one command does.
func explore(argv []string, piped bool) (Op, role) {
	name, args := argv[0], argv[1:]
	var op Op
	switch name {
	case "cat", "head", "tail", "nl", "less", "bat", "batcat":
		op = Op{Kind: OpRead, Files: operands(args, valueFlags[name])}
	case "sed":
		op = Op{Kind: OpRead, Files: sedFiles(args)}
	case "ls", "tree":
		op = Op{Kind: OpList, Paths: operands(args, valueFlags[name])}
	case "find":
		op = findOp(args)
	case "fd", "fdfind":
		op = searchOp(args, valueFlags["fd"], Op{Kind: OpList})
	case "grep", "egrep", "fgrep", "rg", "ag":
		if name == "rg" && slices.Contains(args, "--files") {
			op = Op{Kind: OpList, Paths: operands(args, valueFlags[name])}
			break
		}
		op = searchOp(args, valueFlags[name], Op{})
	case "git":
		op = gitOp(args)
	default:
		if quiet[name] {
			return Op{}, roleQuiet
		}
		if piped && filters[name] && readsStdin(name, args) {
			return Op{}, roleFilter
		}
		return Op{}, roleOther
	}
	switch {
	case op.Kind == 0:
		return Op{}, roleOther
	case piped && filters[name] && readsStdin(name, args):
		return Op{}, roleFilter
	case op.Kind == OpRead && len(op.Files) == 0:
		// Reading standard input, not a file.
		return Op{}, roleOther
	}
	return op, roleOp
}

// readsStdin: given no file, a filter reads the pipe. Some take operands
// that are not files: a pattern, a jq program, tr's sets.
func readsStdin(name string, args []string) bool {
	ops := operands(args, valueFlags[name])
	switch name {
	case "tr":
		return true
	case "jq":
		return len(ops) <= 1
	case "grep", "egrep", "fgrep", "rg":
		return len(searchOp(args, valueFlags[name], Op{}).Paths) == 0
	case "sed":
		return len(sedFiles(args)) == 0
	}
	return len(ops) == 0
}

// valueFlags are, per command, the options whose value is the next
// argument, so that it is not taken for a file or a pattern.
var valueFlags = map[string][]string{
	"head":   {"-n", "-c", "--lines", "--bytes"},
	"tail":   {"-n", "-c", "--lines", "--bytes", "-s", "--sleep-interval", "--pid", "--max-unchanged-stats"},
	"nl":     {"-b", "-d", "-f", "-h", "-i", "-l", "-n", "-s", "-v", "-w"},
	"less":   {"-b", "-h", "-j", "-k", "-o", "-O", "-p", "-P", "-t", "-T", "-x", "-y", "-z"},
	"bat":    batValueFlags,
	"batcat": batValueFlags,
	"ls":     {"-I", "-w", "-T", "--ignore", "--hide", "--width", "--tabsize", "--block-size", "--format", "--sort", "--time", "--time-style", "--quoting-style", "--indicator-style"},
	"tree":   {"-L", "-P", "-I", "-o", "--filelimit", "--charset", "--sort", "--timefmt"},
	"grep":   grepValueFlags,
	"egrep":  grepValueFlags,
	"fgrep":  grepValueFlags,
	"rg": {"-e", "-f", "-g", "-t", "-T", "-m", "-A", "-B", "-C", "-M", "-j", "-E", "-r", "-d",
		"--regexp", "--file", "--glob", "--iglob", "--type", "--type-not", "--type-add", "--type-clear",
		"--max-count", "--after-context", "--before-context", "--context", "--max-columns", "--threads",
		"--encoding", "--replace", "--max-depth", "--maxdepth", "--max-filesize", "--sort", "--sortr",
		"--context-separator", "--field-match-separator", "--field-context-separator", "--path-separator",
		"--ignore-file", "--colors", "--dfa-size-limit", "--regex-size-limit", "--engine", "--pre", "--pre-glob"},
	"ag": {"-A", "-B", "-C", "-G", "-g", "-m", "--after", "--before", "--context", "--file-search-regex",
		"--ignore", "--ignore-dir", "--max-count", "--depth", "--pager", "--workers"},
	"fd": {"-e", "--extension", "-t", "--type", "-d", "--max-depth", "--min-depth", "--exact-depth",
		"-E", "--exclude", "-S", "--size", "--changed-within", "--changed-before", "-o", "--owner",
		"-j", "--threads", "--max-results", "--base-directory", "--path-separator", "-c", "--color", "--ignore-file"},
	"git-grep": {"-e", "-f", "-A", "-B", "-C", "-m", "--max-depth", "--threads", "--max-count", "--after-context", "--before-context", "--context"},
	"wc":       {"--files0-from"},
	"sort":     {"-k", "-t", "-S", "-T", "--key", "--field-separator", "--buffer-size", "--parallel"},
	"uniq":     {"-f", "-s", "-w"},
	"cut":      {"-b", "-c", "-d", "-f"},
	"jq":       {"--arg", "--argjson", "--slurpfile", "--rawfile", "--indent", "-f", "--from-file"},
}

var batValueFlags = []string{"-l", "--language", "-H", "--highlight-line", "--file-name", "-r", "--line-range",
	"--style", "--theme", "--tabs", "--wrap", "--terminal-width", "-m", "--map-syntax", "--color", "--paging", "--decorations"}

var grepValueFlags = []string{"-e", "-f", "-m", "-A", "-B", "-C", "-d", "-D", "--regexp", "--file",
	"--max-count", "--after-context", "--before-context", "--context", "--directories", "--devices",
	"--label", "--binary-files", "--include", "--exclude", "--exclude-dir", "--exclude-from", "--group-separator"}

// operands are the arguments that are not options nor their values; "-"
// (standard input) is left out.
func operands(args, withValue []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			for _, b := range args[i+1:] {
				if b != "-" {
					out = append(out, b)
				}
			}
			return out
		case a == "-":
		case strings.HasPrefix(a, "-"):
			if slices.Contains(withValue, a) {
				i++
			}
		default:
			out = append(out, a)
		}
	}
	return out
}

// sedFiles are the files `sed -n 'script' file…` prints from: the first
// operand is the script unless one came with -e or -f.
func sedFiles(args []string) []string {
	ops := operands(args, []string{"-e", "-f", "-l", "--expression", "--file", "--line-length"})
	for _, a := range args {
		if a == "-e" || a == "-f" || a == "--expression" || a == "--file" ||
			strings.HasPrefix(a, "--expression=") || strings.HasPrefix(a, "--file=") {
			return ops
		}
	}
	if len(ops) > 0 {
		return ops[1:]
	}
	return nil
}

// searchOp reads `cmd [options] pattern [path…]`, the pattern possibly
// given with -e. Without a pattern it is fallback (fd lists).
func searchOp(args, withValue []string, fallback Op) Op {
	var patterns []string
	for i := 0; i < len(args); i++ {
		if (args[i] == "-e" || args[i] == "--regexp") && i+1 < len(args) {
			patterns = append(patterns, args[i+1])
			i++
		} else if v, ok := strings.CutPrefix(args[i], "--regexp="); ok {
			patterns = append(patterns, v)
		}
	}
	query := strings.Join(patterns, ", ")
	ops := operands(args, withValue)
	if len(patterns) == 0 {
		if len(ops) == 0 {
			return fallback
		}
		query, ops = ops[0], ops[1:]
	}
	return Op{Kind: OpSearch, Query: query, Paths: ops}
}

// findOp: find with a name test searches for that name; otherwise it
// lists.
func findOp(args []string) Op {
	var paths []string
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "-H" || a == "-L" || a == "-P" || strings.HasPrefix(a, "-O") {
			continue
		}
		if a == "-D" {
			i++
			continue
		}
		break
	}
	for ; i < len(args) && !strings.HasPrefix(args[i], "-") && args[i] != "(" && args[i] != "!"; i++ {
		paths = append(paths, args[i])
	}
	for ; i < len(args)-1; i++ {
		switch args[i] {
		case "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex":
			return Op{Kind: OpSearch, Query: args[i+1], Paths: paths}
		}
	}
	return Op{Kind: OpList, Paths: paths}
}

// gitOp: git grep searches and git ls-files lists; other git commands are
// not exploration.
func gitOp(args []string) Op {
	i := 0
	for ; i < len(args) && strings.HasPrefix(args[i], "-"); i++ {
		if args[i] == "-C" {
			i++
		}
	}
	if i >= len(args) {
		return Op{}
	}
	switch args[i] {
	case "grep":
		return searchOp(args[i+1:], valueFlags["git-grep"], Op{})
	case "ls-files":
		return Op{Kind: OpList, Paths: operands(args[i+1:], []string{"-x", "-X", "--exclude", "--exclude-from"})}
	}
	return Op{}
}

// isSearchCommand: the command's exit status 1 means it found nothing.
func isSearchCommand(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	switch argv[0] {
	case "grep", "egrep", "fgrep", "rg", "ag":
		return true
	case "git":
		return gitOp(argv[1:]).Kind == OpSearch
	}
	return false
}

// joinDir is the directory after `cd to` from dir.
func joinDir(dir, to string) string {
	if dir == "" || path.IsAbs(to) {
		return path.Clean(to)
	}
	return path.Join(dir, to)
}

// inDir makes an op's paths relative to the directory the script cd'd to.
func inDir(op Op, dir string) Op {
	if dir == "" {
		return op
	}
	at := func(p string) string {
		if path.IsAbs(p) {
			return p
		}
		return path.Join(dir, p)
	}
	all := func(ps []string) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = at(p)
		}
		return out
	}
	op.Files = all(op.Files)
	op.Paths = all(op.Paths)
	if op.Kind != OpRead && len(op.Paths) == 0 {
		op.Paths = []string{dir}
	}
	return op
}
