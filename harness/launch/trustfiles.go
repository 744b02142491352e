package launch

import (
	"fmt"
	"path/filepath"
	"strings"

	"warden/harness/config"
	"warden/harness/instructions"
	"warden/harness/internal/repofile"
	"warden/harness/rules"
)

// TrustFile is one file of a project that warden would load there, and
// what it would do, for the user deciding whether to trust the project.
type TrustFile struct {
	Path string // relative to the project's root
	What string
}

// TrustFiles finds the project holding cwd and the files of its own that
// warden would load there: its .warden/rules.toml, whose allow rules count
// only if the project is trusted, and the AGENTS.md files given to the
// model (maxBytes is the settings' ProjectDocMaxBytes), which are read
// either way. It is what the user is shown before saying whether to trust
// the project, so a rules file that does not load is described, not an
// error: the session that follows reports it in full. A file warden
// refuses to read (a named pipe, a link out of the project: see
// repofile) is listed with the reason, "not read: …".
func TrustFiles(getenv func(string) string, cwd string, maxBytes int) (root string, files []TrustFile, err error) {
	configDir, err := config.Dir(getenv)
	if err != nil {
		return "", nil, fmt.Errorf("find the project's files: %w", err)
	}
	root = rules.ProjectRoot(cwd)

	ruleFile := filepath.Join(root, ".warden", "rules.toml")
	if what, ok := describeRules(ruleFile); ok {
		files = append(files, TrustFile{Path: filepath.Join(".warden", "rules.toml"), What: what})
	}

	docs, err := instructions.FindProjectDocs(configDir, cwd, maxBytes)
	if err != nil {
		return "", nil, fmt.Errorf("find the project's files: %w", err)
	}
	for _, d := range docs {
		if d.Global {
			continue // the user's own, from the config directory
		}
		// Every project file the model would be given is listed, even one
		// outside the root (reached through a symbolic link to the working
		// directory): the user must see all that the answer covers.
		rel, ok := inside(root, d.Path)
		if !ok {
			rel = d.Path
		}
		what := "instructions for the model (read whether trusted or not)"
		if d.Refused != "" {
			what = "not read: " + d.Refused
		} else if d.Truncated {
			what = "instructions for the model, cut to the size limit (read whether trusted or not)"
		}
		files = append(files, TrustFile{Path: rel, What: what})
	}
	return root, files, nil
}

// describeRules says what the project's rules file would do; ok is false
// when there is no such file.
func describeRules(file string) (what string, ok bool) {
	rs, err := rules.Load(file, rules.Project)
	if why, refused := repofile.Reason(err); refused {
		return "not read: " + why, true
	}
	if err != nil {
		// The error names the file, which the user sees already; its line
		// and reason are what is left to say. Several errors are joined
		// by newlines, kept on one line here.
		msg := strings.ReplaceAll(err.Error(), "load rules "+file+": ", "")
		return "does not load: " + strings.ReplaceAll(msg, "\n", "; "), true
	}
	if rs == nil {
		// Load gives nil only for a missing file; an empty one is a
		// non-nil, empty list.
		return "", false
	}
	allow, restrict := 0, 0
	for _, r := range rs {
		if r.Decision == rules.Allow {
			allow++
		} else {
			restrict++
		}
	}
	var parts []string
	if allow > 0 {
		parts = append(parts, plural(allow, "allow rule")+" would apply only if trusted")
	}
	switch {
	case restrict == 1:
		parts = append(parts, "1 ask or deny rule applies either way")
	case restrict > 1:
		parts = append(parts, plural(restrict, "ask or deny rule")+" apply either way")
	}
	if len(parts) == 0 {
		return "no rules", true
	}
	return strings.Join(parts, "; "), true
}

// inside is path relative to root, if path is inside root; symlinks are
// resolved on both sides, since ProjectRoot resolves them and the
// instruction files are found from the working directory as given.
func inside(root, path string) (string, bool) {
	if p, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(p, filepath.Base(path))
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return rel, true
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
