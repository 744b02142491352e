package sandbox

import (
	"fmt"

	"github.com/landlock-lsm/go-landlock/landlock"
	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
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
