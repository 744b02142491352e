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

// protection is what keeps a workspace's own decisions and the code git
// runs out of a command's reach: the mounts, and the paths that must not
// exist after the command (which a mount cannot stop being created).
type protection struct {
	Mounts []protectedMount
	Absent []absentPath
}

// absentPath must not exist when a command ends; if it does, the runner
// removes it and reports why. With GitDir set, only while GitDir is a git
// directory (a bare repository's layout), which Path's removal undoes.
type absentPath struct {
	Path, Why string
	GitDir    string
}

// protectedPaths finds what must stay read-only inside the writable roots:
// .warden (warden's own decisions), and what makes git run code outside the
// sandbox the next time the user runs it: .git/config and .git/hooks, the
// files config includes, a core.hooksPath directory, config.worktree, and
// commondir, which points git at another git directory's config and hooks.
// For a .git file (worktrees, submodules), the same in the git directory it
// names; worktrees' and submodules' git directories are covered too.
//
// A missing .warden, .git/hooks or config is created empty, because only an
// existing path can be mounted over; git ignores empty directories, so this
// changes nothing the user sees in git status. A missing commondir cannot
// be created (it would change what git does), so it is listed as Absent.
// Protected files hard-linked elsewhere get an inode of their own, and
// symbolic links inside protected directories have their targets protected
// too: either would otherwise leave a writable way to the same file. A
// protected path that is itself a symbolic link cannot be pinned, so it is
// refused, or for .git's children the whole git directory is made read-only.
//
// roots are the writable mounts; repos the directories whose own .git and
// .warden are protected (each root, and roots nested in others).
func protectedPaths(roots, repos []string) (protection, error) {
	p := protector{roots: roots, seen: map[string]bool{}, mounted: map[string]bool{}}
	for _, repo := range repos {
		if err := p.root(repo); err != nil {
			return protection{}, err
		}
	}
	// Shallower first: a deeper mount goes on top of the one around it.
	slices.SortStableFunc(p.out.Mounts, func(a, b protectedMount) int {
		return strings.Count(a.Path, "/") - strings.Count(b.Path, "/")
	})
	return p.out, nil
}

type protector struct {
	roots   []string
	out     protection
	seen    map[string]bool
	mounted map[string]bool
}

// add protects path, and pins every directory between its writable root
// and it: moving one of those would carry the protected path away and let
// a command put another in its place.
func (p *protector) add(path string, readOnly bool) {
	root := ""
	for _, r := range p.roots {
		if within(path, r) && len(r) > len(root) {
			root = r
		}
	}
	if root == "" || p.mounted[path] {
		return // outside, everything is read-only already
	}
	p.mounted[path] = true
	p.out.Mounts = append(p.out.Mounts, protectedMount{Path: path, ReadOnly: readOnly})
	for dir := filepath.Dir(path); dir != root && within(dir, root) && !p.mounted[dir]; dir = filepath.Dir(dir) {
		p.mounted[dir] = true
		p.out.Mounts = append(p.out.Mounts, protectedMount{Path: dir})
	}
}

func (p *protector) absent(path, why string) {
	if withinAny(path, p.roots) {
		p.out.Absent = append(p.out.Absent, absentPath{Path: path, Why: why})
	}
}

func (p *protector) root(root string) error {
	warden := filepath.Join(root, ".warden")
	fi, err := os.Lstat(warden)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(warden, 0o755); err != nil {
			return fmt.Errorf("protect %s: %w", warden, err)
		}
		p.add(warden, true)
	case err != nil:
		return fmt.Errorf("protect %s: %w", warden, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: the sandbox cannot keep it read-only; replace it with a directory", warden)
	default:
		if err := p.readOnlyTree(warden); err != nil {
			return err
		}
	}

	dotGit := filepath.Join(root, ".git")
	fi, err = os.Lstat(dotGit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Not a repository, or one the command may create itself. But
		// inside a repository's subdirectory, a new .git, or the layout of
		// a bare repository, would take git in here over from the
		// repository the user has.
		if above := enclosingRepo(filepath.Dir(root)); above != "" {
			why := "protected: a new repository here would take git over from " + above
			p.absent(dotGit, why)
			if !isGitDir(root) {
				p.out.Absent = append(p.out.Absent, absentPath{Path: filepath.Join(root, "HEAD"), Why: why, GitDir: root})
			}
		}
		return nil
	case err != nil:
		return fmt.Errorf("protect %s: %w", dotGit, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: the sandbox cannot keep its hooks read-only; replace it with the directory it points to", dotGit)
	case fi.IsDir():
		if _, err := os.Lstat(filepath.Join(dotGit, "commondir")); err == nil {
			return fmt.Errorf("%s/commondir exists: git would read config and hooks from the directory it names (a repository's own .git never has one); remove it", dotGit)
		}
		return p.gitDir(dotGit, root)
	default:
		p.add(dotGit, true) // rewriting "gitdir:" would swap in another git directory
		if !fi.Mode().IsRegular() {
			return nil // a FIFO or device: not a git file, and not to be read
		}
		gitDir := readGitFile(dotGit)
		if gitDir == "" {
			return nil
		}
		return p.gitDir(gitDir, root)
	}
}

// gitDir protects a git directory (whose work tree, for relative
// core.hooksPath, is workTree).
func (p *protector) gitDir(dir, workTree string) error {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil || p.seen[dir] {
		return nil
	}
	p.seen[dir] = true
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	inRoots := withinAny(dir, p.roots)
	for _, name := range []string{"config", "hooks", "commondir", "config.worktree"} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			p.add(dir, true) // a link inside could be replaced: keep it all
			return p.related(dir, workTree)
		}
	}
	p.add(dir, false)
	config := filepath.Join(dir, "config")
	if err := p.ensure(config, false, inRoots); err != nil {
		return err
	}
	// A submodule's git directory names its work tree; the .git file there
	// points back, and rewritten would point git at another directory.
	if wt := configValueOf(config, "core", "worktree"); wt != "" {
		if err := p.gitFile(filepath.Join(resolveConfigPath(wt, dir), ".git")); err != nil {
			return err
		}
	}
	if err := p.ensure(filepath.Join(dir, "hooks"), true, inRoots); err != nil {
		return err
	}
	for _, name := range []string{"config.worktree", "commondir"} {
		path := filepath.Join(dir, name)
		if _, err := os.Lstat(path); err == nil {
			if err := p.readOnlyTree(path); err != nil {
				return err
			}
		} else if name == "commondir" {
			p.absent(path, "protected: a commondir file would make git read config and hooks from another directory")
		}
	}
	if worktreeConfig(config) {
		if err := p.ensure(filepath.Join(dir, "config.worktree"), false, inRoots); err != nil {
			return err
		}
	}
	return p.related(dir, workTree)
}

// related protects what a git directory's files point at: its common
// directory, what its config includes or names as the hooks directory,
// its worktrees' and submodules' git directories.
func (p *protector) related(dir, workTree string) error {
	if c := readFileLine(filepath.Join(dir, "commondir")); c != "" {
		if !filepath.IsAbs(c) {
			c = filepath.Join(dir, c)
		}
		if err := p.gitDir(c, workTree); err != nil {
			return err
		}
	}
	config := filepath.Join(dir, "config")
	for _, ref := range configReferences(config, dir, workTree) {
		real, err := filepath.EvalSymlinks(ref)
		switch {
		case err == nil && withinAny(real, p.roots):
			if err := p.readOnlyTree(real); err != nil {
				return err
			}
		case errors.Is(err, fs.ErrNotExist):
			p.absent(ref, "protected: git's config names this file or directory, so git would read or run what a command puts there")
		}
	}
	perWorktree := worktreeConfig(config)
	if entries, err := os.ReadDir(filepath.Join(dir, "worktrees")); err == nil {
		for _, e := range entries {
			wt := filepath.Join(dir, "worktrees", e.Name())
			if perWorktree {
				if err := p.ensure(filepath.Join(wt, "config.worktree"), false, withinAny(wt, p.roots)); err != nil {
					return err
				}
			}
			for _, name := range []string{"commondir", "config.worktree"} {
				if _, err := os.Lstat(filepath.Join(wt, name)); err == nil {
					if err := p.readOnlyTree(filepath.Join(wt, name)); err != nil {
						return err
					}
				}
			}
			// The worktree's .git file, which points back here.
			if back := readFileLine(filepath.Join(wt, "gitdir")); back != "" {
				if err := p.gitFile(resolveConfigPath(back, wt)); err != nil {
					return err
				}
			}
		}
	}
	return p.modules(filepath.Join(dir, "modules"), workTree)
}

// gitFile protects a .git file of a worktree or submodule: rewritten, it
// would point git at another git directory.
func (p *protector) gitFile(path string) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.IsDir() || fi.Mode()&fs.ModeSymlink != 0 {
		return nil
	}
	return p.readOnlyTree(path)
}

// modules walks .git/modules, where submodules (and theirs, nested) keep
// their git directories.
func (p *protector) modules(dir, workTree string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(sub, "HEAD")); err == nil {
			if err := p.gitDir(sub, workTree); err != nil {
				return err
			}
		} else if err := p.modules(sub, workTree); err != nil { // a module named a/b
			return err
		}
	}
	return nil
}

// ensure creates a missing config file or hooks directory (empty, as git
// would) so it can be mounted read-only, then protects it.
func (p *protector) ensure(path string, dir, inRoots bool) error {
	if !inRoots {
		return nil
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if dir {
			err = os.Mkdir(path, 0o755)
		} else {
			err = os.WriteFile(path, nil, 0o644)
		}
		if err != nil {
			return fmt.Errorf("protect %s: %w", path, err)
		}
	} else if err != nil {
		return fmt.Errorf("protect %s: %w", path, err)
	}
	return p.readOnlyTree(path)
}

// readOnlyTree protects path read-only, and closes the other ways to what
// is in it: hard links from elsewhere (the file gets an inode of its own)
// and symbolic links into the writable roots (their targets are protected
// too).
func (p *protector) readOnlyTree(path string) error {
	if !withinAny(path, p.roots) {
		return nil
	}
	err := filepath.WalkDir(path, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			if target, err := filepath.EvalSymlinks(q); err == nil && withinAny(target, p.roots) && !p.seen[target] {
				p.seen[target] = true
				return p.readOnlyTree(target)
			}
		case d.Type().IsRegular():
			return unshareInode(q)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("protect %s: %w", path, err)
	}
	p.add(path, true)
	return nil
}

// unshareInode gives a regular file hard-linked elsewhere an inode of its
// own, with the same content and mode, so that the other name cannot be
// used to write it.
func unshareInode(path string) error {
	fi, err := os.Lstat(path)
	if err != nil || linkCount(fi) <= 1 {
		return nil
	}
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), ".warden-unlink-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, src)
	if err == nil {
		err = tmp.Chmod(fi.Mode().Perm())
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// isGitDir reports whether dir has the layout git takes for a git directory
// (a bare repository): HEAD, objects/ and refs/.
func isGitDir(dir string) bool {
	for _, name := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
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
