package rules

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"warden/harness/shellcmd"

	"mvdan.cc/sh/v3/syntax"
)

// checkGlob reports what is wrong with a paths pattern. Patterns are
// slash-separated, relative to the project root, with path.Match syntax in
// each segment and "**" as a whole segment standing for any number of
// segments (none included).
func checkGlob(p string) error {
	if p == "" {
		return errors.New("paths pattern must not be empty")
	}
	if strings.HasPrefix(p, "/") {
		return fmt.Errorf("paths pattern %q must be relative to the project root", p)
	}
	for seg := range strings.SplitSeq(p, "/") {
		switch {
		case seg == "":
			return fmt.Errorf("paths pattern %q has an empty segment (for a directory and everything in it, write %q)", p, strings.TrimSuffix(p, "/")+"/**")
		case seg == "." || seg == "..":
			return fmt.Errorf("paths pattern %q must not contain %q", p, seg)
		case seg == "**":
		case strings.Contains(seg, "**"):
			// doublestar would read it as "*", which is seldom what was
			// meant: say so instead of guessing.
			return fmt.Errorf("paths pattern %q: ** must be a whole path segment", p)
		default:
			if _, err := path.Match(seg, ""); err != nil {
				return fmt.Errorf("paths pattern %q: %w", p, err)
			}
		}
	}
	return nil
}

// globMatch reports whether the slash-separated name matches pattern (see
// checkGlob). A bad pattern matches nothing.
func globMatch(pattern, name string) bool {
	return matchSegs(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			// Collapse runs of ** and try every split point.
			for len(pat) > 0 && pat[0] == "**" {
				pat = pat[1:]
			}
			if len(pat) == 0 {
				return true
			}
			for i := range name {
				if matchSegs(pat, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// SplitCommand splits a shell command line into its words the way a shell
// would after quote removal — "git commit -m 'a b'" is git, commit, -m, a b —
// without expanding anything. It is how the examples of a rule are read.
// Anything but one simple command of literal words (pipes, lists,
// redirections, assignments, $expansions, `substitutions`) is an error: a
// rule matches one argv, so an example must be one.
func SplitCommand(cmd string) ([]string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(cmd), "")
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) != 1 {
		return nil, errors.New("not a single command")
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || st.Coprocess || len(st.Redirs) > 0 || len(call.Assigns) > 0 || len(call.Args) == 0 {
		return nil, errors.New("not a simple command")
	}
	argv := make([]string, len(call.Args))
	for i, w := range call.Args {
		for _, part := range w.Parts {
			if q, ok := part.(*syntax.SglQuoted); ok && q.Dollar {
				return nil, errors.New("$'…' quoting is not supported in examples")
			}
		}
		s, ok := shellcmd.Literal(w)
		if !ok {
			return nil, errors.New("examples must not use expansions")
		}
		argv[i] = s
	}
	return argv, nil
}
