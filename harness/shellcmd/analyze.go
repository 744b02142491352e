// Package shellcmd statically judges the shell commands a model asks
// warden to run, for the approval engine.
//
// Users approve commands by rules ("always allow git status") and by a
// built-in list of read-only commands. Matching such rules against the raw
// script text is what let `git status && rm -rf ~` through an allow rule for
// `git status`, and what made every trivial pipeline need a prompt. This
// package parses the script (bash syntax, mvdan.cc/sh) into the simple
// commands it would run, looking through connectives, compound commands and
// wrappers (sudo, env, timeout, xargs, find -exec, sh -c …), so the engine
// can allow the whole script only if every part is allowed.
//
// Whatever the parser cannot pin down statically — command and process
// substitution, any parameter or arithmetic expansion, eval/source,
// functions, aliases, writes to files through redirection, assignments to
// variables that change which program runs — is reported as Opaque: no rule
// and no safe list may allow such a script. The package is deliberately
// conservative: a false "opaque" costs one prompt, a false "allowed" can cost
// a home directory.
package shellcmd

import (
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Analyze parses a script (what the model passes to shell_command) into the
// simple commands it would run.
func Analyze(script string) Analysis {
	var res Analysis
	analyzeScript(script, frame{}, &res, newBudget())
	return res
}

// Analysis is the result of Analyze.
type Analysis struct {
	// Parts are every simple command the script runs, in source order,
	// through &&, ||, ;, |, &, newlines, subshells ( ), groups { },
	// if/while/for/case bodies, and through wrappers. A part appears once
	// per occurrence.
	Parts []Part
	// Opaque lists why the script cannot be judged statically; when
	// non-empty, no rule and no safe list may allow it.
	Opaque []string
}

// Part is one simple command of a script.
type Part struct {
	// Argv is the command as it will run, wrappers removed, each word its
	// literal value after quote removal. A word that is not literal (it
	// contains an expansion) is kept as its source text, and the part is
	// Opaque.
	Argv []string
	// Wrappers are the wrapper invocations removed, outermost first, each
	// with its own arguments.
	Wrappers [][]string
	// Privileged: a wrapper that changes who runs it (sudo, doas, su -c,
	// pkexec, runuser) was removed.
	Privileged bool
	// Assigns are leading NAME=value assignments, as written.
	Assigns []string
	// Text is the source text of the whole simple command including
	// wrappers, for messages.
	Text string
	// Globbed, when non-nil, has one entry per Argv word: true when the
	// word contains an unquoted glob (*, ?, […], extglob). Bash replaces
	// such a word with matching file names, which the model can create,
	// so what runs may have other arguments than Argv, including options
	// (a file named --pre=./x). Nil when no word is globbed. A word value
	// that occurs both quoted and globbed in one command is marked.
	Globbed []bool
	// Opaque, when non-empty, says why this part cannot be judged.
	Opaque string
}

// maxDepth bounds how deep sh -c / find -exec / watch nest, so that a
// crafted script cannot make analysis recurse without end.
const maxDepth = 4

// frame is what an enclosing construct passes down to the commands in it.
type frame struct {
	wrappers   [][]string // wrappers already removed, outermost first
	privileged bool
	text       string // Text for parts of a nested script: the outer command
	depth      int
	repl       string // xargs -I / find {} placeholder replaced from input
}

func (f frame) with(w []string) frame {
	f.wrappers = append(append([][]string(nil), f.wrappers...), w)
	return f
}

// analyzer walks one parsed script. It is created per script (nested sh -c
// scripts get their own) and appends to a shared result.
type analyzer struct {
	src string
	res *Analysis
	// reported holds the offsets of nodes already given a reason, so the
	// final safety-net walk does not report them twice.
	reported map[int]bool
	seen     map[string]bool
	budget   *budget
	// glob is set by wordValue when the word has an unquoted glob.
	glob bool
	// globWords are the values of the globbed words of the command being
	// converted (call), for emit to mark.
	globWords map[string]bool
}

func analyzeScript(script string, fr frame, res *Analysis, b *budget) {
	a := &analyzer{src: script, res: res, reported: map[int]bool{}, seen: map[string]bool{}, budget: b}
	for _, o := range res.Opaque {
		a.seen[o] = true
	}
	if hasInvisible(script) {
		a.opaque("look-alike or invisible characters")
	}
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	f, err := p.Parse(strings.NewReader(script), "")
	if err != nil {
		a.opaque("does not parse: " + err.Error())
		return
	}
	a.stmts(f.Stmts, fr)
	a.safetyNet(f)
}

// opaque records a reason once.
func (a *analyzer) opaque(reason string) {
	if reason == "" || a.seen[reason] {
		return
	}
	a.seen[reason] = true
	a.res.Opaque = append(a.res.Opaque, reason)
}

func (a *analyzer) text(n syntax.Node) string {
	return a.span(n.Pos(), n.End())
}

func (a *analyzer) span(from, to syntax.Pos) string {
	s, e := int(from.Offset()), int(to.Offset())
	if s < 0 || e > len(a.src) || s > e {
		return ""
	}
	return a.src[s:e]
}

func (a *analyzer) stmts(list []*syntax.Stmt, fr frame) {
	for _, s := range list {
		a.stmt(s, fr)
	}
}

func (a *analyzer) stmt(s *syntax.Stmt, fr frame) {
	if s == nil {
		return
	}
	reasons := a.redirects(s.Redirs)
	if c, ok := s.Cmd.(*syntax.CallExpr); ok && len(c.Args) > 0 {
		// The part carries its own redirections' reasons.
		a.call(c, s, fr, reasons)
		return
	}
	for _, r := range reasons {
		a.opaque(r)
	}
	a.command(s, fr)
}

func (a *analyzer) command(s *syntax.Stmt, fr frame) {
	switch c := s.Cmd.(type) {
	case nil:
		// Redirections alone (`> x`) were judged above.
	case *syntax.CallExpr:
		a.call(c, s, fr, nil)
	case *syntax.BinaryCmd:
		a.stmt(c.X, fr)
		a.stmt(c.Y, fr)
	case *syntax.Subshell:
		a.stmts(c.Stmts, fr)
	case *syntax.Block:
		a.stmts(c.Stmts, fr)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			a.stmts(ic.Cond, fr)
			a.stmts(ic.Then, fr)
		}
	case *syntax.WhileClause:
		a.stmts(c.Cond, fr)
		a.stmts(c.Do, fr)
	case *syntax.ForClause:
		switch l := c.Loop.(type) {
		case *syntax.WordIter:
			if riskyVar(l.Name.Value) {
				a.opaque(fmt.Sprintf("assignment that changes what runs (for %s in …)", l.Name.Value))
			}
			for _, w := range l.Items {
				a.plainWord(w)
			}
		case *syntax.CStyleLoop:
			a.mark(l, "arithmetic for loop ((…))")
		}
		a.stmts(c.Do, fr)
	case *syntax.CaseClause:
		a.plainWord(c.Word)
		for _, it := range c.Items {
			for _, p := range it.Patterns {
				a.plainWord(p)
			}
			a.stmts(it.Stmts, fr)
		}
	case *syntax.TimeClause:
		w := []string{"time"}
		if c.PosixFormat {
			w = append(w, "-p")
		}
		st := c.Stmt
		if call, ok := stmtCall(st); ok && len(call.Assigns) == 0 && len(call.Args) > 0 && a.text(call.Args[0]) == "--" {
			// bash's `time --` (and `time -p --`): the -- ends the
			// keyword's options; the command follows.
			w = append(w, "--")
			cc := *call
			cc.Args = cc.Args[1:]
			cp := *st
			cp.Cmd = &cc
			st = &cp
			if len(cc.Args) == 0 {
				st.Cmd = nil
			}
		}
		a.stmt(st, fr.with(w))
	case *syntax.CoprocClause:
		if c.Name != nil {
			a.plainWord(c.Name)
		}
		a.stmt(c.Stmt, fr)
	case *syntax.FuncDecl:
		a.mark(c, "function definition")
	case *syntax.ArithmCmd:
		a.mark(c, "arithmetic command ((…))")
	case *syntax.LetClause:
		a.mark(c, "let (arithmetic)")
	case *syntax.TestClause:
		a.testClause(c.X)
	case *syntax.DeclClause:
		a.declClause(c)
	default:
		a.opaque(fmt.Sprintf("unsupported construct (%T)", c))
	}
}

func stmtCall(s *syntax.Stmt) (*syntax.CallExpr, bool) {
	if s == nil {
		return nil, false
	}
	c, ok := s.Cmd.(*syntax.CallExpr)
	return c, ok
}

// mark reports node n with reason and remembers it was reported.
func (a *analyzer) mark(n syntax.Node, reason string) {
	a.reported[int(n.Pos().Offset())] = true
	a.opaque(reason)
}

// plainWord judges a word that is not part of an argv (case subject, for
// list, heredoc delimiter): it only has to be free of expansions.
func (a *analyzer) plainWord(w *syntax.Word) {
	if w == nil {
		return
	}
	if _, reason := a.wordValue(w, false); reason != "" {
		a.opaque(reason)
	}
}

// testClause judges [[ … ]]. It runs nothing itself, but its arithmetic
// operators evaluate operands as expressions, and a variable holding
// `a[$(cmd)]` then runs cmd; so those need integer literals.
func (a *analyzer) testClause(x syntax.TestExpr) {
	switch x := x.(type) {
	case *syntax.Word:
		a.plainWord(x)
	case *syntax.ParenTest:
		a.testClause(x.X)
	case *syntax.UnaryTest:
		a.testClause(x.X)
		if x.Op == syntax.TsVarSet || x.Op == syntax.TsRefVar {
			if w, ok := x.X.(*syntax.Word); ok && strings.Contains(a.text(w), "[") {
				a.opaque(fmt.Sprintf("array subscript in a test (%s)", a.text(w)))
			}
		}
	case *syntax.BinaryTest:
		a.testClause(x.X)
		a.testClause(x.Y)
		switch x.Op {
		case syntax.TsEql, syntax.TsNeq, syntax.TsLeq, syntax.TsGeq, syntax.TsLss, syntax.TsGtr:
			for _, side := range []syntax.TestExpr{x.X, x.Y} {
				w, ok := side.(*syntax.Word)
				if !ok {
					continue
				}
				v, reason := a.wordValue(w, false)
				if reason == "" && !isInteger(v) {
					a.opaque(fmt.Sprintf("arithmetic comparison of a non-number (%s)", a.text(w)))
				}
			}
		}
	}
}

func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return s != "" && isFD(s)
}

// declClause judges declare/local/export/readonly/typeset: like bare
// assignments they run nothing, but -n (name references) and -i (integer
// attribute: later assignments are evaluated as arithmetic) make later code
// unpredictable.
func (a *analyzer) declClause(d *syntax.DeclClause) {
	if d.Variant.Value == "nameref" {
		a.opaque("name reference (nameref)")
	}
	for _, as := range d.Args {
		if as.Naked && as.Name == nil {
			v, reason := a.wordValue(as.Value, false)
			if reason != "" {
				a.opaque(reason)
				continue
			}
			if r := declOption(d.Variant.Value, v); r != "" {
				a.opaque(r)
			} else if r := assignWord(d.Variant.Value, v); r != "" {
				// A quoted "NAME=value" is still an assignment.
				a.opaque(r)
			}
			continue
		}
		if r := a.assign(as); r != "" {
			a.opaque(r)
		}
	}
}

// declOption returns why a declare-style option is opaque, or "".
func declOption(variant, opt string) string {
	if !strings.HasPrefix(opt, "-") && !strings.HasPrefix(opt, "+") {
		return ""
	}
	if strings.ContainsAny(opt[1:], "ni") {
		return fmt.Sprintf("%s %s (name reference or integer attribute)", variant, opt)
	}
	if strings.Contains(opt[1:], "f") && variant == "export" {
		return "export -f (function)"
	}
	return ""
}

// assign judges one NAME=value assignment and returns a reason or "".
func (a *analyzer) assign(as *syntax.Assign) string {
	if as.Name != nil && riskyVar(as.Name.Value) && !as.Naked {
		return fmt.Sprintf("assignment that changes what runs (%s=…)", as.Name.Value)
	}
	if as.Index != nil {
		a.reported[int(as.Pos().Offset())] = true
		return fmt.Sprintf("array subscript assignment (%s)", a.text(as))
	}
	if as.Value != nil {
		if _, reason := a.wordValue(as.Value, false); reason != "" {
			return reason
		}
	}
	if as.Array != nil {
		for _, el := range as.Array.Elems {
			if el.Index != nil {
				return fmt.Sprintf("array subscript assignment (%s)", a.text(as))
			}
			if el.Value != nil {
				if _, reason := a.wordValue(el.Value, false); reason != "" {
					return reason
				}
			}
		}
	}
	return ""
}

// call turns one simple command into parts.
func (a *analyzer) call(c *syntax.CallExpr, s *syntax.Stmt, fr frame, reasons []string) {
	var assigns []string
	for _, as := range c.Assigns {
		if r := a.assign(as); r != "" {
			reasons = append(reasons, r)
		}
		assigns = append(assigns, a.text(as))
	}
	if len(c.Args) == 0 {
		// A bare assignment runs nothing.
		for _, r := range reasons {
			a.opaque(r)
		}
		return
	}
	var argv []string
	literal := true
	a.globWords = nil
	for i, w := range c.Args {
		vals, glob, reason := a.argWord(w, i == 0)
		if reason != "" {
			reasons = append(reasons, reason)
			literal = false
		}
		if glob {
			if a.globWords == nil {
				a.globWords = map[string]bool{}
			}
			for _, v := range vals {
				a.globWords[v] = true
			}
		}
		argv = append(argv, vals...)
	}
	text := fr.text
	if text == "" {
		from, to := c.Pos(), c.End()
		for _, r := range s.Redirs {
			if r.Pos().Offset() < from.Offset() {
				from = r.Pos()
			}
			if r.End().Offset() > to.Offset() {
				to = r.End()
			}
		}
		text = a.span(from, to)
	}
	base := Part{Assigns: assigns, Text: text}
	a.unwrap(argv, literal, base, reasons, fr)
}

// emit appends a finished part, adding the checks that apply to whatever
// command finally runs.
func (a *analyzer) emit(p Part, reasons []string) {
	if len(p.Argv) > 0 {
		reasons = append(reasons, commandReasons(p.Argv)...)
		if name := p.Argv[0]; strings.HasPrefix(name, "-") {
			// `nohup -- x` style leftovers: an option, not a command.
			reasons = append(reasons, fmt.Sprintf("command name is an option (%s)", name))
		} else if n, _, ok := strings.Cut(name, "="); ok && validName(strings.TrimSuffix(n, "+")) {
			// After `time --` bash takes NAME=value as an assignment.
			reasons = append(reasons, fmt.Sprintf("command name looks like an assignment (%s)", name))
		} else if base := wrapperName(name); runnerRE.MatchString(base) {
			// taskset, flock, setpriv, strace…: they run a command
			// warden does not unwrap, so what runs is not seen.
			reasons = append(reasons, fmt.Sprintf("%s runs another command, which cannot be judged through it", base))
		}
		if len(a.globWords) > 0 {
			g := make([]bool, len(p.Argv))
			any := false
			for i, w := range p.Argv {
				g[i] = a.globWords[w]
				any = any || g[i]
			}
			if any {
				p.Globbed = g
			}
		}
	}
	var uniq []string
	for _, r := range reasons {
		if r != "" && !contains(uniq, r) {
			uniq = append(uniq, r)
		}
	}
	p.Opaque = strings.Join(uniq, "; ")
	for _, r := range uniq {
		a.opaque(r)
	}
	a.res.Parts = append(a.res.Parts, p)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// safetyNet walks the whole tree for constructs that run or evaluate code
// and that the structured walk did not already report: it guarantees that
// no substitution hides in a spot the walk does not look at (a parameter
// default, an array index, a case pattern…).
func (a *analyzer) safetyNet(f *syntax.File) {
	var visit func(syntax.Node) bool
	visit = func(n syntax.Node) bool {
		if n == nil {
			return true
		}
		if r, ok := n.(*syntax.Redirect); ok {
			if r.Word != nil {
				if r.Op == syntax.WordHdoc {
					for _, reason := range a.heredoc(r.Word) {
						a.opaque(reason)
					}
				}
				syntax.Walk(r.Word, visit)
			}
			if r.Hdoc != nil {
				for _, reason := range a.heredoc(r.Hdoc) {
					a.opaque(reason)
				}
				syntax.Walk(r.Hdoc, visit)
			}
			return false
		}
		var reason string
		switch n := n.(type) {
		case *syntax.CmdSubst, *syntax.ProcSubst, *syntax.ArithmExp, *syntax.ParamExp:
			reason = partReason(a, n.(syntax.WordPart), false)
		case *syntax.ArithmCmd, *syntax.LetClause, *syntax.CStyleLoop:
			reason = "arithmetic evaluation"
		case *syntax.FuncDecl:
			reason = "function definition"
		}
		if reason != "" {
			off := int(n.Pos().Offset())
			if !a.reported[off] {
				a.reported[off] = true
				a.opaque(reason)
			}
		}
		return true
	}
	syntax.Walk(f, visit)
}
