package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
	"warden/harness/internal/repofile"

	"github.com/BurntSushi/toml"
)

// TrustFile is where the trust of projects is recorded: in warden's
// configuration, never in the repository, since a project that could
// declare itself trusted would be trusted by anyone who checked it out.
// A "no" is recorded too (false), so that warden does not ask again.
//
//	[projects]
//	"/home/me/src/app" = true
//	"/home/me/src/untrusted" = false
func TrustFile(configDir string) string { return filepath.Join(configDir, "trust.toml") }

// Trusted reports whether the user trusts the project at projectRoot, so
// that its own allow rules apply.
func Trusted(configDir, projectRoot string) (bool, error) {
	trusted, _, err := TrustDecision(configDir, projectRoot)
	return trusted, err
}

// TrustDecision reports whether the user trusts the project at projectRoot
// and whether they ever answered (yes or no), so that warden asks only about
// a project it has never been told about.
func TrustDecision(configDir, projectRoot string) (trusted, decided bool, err error) {
	file := TrustFile(configDir)
	root, err := canonical(projectRoot)
	if err != nil {
		return false, false, fmt.Errorf("load trust %s: %w", file, err)
	}
	// A regular file of bounded size, opened without blocking: this runs
	// before anything else starts, and a pipe must not hang it.
	data, err := repofile.ReadOwn(file, MaxFileBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("load trust %s: %w", file, err)
	}
	projects, err := parseTrust(file, string(data))
	if err != nil {
		return false, false, err
	}
	trusted, decided = projects[root]
	return trusted, decided, nil
}

// SetTrusted records whether the user trusts the project at projectRoot;
// false is recorded too, not forgotten, so that a "no" is not asked again.
// Like Save, it works under a lock and replaces the file atomically, so
// several processes may record trust at once; unlike Save, it rewrites the
// file whole, which warden alone is meant to write. A file that does not
// load is left alone and is an error.
func SetTrusted(configDir, projectRoot string, trusted bool) error {
	file := TrustFile(configDir)
	root, err := canonical(projectRoot)
	if err != nil {
		return fmt.Errorf("save trust %s: %w", file, err)
	}
	if !utf8.ValidString(root) {
		// TOML keys are UTF-8: it could not be written down as it is.
		return fmt.Errorf("save trust %s: project path %q is not valid UTF-8", file, root)
	}
	err = lockedUpdate(file, func(text string) (string, bool, error) {
		projects, err := parseTrust(file, text)
		if err != nil {
			return "", false, err
		}
		if was, ok := projects[root]; ok && was == trusted {
			return "", false, nil
		}
		projects[root] = trusted
		return renderTrust(projects), true, nil
	})
	if err != nil {
		return fmt.Errorf("save trust %s: %w", file, err)
	}
	return nil
}

// parseTrust reads trust.toml; never nil on success.
func parseTrust(file, text string) (map[string]bool, error) {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		return nil, fmt.Errorf("load trust %s: %w", file, tomlError{err})
	}
	errorAt := func(line int, msg string) error {
		if line > 0 {
			return fmt.Errorf("load trust %s: line %d: %s", file, line, msg)
		}
		return fmt.Errorf("load trust %s: %s", file, msg)
	}
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		if k != "projects" {
			return nil, errorAt(lineOf(text, k), fmt.Sprintf("unknown key %q (trust.toml has only a [projects] table)", k))
		}
	}
	projects := map[string]bool{}
	if raw["projects"] == nil {
		return projects, nil
	}
	table, ok := raw["projects"].(map[string]any)
	if !ok {
		return nil, errorAt(lineOf(text, "projects"), fmt.Sprintf("projects must be a table, got %s", typeName(raw["projects"])))
	}
	for _, p := range slices.Sorted(maps.Keys(table)) {
		b, ok := table[p].(bool)
		if !ok {
			return nil, errorAt(lineOf(text, "projects", p), fmt.Sprintf("project %q must be true or false, got %s", p, typeName(table[p])))
		}
		projects[p] = b
	}
	return projects, nil
}

func renderTrust(projects map[string]bool) string {
	var b strings.Builder
	b.WriteString("# Whether you trust each project, as you answered warden or `warden trust`.\n")
	b.WriteString("# true: its own rules (.warden/rules.toml) may allow, not only ask or deny,\n")
	b.WriteString("# and it starts in workspace-write unless you chose a sandbox mode.\n")
	b.WriteString("# false: you said no; its own rules may only ask or deny, and warden does not\n")
	b.WriteString("# ask again. Delete a line to be asked again.\n")
	b.WriteString("# Written by warden.\n")
	b.WriteString("[projects]\n")
	for _, p := range slices.Sorted(maps.Keys(projects)) {
		fmt.Fprintf(&b, "%s = %v\n", quote(p), projects[p])
	}
	return b.String()
}
