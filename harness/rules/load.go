package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"warden/harness/internal/repofile"
	"warden/harness/internal/tomlline"
)

// MaxFileBytes is the most a rules file may hold: a larger one is refused,
// not read (a link to /dev/zero would otherwise be read until memory runs
// out).
const MaxFileBytes = 1 << 20

// Load reads one rules file, as rules of kind. A missing file is no rules
// (nil, nil); anything wrong with a file that is there is an error naming the
// file and the line, never a file quietly skipped.
//
// Only a regular file of at most MaxFileBytes is read: anything else (a
// named pipe, which would block, a device, a directory) is an error. A
// Project file came with a repository, so it must also be, links
// followed, inside the project: the directory holding its .warden
// directory (see repofile.Read).
func Load(path string, kind Kind) ([]Rule, error) {
	root := ""
	if kind == Project {
		root = filepath.Dir(path)
		if filepath.Base(root) == ".warden" {
			root = filepath.Dir(root)
		}
	}
	return load(path, root, kind)
}

// load is Load with the project's root given; root matters only for
// Project files.
func load(path, root string, kind Kind) ([]Rule, error) {
	var data []byte
	var err error
	if kind == Project {
		data, err = repofile.Read(path, root, MaxFileBytes)
	} else {
		// The user's own: it may link anywhere (a dotfiles repository),
		// but it is still a regular file of bounded size.
		data, err = repofile.ReadOwn(path, MaxFileBytes)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, err)
	}
	return parse(path, string(data), kind)
}

// parse decodes the text of the rules file at path.
func parse(path, text string, kind Kind) ([]Rule, error) {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		return nil, fmt.Errorf("load rules %s: %w", path, tomlError{err})
	}
	errorAt := func(line int, err error) error {
		if line > 0 {
			return fmt.Errorf("load rules %s: line %d: %w", path, line, err)
		}
		return fmt.Errorf("load rules %s: %w", path, err)
	}

	var errs []error
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if k != "rule" {
			errs = append(errs, errorAt(lineOf(text, k), fmt.Errorf("unknown key %q (a rules file is a list of [[rule]] tables)", k)))
		}
	}
	var tables []map[string]any
	switch v := raw["rule"].(type) {
	case nil:
	case []map[string]any:
		tables = v
	default:
		errs = append(errs, errorAt(lineOf(text, "rule"), errors.New("rule must be written as [[rule]] tables")))
	}

	sc := scan(text)
	if len(sc.rules) != len(tables) {
		// Rules written inline (rule = [{…}]) have no header of their own
		// for errors and Remove to point at; warden writes and reads only
		// the [[rule]] form.
		errs = append(errs, errorAt(lineOf(text, "rule"), errors.New("rules must be written as [[rule]] tables, one per rule")))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	rules := make([]Rule, 0, len(tables))
	for i, t := range tables {
		r, err := fromTable(t)
		if err == nil {
			err = r.validate()
		}
		r.Source = Source{Kind: kind, File: path}
		r.Line = sc.rules[i].header
		if err != nil {
			line := r.Line
			var ke *keyError
			if errors.As(err, &ke) {
				line = sc.keyLine(i, ke.key)
			}
			label := fmt.Sprintf("rule %d", i+1)
			if r.Decision.valid() {
				label += " (" + r.summary() + ")"
			}
			errs = append(errs, errorAt(line, fmt.Errorf("%s: %w", label, err)))
			continue
		}
		rules = append(rules, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

// keyError is a problem with the value of one key of a rule, so the message
// can point at that key's line rather than the rule's header.
type keyError struct {
	key string
	err error
}

func (e *keyError) Error() string { return e.err.Error() }
func (e *keyError) Unwrap() error { return e.err }

func atKey(key string, err error) error { return &keyError{key, err} }

// ruleKeys are the keys a rule may have.
func ruleKeys() []string {
	return []string{"decision", "tool", "command", "paths", "justification", "match", "not_match", "sandbox"}
}

// fromTable reads one [[rule]] table. It fills in as much of the rule as it
// can even when it fails, so the error can say which rule it is about.
func fromTable(t map[string]any) (Rule, error) {
	var r Rule
	var first error
	fail := func(key string, err error) {
		if first == nil {
			first = atKey(key, err)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		if !slices.Contains(ruleKeys(), k) {
			fail(k, fmt.Errorf("unknown key %q (a rule has %s)", k, strings.Join(ruleKeys(), ", ")))
		}
	}
	str := func(key string) string {
		v, ok := t[key]
		if !ok {
			return ""
		}
		s, ok := v.(string)
		if !ok {
			fail(key, fmt.Errorf("%s must be a string, got %s", key, typeName(v)))
		}
		return s
	}
	strList := func(key string) []string {
		v, ok := t[key]
		if !ok {
			return nil
		}
		ss, err := stringList(v)
		if err != nil {
			fail(key, fmt.Errorf("%s must be a list of strings, got %s", key, err))
		}
		return ss
	}

	if _, ok := t["decision"]; !ok {
		fail("decision", errors.New(`decision is required ("allow", "ask" or "deny")`))
	}
	r.Decision = Decision(str("decision"))
	r.Tool = str("tool")
	if r.Tool == ToolShell {
		r.Tool = ""
	} else if _, ok := t["tool"]; ok && r.Tool != ToolPatch {
		fail("tool", fmt.Errorf("tool must be %q or %q, got %q", ToolShell, ToolPatch, r.Tool))
	}
	if v, ok := t["command"]; ok {
		cmd, err := command(v)
		if err != nil {
			fail("command", err)
		}
		r.Command = cmd
	}
	r.Paths = strList("paths")
	r.Justification = str("justification")
	r.Match = strList("match")
	r.NotMatch = strList("not_match")
	switch sb := str("sandbox"); sb {
	case "", "inside":
		if _, ok := t["sandbox"]; ok && sb == "" {
			fail("sandbox", errors.New(`sandbox must be "inside" or "outside", got ""`))
		}
	case "outside":
		r.Outside = true
	default:
		fail("sandbox", fmt.Errorf(`sandbox must be "inside" or "outside", got %q`, sb))
	}
	return r, first
}

// command reads a command pattern: a list whose items are strings or lists
// of alternative strings. On error it returns the tokens read so far, for
// the message to name the rule by.
func command(v any) ([]Token, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("command must be a list of tokens, got %s", typeName(v))
	}
	cmd := make([]Token, 0, len(items))
	for i, it := range items {
		switch it := it.(type) {
		case string:
			cmd = append(cmd, Token{it})
		case []any:
			alts, err := stringList(it)
			if err != nil {
				return cmd, fmt.Errorf("command token %d must be a string or a list of strings, got %s", i+1, err)
			}
			if len(alts) == 0 {
				return cmd, fmt.Errorf("command token %d is an empty list of alternatives", i+1)
			}
			cmd = append(cmd, Token(alts))
		default:
			return cmd, fmt.Errorf("command token %d must be a string or a list of strings, got %s", i+1, typeName(it))
		}
	}
	return cmd, nil
}

// stringList converts a decoded array of strings; its error describes what
// was found instead.
func stringList(v any) ([]string, error) {
	items, ok := v.([]any)
	if !ok {
		return nil, errors.New(typeName(v))
	}
	ss := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("a list holding %s", typeName(it))
		}
		ss[i] = s
	}
	return ss, nil
}

// typeName describes a decoded TOML value in the file's terms.
func typeName(v any) string {
	switch v := v.(type) {
	case string:
		return "string " + strconv.Quote(v)
	case int64:
		return fmt.Sprintf("integer %d", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case bool:
		return fmt.Sprintf("boolean %v", v)
	case time.Time:
		return "a date-time"
	case []any:
		return "a list"
	case map[string]any, []map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("%T", v)
	}
}

// tomlError drops the decoder's "toml: " prefix, since the message already
// starts with "load rules FILE".
type tomlError struct{ err error }

func (e tomlError) Error() string { return strings.TrimPrefix(e.err.Error(), "toml: ") }
func (e tomlError) Unwrap() error { return e.err }

// lineOf is the line on which the key path is defined, 0 if that cannot be
// told. It serves keys outside the [[rule]] tables (see scan for those).
func lineOf(text string, key ...string) int { return tomlline.Of(text, key...) }
