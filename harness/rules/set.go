package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// Paths say where a Set's files are.
type Paths struct {
	ConfigDir   string // warden's configuration directory
	ProjectRoot string // the project's root; "" for none (no project or personal rules)
}

// Set is every rule in force for a project:
//
//   - user rules, ConfigDir/rules.toml;
//   - the project's own, .warden/rules.toml under its root. They come with
//     the repository, from whoever wrote it, so unless the user trusts the
//     project they may only restrict: their allow rules are dropped (see
//     Ignored and Notes);
//   - personal rules for this project, ConfigDir/projects/NAME-HASH/rules.toml,
//     kept out of the repository so saving one never dirties the checkout and
//     a checkout can never grant itself one;
//   - session rules, in memory only.
//
// A Set is safe for concurrent use.
type Set struct {
	paths   Paths // cleaned: absolute, symlinks resolved
	trusted bool

	mu      sync.RWMutex
	byKind  map[Kind][]Rule
	ignored []Rule
}

// kinds is the order in which Rules lists the sources.
func kinds() []Kind { return []Kind{User, Project, Personal, Session} }

// LoadSet loads the rules in force for p.ProjectRoot; trusted says whether
// the user trusts the project (see Trusted). Every broken file is reported,
// not just the first; so is one that is not read at all (see Load): not a
// regular file, larger than MaxFileBytes, or, for the project's own, a link
// out of the project.
func LoadSet(p Paths, trusted bool) (*Set, error) {
	var err error
	if p.ConfigDir, err = filepath.Abs(p.ConfigDir); err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	if p.ProjectRoot != "" {
		if p.ProjectRoot, err = canonical(p.ProjectRoot); err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
	}
	s := &Set{paths: p, trusted: trusted, byKind: map[Kind][]Rule{}}
	var errs []error
	for _, k := range []Kind{User, Project, Personal} {
		file := s.FileFor(k)
		if file == "" {
			continue
		}
		rules, err := load(file, s.paths.ProjectRoot, k)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if k == Project {
			// Only the user lets a command out of the sandbox: a
			// project's rule, written by whoever wrote the repository,
			// allows at most inside it, trusted or not.
			for i := range rules {
				rules[i].Outside = false
			}
		}
		if k == Project && !trusted {
			rules = slices.DeleteFunc(rules, func(r Rule) bool {
				if r.Decision == Allow {
					s.ignored = append(s.ignored, r)
					return true
				}
				return false
			})
		}
		s.byKind[k] = rules
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// FileFor is the file that holds rules of kind — where Save writes one — or
// "" for session rules and, without a project, for project and personal ones.
func (s *Set) FileFor(kind Kind) string {
	switch kind {
	case User:
		return filepath.Join(s.paths.ConfigDir, "rules.toml")
	case Project:
		if s.paths.ProjectRoot != "" {
			return filepath.Join(s.paths.ProjectRoot, ".warden", "rules.toml")
		}
	case Personal:
		if s.paths.ProjectRoot != "" {
			return filepath.Join(s.paths.ConfigDir, "projects", projectDirName(s.paths.ProjectRoot), "rules.toml")
		}
	}
	return ""
}

// projectDirName names a project's directory of personal files: its base
// name, for the person browsing ConfigDir/projects, and a hash of its full
// path, so that two checkouts called the same never share rules.
func projectDirName(root string) string {
	sum := sha256.Sum256([]byte(root))
	return filepath.Base(root) + "-" + hex.EncodeToString(sum[:8])
}

// Rules is every rule in force: user, project, personal, then session
// rules, each in file order.
func (s *Set) Rules() []Rule {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var all []Rule
	for _, k := range kinds() {
		all = append(all, s.byKind[k]...)
	}
	return all
}

// Ignored is the project's allow rules, dropped because the project is not
// trusted.
func (s *Set) Ignored() []Rule {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.ignored)
}

// Notes are lines to show the user about rules not in force, one per
// ignored rule.
func (s *Set) Notes() []string {
	var notes []string
	for _, r := range s.Ignored() {
		notes = append(notes, fmt.Sprintf("%s: rule (%s) ignored: a project's own rules may only ask or deny until you trust the project", r.Where(), r.summary()))
	}
	return notes
}

// Judge returns the strictest decision among the shell rules matching argv
// (ok is false when none does) and the rules that matched, strictest first,
// in source order among equals. Strictest wins across all sources, so a
// saved allow never overrides a configured ask or deny. An allow lets the
// command run outside the sandbox only if one of the matched rules has
// Outside.
func (s *Set) Judge(argv []string) (d Decision, matched []Rule, ok bool) {
	return judge(s.Rules(), func(r Rule) bool { return r.Matches(argv) })
}

// JudgePath is Judge for one patch target, relative to the project root.
func (s *Set) JudgePath(rel string) (d Decision, matched []Rule, ok bool) {
	return judge(s.Rules(), func(r Rule) bool { return r.MatchesPath(rel) })
}

func judge(rules []Rule, match func(Rule) bool) (Decision, []Rule, bool) {
	var matched []Rule
	for _, r := range rules {
		if match(r) {
			matched = append(matched, r)
		}
	}
	if len(matched) == 0 {
		return "", nil, false
	}
	slices.SortStableFunc(matched, func(a, b Rule) int {
		return b.Decision.strictness() - a.Decision.strictness()
	})
	return matched[0].Decision, matched, true
}

// AddSession puts r in force until the Set is dropped. It is refused if r is
// not valid (see Rule.Validate): an invalid rule can mean something no one
// intended, such as an empty command.
func (s *Set) AddSession(r Rule) error {
	r = r.normalized()
	if err := r.validate(); err != nil {
		return fmt.Errorf("add session rule: %w", err)
	}
	r.Source, r.Line = Source{Kind: Session}, 0
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byKind[Session] = append(s.byKind[Session], r)
	return nil
}

// setFile replaces the rules of kind with those just read from its file.
func (s *Set) setFile(kind Kind, rules []Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byKind[kind] = rules
}

// ProjectRoot is the root of the git repository containing dir — the
// nearest directory up from it holding a .git entry (a directory, or a file
// in worktrees and submodules) — or else dir itself; absolute, symlinks
// resolved.
func ProjectRoot(dir string) string {
	dir, err := canonical(dir)
	if err != nil {
		return dir
	}
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// canonical makes dir absolute and resolves symlinks, so one project has one
// name however it was reached. A path that cannot be resolved (say, it does
// not exist yet) is only made absolute.
func canonical(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir, err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	return abs, nil
}

// NewSet holds the given rules, already loaded (each keeps its Source), and
// nothing else: `warden rules check --rules FILE` judges with exactly
// those. It cannot save.
func NewSet(rules []Rule) *Set {
	s := &Set{trusted: true, byKind: map[Kind][]Rule{}}
	for _, r := range rules {
		s.byKind[r.Source.Kind] = append(s.byKind[r.Source.Kind], r)
	}
	return s
}

// Revoke takes r out of force: a session rule is dropped, and a user or
// personal rule is removed from its file (see Remove), whose rules in s are
// then read again. The project's own rules are refused: they belong to the
// repository, and warden never edits the repository's files for the user.
func (s *Set) Revoke(r Rule) error {
	switch r.Source.Kind {
	case Session:
		s.mu.Lock()
		defer s.mu.Unlock()
		i := slices.IndexFunc(s.byKind[Session], r.equal)
		if i < 0 {
			return fmt.Errorf("revoke rule: no such session rule")
		}
		s.byKind[Session] = slices.Delete(s.byKind[Session], i, i+1)
		return nil
	case User, Personal:
		file := s.FileFor(r.Source.Kind)
		if file == "" || r.Source.File != file {
			return fmt.Errorf("revoke rule %s: not a file of this set's rules", r.Where())
		}
		if err := remove(file, r.Line, &r); err != nil {
			if errors.Is(err, ErrFileChanged) {
				// So that listing the rules again shows the file as it is.
				if rules, lerr := Load(file, r.Source.Kind); lerr == nil {
					s.setFile(r.Source.Kind, rules)
				}
			}
			return err
		}
		rules, err := Load(file, r.Source.Kind)
		if err != nil {
			return fmt.Errorf("revoke rule %s: %w", r.Where(), err)
		}
		s.setFile(r.Source.Kind, rules)
		return nil
	case Project:
		return fmt.Errorf("revoke rule %s: it is the repository's own rule; edit that file to change it", r.Where())
	}
	return fmt.Errorf("revoke rule %s: unknown source %q", r.Where(), r.Source.Kind)
}
