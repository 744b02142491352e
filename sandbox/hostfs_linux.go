package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// The runner changes a few files in the writable roots itself, outside the
// sandbox: it creates what must exist to be mounted read-only, gives
// hard-linked protected files an inode of their own, removes what a command
// created where nothing may be, and puts back links a command changed.
// Commands can plant symbolic links anywhere in the roots, so every such
// change goes through a descriptor of the directory that holds the file,
// opened beneath its root without following any link: it cannot land
// outside the root, whatever the command left there.

var errOutsideRoots = errors.New("not inside a writable root")

// parentBeneath opens the directory holding path, beneath the writable root
// that contains it, refusing symbolic links on the way.
func parentBeneath(roots []string, path string) (dirfd int, base string, err error) {
	root := innermostRoot(path, roots)
	if root == "" || path == root {
		return -1, "", fmt.Errorf("%s: %w", path, errOutsideRoots)
	}
	rootfd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, "", fmt.Errorf("open %s: %w", root, err)
	}
	rel, _ := filepath.Rel(root, path)
	parent := filepath.Dir(rel)
	if parent == "." {
		return rootfd, filepath.Base(rel), nil
	}
	defer unix.Close(rootfd)
	fd, err := unix.Openat2(rootfd, parent, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if err != nil {
		return -1, "", fmt.Errorf("open %s beneath %s: %w", filepath.Dir(path), root, err)
	}
	return fd, filepath.Base(rel), nil
}

// createBeneath creates an empty file or directory at path (which must not
// exist).
func createBeneath(roots []string, path string, dir bool) error {
	dirfd, base, err := parentBeneath(roots, path)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	if dir {
		return unix.Mkdirat(dirfd, base, 0o755)
	}
	fd, err := unix.Openat(dirfd, base, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// unshareInodeBeneath gives the regular file at path, if it is hard-linked
// elsewhere, an inode of its own with the same content and mode, so that
// the other name cannot be used to write it.
func unshareInodeBeneath(roots []string, path string) error {
	dirfd, base, err := parentBeneath(roots, path)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	fd, err := unix.Openat(dirfd, base, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil // gone, a link, or unreadable: nothing to give a new inode
	}
	src := os.NewFile(uintptr(fd), path)
	defer src.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Nlink <= 1 {
		return err
	}
	tmp := ".warden-unlink-" + strconv.Itoa(os.Getpid())
	tfd, err := unix.Openat(dirfd, tmp, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	dst := os.NewFile(uintptr(tfd), tmp)
	_, err = io.Copy(dst, src)
	if err == nil {
		err = unix.Fchmod(tfd, st.Mode&0o777)
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = unix.Renameat(dirfd, tmp, dirfd, base)
	}
	if err != nil {
		unix.Unlinkat(dirfd, tmp, 0)
	}
	return err
}

// removeBeneath removes what is at path, a whole tree if it is a
// directory, never following a link, even where the command took away the
// write permission that removing needs (it was the user's to give back).
func removeBeneath(roots []string, path string) error {
	dirfd, base, err := parentBeneath(roots, path)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	return removeAt(dirfd, base)
}

func removeAt(dirfd int, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		// Made readable by its owner through a descriptor, never by name:
		// a command running alongside could swap a link in for it.
		if pfd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
			unix.Chmod(fmt.Sprintf("/proc/self/fd/%d", pfd), 0o700)
			unix.Close(pfd)
		}
		fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		d := os.NewFile(uintptr(fd), name)
		entries, err := d.ReadDir(-1)
		for _, e := range entries {
			if rerr := removeAt(fd, e.Name()); rerr != nil && err == nil {
				err = rerr
			}
		}
		d.Close()
		if err != nil {
			return err
		}
		return retryWritable(dirfd, func() error { return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR) })
	}
	return retryWritable(dirfd, func() error { return unix.Unlinkat(dirfd, name, 0) })
}

// retryWritable runs op, and again after making the directory dirfd
// writable for its owner (restoring its mode after) if op was refused.
func retryWritable(dirfd int, op func() error) error {
	err := op()
	if !errors.Is(err, unix.EACCES) && !errors.Is(err, unix.EPERM) {
		return err
	}
	var st unix.Stat_t
	if unix.Fstat(dirfd, &st) != nil {
		return err
	}
	self := fmt.Sprintf("/proc/self/fd/%d", dirfd) // chmod through an O_PATH descriptor
	if unix.Chmod(self, st.Mode&0o7777|0o700) != nil {
		return err
	}
	defer unix.Chmod(self, st.Mode&0o7777)
	return op()
}

// linkBeneath puts a symbolic link back at path, whatever is there now.
func linkBeneath(roots []string, path, target string) error {
	dirfd, base, err := parentBeneath(roots, path)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	if err := removeAt(dirfd, base); err != nil {
		return err
	}
	return unix.Symlinkat(target, dirfd, base)
}

// renameBeneath renames what is at path to newName in the same directory,
// never following a link.
func renameBeneath(roots []string, path, newName string) error {
	dirfd, base, err := parentBeneath(roots, path)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)
	return retryWritable(dirfd, func() error { return unix.Renameat2(dirfd, base, dirfd, newName, unix.RENAME_NOREPLACE) })
}
