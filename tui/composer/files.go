package composer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"
	"warden/harness/workspace"
)

// listTimeout bounds ListFiles: @ completion is a convenience, and a huge
// tree must not keep a goroutine (or git) busy for long.
const listTimeout = 5 * time.Second

// skippedDirs are directories a walk outside git does not enter: other
// people's code, caches, and environments nobody means by "@".
var skippedDirs = map[string]bool{
	"node_modules":     true,
	"vendor":           true,
	"bower_components": true,
	"__pycache__":      true,
	"venv":             true,
	"site-packages":    true,
}

// ListFiles lists the files under root for @ completion, as sorted,
// slash-separated paths relative to root, at most limit of them (no limit
// when limit <= 0). In a git work tree it asks git, so .gitignore is
// respected and untracked files are included; elsewhere it walks the tree,
// skipping hidden directories and dependency directories like
// node_modules. Paths that are not printable are left out. It does I/O: the root runs it in a tea.Cmd.
func ListFiles(root string, limit int) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	defer cancel()
	paths, err := gitFiles(ctx, root)
	if errors.Is(err, errNotGit) {
		paths, err = walkFiles(ctx, root, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("list files in %s: %w", root, err)
	}
	slices.Sort(paths)
	paths = slices.Compact(paths) // git lists a conflicted file once per stage
	if limit > 0 && len(paths) > limit {
		paths = paths[:limit]
	}
	return paths, nil
}

// errNotGit means git cannot list root (not a work tree, or no git), so
// the tree is walked instead.
var errNotGit = errors.New("not a git work tree")

// gitFiles lists the files of the git work tree holding root that no
// .gitignore leaves out, under root. Git runs on a private, empty
// repository with the work tree pointed at the project: never with the
// repository's own .git/config, which whoever wrote the repository controls
// and which can name programs git runs (core.fsmonitor on every listing of
// untracked files, through include.path too), outside any sandbox.
func gitFiles(ctx context.Context, root string) ([]string, error) {
	top := workTreeTop(root)
	if top == "" {
		return nil, errNotGit
	}
	rel, err := filepath.Rel(top, root)
	if err != nil {
		return nil, errNotGit
	}
	private, err := os.MkdirTemp("", "warden-files-")
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	defer os.RemoveAll(private)
	git := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{
			"-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotepath=false",
		}, args...)...)
		cmd.Env = workspace.HermeticEnv()
		cmd.Dir = top
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		return cmd.Output()
	}
	if _, err := git("init", "-q", "--bare", private); err != nil {
		return nil, errNotGit
	}
	// Exclusions the user keeps in the repository's info/exclude apply too:
	// they are patterns, not settings.
	if data, err := readExclude(filepath.Join(top, ".git", "info", "exclude")); err == nil {
		_ = os.MkdirAll(filepath.Join(private, "info"), 0o700)
		_ = os.WriteFile(filepath.Join(private, "info", "exclude"), data, 0o600)
	}
	args := []string{"--git-dir=" + private, "--work-tree=" + top, "ls-files", "--others", "--exclude-standard", "-z"}
	if rel != "." {
		args = append(args, "--", ":(literal)"+filepath.ToSlash(rel))
	}
	out, err := git(args...)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("git ls-files: %w", ctx.Err())
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.Is(err, exec.ErrNotFound) || errors.As(err, &exitErr) {
			return nil, errNotGit
		}
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	var paths []string
	for p := range strings.SplitSeq(string(out), "\x00") {
		// "dir/" is a nested repository, not a file.
		if p == "" || strings.HasSuffix(p, "/") || !printable(p) {
			continue
		}
		if rel != "." {
			p = strings.TrimPrefix(p, filepath.ToSlash(rel)+"/")
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// workTreeTop is the nearest directory from dir up holding a .git entry,
// "" when there is none.
func workTreeTop(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// walkFiles walks root, stopping at limit files; directories it cannot
// read are skipped rather than failing the whole list.
func walkFiles(ctx context.Context, root string, limit int) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == root {
				return err
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || skippedDirs[d.Name()] || !printable(d.Name())) {
				return fs.SkipDir
			}
			return nil
		}
		if !printable(d.Name()) {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		paths = append(paths, filepath.ToSlash(rel))
		if limit > 0 && len(paths) >= limit {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk: %w", err)
	}
	return paths, nil
}

// printable reports whether s (a path, or a command's name) is valid
// UTF-8 without control characters (C0, DEL, C1). Any repository can hold
// a file named "evil\x1b]0;pwned\x07.go": shown in the completion list,
// its name would retitle the terminal's window, and nobody can type it
// anyway.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// readExclude reads the repository's info/exclude: a regular file, opened
// without blocking (a named pipe must not hang completion), at most 1 MiB.
func readExclude(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return nil, fmt.Errorf("%s is not a small regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, 1<<20))
}
