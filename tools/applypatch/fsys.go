package applypatch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fsys is the file access Plan and Commit need. With Confine it is an
// *os.Root, so the kernel-level openat walk refuses every "..", absolute
// path or symlink that leads outside Dir; without, it is plain os calls on
// absolute paths and the caller is responsible for confinement.
type fsys interface {
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	Readlink(name string) (string, error)
	OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	Rename(oldname, newname string) error
	Remove(name string) error
	Mkdir(name string, perm fs.FileMode) error
	Symlink(oldname, newname string) error
	Close() error
}

var _ fsys = (*os.Root)(nil)

type osFS struct{}

func (osFS) Lstat(name string) (fs.FileInfo, error) { return os.Lstat(name) }
func (osFS) Stat(name string) (fs.FileInfo, error)  { return os.Stat(name) }
func (osFS) Readlink(name string) (string, error)   { return os.Readlink(name) }
func (osFS) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
func (osFS) Rename(oldname, newname string) error      { return os.Rename(oldname, newname) }
func (osFS) Remove(name string) error                  { return os.Remove(name) }
func (osFS) Mkdir(name string, perm fs.FileMode) error { return os.Mkdir(name, perm) }
func (osFS) Symlink(oldname, newname string) error     { return os.Symlink(oldname, newname) }
func (osFS) Close() error                              { return nil }

func openFS(opts Options) (fsys, error) {
	if !filepath.IsAbs(opts.Dir) {
		return nil, fmt.Errorf("applypatch: Options.Dir must be an absolute path, got %q", opts.Dir)
	}
	if !opts.Confine {
		return osFS{}, nil
	}
	root, err := os.OpenRoot(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("applypatch: opening workspace: %w", err)
	}
	return root, nil
}

// errOutside marks paths refused because they lead outside Dir.
var errOutside = errors.New("outside the workspace")

// isEscape recognises os.Root's refusal to follow a path out of the root.
// The sentinel is unexported, so the message is all there is to go on.
func isEscape(err error) bool {
	return err != nil && strings.Contains(err.Error(), "path escapes from parent")
}

// names maps patch paths to the names fsys takes: relative to Dir with
// Confine, absolute without.
type names struct {
	dir     string
	confine bool
	// realDir is dir with its symlinks resolved, which relative link
	// targets are compared against.
	realDir string
}

func newNames(dir string, confine bool) names {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		real = dir
	}
	return names{dir: dir, confine: confine, realDir: real}
}

// abs is the absolute path of a name.
func (n names) abs(name string) string {
	if n.confine {
		return filepath.Join(n.dir, name)
	}
	return name
}

// name resolves a path as written. It refuses, with Confine, anything that
// lexically leaves Dir; symlinks are checked as they are met.
func (n names) name(path string) (name, abs string, err error) {
	if strings.ContainsRune(path, 0) {
		return "", "", errors.New("path contains a NUL byte")
	}
	abs = path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(n.dir, path)
	}
	abs = filepath.Clean(abs)
	if !n.confine {
		return abs, abs, nil
	}
	rel, err := filepath.Rel(n.dir, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return "", abs, errOutside
	}
	return rel, abs, nil
}

// link resolves a symlink's target, read at name, to a name.
func (n names) link(name, target string) (string, error) {
	if filepath.IsAbs(target) {
		if !n.confine {
			return filepath.Clean(target), nil
		}
		rel, err := filepath.Rel(n.dir, target)
		if err != nil || !filepath.IsLocal(rel) {
			return "", errOutside
		}
		return rel, nil
	}
	// A relative target starts from where the link really is: its
	// directory with the symlinks on the way resolved, as the kernel
	// does. Joined to the path as written, "d/l -> ../x" with d a link to
	// a/b would name x beside d rather than a/x, and the checks made on
	// the real path would be about another file than the one written.
	dir := n.abs(filepath.Dir(name))
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	next := filepath.Join(dir, target)
	if !n.confine {
		return next, nil
	}
	for _, base := range []string{n.realDir, n.dir} {
		if rel, err := filepath.Rel(base, next); err == nil && filepath.IsLocal(rel) {
			return rel, nil
		}
	}
	return "", errOutside
}

// parent returns the directory holding name, "" when name is at the top of
// the workspace or the file system.
func (n names) parent(name string) string {
	d := filepath.Dir(name)
	if d == name || d == "." {
		return ""
	}
	return d
}
