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
	// known are the repositories the user had when the session started
	// (.git entries, and git directories of other names), and those
	// adopted since.
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

// isGitDirLayout reports whether a directory's entries make it a git
// directory to git: a HEAD, a refs directory, and objects (or a commondir
// naming where they are).
func isGitDirLayout(entries []os.DirEntry) bool {
	has := map[string]bool{}
	for _, e := range entries {
		switch e.Name() {
		case "HEAD", "refs", "objects", "commondir":
			has[e.Name()] = true
		}
	}
	return has["HEAD"] && has["refs"] && (has["objects"] || has["commondir"])
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
// new to the record, and returns the repositories found: .git entries, and
// directories laid out as git directories. Neither is entered: what is
// inside is git's.
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
	if isGitDirLayout(entries) {
		// git takes a directory with a HEAD, refs and objects for a
		// repository (a bare one), whatever its name: git run in it or
		// below it uses its config and hooks.
		found = append(found, dir)
		return found
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		if name == ".git" {
			found = append(found, path)
			continue
		}
		if e.Type() != os.ModeDir {
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

// quarantine sets aside a repository a command made, so that git finds no
// repository there and nothing is lost: a .git is renamed, and a git
// directory (the .git renamed, or one of another name) has its HEAD renamed
// too, so that it is no repository under its new name either.
func quarantine(repo string, roots []string) Denial {
	const why = "protected: a repository the command made; git would run its config and hooks outside the sandbox as soon as it looked into it (a submodule, `git status`)"
	var done []string
	var failed error
	gitDir := repo
	if filepath.Base(repo) == ".git" {
		to, err := renameAside(repo, roots)
		if err != nil {
			failed = err
		} else {
			done = append(done, filepath.Base(repo)+" to "+filepath.Base(to))
			gitDir = to
		}
	}
	if failed == nil {
		if fi, err := os.Lstat(filepath.Join(gitDir, "HEAD")); err == nil && !fi.IsDir() {
			to, err := renameAside(filepath.Join(gitDir, "HEAD"), roots)
			if err != nil {
				failed = err
			} else {
				done = append(done, "its HEAD to "+filepath.Base(to))
			}
		}
	}
	reason := fmt.Sprintf("%s; warden renamed %s (check its config and hooks before renaming them back)", why, strings.Join(done, " and "))
	if failed != nil {
		reason = fmt.Sprintf("%s; setting it aside failed: %v", why, failed)
	}
	return Denial{Op: "create", Target: repo, Reason: reason}
}

// renameAside renames path to the first free name with quarantineSuffix.
func renameAside(path string, roots []string) (string, error) {
	to := path + quarantineSuffix
	for n := 2; ; n++ {
		if _, err := os.Lstat(to); err != nil {
			break
		}
		to = fmt.Sprintf("%s%s-%d", path, quarantineSuffix, n)
	}
	return to, renameBeneath(roots, path, filepath.Base(to))
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
	// Git directories inside (submodules', worktrees') would be used with
	// their own config and hooks; `git init` and `git clone` make none.
	for _, name := range []string{"modules", "worktrees"} {
		if entries, err := os.ReadDir(filepath.Join(dotGit, name)); err == nil && len(entries) > 0 {
			return false
		}
	}
	hooks := filepath.Join(dotGit, "hooks")
	if fi, err := os.Lstat(hooks); err == nil {
		if !fi.IsDir() { // a link would lead wherever the command chose
			return false
		}
		entries, err := os.ReadDir(hooks)
		if err != nil {
			return false
		}
		for _, h := range entries {
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
	data, err := readRegular(path, 64<<10)
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
