package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// prepareHelper makes cmd start the helper, in new namespaces, with the
// command after its spec. The user namespace is what lets an unprivileged
// user mount; the helper gets the two capabilities it needs for that as
// ambient capabilities and clears them before the command runs.
func (r *Runner) prepareHelper(cmd *exec.Cmd, spec helperSpec, args []string) (*statusReader, error) {
	cmd.Path = r.cfg.HelperPath
	cmd.Args = append([]string{HelperName, encodeSpec(spec), "--"}, args...)
	attr, err := helperProcAttr(spec.Network)
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = attr
	status, err := newStatusReader()
	if err != nil {
		return nil, err
	}
	sockets, err := os.Open("/proc/self/net/unix")
	if err != nil {
		sockets = nil // no procfs: nothing listed, nothing to hide
	}
	cmd.ExtraFiles = []*os.File{status.w, sockets}
	if sockets != nil {
		status.parentFiles = append(status.parentFiles, sockets)
	}
	return status, nil
}

func helperProcAttr(network bool) (*syscall.SysProcAttr, error) {
	flags := uintptr(unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWIPC)
	if !network {
		flags |= unix.CLONE_NEWNET
	}
	attr := &syscall.SysProcAttr{
		Cloneflags: flags,
		Setsid:     true, // no controlling terminal, its own process group
		Pdeathsig:  syscall.SIGKILL,
	}
	uid, gid := os.Geteuid(), os.Getegid()
	if uid == 0 {
		// Root maps every id it has, unchanged, so files keep their
		// owners; its capabilities then count only inside the namespace.
		var err error
		if attr.UidMappings, err = identityMappings("/proc/self/uid_map"); err != nil {
			return nil, err
		}
		if attr.GidMappings, err = identityMappings("/proc/self/gid_map"); err != nil {
			return nil, err
		}
		attr.GidMappingsEnableSetgroups = true
		return attr, nil
	}
	attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
	attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
	attr.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_NET_ADMIN}
	return attr, nil
}

// identityMappings maps each range of ids this process's namespace has onto
// itself.
func identityMappings(path string) ([]syscall.SysProcIDMap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	var maps []syscall.SysProcIDMap
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		first, err1 := strconv.Atoi(fields[0])
		size, err2 := strconv.Atoi(fields[2])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("read %s: malformed line %q", path, sc.Text())
		}
		maps = append(maps, syscall.SysProcIDMap{ContainerID: first, HostID: first, Size: size})
	}
	if len(maps) == 0 {
		return nil, fmt.Errorf("read %s: no mappings", path)
	}
	return maps, sc.Err()
}

// namespaceError explains why the helper could not be started in new
// namespaces, which is nearly always that user namespaces are turned off.
func namespaceError(err error) error {
	return fmt.Errorf("cannot create the sandbox's namespaces: %w", err)
}

// hostCanChange reports whether the user, outside the sandbox, could change
// path (or create it): its file system is writable and the path, or the
// directory that holds it, grants write access.
func hostCanChange(path string) bool {
	existing := path
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return false
		}
		existing = parent
	}
	var fs unix.Statfs_t
	if unix.Statfs(existing, &fs) == nil && fs.Flags&unix.ST_RDONLY != 0 {
		return false // read-only for everyone, not just the sandbox
	}
	writable := func(p string) bool { return unix.Faccessat(unix.AT_FDCWD, p, unix.W_OK, unix.AT_EACCESS) == nil }
	if existing != path {
		return writable(existing)
	}
	return writable(path) || writable(filepath.Dir(path))
}

// anonymousPipe reports whether f is a pipe or socket with no name in the
// file system, which a command can do nothing to but read and write.
func anonymousPipe(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	link := ""
	rc.Control(func(fd uintptr) { link, _ = os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)) })
	return strings.HasPrefix(link, "pipe:[") || strings.HasPrefix(link, "socket:[")
}

// hostOwns reports whether the user could chmod path outside the sandbox.
func hostOwns(path string) bool {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return false
	}
	return os.Geteuid() == 0 || int(st.Uid) == os.Geteuid()
}

// hostListening reports whether a TCP socket listens on port in the
// runner's network namespace (the machine's, outside the sandbox).
func hostListening(port int) bool {
	want := fmt.Sprintf(":%04X ", port)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			// local_address is field 1 (ADDR:PORT), st is field 3; 0A is LISTEN.
			if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1]+" ", want) {
				return true
			}
		}
	}
	return false
}
