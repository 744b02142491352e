package sandbox

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// restrictLandlock confines this process and its future children: read and
// execute anywhere, write only in the writable directories, the device
// files of the private /dev and its own terminals, no signals or abstract
// Unix sockets across the sandbox's boundary. TCP is left to the network namespace, which also covers what
// Landlock cannot (UDP, raw sockets, Multipath TCP) while letting commands
// use their own loopback.
func restrictLandlock(spec helperSpec) (abi int, err error) {
	abi, err = ll.LandlockGetABIVersion()
	if err != nil {
		return 0, fmt.Errorf("landlock is not available: %w", err)
	}
	if abi < spec.MinLandlockABI {
		return abi, fmt.Errorf("landlock ABI %d is older than the %d the sandbox needs", abi, spec.MinLandlockABI)
	}
	cfg := landlock.Config{
		HandledAccessFS: landlock.V11.HandledAccessFS,
		Scoped:          landlock.V11.Scoped,
	}.BestEffort() // the ABI was checked above: best effort only drops what this kernel lacks
	rules := []landlock.Rule{
		landlock.RODirs("/"),
		landlock.RWFiles(deviceFiles...).IgnoreIfMissing(),
		landlock.RWFiles("/dev/pts").WithIoctlDev(),
	}
	if len(spec.Writable) > 0 {
		rules = append(rules, landlock.RWDirs(spec.Writable...).WithRefer())
	}
	if spec.WritableShm {
		rules = append(rules, landlock.RWDirs("/dev/shm"))
	}
	if err := cfg.Restrict(rules...); err != nil {
		return abi, err
	}
	return abi, nil
}

// rootKeeps are the capabilities a command run by root keeps: those about
// files, which the read-only mounts and Landlock already bound, so that
// root can still work on files it does not own inside the writable roots.
var rootKeeps = []uintptr{
	unix.CAP_CHOWN, unix.CAP_DAC_OVERRIDE, unix.CAP_DAC_READ_SEARCH, unix.CAP_FOWNER,
	unix.CAP_FSETID, unix.CAP_KILL, unix.CAP_SETGID, unix.CAP_SETUID, unix.CAP_NET_BIND_SERVICE,
}

// dropCapabilities takes back what the helper needed for its mounts, on
// this thread: the one that forks the command (HelperMain locks it), whose
// capabilities are the command's. An unprivileged user's helper holds them
// as ambient capabilities, which an exec would pass on: cleared, and the
// thread keeps none. Root would get every capability back at exec; with
// no_new_privs set it gets no more than this thread holds, which for root
// is rootKeeps, and the bounding set shrinks to match. The helper's other
// threads run none of the command's code, and the command cannot reach into
// them: the helper is not dumpable, so it cannot be traced or have its
// memory read.
func dropCapabilities() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("make the helper undumpable: %w", err)
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
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
	if err := unix.Capset(&hdr, &keep[0]); err != nil {
		return fmt.Errorf("drop capabilities: %w", err)
	}
	return nil
}

func dropBoundingSet() error {
	last := uintptr(unix.CAP_LAST_CAP)
	if b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			last = uintptr(n)
		}
	}
	for c := uintptr(0); c <= last; c++ {
		if contains(rootKeeps, c) {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0); err != nil {
			return fmt.Errorf("drop capability %d: %w", c, err)
		}
	}
	return nil
}

func contains(list []uintptr, v uintptr) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
