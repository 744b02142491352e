package shellcmd

import (
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// What a statement reads and writes besides its arguments: redirections and
// here-documents, judged for what they could change or run.

// redirects judges a statement's redirections: input and descriptor
// duplication are harmless, output is allowed only to /dev/null and the
// standard streams, since writing a file is a change no read-only rule
// covers. It returns the reasons.
func (a *analyzer) redirects(rs []*syntax.Redirect) []string {
	var out []string
	for _, r := range rs {
		if r.N != nil && strings.HasPrefix(r.N.Value, "{") {
			out = append(out, fmt.Sprintf("redirection assigning a descriptor variable (%s)", a.text(r)))
		}
		switch r.Op {
		case syntax.Hdoc, syntax.DashHdoc:
			if _, reason := a.wordValue(r.Word, false); reason != "" {
				out = append(out, reason)
			}
			if r.Hdoc != nil {
				out = append(out, a.heredoc(r.Hdoc)...)
			}
			continue
		case syntax.WordHdoc:
			out = append(out, a.heredoc(r.Word)...)
			continue
		}
		target, reason := a.wordValue(r.Word, false)
		if reason != "" {
			out = append(out, reason)
			continue
		}
		if networkPath(target) {
			out = append(out, fmt.Sprintf("network connection through a redirection (%s)", a.text(r)))
			continue
		}
		switch r.Op {
		case syntax.RdrIn:
			// Reading a file is fine.
		case syntax.DplIn, syntax.DplOut:
			if !isFD(target) {
				out = append(out, fmt.Sprintf("redirection to a file (%s)", a.text(r)))
			}
		default: // >, >>, >|, &>, &>>, <>
			if r.Op == syntax.RdrInOut || !harmlessSink(target) {
				out = append(out, fmt.Sprintf("redirection to a file (%s)", a.text(r)))
			}
		}
	}
	return out
}

func isFD(s string) bool {
	if s == "-" {
		return true
	}
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func harmlessSink(s string) bool {
	return s == "/dev/null" || s == "/dev/stdout" || s == "/dev/stderr"
}

// heredoc judges a here-document body or here-string: it is only input, so
// plain variable references are fine, but anything that runs code or
// evaluates arithmetic (array subscripts evaluate variables recursively,
// which can run commands) is not. It returns the reasons.
func (a *analyzer) heredoc(w *syntax.Word) []string {
	var out []string
	for _, p := range w.Parts {
		out = a.heredocPart(p, out)
	}
	return out
}

func (a *analyzer) heredocPart(p syntax.WordPart, out []string) []string {
	switch p := p.(type) {
	case *syntax.Lit, *syntax.SglQuoted:
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			out = a.heredocPart(q, out)
		}
	case *syntax.ParamExp:
		a.reported[int(p.Pos().Offset())] = true
		if !simpleParam(p) {
			out = append(out, fmt.Sprintf("parameter expansion (%s)", a.text(p)))
		}
	default:
		a.reported[int(p.Pos().Offset())] = true
		out = append(out, partReason(a, p, false))
	}
	return out
}

func simpleParam(p *syntax.ParamExp) bool {
	return p.Param != nil && p.Flags == nil && !p.Excl && !p.Length && !p.Width &&
		!p.IsSet && p.NestedParam == nil && p.Index == nil && len(p.Modifiers) == 0 &&
		p.Slice == nil && p.Repl == nil && p.Names == 0 && p.Exp == nil
}
