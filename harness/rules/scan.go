package rules

import "strings"

// scanned is the layout of a rules file's text: where each [[rule]] starts
// and ends, and which lines are TOML code rather than the inside of a
// multi-line string.
//
// The TOML decoder forgets positions of the items of an array of tables (it
// keeps one position per key path, the last one seen), so errors, Where and
// Remove find the [[rule]] headers here instead. The text has already been
// decoded successfully when this runs, so the scanner can trust it is TOML.
type scanned struct {
	lines []string    // the text split at "\n"
	code  []bool      // code[i]: line i+1 starts a key, header or comment (see codeLines)
	rules []ruleBlock // one per [[rule]] header, in order
}

// ruleBlock is the lines of one rule: from its header up to, not including,
// the next table header (or one past the last line).
type ruleBlock struct {
	header, end int // 1-based line numbers
}

func scan(text string) scanned {
	s := scanned{lines: strings.Split(text, "\n")}
	s.code = codeLines(text, len(s.lines))
	open := -1 // index in s.rules of the rule block still open
	for i, l := range s.lines {
		if !s.code[i] {
			continue
		}
		t := strings.TrimLeft(l, " \t")
		if !strings.HasPrefix(t, "[") {
			continue
		}
		// A code line starting with "[" can only be a table header.
		if open >= 0 {
			s.rules[open].end = i + 1
			open = -1
		}
		if isRuleHeader(t) {
			s.rules = append(s.rules, ruleBlock{header: i + 1, end: len(s.lines) + 1})
			open = len(s.rules) - 1
		}
	}
	return s
}

// isRuleHeader reports whether the trimmed line t is [[rule]], however
// spaced or quoted.
func isRuleHeader(t string) bool {
	rest, ok := strings.CutPrefix(t, "[[")
	if !ok {
		return false
	}
	key, _, ok := strings.Cut(rest, "]]")
	if !ok {
		return false
	}
	switch strings.TrimSpace(key) {
	case "rule", `"rule"`, "'rule'":
		return true
	}
	return false
}

// keyLine is the line of rule i on which key is set, or the rule's header
// line when it cannot be found (say, a key set in a sub-table).
func (s scanned) keyLine(i int, key string) int {
	b := s.rules[i]
	for ln := b.header + 1; ln < b.end; ln++ {
		if !s.code[ln-1] {
			continue
		}
		t := strings.TrimLeft(s.lines[ln-1], " \t")
		for _, form := range []string{key, `"` + key + `"`, "'" + key + "'"} {
			rest, ok := strings.CutPrefix(t, form)
			if !ok {
				continue
			}
			rest = strings.TrimLeft(rest, " \t")
			if strings.HasPrefix(rest, "=") || strings.HasPrefix(rest, ".") {
				return ln
			}
		}
	}
	return b.header
}

// codeLines reports, for each of the n lines of text, whether it starts at
// the top level of the TOML: outside a multi-line string, and outside an
// array or inline table spread over several lines (whose lines may start
// with "[" without being table headers). It follows TOML's quoting:
// comments, basic and literal strings, and their multi-line forms.
func codeLines(text string, n int) []bool {
	const (
		normal = iota
		comment
		basic
		literal
		mlBasic
		mlLiteral
	)
	code := make([]bool, n)
	state, line, depth := normal, 0, 0
	code[0] = true
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			if state == comment || state == basic || state == literal {
				state = normal
			}
			line++
			code[line] = state == normal && depth == 0
			continue
		}
		switch state {
		case normal:
			switch {
			case c == '#':
				state = comment
			case strings.HasPrefix(text[i:], `"""`):
				state, i = mlBasic, i+2
			case c == '"':
				state = basic
			case strings.HasPrefix(text[i:], "'''"):
				state, i = mlLiteral, i+2
			case c == '\'':
				state = literal
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				depth--
			}
		case basic:
			if c == '\\' {
				i++ // an escaped character, which is never a newline here
			} else if c == '"' {
				state = normal
			}
		case literal:
			if c == '\'' {
				state = normal
			}
		case mlBasic:
			if c == '\\' && i+1 < len(text) && text[i+1] != '\n' {
				i++
			} else if strings.HasPrefix(text[i:], `"""`) {
				// Up to two more quotes may end the content itself.
				i = closeQuotes(text, i, '"')
				state = normal
			}
		case mlLiteral:
			if strings.HasPrefix(text[i:], "'''") {
				i = closeQuotes(text, i, '\'')
				state = normal
			}
		}
	}
	return code
}

// closeQuotes returns the index of the last quote of the run of q starting
// at i (three to five long) that closes a multi-line string.
func closeQuotes(text string, i int, q byte) int {
	j := i + 3
	for j < len(text) && j < i+5 && text[j] == q {
		j++
	}
	return j - 1
}
