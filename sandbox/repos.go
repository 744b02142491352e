package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// Git enters a repository nested in the workspace whenever something
// points it there: `git status` looks into every submodule (a gitlink in
// the index, or in a commit a later `git reset` brings back) with a git of
// its own, which reads that repository's config and runs its hooks and
// core.fsmonitor outside the sandbox. Which .git a command made cannot be
// told from the index alone (formats, extensions, links, commits past
// it), so the runner keeps a list of every .git under the writable roots:
// those there when the session's first command ran are the user's and are
// protected like the roots' own; one that appears later was made by a
// command, which chose its contents: it is set aside when the command
// ends, unless it is plainly harmless (what `git init` or `git clone`
// makes), and then protected from the next command on.

// quarantineSuffix is added to the name of a .git set aside.
const quarantineSuffix = ".warden-quarantine"

// repoScan is the runner's record of the directories under the writable
// roots and the .git entries among them.
type repoScan struct {
	mu      sync.Mutex
	scanned bool
	// dirs are the directories seen, with what changes when an entry is
	// added, removed or renamed in them.
	dirs map[string]dirStamp
	// known are the .git entries the user had when the session started.
	known map[string]bool
}

// dirStamp identifies a directory's listing: its inode and status-change
// time, which every change to its entries moves on and no command can set
// back.
type dirStamp struct {
	ino   uint64
	ctime int64
}

func stampDir(path string) (dirStamp, bool) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return dirStamp{}, false
	}
	return dirStamp{ino: st.Ino, ctime: st.Ctim.Nano()}, true
}

// knownRepos are the .git entries under the roots that are the user's,
// found by a walk of the roots on first use.
func (s *repoScan) knownRepos(roots []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.scanned {
		s.scanned = true
		s.dirs, s.known = map[string]dirStamp{}, map[string]bool{}
		for _, root := range roots {
			for _, g := range s.walk(root) {
				s.known[g] = true
			}
		}
	}
	out := make([]string, 0, len(s.known))
	for g := range s.known {
		out = append(out, g)
	}
	slices.Sort(out)
	return out
}

// newRepos are the .git entries that appeared since the last look: only
// the directories whose listing changed are read again.
func (s *repoScan) newRepos(roots []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.scanned {
		return nil
	}
	var found []string
	for dir, old := range s.dirs {
		st, ok := stampDir(dir)
		switch {
		case !ok:
			delete(s.dirs, dir)
		case st != old:
			found = append(found, s.read(dir, st)...)
		}
	}
	var fresh []string
	for _, g := range found {
		if !s.known[g] && withinAny(g, roots) {
			fresh = append(fresh, g)
		}
	}
	slices.Sort(fresh)
	return slices.Compact(fresh)
}

// adopt makes a repository a command made one of the protected ones.
func (s *repoScan) adopt(dotGit string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.known[dotGit] = true
}

// walk records dir and everything below it, and returns the .git entries
// found.
func (s *repoScan) walk(dir string) []string {
	st, ok := stampDir(dir)
	if !ok {
		return nil
	}
	return s.read(dir, st)
}

// read lists dir, records its stamp, walks the directories in it that are
// new to the record, and returns the .git entries found. A .git directory
// is not entered (nor one set aside): what is inside is git's.
func (s *repoScan) read(dir string, st dirStamp) []string {
	s.dirs[dir] = st
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrPermission) {
		// A command may take the permission away to hide what it made
		// from this look, not from the user, who owns the directory and
		// can give it back: warden gives it back.
		if os.Chmod(dir, 0o700) == nil {
			entries, err = os.ReadDir(dir)
		}
	}
	if err != nil {
		return nil
	}
	var found []string
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		if name == ".git" {
			found = append(found, path)
			continue
		}
		if strings.HasPrefix(name, ".git"+quarantineSuffix) || e.Type() != os.ModeDir {
			continue
		}
		if sub, ok := stampDir(path); ok {
			if old, seen := s.dirs[path]; !seen || old != sub {
				found = append(found, s.read(path, sub)...)
			}
		}
	}
	return found
}

// nested protects the repositories the user has inside the writable roots
// like the roots' own: their git directories, and a .git file and the
// git directory it names.
func (p *protector) nested(dotGit string) error {
	fi, err := os.Lstat(dotGit)
	if err != nil || p.rootOf(dotGit) == "" {
		return nil
	}
	workTree := filepath.Dir(dotGit)
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		p.add(dotGit, true) // pinned: it cannot be pointed elsewhere
		if real, err := filepath.EvalSymlinks(dotGit); err == nil {
			return p.gitDir(real, workTree)
		}
	case fi.IsDir():
		return p.gitDir(dotGit, workTree)
	case fi.Mode().IsRegular():
		if err := p.gitFile(dotGit); err != nil {
			return err
		}
		if target := readGitFile(dotGit); target != "" {
			return p.gitDir(resolveConfigPath(target, workTree, p.home), workTree)
		}
	}
	return nil
}

// quarantine renames a .git a command made, so that git finds no
// repository there and nothing is lost.
func quarantine(dotGit string, roots []string) Denial {
	const why = "protected: a repository the command made; git would run its config and hooks outside the sandbox as soon as it looked into it (a submodule, `git status`)"
	to := dotGit + quarantineSuffix
	for n := 2; ; n++ {
		if _, err := os.Lstat(to); err != nil {
			break
		}
		to = fmt.Sprintf("%s%s-%d", dotGit, quarantineSuffix, n)
	}
	reason := fmt.Sprintf("%s; warden renamed it to %s (check its config and hooks before renaming it back)", why, filepath.Base(to))
	if err := renameBeneath(roots, dotGit, filepath.Base(to)); err != nil {
		reason = fmt.Sprintf("%s; renaming it aside failed: %v", why, err)
	}
	return Denial{Op: "create", Target: dotGit, Reason: reason}
}

// harmlessRepo reports whether a .git a command made can be left where it
// is: a directory whose config holds only keys that run nothing (what `git
// init` and `git clone` write), with no hooks but git's samples and none of
// the files that make git read config from elsewhere. Anything else, or
// anything this check does not understand, is set aside: it fails closed.
// A repository kept is protected like the user's from the next command on.
func harmlessRepo(dotGit string) bool {
	fi, err := os.Lstat(dotGit)
	if err != nil || !fi.IsDir() {
		return false
	}
	for _, name := range []string{"commondir", "config.worktree", "gitdir"} {
		if _, err := os.Lstat(filepath.Join(dotGit, name)); err == nil {
			return false
		}
	}
	if hooks, err := os.ReadDir(filepath.Join(dotGit, "hooks")); err == nil {
		for _, h := range hooks {
			if !h.Type().IsRegular() || !strings.HasSuffix(h.Name(), ".sample") {
				return false
			}
		}
	} else if !os.IsNotExist(err) {
		return false
	}
	return harmlessConfig(filepath.Join(dotGit, "config"))
}

// harmlessKeys are the config keys a fresh repository has: none makes git
// run anything. Keys of a named subsection ([remote "origin"]) are listed
// under the section's name.
var harmlessKeys = map[string][]string{
	"core":       {"repositoryformatversion", "filemode", "bare", "logallrefupdates", "ignorecase", "precomposeunicode", "symlinks"},
	"extensions": {"objectformat", "refstorage"},
	"remote.":    {"url", "fetch"},
	"branch.":    {"remote", "merge"},
	"user":       {"name", "email"},
}

var (
	configSection = regexp.MustCompile(`^\[([A-Za-z0-9-]+)(?:\s+"([^"\\]*)")?\]$`)
	configKey     = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$`)
)

// harmlessConfig checks a config file line by line, strictly: a line that
// is not a plain section header, a plain key = value or a comment (a
// continuation, an include, a key outside the list) makes it harmful.
func harmlessConfig(path string) bool {
	fi, err := os.Lstat(path)
	if os.IsNotExist(err) {
		return true
	}
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 64<<10 {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case strings.HasSuffix(line, `\`):
			return false
		}
		if m := configSection.FindStringSubmatch(line); m != nil {
			section = strings.ToLower(m[1])
			if m[2] != "" {
				section += "."
			}
			continue
		}
		m := configKey.FindStringSubmatch(line)
		if m == nil || !slices.Contains(harmlessKeys[section], strings.ToLower(m[1])) {
			return false
		}
	}
	return true
}
