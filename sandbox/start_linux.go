package sandbox

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// helperProcAttr starts the helper in new namespaces. The user namespace
// is what lets an unprivileged user mount; the helper gets the two
// capabilities it needs for that as ambient capabilities and gives them up
// before the command runs.
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
