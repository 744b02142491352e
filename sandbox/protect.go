package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A protectedMount is a path inside a writable root that the helper mounts
// over itself. Read-only ones stay unwritable although their root is
// writable. The others pin a directory in place: a mount point cannot be
// renamed or removed, so `mv .git elsewhere && mkdir .git` cannot swap in a
// directory with hooks of the command's choosing.
type protectedMount struct {
	Path     string `json:"path"`
	ReadOnly bool   `json:"read_only"`
}

// protection is what keeps a workspace's own decisions, warden's, and the
// code git runs out of a command's reach: the mounts, and what the runner
// checks when the command has ended, which no mount can guard.
type protection struct {
	Mounts []protectedMount
	// Absent must not exist after the command.
	Absent []absentPath
	// Links must still point where they did.
	Links []guardedLink
	// Modules are git directories whose submodule git directories must
	// not grow in number.
	Modules []moduleWatch
	// GitDirs are checked for a rebase left to run commands.
	GitDirs []string
}

// absentPath must not exist when a command ends; if it does, the runner
// removes it and reports why.
type absentPath struct {
	Path, Why string
}

// guardedLink is a symbolic link on the way to something git reads or runs.
type guardedLink struct {
	Path, Target string
}

// moduleWatch is a .git/modules directory and what it held: its
// submodules' git directories and the directories on the way to them.
type moduleWatch struct {
	Dir   string
	Known []string
}

// protectIn is what protectedPaths works from.
type protectIn struct {
	// roots are the writable mounts; repos the directories whose own .git
	// and .warden are protected (each root, and roots nested in others).
	roots, repos []string
	// gitConfigs are the user's global and the system git config files;
	// environ holds git's GIT_CONFIG_* settings; home is what ~/ means.
	gitConfigs []string
	environ    []string
	home       string
	// own are warden's own directories and files.
	own []string
	// nested are the .git entries the user has inside the roots (see
	// repos.go).
	nested []string
}

// protectedPaths finds what must stay as it is inside the writable roots
// (see docs/sandbox.md): .warden, and what makes git run code outside the
// sandbox the next time the user runs it: .git/config, .git/hooks,
// commondir, config.worktree, what config includes or names as the hooks
// directory, worktrees' and submodules' git directories and the .git files
// that point to them; plus what the user's own git config names, and
// warden's own files where a root holds them.
func protectedPaths(in protectIn) (protection, error) {
	p := protector{roots: in.roots, home: in.home, seen: map[string]bool{}, mounted: map[string]bool{}}
	for _, repo := range in.repos {
		if err := p.root(repo); err != nil {
			return protection{}, err
		}
	}
	// The user's git config applies in every repository, a relative hooks
	// directory in each work tree.
	for _, cfg := range in.gitConfigs {
		if err := p.reference(cfg); err != nil {
			return protection{}, err
		}
		for _, repo := range in.repos {
			if err := p.config(cfg, repo, 0); err != nil {
				return protection{}, err
			}
		}
	}
	for _, repo := range in.repos {
		includes, hooks := envConfigReferences(in.environ, repo, in.home)
		for _, ref := range append(includes, hooks...) {
			if err := p.reference(ref); err != nil {
				return protection{}, err
			}
		}
		for _, inc := range includes {
			if err := p.config(inc, repo, 1); err != nil {
				return protection{}, err
			}
		}
	}
	for _, dotGit := range in.nested {
		if err := p.nested(dotGit); err != nil {
			return protection{}, err
		}
	}
	for _, path := range in.own {
		if err := p.ownPath(path); err != nil {
			return protection{}, err
		}
	}
	// Shallower first: a deeper mount goes on top of the one around it.
	slices.SortStableFunc(p.out.Mounts, func(a, b protectedMount) int {
		return strings.Count(a.Path, "/") - strings.Count(b.Path, "/")
	})
	return p.out, nil
}

// ownPath protects one of warden's own files or directories; a missing
// one is created as a directory (warden's config and state directories
// are its to make) so that it can be mounted read-only.
func (p *protector) ownPath(path string) error {
	if p.rootOf(path) == "" {
		return nil
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		root := p.rootOf(path)
		rel, _ := filepath.Rel(root, path)
		dir := root
		for _, part := range strings.Split(rel, "/") {
			dir = filepath.Join(dir, part)
			if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
				if err := createBeneath(p.roots, dir, true); err != nil {
					return fmt.Errorf("protect %s: %w", path, err)
				}
			}
		}
	}
	return p.reference(path)
}

type protector struct {
	roots   []string
	home    string
	out     protection
	seen    map[string]bool
	mounted map[string]bool
}

func (p *protector) rootOf(path string) string { return innermostRoot(path, p.roots) }

// add protects path, and pins every directory between its writable root
// and it: moving one of those would carry the protected path away and let
// a command put another in its place.
func (p *protector) add(path string, readOnly bool) {
	if p.rootOf(path) == "" || p.mounted[path] {
		return // outside, everything is read-only already
	}
	p.mounted[path] = true
	p.out.Mounts = append(p.out.Mounts, protectedMount{Path: path, ReadOnly: readOnly})
	p.pinAncestors(path)
}

func (p *protector) pinAncestors(path string) {
	root := p.rootOf(path)
	for dir := filepath.Dir(path); dir != root && within(dir, root) && !p.mounted[dir]; dir = filepath.Dir(dir) {
		p.mounted[dir] = true
		p.out.Mounts = append(p.out.Mounts, protectedMount{Path: dir})
	}
}

// absent keeps path from appearing: its first missing component is
// removed after the command if it is there then (whatever it is: a file, a
// directory, a link that would lead elsewhere), and the directories above
// it are pinned so that they stay the ones checked.
func (p *protector) absent(path, why string) {
	path = filepath.Clean(path)
	if p.rootOf(path) == "" {
		return
	}
	missing := path
	for dir := filepath.Dir(path); p.rootOf(dir) != ""; dir = filepath.Dir(dir) {
		if _, err := os.Lstat(dir); err == nil {
			break
		}
		missing = dir
	}
	if p.rootOf(missing) == missing {
		return
	}
	p.pinAncestors(missing)
	p.out.Absent = append(p.out.Absent, absentPath{Path: missing, Why: why})
}

// maxLinks bounds the links followed on the way to one path.
const maxLinks = 40

// reference protects what git (or warden) will reach at path: each
// symbolic link on the way that lies in a writable root is pinned in place
// and restored if a command changes it, and what the path leads to is made
// read-only if it exists, or kept from appearing if it does not.
func (p *protector) reference(path string) error {
	path = filepath.Clean(path)
	cur := "/"
	rest := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for hops := 0; len(rest) > 0; {
		part := rest[0]
		rest = rest[1:]
		if part == "" || part == "." {
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			p.absent(filepath.Join(append([]string{next}, rest...)...),
				"protected: git or warden would read or run what a command puts there")
			return nil
		case err != nil:
			return nil // unreachable for the user: for commands too
		case fi.Mode()&fs.ModeSymlink != 0:
			if hops++; hops > maxLinks {
				return nil
			}
			target, err := os.Readlink(next)
			if err != nil {
				return nil
			}
			if p.rootOf(next) != "" && !slices.Contains(p.out.Links, guardedLink{next, target}) {
				p.pinAncestors(next)
				p.out.Links = append(p.out.Links, guardedLink{next, target})
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(cur, target)
			}
			rest = append(strings.Split(strings.TrimPrefix(filepath.Clean(target), "/"), "/"), rest...)
			cur = "/"
		default:
			cur = next
		}
	}
	return p.readOnlyTree(cur)
}

// readOnlyTree protects path read-only, and closes the other ways to what
// is in it: hard links from elsewhere (the file gets an inode of its own)
// and symbolic links into the writable roots (followed as references).
func (p *protector) readOnlyTree(path string) error {
	if p.rootOf(path) == "" || p.seen[path] {
		return nil
	}
	p.seen[path] = true
	err := filepath.WalkDir(path, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if target, err := os.Readlink(q); err == nil {
				if !filepath.IsAbs(target) {
					target = filepath.Join(filepath.Dir(q), target)
				}
				return p.reference(target)
			}
		case d.Type().IsRegular():
			return unshareInodeBeneath(p.roots, q)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("protect %s: %w", path, err)
	}
	p.add(path, true)
	return nil
}

// ensure creates a missing config file or hooks directory (empty, as git
// would) so it can be mounted read-only, then protects it.
func (p *protector) ensure(path string, dir bool) error {
	if p.rootOf(path) == "" {
		return nil
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if err := createBeneath(p.roots, path, dir); err != nil {
			return fmt.Errorf("protect %s: %w", path, err)
		}
	} else if err != nil {
		return fmt.Errorf("protect %s: %w", path, err)
	}
	return p.readOnlyTree(path)
}

// isGitDir reports whether dir has the layout git takes for a git directory
// (a bare repository): HEAD (a file, or a link, dangling or not), objects/
// and refs/.
func isGitDir(dir string) bool {
	if _, err := os.Lstat(filepath.Join(dir, "HEAD")); err != nil {
		return false
	}
	for _, name := range []string{"objects", "refs"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || !fi.IsDir() {
			return false
		}
	}
	return true
}

// enclosingRepo is the nearest directory at or above dir holding a .git,
// "" if none.
func enclosingRepo(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readGitFile returns the directory a .git file names ("gitdir: PATH"),
// absolute, or "".
func readGitFile(path string) string {
	dir, ok := strings.CutPrefix(readFileLine(path), "gitdir:")
	if !ok {
		return ""
	}
	dir = strings.TrimSpace(dir)
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(path), dir)
	}
	return dir
}

// readFileLine is the first line of a regular file, trimmed; "" for
// anything else (a FIFO planted there must not block the runner).
func readFileLine(path string) string {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 64<<10))
	if !sc.Scan() {
		return ""
	}
	return strings.TrimSpace(sc.Text())
}
