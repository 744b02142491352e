package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// setUpMounts builds the command's view of the filesystem in the helper's
// mount namespace (whose mounts the helper has made private): everything read-only, the writable directories
// read-write on top, the protected paths read-only again, every Unix socket
// that was listening replaced by /dev/null, a /dev of its own, and a /proc
// of the helper's own PID namespace (kept as it was where the kernel will
// not mount one; ownProc says which). It returns the sockets it hid.
func setUpMounts(spec helperSpec, sockets []string) (hidden []string, ownProc bool, err error) {
	// Copies of the writable directories and the device files a command
	// keeps are taken while they are still writable and visible, then put
	// back on top.
	var clones []clone
	defer func() {
		for _, c := range clones {
			unix.Close(c.fd)
		}
	}()
	everything := slices.Contains(spec.Writable, "/")
	for _, dir := range spec.Writable {
		if dir == "/" {
			continue
		}
		c, err := cloneTree(dir)
		if err != nil {
			return nil, false, fmt.Errorf("copy writable root %s: %w", dir, err)
		}
		clones = append(clones, c)
	}
	devices, err := cloneDevices()
	clones = append(clones, devices...)
	if err != nil {
		return nil, false, err
	}
	if !everything {
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(unix.AT_FDCWD, "/", unix.AT_RECURSIVE, &attr); err != nil {
			return nil, false, fmt.Errorf("make / read-only: %w", err)
		}
	}
	for _, c := range clones[:len(clones)-len(devices)] {
		if err := unix.MoveMount(c.fd, "", unix.AT_FDCWD, c.path, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return nil, false, fmt.Errorf("mount writable root %s: %w", c.path, err)
		}
	}
	for _, p := range spec.Protected {
		if err := bindOver(p.Path, p.ReadOnly); err != nil {
			return nil, false, fmt.Errorf("protect %s: %w", p.Path, err)
		}
	}
	// Sockets first: /dev/log and the like are about to vanish with /dev.
	for _, s := range sockets {
		var st unix.Stat_t
		if unix.Lstat(s, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFSOCK {
			continue // gone, or replaced since it was bound
		}
		if err := unix.Mount("/dev/null", s, "", unix.MS_BIND, ""); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue // gone since the Lstat: as above
			}
			return nil, false, fmt.Errorf("hide unix socket %s: %w", s, err)
		}
		hidden = append(hidden, s)
	}
	if err := setUpDev(devices); err != nil {
		return nil, false, fmt.Errorf("private /dev: %w", err)
	}
	if err := hideMessageQueues(); err != nil {
		return nil, false, err
	}
	ownProc = unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|unix.MS_RDONLY, "") == nil
	return hidden, ownProc, nil
}

type clone struct {
	fd   int
	path string
}

func cloneTree(path string) (clone, error) {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
	return clone{fd, path}, err
}

// deviceFiles are the device files a command's /dev holds. Writing them
// changes nothing, so every mode may (see restrictLandlock).
var deviceFiles = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}

// cloneDevices copies the device files' mounts, read-only: writing to a
// device works on a read-only mount, changing the node's mode or owner
// (the machine's own /dev/null) does not.
func cloneDevices() ([]clone, error) {
	var out []clone
	for _, d := range deviceFiles {
		c, err := cloneTree(d)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			return out, fmt.Errorf("copy %s: %w", d, err)
		}
		out = append(out, c)
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(c.fd, "", unix.AT_EMPTY_PATH, &attr); err != nil {
			return out, fmt.Errorf("copy %s: %w", d, err)
		}
	}
	return out, nil
}

// hideMessageQueues covers every POSIX message queue file system mounted
// on the machine with an empty one: reading a queue there takes its
// messages away from whoever they were for. (The command's own queues live
// in its IPC namespace.)
func hideMessageQueues() error {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	for line := range strings.Lines(string(b)) {
		// ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE ...
		before, after, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(before), strings.Fields(after)
		if !ok || len(f) < 5 || len(g) < 1 || g[0] != "mqueue" {
			continue
		}
		mountPoint := unescapeMountinfo(f[4])
		err := unix.Mount("tmpfs", mountPoint, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=0")
		switch {
		case err == nil:
		case errors.Is(err, unix.EACCES), errors.Is(err, unix.ENOENT), errors.Is(err, unix.ENOTDIR):
			// Out of the user's reach, so out of the command's too.
		default:
			return fmt.Errorf("hide message queues at %s: %w", mountPoint, err)
		}
	}
	return nil
}

// unescapeMountinfo undoes mountinfo's octal escapes (\040 for a space).
func unescapeMountinfo(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// setUpDev replaces /dev with a small one of the command's own: the device
// files above, a devpts instance of its own (so a command can open
// terminals, but not read the user's), an empty /dev/shm and the usual
// links. Disks, input devices, the user's terminals, /dev/mqueue, /dev/log
// and the rest of the machine's devices are not there.
func setUpDev(devices []clone) error {
	if err := unix.Mount("tmpfs", "/dev", "tmpfs", unix.MS_NOSUID|unix.MS_NOEXEC, "mode=755,size=64k"); err != nil {
		return err
	}
	for _, d := range devices {
		if err := os.WriteFile(d.path, nil, 0o666); err != nil {
			return err
		}
		if err := unix.MoveMount(d.fd, "", unix.AT_FDCWD, d.path, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return fmt.Errorf("mount %s: %w", d.path, err)
		}
	}
	for _, dir := range []string{"/dev/pts", "/dev/shm"} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount("devpts", "/dev/pts", "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"); err != nil {
		return fmt.Errorf("mount /dev/pts: %w", err)
	}
	if err := unix.Mount("tmpfs", "/dev/shm", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=1777"); err != nil {
		return fmt.Errorf("mount /dev/shm: %w", err)
	}
	for link, target := range map[string]string{
		"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2",
	} {
		if err := os.Symlink(target, filepath.Join("/dev", link)); err != nil {
			return err
		}
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
	return unix.MountSetattr(unix.AT_FDCWD, "/dev", 0, &attr)
}

// bindOver mounts a copy of path over itself, read-only or as it is. A
// symbolic link is refused rather than followed: the runner checked that
// the path is none, so one now means something raced to swap it.
func bindOver(path string, readOnly bool) error {
	fd, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE|unix.AT_SYMLINK_NOFOLLOW)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if readOnly {
		attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY}
		if err := unix.MountSetattr(fd, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
			return err
		}
	}
	return unix.MoveMount(fd, "", unix.AT_FDCWD, path, unix.MOVE_MOUNT_F_EMPTY_PATH)
}

// loopbackUp brings up lo in the helper's new network namespace, which
// starts with it down: commands can then talk to servers they start
// themselves, and to nothing else.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up loopback: %w", err)
	}
	return nil
}
