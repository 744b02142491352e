package shell

import (
	"errors"
	"path/filepath"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"warden/harness/shellcmd"
)

// patchCommands are the names models give apply_patch when they call it
// through the shell, as they were trained to in the Codex harness.
var patchCommands = []string{"apply_patch", "applypatch"}

// patchCall is an apply_patch invocation found in a shell command.
type patchCall struct {
	Patch string
	// Dir is where a leading `cd DIR &&` moves to, "" if none.
	Dir string
}

// errPatchForm explains an apply_patch call the shell tool cannot hand to
// the patch tool as it is.
var errPatchForm = errors.New("apply_patch must be called on its own: `apply_patch <<'EOF'` followed by the patch and `EOF`, optionally after `cd DIR &&` (or use the apply_patch tool directly)")

// findPatchCall reports whether script is an apply_patch invocation:
// `apply_patch <<'EOF' … EOF` (any delimiter, quoted or not), `apply_patch
// 'PATCH'`, either after `cd DIR &&`. Such calls never reach a shell: the
// patch tool applies them. A script that calls apply_patch in any other
// way (inside a pipeline, after other commands) gets errPatchForm, since
// run by the shell it would only fail with "command not found". A script
// that does not call it, or does not parse, is none of its business.
func findPatchCall(script string) (patchCall, bool, error) {
	if !mentionsPatch(script) {
		return patchCall{}, false, nil
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return patchCall{}, false, nil
	}
	if !callsPatch(f) {
		// `bash -lc "apply_patch <<'EOF' …"`, as models used to the
		// Codex shell tool's argv form write it.
		if len(f.Stmts) == 1 {
			if inner, ok := shellScript(f.Stmts[0]); ok && inner != script {
				return findPatchCall(inner)
			}
		}
		return patchCall{}, false, nil
	}
	if len(f.Stmts) != 1 {
		return patchCall{}, true, errPatchForm
	}
	st := f.Stmts[0]
	dir := ""
	if bin, ok := st.Cmd.(*syntax.BinaryCmd); ok && bin.Op == syntax.AndStmt {
		d, ok := cdTarget(bin.X)
		if !ok {
			return patchCall{}, true, errPatchForm
		}
		dir, st = d, bin.Y
	}
	patch, ok := patchOf(script, st)
	if !ok {
		return patchCall{}, true, errPatchForm
	}
	return patchCall{Patch: patch, Dir: dir}, true, nil
}

func mentionsPatch(script string) bool {
	for _, name := range patchCommands {
		if strings.Contains(script, name) {
			return true
		}
	}
	return false
}

// callsPatch reports whether any simple command in f is apply_patch.
func callsPatch(f *syntax.File) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok && len(call.Args) > 0 && isPatchCommand(call.Args[0]) {
			found = true
		}
		return !found
	})
	return found
}

func isPatchCommand(w *syntax.Word) bool {
	name := w.Lit()
	for _, p := range patchCommands {
		if name == p {
			return true
		}
	}
	return false
}

// cdTarget is DIR of a plain `cd DIR` statement.
func cdTarget(st *syntax.Stmt) (string, bool) {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || len(st.Redirs) > 0 || len(call.Assigns) > 0 || len(call.Args) != 2 || call.Args[0].Lit() != "cd" {
		return "", false
	}
	return shellcmd.Literal(call.Args[1])
}

// patchOf is the patch of a statement `apply_patch <<DELIM … DELIM` or
// `apply_patch 'PATCH'`.
func patchOf(script string, st *syntax.Stmt) (string, bool) {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || len(call.Assigns) > 0 || len(call.Args) == 0 || !isPatchCommand(call.Args[0]) {
		return "", false
	}
	switch {
	case len(call.Args) == 2 && len(st.Redirs) == 0:
		return shellcmd.Literal(call.Args[1])
	case len(call.Args) == 1 && len(st.Redirs) == 1:
		r := st.Redirs[0]
		if (r.Op != syntax.Hdoc && r.Op != syntax.DashHdoc) || r.Hdoc == nil {
			return "", false
		}
		// The body as written: a patch is taken literally whether or not
		// the delimiter was quoted (models quote it as a rule, and
		// patches rarely hold anything a shell would expand).
		delim, ok := shellcmd.Literal(r.Word)
		if !ok {
			return "", false
		}
		body := strings.TrimSuffix(script[r.Hdoc.Pos().Offset():r.Hdoc.End().Offset()], delim)
		if r.Op == syntax.DashHdoc {
			// <<- strips the leading tabs of every line, delimiter included.
			body = strings.TrimRight(body, "\t")
			lines := strings.SplitAfter(body, "\n")
			for i, l := range lines {
				lines[i] = strings.TrimLeft(l, "\t")
			}
			body = strings.Join(lines, "")
		}
		return body, true
	}
	return "", false
}

// shellScript is SCRIPT of a statement `sh -c SCRIPT` (bash, zsh or dash
// too, -lc as well as -c), when SCRIPT is a plain string.
func shellScript(st *syntax.Stmt) (string, bool) {
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || len(st.Redirs) > 0 || len(call.Assigns) > 0 || len(call.Args) != 3 {
		return "", false
	}
	switch filepath.Base(call.Args[0].Lit()) {
	case "bash", "sh", "zsh", "dash":
	default:
		return "", false
	}
	if flag := call.Args[1].Lit(); flag != "-c" && flag != "-lc" {
		return "", false
	}
	return shellcmd.Literal(call.Args[2])
}
