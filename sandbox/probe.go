package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/landlock-lsm/go-landlock/landlock"
)

// Probe is what the kernel offers the sandbox, found by asking it for its
// Landlock ABI and by a trial run of the helper that sets everything up
// and runs nothing.
type Probe struct {
	Kernel string
	// LandlockABI is 0 when Landlock is unavailable; LandlockErr says why.
	LandlockABI int
	LandlockErr error
	// Setup is what the trial run set up; nil when it failed, and then
	// SetupErr says at which stage and why.
	Setup    *setupReport
	SetupErr *SetupError
}

// Check refuses a policy this kernel cannot enforce, with a message that
// says what is missing, how to fix it, and how to choose to run without a
// sandbox deliberately. Full access needs nothing.
func (p Probe) Check(pol Policy) error {
	if pol.Mode == FullAccess {
		return nil
	}
	const fullAccess = "To run commands without a sandbox instead, choose that deliberately: sandbox_mode = \"full-access\" in config.toml."
	switch {
	case p.LandlockABI == 0:
		return fmt.Errorf("%s. warden runs no command unconfined behind your back. %s", landlockMissing(p.LandlockErr), fullAccess)
	case p.LandlockABI < MinLandlockABI:
		return fmt.Errorf("this kernel's Landlock is ABI %d, and the sandbox needs ABI %d or newer (Linux 6.2 or later): older ones cannot stop truncate(2). Upgrade the kernel. %s",
			p.LandlockABI, MinLandlockABI, fullAccess)
	case p.SetupErr != nil:
		return fmt.Errorf("%s. %s", setupHint(p.SetupErr), fullAccess)
	case p.Setup == nil:
		return fmt.Errorf("the sandbox could not be tried out. %s", fullAccess)
	}
	if p.LandlockABI < 6 && pol.NetworkAllowed() {
		return fmt.Errorf("with the network on, only Landlock ABI 6 or newer (Linux 6.12) keeps commands off abstract Unix sockets outside the sandbox (a display server's, for one), and this kernel has ABI %d. Turn the network off, or upgrade the kernel. %s",
			p.LandlockABI, fullAccess)
	}
	if p.LandlockABI < 6 && !p.Setup.OwnProc {
		return fmt.Errorf("this kernel has neither Landlock ABI 6, which stops signals to processes outside the sandbox, nor allows the sandbox a /proc of its own, which hides them. %s", fullAccess)
	}
	return nil
}

func landlockMissing(err error) string {
	switch {
	case errors.Is(err, syscall.ENOSYS):
		return "Landlock is not in this kernel (it was built without CONFIG_SECURITY_LANDLOCK), so the sandbox cannot confine commands. Use a kernel with Landlock (Linux 6.2 or later, as most distributions ship)"
	case errors.Is(err, syscall.EOPNOTSUPP):
		return "Landlock is built into this kernel but not enabled, so the sandbox cannot confine commands. Enable it by adding landlock to the lsm= kernel boot parameter (for example lsm=landlock,lockdown,yama,integrity,apparmor,bpf) and reboot"
	case err != nil:
		return fmt.Sprintf("Landlock is not available (%v), so the sandbox cannot confine commands", err)
	}
	return "Landlock is not available, so the sandbox cannot confine commands"
}

func setupHint(e *SetupError) string {
	switch e.Stage {
	case "namespaces":
		return fmt.Sprintf("the sandbox could not create its user namespace (%v). Unprivileged user namespaces are turned off on this machine: allow them with `sysctl user.max_user_namespaces=15000`, or on Debian `sysctl kernel.unprivileged_userns_clone=1`; on Ubuntu 23.10 and later, AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns=1): add an AppArmor profile for warden that allows userns, as docs/sandbox.md shows", e.Err)
	case "mount":
		return fmt.Sprintf("the sandbox could not build its read-only view of the filesystem (%v). On Ubuntu 23.10 and later this is AppArmor's restriction of unprivileged user namespaces: add an AppArmor profile for warden that allows userns, as docs/sandbox.md shows", e.Err)
	}
	return fmt.Sprintf("the sandbox could not be set up: %v", e)
}

// fsRightsAt are the filesystem rights Landlock ABI abi can restrict.
func fsRightsAt(abi int) landlock.AccessFSSet {
	bits := 0
	switch {
	case abi >= 9:
		bits = 17
	case abi >= 5:
		bits = 16
	case abi >= 3:
		bits = 15
	case abi == 2:
		bits = 14
	case abi == 1:
		bits = 13
	}
	return landlock.AccessFSSet(1<<bits - 1)
}

// Report describes the probe for people (`warden sandbox --status`).
func (p Probe) Report() string {
	var b strings.Builder
	if p.LandlockABI == 0 {
		fmt.Fprintf(&b, "Landlock: not available (kernel %s): %s.\n", p.Kernel, landlockMissing(p.LandlockErr))
	} else {
		fmt.Fprintf(&b, "Landlock: ABI %d (kernel %s)\n", p.LandlockABI, p.Kernel)
		all := fsRightsAt(99)
		have := fsRightsAt(p.LandlockABI)
		fmt.Fprintf(&b, "  filesystem rights enforced: %s\n", rightsList(have))
		if missing := all &^ have; missing != 0 {
			fmt.Fprintf(&b, "  not in this kernel: %s", rightsList(missing))
			if missing&(1<<16) != 0 {
				b.WriteString(" (Unix sockets listening when a command starts are hidden by mounts instead)")
			}
			b.WriteString("\n")
		}
		if p.LandlockABI >= 6 {
			b.WriteString("  IPC scopes enforced: abstract Unix sockets, signals\n")
		} else {
			b.WriteString("  IPC scopes: not in this kernel (ABI 6); the PID and network namespaces stand in\n")
		}
		b.WriteString("  TCP rules: not used; with the network off, commands get a network namespace of their own\n")
	}
	switch {
	case p.Setup != nil:
		s := p.Setup
		b.WriteString("Namespaces: user, mount, PID, IPC and network created\n")
		fmt.Fprintf(&b, "  own /proc: %s; loopback: %s; listening Unix sockets hidden: %d\n",
			yesNo(s.OwnProc), map[bool]string{true: "up", false: "down"}[s.Loopback], s.MaskedSockets)
		fmt.Fprintf(&b, "seccomp: %s\n", map[bool]string{
			true:  "loaded (socket families other than unix, inet, inet6 and netlink; io_uring; keyrings; TIOCSTI)",
			false: "not loaded"}[s.Seccomp])
	case p.SetupErr != nil:
		fmt.Fprintf(&b, "Trial run of the sandbox failed at %s: %v\n", p.SetupErr.Stage, p.SetupErr.Err)
	}
	b.WriteString("\n")
	for _, c := range []struct {
		label string
		pol   Policy
	}{
		{"read-only", Policy{Mode: ReadOnly}},
		{"workspace-write", Policy{Mode: WorkspaceWrite}},
		{"workspace-write with network", Policy{Mode: WorkspaceWrite, Network: true}},
	} {
		if err := p.Check(c.pol); err != nil {
			fmt.Fprintf(&b, "%-30s refused: %v\n", c.label+":", err)
		} else {
			fmt.Fprintf(&b, "%-30s ready\n", c.label+":")
		}
	}
	return b.String()
}

func rightsList(s landlock.AccessFSSet) string {
	return strings.ReplaceAll(strings.Trim(s.String(), "{}"), ",", ", ")
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}
