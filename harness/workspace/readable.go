package workspace

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"

	"warden/harness/event"
)

// A file warden may not read (the model can `chmod 000` one, as a user
// who is not root) is one git cannot hash: `git add --ignore-errors`
// leaves it out with a line on stderr, and /diff would not show it at all,
// new or changed. So each file a snapshot is to hash is opened first (and
// closed): one that cannot be is kept out of the index, like a file too
// big to copy, and compared by its stat (outsideFile); Diff reports it
// with a Diff that says it could not be read. Should git still fail to
// read one (the mode changed in between), what it says on stderr is read
// for the paths (forceAdd). A directory git cannot open is one whose new
// files it cannot list: it warns of it, and that is reported too.

// unopenable opens the regular file at full without blocking or
// following a symbolic link, closes it, and says why it cannot be read:
// "" when it can, or when it is no longer a regular file (or no longer
// there), which git sees for itself.
func unopenable(full string) string {
	f, err := os.OpenFile(full, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		if gone(err) || errors.Is(err, syscall.ELOOP) {
			return ""
		}
		return reason(err)
	}
	f.Close()
	return ""
}

// unreadable is unopenable for a file not yet stat'ed: fi is its stat,
// nil if there is none.
func unreadable(full string) (os.FileInfo, string) {
	fi, err := os.Lstat(full)
	switch {
	case gone(err):
		return nil, ""
	case err != nil:
		return nil, reason(err)
	case !fi.Mode().IsRegular():
		return fi, ""
	}
	return fi, unopenable(full)
}

func gone(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// reason is why a file could not be read, in a few words.
func reason(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return strings.ToLower(errno.Error())
	}
	return err.Error()
}

// unreadableNote is the Diff of a file that could not be read, now or
// (atStart) when the session started.
func unreadableNote(why string, atStart bool) string {
	if atStart {
		return fmt.Sprintf("warden could not read this file when the session started (%s): what it held then is not known.\n", why)
	}
	return fmt.Sprintf("warden could not read this file (%s): its content is not compared.\n", why)
}

// unopened matches git's warning for a directory it could not open. The
// path is as it is, unquoted: one holding a line break does not match,
// and is reported as a directory that could not be read all the same.
var unopened = regexp.MustCompile(`(?m)^warning: could not open directory '(.*)': ([^']*)$`)

// inUnreadableDir: p is in a directory git could not open.
func (r *snapshotRun) inUnreadableDir(p string) bool {
	for d := path.Dir(p); d != "."; d = path.Dir(d) {
		if _, ok := r.unreadableDirs[d]; ok {
			return true
		}
	}
	return false
}

// noteUnopened reads the stderr of `git ls-files --others` for the
// directories git could not open.
func (r *snapshotRun) noteUnopened(log []byte) {
	for _, m := range unopened.FindAllSubmatch(log, -1) {
		d := strings.TrimSuffix(string(m[1]), "/")
		if fi, err := os.Lstat(filepath.Join(r.g.root, filepath.FromSlash(d))); err == nil && fi.IsDir() {
			r.unreadableDirs[d] = strings.ToLower(string(m[2]))
		}
	}
	if n := strings.Count(string(log), "warning: could not open directory '"); n > len(unopened.FindAll(log, -1)) || len(log) >= maxLogBytes {
		r.unopenedUnnamed = true
	}
}

// unreadableDirNotes reports the directories git could not open.
func (r *snapshotRun) unreadableDirNotes() []event.FileChange {
	var notes []event.FileChange
	for _, d := range slices.Sorted(maps.Keys(r.unreadableDirs)) {
		c := event.FileChange{Path: d + "/", Kind: kindAdd,
			Diff: "warden could not read this directory (" + r.unreadableDirs[d] + "): the files in it are not compared.\n"}
		if _, found := slices.BinarySearch(r.base.dirs, d); found || r.base.unreadableDirs[d] {
			c.Kind = kindUpdate
		}
		notes = append(notes, c)
	}
	if r.unopenedUnnamed {
		notes = append(notes, event.FileChange{Path: "./", Kind: kindUpdate,
			Diff: "warden could not read some directories, which git named in a form warden cannot read back: the files in them are not compared.\n"})
	}
	return notes
}

// failedToIndex reads the stderr of `git add --ignore-errors` for the
// files it could not read.
var failedLine = regexp.MustCompile(`(?m)^error: (?:open\("(.*)"\): .*|unable to index file '(.*)')$`)

func failedToIndex(log []byte) map[string]bool {
	failed := make(map[string]bool)
	for _, m := range failedLine.FindAllSubmatch(log, -1) {
		failed[string(m[1])+string(m[2])] = true
	}
	return failed
}
