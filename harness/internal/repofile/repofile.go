// Package repofile reads a file that came with a repository, safely.
//
// warden itself, outside its sandbox, reads a few of the files of the
// repository the user opened: its .warden/rules.toml and its AGENTS.md
// files, whose text goes to the model provider and into the transcript. A
// repository is untrusted input, and a file in it need not be a file: a
// link to /proc/self/environ or ~/.ssh/id_rsa would hand warden's
// environment (the API key with it) or the user's key to the provider; a
// named pipe would hang warden at start; a link to /dev/zero would read
// until memory runs out. So a repository's file is read only if it
// resolves, links followed, to a regular file inside the project, and only
// up to a limit.
//
// The user's own files (warden's config directory) get the same checks
// except the first, by OpenOwn and ReadOwn: they may well be links into a
// dotfiles repository, but a mistaken link there must not hang warden
// either.
package repofile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// openFlags open without blocking on a named pipe (or a device that waits
// for a carrier), without taking a terminal as the controlling one, and
// without leaking the descriptor into a child.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY | syscall.O_CLOEXEC

// RefusedError is a file that was there but was not read, and why.
type RefusedError struct {
	Path string
	// Reason completes "PATH is …": "a named pipe, not a file", "a link
	// to a file outside the project", "larger than 1 MiB".
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s is %s: not read", filepath.Base(e.Path), e.Reason)
}

// Reason is why err refused a file ("a named pipe, not a file"), if it is
// a refusal.
func Reason(err error) (string, bool) {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason, true
	}
	return "", false
}

// Read reads the file at path, which must resolve, symlinks followed, to a
// regular file inside root, the project's root; a link to another file of
// the project (AGENTS.md -> CLAUDE.md) is fine. A file of more than
// maxBytes (>= 0) is refused, not read in part. A missing file (or a link to
// nothing) is an error satisfying errors.Is(err, fs.ErrNotExist); anything
// refused is a *RefusedError.
func Read(path, root string, maxBytes int64) ([]byte, error) {
	f, err := Open(path, root)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, maxBytes)
}

// ReadOwn is Read for a file of the user's own, such as warden's
// config directory holds: it may link anywhere, but it must still be a
// regular file of at most maxBytes.
func ReadOwn(path string, maxBytes int64) ([]byte, error) {
	f, err := OpenOwn(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f, path, maxBytes)
}

// Open opens the file at path, under the rules of Read, for a caller that
// reads it with a limit of its own (say, cutting it to fit). Containment
// is checked at the open itself, not only before it, so a link swapped in
// meanwhile cannot lead it out of root; what is opened is checked by its
// descriptor, not by its name, so a file swapped in after the check is
// not read either.
func Open(path, root string) (*os.File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	realRoot, err := resolve(root)
	if err != nil {
		return nil, fmt.Errorf("resolve the project root: %w", err)
	}
	real, err := filepath.EvalSymlinks(abs)
	var pe *fs.PathError
	if err != nil && !errors.As(err, &pe) {
		// EvalSymlinks gives up on too many links (a link to itself, a
		// loop) with an error of its own, not a file system one.
		return nil, &RefusedError{Path: path, Reason: "a link that leads nowhere (" + err.Error() + ")"}
	}
	if err != nil {
		return nil, err // not there (a dangling link too), or not reachable
	}
	rel, ok := within(realRoot, real)
	if !ok {
		reason := "outside the project"
		if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			reason = "a link to a file outside the project"
		}
		return nil, &RefusedError{Path: path, Reason: reason}
	}
	// Checked before opening too, so that a device is never opened at all
	// (opening some has effects of its own).
	if err := precheck(path, real); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(realRoot)
	if err != nil {
		return nil, fmt.Errorf("open the project root: %w", err)
	}
	defer r.Close()
	// os.Root follows links only while they stay inside it: one changed
	// since it was resolved above to lead out is an error here.
	f, err := r.OpenFile(rel, openFlags, 0)
	if err != nil {
		return nil, err
	}
	if err := checkOpened(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenOwn is Open for a file of the user's own: anywhere, but a regular
// file.
func OpenOwn(path string) (*os.File, error) {
	if err := precheck(path, path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		return nil, err
	}
	if err := checkOpened(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// resolve makes dir absolute with symlinks resolved.
func resolve(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// within is path relative to root if path is root or below it, compared
// component by component (/repo-evil is not inside /repo).
func within(root, path string) (string, bool) {
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return rel, true
}

// precheck refuses what stat (links followed) says is not a regular file.
func precheck(path, target string) error {
	fi, err := os.Stat(target)
	if err != nil {
		return err
	}
	return regular(path, fi)
}

// checkOpened refuses an opened file that is not a regular one, by its
// descriptor.
func checkOpened(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return regular(path, fi)
}

// regular refuses anything but a regular file, saying what it is.
func regular(path string, fi fs.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory, not a file"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe, not a file"
	case m&fs.ModeSocket != 0:
		what = "a socket, not a file"
	case m&fs.ModeCharDevice != 0:
		what = "a character device, not a file"
	case m&fs.ModeDevice != 0:
		what = "a block device, not a file"
	}
	return &RefusedError{Path: path, Reason: what}
}

// IsDir reports whether err refused a directory, which callers that look
// for a file in every directory (AGENTS.md) skip quietly as no file.
func IsDir(err error) bool {
	r, ok := Reason(err)
	return ok && r == "a directory, not a file"
}

// readAll reads f to its end, refusing it past maxBytes. The size is
// checked before reading and the reading is bounded too: a file can grow,
// and some (in /proc) report a size of 0.
func readAll(f *os.File, path string, maxBytes int64) ([]byte, error) {
	tooBig := &RefusedError{Path: path, Reason: "larger than " + Size(maxBytes)}
	if fi, err := f.Stat(); err == nil && fi.Size() > maxBytes {
		return nil, tooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, tooBig
	}
	return data, nil
}

// Size writes a byte count the way a person would: "1 MiB", "64 KiB",
// "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}
