//go:build linux && arm64

package sandbox

import "golang.org/x/sys/unix"

func nativeSeccompArch() (seccompArch, bool) {
	return seccompArch{
		audit:      unix.AUDIT_ARCH_AARCH64,
		socket:     unix.SYS_SOCKET,
		socketpair: unix.SYS_SOCKETPAIR,
		ioctl:      unix.SYS_IOCTL,
		noIOURing:  []uint32{unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER},
		keyrings:   []uint32{unix.SYS_KEYCTL, unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY},
		modeArgs: []modeArg{
			{unix.SYS_FCHMOD, 1}, {unix.SYS_FCHMODAT, 2}, {unix.SYS_FCHMODAT2, 2},
			{unix.SYS_OPENAT, 3}, {unix.SYS_MKNODAT, 2},
		},
		openat2: unix.SYS_OPENAT2,
	}, true
}
