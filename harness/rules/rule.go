// Package rules holds warden's permission rules — which commands and which
// patch targets to allow, ask about or deny without thinking twice — and the
// record of which projects the user trusts.
//
// It exists so that every front-end and every tool reaches the same verdict
// for the same command, from the same files, with the same guarantees:
//
//   - a broken rules file is an error naming its file and line, never a file
//     silently ignored or reset (a deny rule that quietly stops applying is
//     worse than no rule at all);
//   - every example a rule lists (match / not_match) is checked when the file
//     is loaded, so a rule that does not do what its author meant fails loudly;
//   - the strictest matching rule wins across all sources, so a rule saved
//     from a prompt ("always allow") can never override a configured ask or
//     deny, and a project checked out from somewhere else can only restrict
//     what warden does unless the user has trusted it;
//   - saving is atomic and locked, so several warden processes saving at the
//     same moment lose nothing and a crash never leaves half a file.
package rules

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Decision is what a rule says to do with a matching command or patch.
type Decision string

// Decisions, from least to most strict.
const (
	Allow Decision = "allow"
	Ask   Decision = "ask"
	Deny  Decision = "deny"
)

// strictness orders decisions; an unknown decision counts as the strictest,
// so a corrupted value can only make warden more careful.
func (d Decision) strictness() int {
	switch d {
	case Allow:
		return 0
	case Ask:
		return 1
	default:
		return 2
	}
}

func (d Decision) valid() bool { return d == Allow || d == Ask || d == Deny }

// Stricter returns the stricter of a and b (Deny > Ask > Allow).
func Stricter(a, b Decision) Decision {
	if b.strictness() > a.strictness() {
		return b
	}
	return a
}

// Tool names a rule may carry.
const (
	ToolShell = "shell_command" // written as "" in Rule.Tool
	ToolPatch = "apply_patch"
)

// Token is one position of a command pattern: the argument there must equal
// one of its alternatives. A plain token has one.
type Token []string

// Rule is one [[rule]] of a rules file, or a rule made for this session.
type Rule struct {
	Decision      Decision
	Command       []Token // shell rules: a prefix of argv
	Tool          string  // "" (shell) or "apply_patch"
	Paths         []string
	Justification string
	// Match and NotMatch are examples checked when the rule is loaded or
	// saved: shell commands for shell rules, paths for patch rules.
	Match, NotMatch []string
	// Outside is sandbox = "outside": an allow rule saved from an escalation
	// prompt, which lets the command run outside the sandbox rather than
	// merely sparing the question.
	Outside bool
	Source  Source
	Line    int // line of its [[rule]] header; 0 for session rules
}

// Kind says which file, if any, a rule comes from.
type Kind string

// Kinds of source, in the order Set.Rules lists them.
const (
	User     Kind = "user"
	Project  Kind = "project"
	Personal Kind = "personal"
	Session  Kind = "session"
)

// Source is where a rule came from.
type Source struct {
	Kind Kind
	File string // "" for session rules
}

// String is the file, or "session".
func (s Source) String() string {
	if s.File == "" {
		return string(Session)
	}
	return s.File
}

// Where is "FILE:LINE", the address Remove takes, or "session".
func (r Rule) Where() string {
	if r.Source.File == "" {
		return string(Session)
	}
	return fmt.Sprintf("%s:%d", r.Source.File, r.Line)
}

// IsPatch reports whether r is an apply_patch rule rather than a shell rule.
func (r Rule) IsPatch() bool { return r.Tool == ToolPatch }

// Matches reports whether argv starts with the rule's command prefix: each
// token equal to one of its alternatives, by exact string equality. A rule
// with no command matches nothing — an empty prefix would otherwise match
// every command, which no one means.
func (r Rule) Matches(argv []string) bool {
	if r.IsPatch() || len(r.Command) == 0 || len(argv) < len(r.Command) {
		return false
	}
	for i, tok := range r.Command {
		if !slices.Contains(tok, argv[i]) {
			return false
		}
	}
	return true
}

// MatchesPath reports whether a patch target (slash-separated, relative to
// the project root) matches one of the rule's Paths. A path that leaves the
// project root matches nothing: the patterns only speak about the project.
func (r Rule) MatchesPath(rel string) bool {
	if !r.IsPatch() {
		return false
	}
	rel = path.Clean(strings.TrimPrefix(rel, "./"))
	if rel == "." || rel == ".." || strings.HasPrefix(rel, "../") || path.IsAbs(rel) {
		return false
	}
	for _, p := range r.Paths {
		if globMatch(p, rel) {
			return true
		}
	}
	return false
}

// Validate reports what is wrong with r, checking its examples too: it is
// what loading applies to every rule in a file, for rules made in code.
func (r Rule) Validate() error {
	return r.normalized().validate()
}

// normalized spells the shell tool "" so rules compare equal however their
// file named it.
func (r Rule) normalized() Rule {
	if r.Tool == ToolShell {
		r.Tool = ""
	}
	return r
}

func (r Rule) validate() error {
	if !r.Decision.valid() {
		return atKey("decision", fmt.Errorf("decision must be \"allow\", \"ask\" or \"deny\", got %q", r.Decision))
	}
	if r.Outside && r.Decision != Allow {
		return atKey("sandbox", fmt.Errorf("sandbox = \"outside\" is only meaningful on an allow rule, not %s", r.Decision))
	}
	strs := slices.Concat([]string{r.Justification}, r.Paths, r.Match, r.NotMatch)
	for _, t := range r.Command {
		strs = append(strs, t...)
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			// A rules file is TOML, which is UTF-8: such a rule could not be
			// written down, nor read back the same.
			return fmt.Errorf("%q is not valid UTF-8", s)
		}
	}
	switch r.Tool {
	case "":
		if len(r.Paths) > 0 {
			return atKey("paths", fmt.Errorf("paths is only for tool = %q rules", ToolPatch))
		}
		if len(r.Command) == 0 {
			return atKey("command", errors.New("command must not be empty (a shell rule needs a command prefix)"))
		}
		for i, t := range r.Command {
			if len(t) == 0 {
				return atKey("command", fmt.Errorf("command token %d is an empty list of alternatives", i+1))
			}
		}
	case ToolPatch:
		if len(r.Command) > 0 {
			return atKey("command", fmt.Errorf("command is only for shell rules, not tool = %q", ToolPatch))
		}
		if len(r.Paths) == 0 {
			return atKey("paths", fmt.Errorf("paths must not be empty for tool = %q", ToolPatch))
		}
		for _, p := range r.Paths {
			if err := checkGlob(p); err != nil {
				return atKey("paths", err)
			}
		}
	default:
		return atKey("tool", fmt.Errorf("tool must be %q or %q, got %q", ToolShell, ToolPatch, r.Tool))
	}
	return r.checkExamples()
}

// checkExamples makes sure the rule does what its author said it does.
func (r Rule) checkExamples() error {
	matches := func(ex string) (bool, error) {
		if r.IsPatch() {
			return r.MatchesPath(ex), nil
		}
		argv, err := SplitCommand(ex)
		if err != nil {
			return false, fmt.Errorf("example %q: %w", ex, err)
		}
		return r.Matches(argv), nil
	}
	for _, ex := range r.Match {
		ok, err := matches(ex)
		if err != nil {
			return atKey("match", err)
		}
		if !ok {
			return atKey("match", fmt.Errorf("example %q is listed in match but does not match", ex))
		}
	}
	for _, ex := range r.NotMatch {
		ok, err := matches(ex)
		if err != nil {
			return atKey("not_match", err)
		}
		if ok {
			return atKey("not_match", fmt.Errorf("example %q matches but is listed in not_match", ex))
		}
	}
	return nil
}

// equal compares what a rule says, not where it was found.
func (r Rule) equal(o Rule) bool {
	r, o = r.normalized(), o.normalized()
	return r.Decision == o.Decision &&
		slices.EqualFunc(r.Command, o.Command, slices.Equal) &&
		r.Tool == o.Tool &&
		slices.Equal(r.Paths, o.Paths) &&
		r.Justification == o.Justification &&
		slices.Equal(r.Match, o.Match) &&
		slices.Equal(r.NotMatch, o.NotMatch) &&
		r.Outside == o.Outside
}

// summary is a short description for error messages and notes, such as
// "allow git status|log…".
func (r Rule) summary() string {
	var b strings.Builder
	b.WriteString(string(r.Decision))
	if r.IsPatch() {
		b.WriteString(" apply_patch " + strings.Join(r.Paths, ", "))
	} else {
		for _, t := range r.Command {
			b.WriteString(" " + strings.Join(t, "|"))
		}
	}
	const max = 40
	s := b.String()
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max-1]) + "…"
	}
	return s
}

// String renders the rule exactly as it would be written in a rules file:
// the [[rule]] block, ending in a newline. Where it came from is not part of
// it.
func (r Rule) String() string {
	r = r.normalized()
	var b strings.Builder
	b.WriteString("[[rule]]\n")
	fmt.Fprintf(&b, "decision = %s\n", quote(string(r.Decision)))
	if r.IsPatch() {
		fmt.Fprintf(&b, "tool = %s\n", quote(r.Tool))
		fmt.Fprintf(&b, "paths = %s\n", quoteList(r.Paths))
	} else {
		if r.Tool != "" {
			fmt.Fprintf(&b, "tool = %s\n", quote(r.Tool))
		}
		toks := make([]string, len(r.Command))
		for i, t := range r.Command {
			if len(t) == 1 {
				toks[i] = quote(t[0])
			} else {
				toks[i] = quoteList(t)
			}
		}
		fmt.Fprintf(&b, "command = [%s]\n", strings.Join(toks, ", "))
	}
	if r.Justification != "" {
		fmt.Fprintf(&b, "justification = %s\n", quote(r.Justification))
	}
	if len(r.Match) > 0 {
		fmt.Fprintf(&b, "match = %s\n", quoteList(r.Match))
	}
	if len(r.NotMatch) > 0 {
		fmt.Fprintf(&b, "not_match = %s\n", quoteList(r.NotMatch))
	}
	if r.Outside {
		b.WriteString("sandbox = \"outside\"\n")
	}
	return b.String()
}

// quote writes s as a TOML basic string. strconv.Quote will not do: TOML has
// no \x escapes.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if c < 0x20 || c == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, c)
			} else {
				b.WriteRune(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
