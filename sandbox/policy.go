package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Mode is how much a command may change.
type Mode string

// The modes. Their names are the config file's sandbox_mode values.
const (
	// ReadOnly: read anything, write nothing (but /dev/null and the like).
	ReadOnly Mode = "read-only"
	// WorkspaceWrite: also write under the workspace, the extra writable
	// roots, a private temporary directory and a cache directory.
	WorkspaceWrite Mode = "workspace-write"
	// FullAccess: no sandbox at all.
	FullAccess Mode = "full-access"
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ReadOnly, WorkspaceWrite, FullAccess:
		return m, nil
	}
	return "", fmt.Errorf("sandbox mode must be %s, %s or %s, got %q", ReadOnly, WorkspaceWrite, FullAccess, s)
}

// Policy is what a session's commands may do.
type Policy struct {
	Mode Mode
	// Network lets commands reach the network. Full access always has it.
	Network bool
	// Workspace is the session's working directory: the default directory
	// of commands, and writable under WorkspaceWrite.
	Workspace string
	// WritableRoots are further directories writable under WorkspaceWrite.
	WritableRoots []string
}

// NetworkAllowed reports whether commands can reach the network.
func (p Policy) NetworkAllowed() bool { return p.Mode == FullAccess || p.Network }

// resolved is a Policy with every path absolute and free of symlinks, which
// Landlock rules and mounts need, and the comparisons below rely on.
type resolved struct {
	Policy
	workspace string
	// roots are the writable directories mounted read-write: the
	// workspace and the user's writable roots, less those inside another;
	// empty unless the mode is WorkspaceWrite.
	roots []string
	// repos are every directory whose own .git and .warden are protected:
	// the workspace and each writable root, nested ones too.
	repos []string
}

func resolvePolicy(p Policy) (resolved, error) {
	if _, err := ParseMode(string(p.Mode)); err != nil {
		return resolved{}, err
	}
	if p.Workspace == "" {
		return resolved{}, errors.New("sandbox policy: no workspace directory")
	}
	ws, err := realDir(p.Workspace)
	if err != nil {
		return resolved{}, fmt.Errorf("sandbox workspace: %w", err)
	}
	r := resolved{Policy: p, workspace: ws}
	if p.Mode != WorkspaceWrite {
		return r, nil
	}
	all := []string{ws}
	for _, root := range p.WritableRoots {
		dir, err := realDir(root)
		if err != nil {
			return resolved{}, fmt.Errorf("sandbox writable root: %w", err)
		}
		all = append(all, dir)
	}
	// A root reached through a symbolic link that a command can replace
	// would be wherever the command chose by the next session.
	for _, root := range append([]string{p.Workspace}, p.WritableRoots...) {
		if link := swappableLink(root, all); link != "" {
			return resolved{}, fmt.Errorf("sandbox writable root %s: it is reached through the symbolic link %s, which commands can replace; give its real path", root, link)
		}
	}
	for _, dir := range all {
		if !slices.Contains(r.repos, dir) {
			r.repos = append(r.repos, dir)
		}
	}
	// A root inside another adds nothing, and its own parent directories
	// could be swapped for links by the next session: keep the outermost.
	for _, dir := range all {
		nested := slices.ContainsFunc(all, func(o string) bool { return o != dir && within(dir, o) })
		if !nested && !slices.Contains(r.roots, dir) {
			r.roots = append(r.roots, dir)
		}
	}
	return r, nil
}

// swappableLink is the first symbolic link on the way to path that lies
// inside one of roots, "" if none.
func swappableLink(path string, roots []string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	cur := "/"
	for _, part := range strings.Split(strings.TrimPrefix(abs, "/"), "/") {
		if part == "" {
			continue
		}
		next := filepath.Join(cur, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return ""
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			if withinAny(cur, roots) {
				return next
			}
			if next, err = filepath.EvalSymlinks(next); err != nil {
				return ""
			}
		}
		cur = next
	}
	return ""
}

// realDir makes dir absolute and resolves its symlinks; it must be a
// directory.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, unwrapPathError(err))
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, unwrapPathError(err))
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	return real, nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// within reports whether path is dir or inside it. Both must be clean and
// absolute.
func within(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// innermostRoot is the deepest of roots that holds path, "" if none.
func innermostRoot(path string, roots []string) string {
	root := ""
	for _, r := range roots {
		if within(path, r) && len(r) > len(root) {
			root = r
		}
	}
	return root
}

// withinAny reports whether path is inside one of dirs.
func withinAny(path string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool { return within(path, d) })
}
