package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// root protects a workspace or writable root's own .warden and repository.
func (p *protector) root(root string) error {
	warden := filepath.Join(root, ".warden")
	fi, err := os.Lstat(warden)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := p.ensure(warden, true); err != nil {
			return err
		}
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
			// git takes a directory with a HEAD (and objects and refs,
			// here or where a commondir says) for a repository.
			for _, name := range []string{".git", "HEAD", "commondir"} {
				p.absent(filepath.Join(root, name), why)
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
		if err := p.readOnlyTree(dotGit); err != nil { // rewriting "gitdir:" would swap in another git directory
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil // a FIFO or device: not a git file, and not to be read
		}
		if gitDir := readGitFile(dotGit); gitDir != "" {
			return p.gitDir(gitDir, root)
		}
		return nil
	}
}

// gitDir protects a git directory (whose work tree, for relative
// core.hooksPath, is workTree).
func (p *protector) gitDir(dir, workTree string) error {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil || p.seen["gitdir:"+dir] {
		return nil
	}
	p.seen["gitdir:"+dir] = true
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil
	}
	var links []string
	for _, name := range []string{"config", "hooks", "commondir", "config.worktree"} {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			links = append(links, filepath.Join(dir, name))
		}
	}
	if len(links) > 0 {
		p.add(dir, true) // a link inside could be replaced: keep it all
		// What a link leads to is what git reads or runs (`.git/hooks ->
		// ../.githooks` shares hooks): protected wherever it is, and kept
		// from appearing where it is not.
		for _, l := range links {
			if err := p.reference(l); err != nil {
				return err
			}
		}
		return p.related(dir, workTree)
	}
	p.add(dir, false)
	config := filepath.Join(dir, "config")
	if err := p.ensure(config, false); err != nil {
		return err
	}
	if err := p.ensure(filepath.Join(dir, "hooks"), true); err != nil {
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
		} else if !worktreeConfig(config) {
			p.absent(path, configWorktreeWhy)
		}
	}
	if worktreeConfig(config) {
		if err := p.ensure(filepath.Join(dir, "config.worktree"), false); err != nil {
			return err
		}
	}
	// A submodule's git directory names its work tree; the .git file there
	// points back, and rewritten would point git at another directory.
	if wt := configValueOf(config, "core", "worktree"); wt != "" {
		if err := p.gitFile(filepath.Join(resolveConfigPath(wt, dir, p.home), ".git")); err != nil {
			return err
		}
	}
	if p.rootOf(dir) != "" {
		p.out.GitDirs = append(p.out.GitDirs, dir)
	}
	return p.related(dir, workTree)
}

// configWorktreeWhy: git reads config.worktree as soon as
// extensions.worktreeConfig is on, which `git sparse-checkout` turns on, so a
// planted one would take effect later, outside the sandbox.
const configWorktreeWhy = "protected: git would read a config.worktree file as config (once extensions.worktreeConfig is on, as git sparse-checkout sets it)"

// related protects what a git directory's files point at: its common
// directory, what its config includes or names as the hooks directory, its
// worktrees' and submodules' git directories.
func (p *protector) related(dir, workTree string) error {
	if c := readFileLine(filepath.Join(dir, "commondir")); c != "" {
		if err := p.gitDir(resolveConfigPath(c, dir, p.home), workTree); err != nil {
			return err
		}
	}
	config := filepath.Join(dir, "config")
	if err := p.config(config, workTree, 0); err != nil {
		return err
	}
	perWorktree := worktreeConfig(config)
	if entries, err := os.ReadDir(filepath.Join(dir, "worktrees")); err == nil {
		for _, e := range entries {
			wt := filepath.Join(dir, "worktrees", e.Name())
			if !e.IsDir() {
				continue
			}
			if perWorktree {
				if err := p.ensure(filepath.Join(wt, "config.worktree"), false); err != nil {
					return err
				}
			}
			for _, name := range []string{"commondir", "config.worktree"} {
				if _, err := os.Lstat(filepath.Join(wt, name)); err == nil {
					if err := p.readOnlyTree(filepath.Join(wt, name)); err != nil {
						return err
					}
				} else if name == "config.worktree" {
					p.absent(filepath.Join(wt, name), configWorktreeWhy)
				}
			}
			// The worktree's .git file, which points back here, and the
			// file that says where it is (rewritten, the next command would
			// protect another).
			if back := readFileLine(filepath.Join(wt, "gitdir")); back != "" {
				if err := p.gitFile(resolveConfigPath(back, wt, p.home)); err != nil {
					return err
				}
			}
			if _, err := os.Lstat(filepath.Join(wt, "gitdir")); err == nil {
				if err := p.readOnlyTree(filepath.Join(wt, "gitdir")); err != nil {
					return err
				}
			}
			if p.rootOf(wt) != "" {
				p.out.GitDirs = append(p.out.GitDirs, wt)
			}
		}
	}
	modules := filepath.Join(dir, "modules")
	if err := p.modules(modules, workTree); err != nil {
		return err
	}
	if _, err := os.Lstat(modules); err == nil {
		p.out.Modules = append(p.out.Modules, moduleWatch{Dir: modules, Known: moduleEntries(modules)})
	} else {
		p.absent(modules, newModuleWhy)
	}
	return nil
}

const newModuleWhy = "protected: git would use a submodule's git directory made by a command, hooks and all, the next time the submodule is set up"

// maxIncludes bounds how deep config files' includes are followed; git's
// own limit is 10.
const maxIncludes = 10

// config protects what a git config file makes git read or run: the files
// it includes (and what those include, and so on) and the hooks directory
// it names.
func (p *protector) config(file, workTree string, depth int) error {
	if depth > maxIncludes || p.seen["config:"+file+"\x00"+workTree] {
		return nil
	}
	p.seen["config:"+file+"\x00"+workTree] = true
	includes, hooks := configReferences(file, filepath.Dir(file), workTree, p.home)
	for _, ref := range append(includes, hooks...) {
		if err := p.reference(ref); err != nil {
			return err
		}
	}
	for _, inc := range includes {
		if real, err := filepath.EvalSymlinks(inc); err == nil {
			if err := p.config(real, workTree, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// gitFile protects a .git file of a worktree or submodule: rewritten, it
// would point git at another git directory. Its path comes from a file a
// command may have written, so it is followed as a reference, links and
// all, never trusted as it reads.
func (p *protector) gitFile(path string) error {
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		return nil
	}
	return p.reference(path)
}

// modules walks .git/modules, where submodules (and theirs, nested) keep
// their git directories, and protects each.
func (p *protector) modules(dir, workTree string) error {
	for _, sub := range moduleEntries(dir) {
		if fi, err := os.Lstat(sub); err == nil && fi.IsDir() && hasHEAD(sub) {
			if err := p.gitDir(sub, workTree); err != nil {
				return err
			}
		}
	}
	return nil
}

// moduleEntries lists what a .git/modules directory holds on the way to its
// submodules' git directories: directories of names (a submodule named a/b
// has its git directory in a/b), the git directories, and anything else
// found there (a link, a file), which git might take for one.
func moduleEntries(dir string) []string {
	var found []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		sub := filepath.Join(dir, e.Name())
		found = append(found, sub)
		if e.IsDir() && !hasHEAD(sub) {
			found = append(found, moduleEntries(sub)...)
		}
	}
	return found
}

func hasHEAD(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, "HEAD"))
	return err == nil
}
