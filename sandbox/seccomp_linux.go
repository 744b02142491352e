package sandbox

import (
	"fmt"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The seccomp filter refuses what neither Landlock nor the namespaces
// cover: socket families that are not namespaced or that reach hardware
// (AF_VSOCK reaches the hypervisor, AF_BLUETOOTH radios, …); io_uring,
// which can open sockets and files outside the reach of this filter; the
// kernel keyrings, which may hold the user's credentials; TIOCSTI and
// TIOCLINUX, which push input into a terminal; and setting the setuid or
// setgid bit (chmod, or the mode of open, creat and mknod), since a file
// the command leaves in the workspace runs with its owner's rights when
// someone else runs it later. openat2 takes its mode through a pointer the
// filter cannot read, so it is refused with ENOSYS, which makes C libraries
// fall back to openat. Everything else is allowed: the filter narrows, it
// does not attempt to list what programs need.
//
// Syscalls of a foreign ABI (32-bit x86 on x86-64) are refused outright,
// since a filter written for one ABI's numbers says nothing about another.

const (
	seccompRetAllow = 0x7fff0000
	seccompRetErrno = 0x00050000
)

// allowedSocketFamilies are the families a sandboxed command may open.
var allowedSocketFamilies = []uint32{unix.AF_UNIX, unix.AF_INET, unix.AF_INET6, unix.AF_NETLINK}

// seccomp_data offsets: nr, arch, then the arguments, whose low 32 bits come
// first on the little-endian machines this runs on.
const (
	offNR   = 0
	offArch = 4
	offArg0 = 16
	offArg1 = 24
)

func errnoRet(e unix.Errno) bpf.Instruction { return bpf.RetConstant{Val: seccompRetErrno | uint32(e)} }

var allow = bpf.RetConstant{Val: seccompRetAllow}

// seccompFilter assembles the filter for an ABI.
func seccompFilter(a seccompArch) []bpf.Instruction {
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: offArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: a.audit, SkipTrue: 1},
		errnoRet(unix.EPERM),
		bpf.LoadAbsolute{Off: offNR, Size: 4},
	}
	if a.x32 {
		prog = append(prog,
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32SyscallBit, SkipFalse: 1},
			errnoRet(unix.ENOSYS))
	}
	for _, nr := range a.noIOURing {
		prog = append(prog, ifSyscall(nr, errnoRet(unix.ENOSYS))...)
	}
	for _, nr := range a.keyrings {
		prog = append(prog, ifSyscall(nr, errnoRet(unix.EPERM))...)
	}
	for _, nr := range []uint32{a.socket, a.socketpair} {
		prog = append(prog, ifSyscall(nr, onlyValues(offArg0, allowedSocketFamilies, errnoRet(unix.EPERM))...)...)
	}
	prog = append(prog, ifSyscall(a.ioctl, exceptValues(offArg1, []uint32{unix.TIOCSTI, unix.TIOCLINUX}, errnoRet(unix.EPERM))...)...)
	for _, m := range a.modeArgs {
		prog = append(prog, ifSyscall(m.nr,
			bpf.LoadAbsolute{Off: offArg0 + 8*m.arg, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: unix.S_ISUID | unix.S_ISGID, SkipTrue: 1},
			allow,
			errnoRet(unix.EPERM))...)
	}
	prog = append(prog, ifSyscall(a.openat2, errnoRet(unix.ENOSYS))...)
	return append(prog, allow)
}

const x32SyscallBit = 0x40000000

// ifSyscall runs block (which must end in a return on every path) when the
// accumulator holds syscall nr, and skips it otherwise.
func ifSyscall(nr uint32, block ...bpf.Instruction) []bpf.Instruction {
	return append([]bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipFalse: uint8(len(block))}}, block...)
}

// onlyValues allows the syscall when the 32-bit word at off is one of
// values, and answers deny otherwise.
func onlyValues(off uint32, values []uint32, deny bpf.Instruction) []bpf.Instruction {
	prog := []bpf.Instruction{bpf.LoadAbsolute{Off: off, Size: 4}}
	for i, v := range values {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: v, SkipTrue: uint8(len(values) - i)})
	}
	return append(prog, deny, allow)
}

// exceptValues answers deny when the 32-bit word at off is one of values,
// and allows the syscall otherwise.
func exceptValues(off uint32, values []uint32, deny bpf.Instruction) []bpf.Instruction {
	prog := []bpf.Instruction{bpf.LoadAbsolute{Off: off, Size: 4}}
	for i, v := range values {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: v, SkipTrue: uint8(len(values) - i)})
	}
	return append(prog, allow, deny)
}

// seccompProgram assembles the filter for this machine.
func seccompProgram() ([]unix.SockFilter, error) {
	a, ok := nativeSeccompArch()
	if !ok {
		return nil, fmt.Errorf("no seccomp filter for this architecture")
	}
	raw, err := bpf.Assemble(seccompFilter(a))
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp filter: %w", err)
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		filter[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return filter, nil
}

// loadSeccomp installs the filter on every thread (no_new_privs is already
// set, by the Landlock restriction).
func loadSeccomp(filter []unix.SockFilter) error {
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	if _, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&prog))); errno != 0 {
		return fmt.Errorf("load seccomp filter: %w", errno)
	}
	return nil
}

// seccompArch is what the filter needs to know of an ABI.
type seccompArch struct {
	audit              uint32
	x32                bool
	socket, socketpair uint32
	ioctl              uint32
	noIOURing          []uint32
	keyrings           []uint32
	// modeArgs are the syscalls that take a file mode, and which argument
	// holds it.
	modeArgs []modeArg
	openat2  uint32
}

type modeArg struct{ nr, arg uint32 }
