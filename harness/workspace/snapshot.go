package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxSnapshotFileBytes: a file larger than this is left out of a snapshot
// rather than read and stored. Hashing a file costs a read of it and a
// compressed copy in the private directory, for a diff no one would read
// (a file that size is data, a build artifact or a disk image), and the
// work tree may hold many such files that no .gitignore mentions. Such
// files are still compared, by size, mtime and mode (bigFile), and shown
// without a diff.
const maxSnapshotFileBytes = 50 << 20

// bigFile is what is known of a file left out of a snapshot for its size.
type bigFile struct {
	size  int64
	mtime int64 // UnixNano
	mode  os.FileMode
}

// snapshot is the work tree recorded: its tree, the files left out for
// their size (by slash-separated path from the root), and the nested
// repositories left out ("dir/", sorted; see nested.go).
type snapshot struct {
	tree    string
	big     map[string]bigFile
	leftOut []string
}

// snapshotRun is one snapshot being taken.
type snapshotRun struct {
	g     *gitRepo
	index string
	// baseLeftOut: the nested repositories the baseline left out, which
	// stay out. leftOut: those this snapshot leaves out.
	baseLeftOut map[string]bool
	leftOut     map[string]bool
	nested      int // nested repositories seeded
	files       int // files to hash, and their total size
	bytes       int64
	big         map[string]bigFile
}

// snapshot records the work tree into index, which is empty or a copy of
// the baseline's, and writes its tree. base is the baseline, nil when
// taking it; rules is the file of the baseline's ignore rules (ignore.go),
// "" when taking the baseline.
//
// The files to hash are found by `git ls-files --others --modified`:
// untracked files (all of them, for an empty index) and tracked ones whose
// stat changed, with the same ignore rules `git add` uses: one walk and a
// stat of each file (and a read of one git finds "racily clean", which is
// rare). Each listed file is stat'ed once more here to find those too big
// to hash, which is cheap next to hashing. The big ones are dropped from
// the index if they were in it and kept out of `git add` by exclude
// pathspecs. Nested repositories are seeded first (nested.go).
//
// `git add --ignore-errors` adds what it can: a file that vanishes while
// it is read, or a file it may not read, is left out rather than failing
// the snapshot.
//
// For a Diff, a second pass then records what the baseline's ignore rules
// would not have left out but the rules of now do (addNewlyIgnored).
func (g *gitRepo) snapshot(ctx context.Context, index string, base *snapshot, rules string) (*snapshot, error) {
	r := &snapshotRun{g: g, index: index, baseLeftOut: map[string]bool{}, leftOut: map[string]bool{}}
	if base != nil {
		for _, p := range base.leftOut {
			r.baseLeftOut[p] = true
		}
	}
	listed, err := r.addCurrent(ctx)
	if err == nil && rules != "" {
		err = r.addNewlyIgnored(ctx, rules, listed)
	}
	if err != nil {
		return nil, g.snapshotErr(err)
	}
	out, err := g.run(ctx, index, nil, "write-tree")
	if err != nil {
		return nil, g.snapshotErr(err)
	}
	tree := strings.TrimSpace(string(out))
	if tree == "" {
		return nil, fmt.Errorf("snapshot %s: git write-tree wrote no tree", g.root)
	}
	return &snapshot{tree: tree, big: r.big, leftOut: slices.Sorted(maps.Keys(r.leftOut))}, nil
}

func (g *gitRepo) snapshotErr(err error) error {
	return fmt.Errorf("snapshot %s: %w", g.root, err)
}

// addCurrent is the first pass: `git add -A` of what the ignore rules of
// now leave in. It returns the files it listed.
func (r *snapshotRun) addCurrent(ctx context.Context) ([]string, error) {
	l, err := r.list(ctx, "--modified", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	if err := r.count(l.files); err != nil {
		return nil, err
	}
	pathspecs := []byte(".\x00")
	// Nested repositories left out stay out: as gitlinks in the index,
	// every later `git add` would run git inside them.
	for p := range r.leftOut {
		pathspecs = append(pathspecs, ":(exclude,literal)"+strings.TrimSuffix(p, "/")+"\x00"...)
	}
	if len(r.big) > 0 {
		var paths []byte
		for p := range r.big {
			paths = append(paths, p+"\x00"...)
			pathspecs = append(pathspecs, ":(exclude,literal)"+p+"\x00"...)
		}
		if _, err := r.g.run(ctx, r.index, paths, "update-index", "-z", "--force-remove", "--stdin"); err != nil {
			return nil, err
		}
	}
	// Files larger than core.bigFileThreshold are streamed into one pack
	// per run rather than written as a loose object each: on a tree of
	// 2,000 small files that is several times faster (one file written
	// instead of 2,000, and as many fewer directory entries). Only `git
	// add` gets the setting, since diff takes files past it for binary.
	_, err = r.g.run(ctx, r.index, pathspecs, "-c", "core.bigFileThreshold=1", "add", "--all", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul")
	if softAddError(err) {
		err = nil // some files could not be added; see snapshot
	}
	return l.files, err
}

// softAddError: git add --ignore-errors failed only to add some files.
func softAddError(err error) bool {
	var gerr *gitError
	return errors.As(err, &gerr) && gerr.exitCode() == 1 && !strings.Contains(gerr.stderr, "fatal:")
}

// addNewlyIgnored is the second pass of a Diff (see ignore.go): what is
// still outside the index but the baseline's ignore rules do not ignore,
// and is neither too big nor a nested repository left out, is added, by
// path, whatever the rules of now say. Usually there is nothing: the walk
// finds only what the first pass left out for its size. listed is what
// the first pass listed, which it added or could not.
func (r *snapshotRun) addNewlyIgnored(ctx context.Context, rules string, listed []string) error {
	l, err := r.list(ctx, "--exclude-from="+rules)
	if err != nil {
		return err
	}
	var files []string
	var tried map[string]bool
	for _, p := range l.files {
		if _, ok := r.big[p]; ok {
			continue
		}
		if tried == nil {
			tried = make(map[string]bool, len(listed))
			for _, q := range listed {
				tried[q] = true
			}
		}
		// A sentinel of this pass may have been one of the first pass
		// too (a nested repository all of whose files the rules of now
		// ignore), and must go again.
		if !tried[p] || l.seeded[p] {
			files = append(files, p)
		}
	}
	if err := r.count(files); err != nil {
		return err
	}
	files = slices.DeleteFunc(files, func(p string) bool { _, big := r.big[p]; return big })
	if len(files) == 0 {
		return nil
	}
	return r.forceAdd(ctx, files)
}

// forceAdd adds files to the index whatever the ignore rules say, and
// takes out of it those that do not exist (the sentinels of nested
// repositories, files deleted since they were listed). `git update-index
// --add --remove` takes each path as it is, in time linear in their
// number, where `git add -f` matches every file it walks against every
// pathspec. But it stops at the first path it cannot add (a file it may
// not read, or one replaced by a directory since it was listed), writing
// nothing; then `git add -f --ignore-errors` does it the slow way, for the
// paths that exist (a pathspec that matches nothing is an error), and the
// others are removed after.
func (r *snapshotRun) forceAdd(ctx context.Context, files []string) error {
	var paths []byte
	for _, p := range files {
		paths = append(paths, p+"\x00"...)
	}
	_, err := r.g.run(ctx, r.index, paths, "update-index", "--add", "--remove", "-z", "--stdin")
	if err == nil || ctx.Err() != nil {
		return err
	}
	var pathspecs, missing []byte
	for _, p := range files {
		if _, err := os.Lstat(filepath.Join(r.g.root, filepath.FromSlash(p))); err == nil {
			pathspecs = append(pathspecs, ":(literal)"+p+"\x00"...)
		} else {
			missing = append(missing, p+"\x00"...)
		}
	}
	if len(pathspecs) > 0 {
		_, err = r.g.run(ctx, r.index, pathspecs, "add", "--all", "--force", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul")
		if err != nil && !softAddError(err) {
			return err
		}
	}
	if len(missing) > 0 {
		_, err = r.g.run(ctx, r.index, missing, "update-index", "-z", "--force-remove", "--stdin")
		return err
	}
	return nil
}

// count adds the files listed to the snapshot's totals, setting aside
// the regular files larger than maxSnapshotFileBytes, and fails when the
// totals pass the bounds. A file that is gone was deleted.
func (r *snapshotRun) count(listed []string) error {
	for _, p := range listed {
		fi, err := os.Lstat(filepath.Join(r.g.root, filepath.FromSlash(p)))
		if err != nil {
			continue
		}
		if !fi.Mode().IsRegular() || fi.Size() <= maxSnapshotFileBytes {
			r.files++
			if fi.Mode().IsRegular() {
				r.bytes += fi.Size()
			}
			continue
		}
		if r.big == nil {
			r.big = make(map[string]bigFile)
		}
		r.big[p] = bigFile{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode()}
	}
	if r.files > r.g.maxFiles || r.bytes > r.g.maxBytes {
		return fmt.Errorf("%d files (%d MB) that no .gitignore leaves out: more than warden copies for /diff (%d files, %d MB); add what need not be compared (build output, dependencies) to .gitignore", r.files, r.bytes>>20, r.g.maxFiles, r.g.maxBytes>>20)
	}
	return nil
}
