//go:build linux && (amd64 || arm64)

package sandbox

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// runFilter runs the filter in x/net/bpf's VM on a seccomp_data. The VM
// loads words big-endian where the kernel loads them in the machine's
// order, so the words are laid out big-endian here: same values, same
// verdicts.
func runFilter(t *testing.T, prog []bpf.Instruction, arch, nr uint32, args ...uint64) uint32 {
	t.Helper()
	vm, err := bpf.NewVM(prog)
	if err != nil {
		t.Fatalf("filter does not assemble: %v", err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[offNR:], nr)
	binary.BigEndian.PutUint32(data[offArch:], arch)
	for i, a := range args {
		binary.BigEndian.PutUint32(data[offArg0+8*i:], uint32(a)) // low word, where the filter reads it
		binary.BigEndian.PutUint32(data[offArg0+8*i+4:], uint32(a>>32))
	}
	v, err := vm.Run(data)
	if err != nil {
		t.Fatal(err)
	}
	return uint32(v)
}

func TestSeccompFilter(t *testing.T) {
	t.Parallel()
	a, ok := nativeSeccompArch()
	if !ok {
		t.Skip("no filter for this architecture")
	}
	prog := seccompFilter(a)
	const allowV = seccompRetAllow
	eperm := uint32(seccompRetErrno | uint32(unix.EPERM))
	enosys := uint32(seccompRetErrno | uint32(unix.ENOSYS))
	tests := []struct {
		name string
		arch uint32
		nr   uint32
		args []uint64
		want uint32
	}{
		{"read", a.audit, unix.SYS_READ, nil, allowV},
		{"socket AF_UNIX", a.audit, a.socket, []uint64{unix.AF_UNIX, unix.SOCK_STREAM}, allowV},
		{"socket AF_INET", a.audit, a.socket, []uint64{unix.AF_INET, unix.SOCK_STREAM}, allowV},
		{"socket AF_INET6", a.audit, a.socket, []uint64{unix.AF_INET6, unix.SOCK_DGRAM}, allowV},
		{"socket AF_NETLINK", a.audit, a.socket, []uint64{unix.AF_NETLINK, unix.SOCK_RAW}, allowV},
		{"socket AF_PACKET", a.audit, a.socket, []uint64{unix.AF_PACKET, unix.SOCK_RAW}, eperm},
		{"socket AF_VSOCK", a.audit, a.socket, []uint64{unix.AF_VSOCK, unix.SOCK_STREAM}, eperm},
		{"socket AF_BLUETOOTH", a.audit, a.socket, []uint64{unix.AF_BLUETOOTH, unix.SOCK_STREAM}, eperm},
		{"socket family with high bits set is judged by the int the kernel sees", a.audit, a.socket, []uint64{1<<32 | unix.AF_VSOCK}, eperm},
		{"socketpair AF_UNIX", a.audit, a.socketpair, []uint64{unix.AF_UNIX}, allowV},
		{"socketpair AF_TIPC", a.audit, a.socketpair, []uint64{unix.AF_TIPC}, eperm},
		{"io_uring_setup", a.audit, unix.SYS_IO_URING_SETUP, nil, enosys},
		{"io_uring_enter", a.audit, unix.SYS_IO_URING_ENTER, nil, enosys},
		{"keyctl", a.audit, unix.SYS_KEYCTL, nil, eperm},
		{"add_key", a.audit, unix.SYS_ADD_KEY, nil, eperm},
		{"request_key", a.audit, unix.SYS_REQUEST_KEY, nil, eperm},
		{"ioctl TCGETS", a.audit, a.ioctl, []uint64{0, unix.TCGETS}, allowV},
		{"ioctl TIOCSTI", a.audit, a.ioctl, []uint64{0, unix.TIOCSTI}, eperm},
		{"ioctl TIOCSTI with high bits", a.audit, a.ioctl, []uint64{0, 0xffffffff00000000 | unix.TIOCSTI}, eperm},
		{"ioctl TIOCLINUX", a.audit, a.ioctl, []uint64{0, unix.TIOCLINUX}, eperm},
		{"foreign ABI", unix.AUDIT_ARCH_I386, 102 /* socketcall */, nil, eperm},
		{"fchmod 0755", a.audit, unix.SYS_FCHMOD, []uint64{3, 0o755}, allowV},
		{"fchmod setuid", a.audit, unix.SYS_FCHMOD, []uint64{3, 0o4755}, eperm},
		{"fchmodat setgid", a.audit, unix.SYS_FCHMODAT, []uint64{0, 0, 0o2755}, eperm},
		{"fchmodat2 setuid", a.audit, unix.SYS_FCHMODAT2, []uint64{0, 0, 0o4700, 0}, eperm},
		{"fchmodat 1777", a.audit, unix.SYS_FCHMODAT, []uint64{0, 0, 0o1777}, allowV},
		{"openat creating setuid", a.audit, unix.SYS_OPENAT, []uint64{0, 0, unix.O_CREAT, 0o4755}, eperm},
		{"openat plain", a.audit, unix.SYS_OPENAT, []uint64{0, 0, unix.O_CREAT, 0o644}, allowV},
		{"mknodat setuid", a.audit, unix.SYS_MKNODAT, []uint64{0, 0, unix.S_IFREG | 0o4755}, eperm},
		{"openat2", a.audit, unix.SYS_OPENAT2, nil, enosys},
	}
	if a.x32 {
		tests = append(tests, struct {
			name string
			arch uint32
			nr   uint32
			args []uint64
			want uint32
		}{"x32 socket", a.audit, x32SyscallBit | 41, []uint64{unix.AF_VSOCK}, enosys})
	}
	for _, tt := range tests {
		if got := runFilter(t, prog, tt.arch, tt.nr, tt.args...); got != tt.want {
			t.Errorf("%s: got %#x, want %#x", tt.name, got, tt.want)
		}
	}
}
