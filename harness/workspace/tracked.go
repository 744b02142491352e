package workspace

import (
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
)

// A repository can track a file its ignore rules match (`git add -f
// build/keep.o`): git compares it all the same, and so must /diff. The
// private index starts empty, so the baseline would leave it out with the
// rest of what the rules ignore. So Start reads which files the
// repository tracks, without git ever reading the repository's config:
// its index is copied (a regular file, opened without blocking, of
// bounded size) into the private directory, and listed there by `git
// ls-files` run on the private repository, which reads only the copy (an
// index holds paths and object ids, and no config; listing it needs no
// object). A linked worktree's or submodule's index is found through the
// path its .git file names. A file the index marks skip-worktree (not
// checked out: sparse checkout) is left alone, as are gitlinks (nested
// repositories are compared on their own, nested.go). An index git cannot
// read (corrupt, from a SHA-256 repository, or of a newer format) is done
// without: the files the rules do not ignore are compared anyway.
//
// The tracked files the baseline's listing left out are added to it by
// path, subject to the same bounds; once in the baseline's index, every
// Diff compares them, ignore rules or not. Those that did not exist when
// the session started are looked for by each Diff (missingTracked).

// maxIndexBytes bounds the repository index copied. One of 100,000 files
// is about 10 MB.
const maxIndexBytes = 256 << 20

// readTracked returns the files root's repository tracks and has checked
// out, by slash-separated path; nil when root is not the top of a
// repository, or its index cannot be read.
func (g *gitRepo) readTracked(ctx context.Context) []string {
	gitDir := g.repositoryDir()
	if gitDir == "" {
		return nil
	}
	dir, err := os.MkdirTemp(g.dir, "tracked-")
	if err != nil {
		return nil
	}
	defer os.RemoveAll(dir)
	index := filepath.Join(dir, "index")
	if !copyRegular(filepath.Join(gitDir, "index"), index, maxIndexBytes) {
		return nil
	}
	args := []string{"ls-files", "-z", "--stage", "-t", "--sparse"}
	out, _, err := g.exec(ctx, index, false, nil, args...)
	if err != nil {
		// A split index (core.splitIndex) keeps most entries in a shared
		// index file beside it, which git looks for next to the copy.
		m := sharedIndex.FindString(err.Error())
		if m == "" || !copyRegular(filepath.Join(gitDir, m), filepath.Join(dir, m), maxIndexBytes) {
			return nil
		}
		if out, _, err = g.exec(ctx, index, false, nil, args...); err != nil {
			return nil
		}
	}
	var paths []string
	seen := make(map[string]bool)
	for rec := range strings.SplitSeq(string(out), "\x00") {
		// "H 100644 <id> 0\tpath"; S for skip-worktree.
		head, p, ok := strings.Cut(rec, "\t")
		if !ok || !strings.HasPrefix(head, "H ") || strings.HasPrefix(head, "H 160000 ") || seen[p] || !validPath(p) {
			continue
		}
		seen[p] = true
		paths = append(paths, p)
	}
	return paths
}

var sharedIndex = regexp.MustCompile(`sharedindex\.[0-9a-f]{40,64}`)

// repositoryDir is the git directory of the repository whose top root
// is: root/.git, or the directory a .git file there names; "" if none.
func (g *gitRepo) repositoryDir() string {
	dotGit := filepath.Join(g.root, ".git")
	fi, err := os.Lstat(dotGit)
	switch {
	case err != nil:
		return ""
	case fi.IsDir():
		return dotGit
	}
	data, ok := readSmallFile(dotGit, 4<<10, false)
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	dir, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if dir = strings.TrimSpace(dir); !ok || dir == "" {
		return ""
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(g.root, dir)
	}
	return dir
}

// copyRegular copies the regular file src, of at most max bytes, to a new
// file dst, opening it without blocking or following a final symbolic
// link, and reports whether it did.
func copyRegular(src, dst string, max int64) bool {
	in, err := os.OpenFile(src, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > max {
		return false
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false
	}
	n, err := io.Copy(out, io.LimitReader(in, max+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err == nil && n <= max
}

// validPath: p is a path git would record, relative and below the root,
// and not in a .git directory. An index is only data, but a path in one
// must not lead warden to stat files elsewhere.
func validPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") {
		return false
	}
	for part := range strings.SplitSeq(p, "/") {
		if part == "" || part == "." || part == ".." || strings.EqualFold(part, ".git") {
			return false
		}
	}
	return true
}

// addTracked adds to what the baseline's listing found (entries, known
// by path) the files tracked that it left out, and returns as well those
// that do not exist now.
func (r *snapshotRun) addTracked(entries []entry, known map[string]bool, tracked []string) ([]entry, []string) {
	var missing []string
	dirs := make(map[string]bool)
	for _, p := range tracked {
		if known[p] || r.inExcluded(p) || r.inLeftOut(p) {
			continue
		}
		switch fileAt(r.g.root, p, dirs) {
		case fileThere:
			entries = append(entries, entry{path: p})
			known[p] = true
		case fileMissing:
			missing = append(missing, p)
		}
	}
	return entries, missing
}

// inLeftOut: p is in a nested repository left out.
func (r *snapshotRun) inLeftOut(p string) bool {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if r.leftOut[d+"/"] {
			return true
		}
	}
	return false
}

const (
	fileMissing = iota
	fileThere
	fileOther // a directory, or behind a symbolic link
)

// fileAt says whether there is a file (or symbolic link) at p, under
// directories alone: git records nothing beyond a symbolic link. dirs
// caches the directories found to be real ones.
func fileAt(root, p string, dirs map[string]bool) int {
	var up []string
	for d := path.Dir(p); d != "." && !dirs[d]; d = path.Dir(d) {
		up = append(up, d)
	}
	for i := len(up) - 1; i >= 0; i-- { // from the top down
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(up[i])))
		switch {
		case gone(err):
			return fileMissing
		case err != nil:
			return fileThere // not to be searched: reported unreadable
		case !fi.IsDir():
			return fileOther
		}
		dirs[up[i]] = true
	}
	fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
	switch {
	case gone(err):
		return fileMissing
	case err == nil && fi.IsDir():
		return fileOther
	}
	return fileThere
}
