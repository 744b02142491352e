package sandbox

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attackArg makes the test binary the attack client: it tries one thing
// the sandbox must stop, with the raw system call where a tool would hide
// it, and exits 0 if it worked, 1 if it was refused.
const attackArg = "sandbox-attack"

func attack(args []string) int {
	if len(args) == 0 {
		fmt.Println("usage: sandbox-attack OP ARGS...")
		return 2
	}
	op, a := args[0], args[1:]
	arg := func(i int) string {
		if i < len(a) {
			return a[i]
		}
		return ""
	}
	pid, _ := strconv.Atoi(arg(0))
	err := func() error {
		switch op {
		case "tcp", "tcp6", "unix":
			return dialGreeting(op, arg(0))
		case "abstract":
			return dialGreeting("unix", "@"+arg(0))
		case "udp":
			return udpPing(arg(0))
		case "mptcp":
			return mptcpConnect(arg(0))
		case "raw":
			return socketOnly(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP)
		case "packet":
			return socketOnly(unix.AF_PACKET, unix.SOCK_RAW, 0)
		case "vsock":
			return socketOnly(unix.AF_VSOCK, unix.SOCK_STREAM, 0)
		case "kill":
			return unix.Kill(pid, unix.SIGKILL)
		case "pidfd":
			fd, err := unix.PidfdOpen(pid, 0)
			if err != nil {
				return err
			}
			return unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		case "ptrace":
			runtime.LockOSThread()
			return unix.PtraceAttach(pid)
		case "ptrace-helper":
			// Every thread of the sandbox's init, the helper.
			runtime.LockOSThread()
			tasks, err := os.ReadDir("/proc/1/task")
			if err != nil {
				return err
			}
			for _, t := range tasks {
				tid, _ := strconv.Atoi(t.Name())
				if err := unix.PtraceAttach(tid); err == nil {
					return nil
				}
			}
			return fmt.Errorf("no thread of the helper could be traced")
		case "environ":
			b, err := os.ReadFile("/proc/" + arg(0) + "/environ")
			if err == nil && len(b) == 0 {
				return fmt.Errorf("empty")
			}
			return err
		case "keyctl":
			_, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_SESSION_KEYRING, false)
			return err
		case "io_uring":
			var params [120]byte
			fd, _, errno := unix.Syscall(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params[0])), 0)
			if errno != 0 {
				return errno
			}
			unix.Close(int(fd))
			return nil
		case "tiocsti":
			c := byte('x')
			_, _, errno := unix.Syscall(unix.SYS_IOCTL, 0, unix.TIOCSTI, uintptr(unsafe.Pointer(&c)))
			if errno != 0 {
				return errno
			}
			return nil
		case "umount":
			return unix.Unmount(arg(0), unix.MNT_DETACH)
		case "remount-rw":
			return unix.Mount("", arg(0), "", unix.MS_REMOUNT|unix.MS_BIND, "")
		case "mount-tmpfs":
			return unix.Mount("tmpfs", arg(0), "tmpfs", 0, "")
		case "write":
			f, err := os.OpenFile(arg(0), os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("attack\n")
			return err
		case "fchmod", "fchown", "futimes", "fsetxattr":
			return viaReadOnlyFD(op, arg(0))
		case "fd-metadata":
			// What the command was handed as fd N: chmod, chown, retime it.
			fd, _ := strconv.Atoi(arg(0))
			if err := unix.Fchmod(fd, 0o4755); err != nil {
				if err := unix.Fchmod(fd, 0o700); err != nil {
					return err
				}
			}
			if err := unix.Fchown(fd, os.Getuid(), os.Getgid()); err != nil {
				return err
			}
			return unix.Futimes(fd, []unix.Timeval{{Sec: 1}, {Sec: 1}})
		case "setxattr":
			return unix.Setxattr(arg(0), "user.attack", []byte("1"), 0)
		case "utimensat":
			ts := []unix.Timespec{unix.NsecToTimespec(1e9), unix.NsecToTimespec(1e9)}
			return unix.UtimesNanoAt(unix.AT_FDCWD, arg(0), ts, unix.AT_SYMLINK_NOFOLLOW)
		case "mknod":
			return unix.Mknod(arg(0), unix.S_IFREG|0o644, 0)
		case "link":
			return unix.Link(arg(0), arg(1))
		case "exchange":
			return unix.Renameat2(unix.AT_FDCWD, arg(0), unix.AT_FDCWD, arg(1), unix.RENAME_EXCHANGE)
		case "open-by-handle":
			h, mount, err := unix.NameToHandleAt(unix.AT_FDCWD, arg(0), 0)
			if err != nil {
				return err
			}
			mfd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", mount), unix.O_RDONLY, 0)
			if err != nil {
				mfd = unix.AT_FDCWD
			}
			fd, err := unix.OpenByHandleAt(mfd, h, unix.O_WRONLY|unix.O_APPEND)
			if err != nil {
				return err
			}
			_, err = unix.Write(fd, []byte("attack\n"))
			return err
		}
		return fmt.Errorf("unknown attack %q", op)
	}()
	if err != nil {
		fmt.Printf("refused: %v\n", err)
		return 1
	}
	fmt.Println("worked")
	return 0
}

// dialGreeting connects and reads the listener's greeting: only a real
// connection to the listener outside produces it.
func dialGreeting(network, addr string) error {
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 5)
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != "hello" {
		return fmt.Errorf("greeting %q", buf)
	}
	return nil
}

func udpPing(addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("ping")); err != nil {
		return err
	}
	buf := make([]byte, 4)
	if _, err := c.Read(buf); err != nil {
		return err
	}
	if string(buf) != "pong" {
		return fmt.Errorf("reply %q", buf)
	}
	return nil
}

// mptcpConnect opens a Multipath TCP socket itself (Go would quietly fall
// back to plain TCP) and reads the greeting.
func mptcpConnect(addr string) error {
	ap, err := net.ResolveTCPAddr("tcp4", addr)
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, unix.IPPROTO_MPTCP)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	sa := &unix.SockaddrInet4{Port: ap.Port}
	copy(sa.Addr[:], ap.IP.To4())
	if err := unix.Connect(fd, sa); err != nil {
		return err
	}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &unix.Timeval{Sec: 5})
	buf := make([]byte, 5)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return err
	}
	if string(buf[:n]) != "hello" {
		return fmt.Errorf("greeting %q", buf[:n])
	}
	return nil
}

func socketOnly(domain, typ, proto int) error {
	fd, err := unix.Socket(domain, typ, proto)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// viaReadOnlyFD changes metadata through a descriptor opened only for
// reading, which Landlock's checks at open time let through.
func viaReadOnlyFD(op, path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	switch op {
	case "fchmod":
		return unix.Fchmod(fd, 0o777)
	case "fchown":
		return unix.Fchown(fd, os.Getuid(), os.Getgid())
	case "futimes":
		return unix.Futimes(fd, []unix.Timeval{{Sec: 1}, {Sec: 1}})
	default:
		return unix.Fsetxattr(fd, "user.attack", []byte("1"), 0)
	}
}
