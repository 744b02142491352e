package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"warden/harness/event"
)

// maxSnapshotFileBytes: a file larger than this is left out of a snapshot
// rather than read and stored. Hashing a file costs a read of it and a
// compressed copy in the private directory, for a diff no one would read
// (a file that size is data, a build artifact or a disk image), and the
// work tree may hold many such files that no .gitignore mentions. Such
// files are still compared, by size, mtime and mode (outsideFile), and
// shown without a diff.
const maxSnapshotFileBytes = 50 << 20

// outsideFile is what is known of a file a snapshot holds no content of:
// one too big to copy, or one warden could not read (unreadable says why:
// "permission denied"). Its stat is compared instead.
type outsideFile struct {
	size       int64
	mtime      int64 // UnixNano
	mode       os.FileMode
	unreadable string
}

// snapshot is the work tree recorded: its tree, the files it holds no
// content of (by slash-separated path from the root), the nested
// repositories left out ("dir/", sorted; see nested.go), and the notes
// Diff shows of what it could not compare.
type snapshot struct {
	tree    string
	outside map[string]outsideFile
	leftOut []string
	notes   []event.FileChange

	// What the baseline took, which every Diff builds on.
	files int   // the files it copied, and their total size: a Diff's
	bytes int64 // new files get what is left of the bounds (budget.go)
	// dirs are the directories the baseline holds files in, "" the root
	// (sorted): git reads their .gitattributes as it refreshes the index
	// (guard.go).
	dirs []string
	// excluded are the rule files git could not be let read at the start
	// (guard.go), by path; their directories stay out of every snapshot.
	excluded map[string]string
	// ruleFiles are the .gitignore and .gitattributes files it holds.
	ruleFiles map[string]bool
	// unreadableDirs are the directories git could not open.
	unreadableDirs map[string]bool
	// missingTracked are files the repository tracks that its ignore
	// rules would leave out, and that did not exist at the start
	// (tracked.go): each Diff looks for them.
	missingTracked []string
}

// snapshotRun is one snapshot being taken.
type snapshotRun struct {
	g     *gitRepo
	index string
	base  *snapshot // nil when taking the baseline
	// baseLeftOut: the nested repositories the baseline left out, which
	// stay out. leftOut: those this snapshot leaves out.
	baseLeftOut map[string]bool
	leftOut     map[string]bool
	nested      int               // nested repositories seeded
	excluded    map[string]string // rule files git must not read (guard.go)
	// unreadableDirs: directories git could not open, and why;
	// unopenedUnnamed: some whose names could not be read back.
	unreadableDirs  map[string]string
	unopenedUnnamed bool
	outside         map[string]outsideFile
	files           int // files copied, and their total size
	bytes           int64
	notes           []event.FileChange
}

// entry is a path `git ls-files` listed: tracked (in the index the
// snapshot starts from: changed or deleted) or new.
type entry struct {
	path    string
	tracked bool
}

// snapshot records the work tree into index, which is empty or a copy of
// the baseline's, and writes its tree. base is the baseline, nil when
// taking it; rules is the file of the baseline's ignore rules (ignore.go),
// "" when taking the baseline; tracked are the files the repository
// tracks (tracked.go), for the baseline.
//
// One listing finds what to record: `git ls-files --others --modified`,
// the files the index does not hold and those whose stat changed since it
// was written (a stat of each file, and a read of one git finds "racily
// clean", which is rare), with the ignore rules of the work tree for the
// baseline, and the baseline's own for a Diff (ignore.go). Each file
// listed is stat'ed once more here to find those too big to hash and
// those that cannot be read, which is cheap next to hashing; both stay out
// of the index and are compared by stat. A Diff copies the new files only
// within what is left of the bounds (budget.go). Then `git update-index`
// records exactly those paths, in time linear in their number. Nested
// repositories are seeded first (nested.go), and the rule files git must
// not read are kept from it (guard.go).
func (g *gitRepo) snapshot(ctx context.Context, index string, base *snapshot, rules string, tracked []string) (*snapshot, error) {
	r := &snapshotRun{g: g, index: index, base: base, baseLeftOut: map[string]bool{}, leftOut: map[string]bool{},
		unreadableDirs: map[string]string{}, outside: map[string]outsideFile{}}
	s, err := r.take(ctx, rules, tracked)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", g.root, err)
	}
	return s, nil
}

func (r *snapshotRun) take(ctx context.Context, rules string, tracked []string) (*snapshot, error) {
	var err error
	listArgs := []string{"--modified", "--exclude-from=" + rules}
	if r.base == nil {
		listArgs = []string{"--modified", "--exclude-standard"}
		if r.excluded, err = r.g.scanRuleFiles(ctx); err != nil {
			return nil, err
		}
	} else {
		for _, p := range r.base.leftOut {
			r.baseLeftOut[p] = true
		}
		r.excluded = maps.Clone(r.base.excluded)
		maps.Copy(r.excluded, badAttributes(r.g.root, r.base.dirs))
	}
	var entries []entry
	if !rootExcluded(r.excluded) {
		l, err := r.list(ctx, listArgs, excludePathspecs(r.excluded))
		if err != nil {
			return nil, err
		}
		entries = l.entries
	}
	known := make(map[string]bool, len(entries))
	for _, e := range entries {
		known[e.path] = true
	}
	var missingTracked []string
	if r.base == nil {
		entries, missingTracked = r.addTracked(entries, known, tracked)
	} else {
		dirs := make(map[string]bool)
		for _, p := range r.base.missingTracked {
			if !known[p] && !r.inExcluded(p) && !r.inLeftOut(p) && fileAt(r.g.root, p, dirs) == fileThere {
				entries = append(entries, entry{path: p})
			}
		}
		entries = r.guardNewDirs(entries)
	}
	hash, remove, err := r.classify(ctx, entries)
	if err != nil {
		return nil, err
	}
	if r.base != nil {
		r.keepOutside()
	}
	if err := r.record(ctx, hash, remove); err != nil {
		return nil, err
	}
	out, err := r.g.run(ctx, r.index, nil, "write-tree")
	if err != nil {
		return nil, err
	}
	tree := strings.TrimSpace(string(out))
	if tree == "" {
		return nil, errors.New("git write-tree wrote no tree")
	}
	s := &snapshot{tree: tree, outside: r.outside, leftOut: slices.Sorted(maps.Keys(r.leftOut)), files: r.files, bytes: r.bytes}
	if r.base == nil {
		s.excluded, s.missingTracked = r.excluded, missingTracked
		s.dirs, s.ruleFiles = hashedDirs(hash)
		s.unreadableDirs = make(map[string]bool)
		for d := range r.unreadableDirs {
			s.unreadableDirs[d] = true
		}
	} else {
		s.notes = slices.Concat(r.notes, r.ruleNotes(), r.unreadableDirNotes())
	}
	return s, nil
}

// classify stats each path listed. What is gone (or no longer a file git
// records) is to be removed from the index; a file too big to copy, or
// one that cannot be read, is kept outside it; the rest is to be hashed,
// new files within the bounds (budget.go). Those the baseline holds, or
// knows of (outside), are compared whatever the bounds.
func (r *snapshotRun) classify(ctx context.Context, entries []entry) (hash, remove []string, err error) {
	var fresh, known []newFile
	for i, e := range entries {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		fi, err := os.Lstat(filepath.Join(r.g.root, filepath.FromSlash(e.path)))
		switch {
		case gone(err), err == nil && fi.IsDir() && e.tracked:
			remove = append(remove, e.path) // the files of a directory are listed on their own
			continue
		case err == nil && fi.IsDir():
			continue // a new file become a directory since it was listed
		case err != nil:
			// Its directory cannot be searched: nothing is known of it.
			r.outside[e.path] = outsideFile{unreadable: reason(err)}
			remove = append(remove, e.path)
			continue
		case !fi.Mode().IsRegular() && fi.Mode()&os.ModeSymlink == 0:
			remove = append(remove, e.path) // a named pipe, a socket: not a file git records
			continue
		case fi.Size() > maxSnapshotFileBytes && fi.Mode().IsRegular():
			r.outside[e.path] = statOf(fi, "")
			remove = append(remove, e.path)
			continue
		}
		f := newFile{path: e.path, size: fi.Size(), fi: fi}
		if _, was := r.base.outsideFile(e.path); e.tracked || was {
			known = append(known, f)
		} else {
			fresh = append(fresh, f)
		}
	}
	kept, err := r.withinBounds(fresh)
	if err != nil {
		return nil, nil, err
	}
	// Files git would fail to read stay out of the index: update-index
	// stops at the first, and git add --ignore-errors leaves them out
	// without a word.
	for _, f := range slices.Concat(known, kept) {
		if f.fi.Mode().IsRegular() {
			if why := unopenable(filepath.Join(r.g.root, filepath.FromSlash(f.path))); why != "" {
				r.outside[f.path] = statOf(f.fi, why)
				remove = append(remove, f.path)
				continue
			}
		}
		hash = append(hash, f.path)
	}
	return hash, remove, nil
}

// keepOutside carries over the files the baseline holds no content of
// that this snapshot could not look at: in a directory left out for its
// rule files, or one git could not open. Compared with themselves, they
// do not show as deleted.
func (r *snapshotRun) keepOutside() {
	for p, f := range r.base.outside {
		if _, ok := r.outside[p]; ok {
			continue
		}
		if r.inExcluded(p) || r.inUnreadableDir(p) {
			r.outside[p] = f
		}
	}
}

// record takes remove out of the index and records hash into it (taking
// out those deleted since they were listed). `git update-index --add --remove`
// takes each path as it is, in time linear in their number, where `git
// add` matches every file it walks against every pathspec. But it stops
// at the first path it cannot add (a file it may not read, or one
// replaced by a directory since it was listed, which a race with the
// model can bring about), writing nothing; then `git add -f
// --ignore-errors` does it the slow way (forceAdd).
//
// Files larger than core.bigFileThreshold are streamed into one pack per
// run rather than written as a loose object each: on a tree of 2,000
// small files that is several times faster (one file written instead of
// 2,000, and as many fewer directory entries). Only the hashing gets the
// setting, since diff takes files past it for binary.
func (r *snapshotRun) record(ctx context.Context, hash, remove []string) error {
	if len(remove) > 0 {
		if _, err := r.g.run(ctx, r.index, nulJoin(remove), "update-index", "-z", "--force-remove", "--stdin"); err != nil {
			return err
		}
	}
	if len(hash) == 0 {
		return nil
	}
	// --replace takes a file's entry out for a directory of that name, and
	// the entries under a directory out for a file.
	slices.Sort(hash)
	_, err := r.g.run(ctx, r.index, nulJoin(hash), "-c", "core.bigFileThreshold=1", "update-index", "--add", "--remove", "--replace", "-z", "--stdin")
	var timeout *errTimeout
	if err == nil || ctx.Err() != nil || errors.As(err, &timeout) {
		return err
	}
	return r.forceAdd(ctx, hash)
}

// forceAdd adds files to the index with `git add -f --ignore-errors`,
// for the paths that exist (a pathspec that matches nothing is an
// error), and takes the others out. What git could not read is kept out
// of the index and reported (outside).
func (r *snapshotRun) forceAdd(ctx context.Context, files []string) error {
	var pathspecs, missing []byte
	for _, p := range files {
		if _, err := os.Lstat(filepath.Join(r.g.root, filepath.FromSlash(p))); err == nil {
			pathspecs = append(pathspecs, ":(literal)"+p+"\x00"...)
		} else {
			missing = append(missing, p+"\x00"...)
		}
	}
	if len(pathspecs) > 0 {
		_, log, err := r.g.runLog(ctx, r.index, pathspecs, "-c", "core.bigFileThreshold=1", "add", "--all", "--force", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul")
		if err != nil && !softAddError(err) {
			return err
		}
		// What git says it could not read, and what cannot be read now.
		failed := failedToIndex(log)
		var out []string
		for _, p := range files {
			fi, why := unreadable(filepath.Join(r.g.root, filepath.FromSlash(p)))
			if why == "" && failed[p] {
				if fi == nil {
					continue
				}
				why = "git could not read it"
			}
			if why != "" {
				r.outside[p] = statOf(fi, why)
				out = append(out, p)
			}
		}
		if len(out) > 0 {
			missing = append(missing, nulJoin(out)...)
		}
	}
	if len(missing) > 0 {
		_, err := r.g.run(ctx, r.index, missing, "update-index", "-z", "--force-remove", "--stdin")
		return err
	}
	return nil
}

// softAddError: git add --ignore-errors failed only to add some files.
func softAddError(err error) bool {
	var gerr *gitError
	return errors.As(err, &gerr) && gerr.exitCode() == 1 && !strings.Contains(gerr.stderr, "fatal:")
}

// hashedDirs are the directories holding files (the root "" included,
// sorted), and the rule files among them.
func hashedDirs(files []string) ([]string, map[string]bool) {
	dirs := map[string]bool{"": true}
	rules := make(map[string]bool)
	for _, p := range files {
		if b := path.Base(p); b == ".gitignore" || b == ".gitattributes" {
			rules[p] = true
		}
		for d := path.Dir(p); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	return slices.Sorted(maps.Keys(dirs)), rules
}

// outsideFile is what s knows of the file p it holds no content of.
func (s *snapshot) outsideFile(p string) (outsideFile, bool) {
	if s == nil {
		return outsideFile{}, false
	}
	f, ok := s.outside[p]
	return f, ok
}

func statOf(fi os.FileInfo, why string) outsideFile {
	if fi == nil {
		return outsideFile{unreadable: why}
	}
	return outsideFile{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode(), unreadable: why}
}

func nulJoin(paths []string) []byte {
	var b []byte
	for _, p := range paths {
		b = append(b, p+"\x00"...)
	}
	return b
}
