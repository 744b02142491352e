package sandbox

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
	"kernel.org/pub/linux/libs/security/libcap/psx"
)

// rootKeeps are the capabilities a command run by root keeps: those about
// files, which the read-only mounts and Landlock already bound, so that
// root can still work on files it does not own inside the writable roots.
var rootKeeps = []uintptr{
	unix.CAP_CHOWN, unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH, unix.CAP_FOWNER,
	unix.CAP_FSETID, unix.CAP_KILL, unix.CAP_SETGID, unix.CAP_SETUID, unix.CAP_NET_BIND_SERVICE,
}

// dropCapabilities takes back what the helper needed for its mounts, from
// every thread: none may keep more than the command gets, so that nothing
// is gained by taking one over. An unprivileged user's helper holds them as
// ambient capabilities, which an exec would pass on: cleared, and no thread
// keeps any. Root would get every capability back at exec; with
// no_new_privs set it gets no more than the forking thread holds, which for
// root is rootKeeps, and that thread's bounding set shrinks to match. The
// helper is made undumpable too, so that the command cannot trace it or
// read its memory.
func dropCapabilities() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("make the helper undumpable: %w", err)
	}
	if err := ll.AllThreadsPrctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	var keep [2]unix.CapUserData
	if os.Geteuid() == 0 {
		if err := dropBoundingSet(); err != nil {
			return err
		}
		for _, c := range rootKeeps {
			keep[c/32].Permitted |= 1 << (c % 32)
		}
		keep[0].Effective, keep[0].Inheritable = keep[0].Permitted, keep[0].Permitted
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if _, _, errno := psx.Syscall3(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&keep[0])), 0); errno != 0 {
		return fmt.Errorf("drop capabilities: %w", errno)
	}
	return nil
}

// dropBoundingSet shrinks the forking thread's bounding set to rootKeeps.
func dropBoundingSet() error {
	last := uintptr(unix.CAP_LAST_CAP)
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			last = uintptr(n)
		}
	}
	for c := uintptr(0); c <= last; c++ {
		if slices.Contains(rootKeeps, c) {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil {
			return fmt.Errorf("drop capability %d: %w", c, err)
		}
	}
	return nil
}
