package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// hostListeners listen outside the sandbox on every kind of address a
// command might reach, greet whoever connects, and count them.
type hostListeners struct {
	tcp, tcp6, udp      string // addresses; tcp6 is "" without IPv6
	unixOut, unixInside string // pathname sockets outside and inside the workspace
	abstract            string
	accepted, datagrams atomic.Int64
}

func listenEverywhere(t *testing.T, workspace string) *hostListeners {
	t.Helper()
	h := &hostListeners{}
	serve := func(l net.Listener) {
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				h.accepted.Add(1)
				c.Write([]byte("hello"))
				c.Close()
			}
		}()
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0") // Multipath TCP too, since Go 1.24
	if err != nil {
		t.Fatal(err)
	}
	serve(l)
	h.tcp = l.Addr().String()
	if l, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		serve(l)
		h.tcp6 = l.Addr().String()
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if string(buf[:n]) == "ping" {
				h.datagrams.Add(1)
				pc.WriteTo([]byte("pong"), from)
			}
		}
	}()
	h.udp = pc.LocalAddr().String()
	h.unixOut = filepath.Join(tempDir(t), "daemon.sock")
	h.unixInside = filepath.Join(workspace, "dev-server.sock")
	h.abstract = fmt.Sprintf("warden-test-%d", rand.Int64())
	for _, addr := range []string{h.unixOut, h.unixInside, "@" + h.abstract} {
		l, err := net.Listen("unix", addr)
		if err != nil {
			t.Fatal(err)
		}
		serve(l)
	}
	return h
}

func TestNetworkEscapes(t *testing.T) {
	t.Parallel()
	for _, network := range []bool{false, true} {
		t.Run(map[bool]string{false: "network off", true: "network on"}[network], func(t *testing.T) {
			t.Parallel()
			w := tempDir(t)
			h := listenEverywhere(t, w)
			r := newRunner(t, WorkspaceWrite, w, runnerOpts{network: network})
			outward := [][]string{{"tcp", h.tcp}, {"udp", h.udp}, {"mptcp", h.tcp}}
			if h.tcp6 != "" {
				outward = append(outward, []string{"tcp6", h.tcp6})
			} else {
				t.Log("no IPv6 on this machine: the IPv6 case is not tried")
			}
			for _, a := range outward {
				worked, out := attackRun(t, r, a...)
				if worked != network {
					t.Errorf("%s to the host's loopback: worked=%v with network=%v: %s", a[0], worked, network, out)
				}
			}
			// Whatever the network setting: no way out through sockets
			// of processes outside, nor to a family the filter refuses.
			for _, a := range [][]string{
				{"unix", h.unixOut}, {"unix", h.unixInside}, {"abstract", h.abstract},
				{"raw"}, {"packet"}, {"vsock"},
			} {
				if worked, out := attackRun(t, r, a...); worked {
					t.Errorf("%s worked: %s", a, out)
				}
			}
			if !network {
				// The refusals are explained, naming what was out of reach.
				for _, a := range []struct{ op, target string }{{"tcp", h.tcp}, {"unix", h.unixOut}} {
					res := run(t, r, Command{Args: []string{selfPath(t), attackArg, a.op, a.target}})
					if !hasDenial(res.Denials, "connect", a.target) {
						t.Errorf("%s %s: denials %v; output %q", a.op, a.target, res.Denials, res.Output.Text())
					}
				}
				if n := h.accepted.Load() + h.datagrams.Load(); n != 0 {
					t.Errorf("with the network off, the host's listeners heard from the sandbox %d times", n)
				}
			} else if h.accepted.Load() == 0 {
				t.Error("with the network on, nothing reached the host")
			}
		})
	}
}

// With the network off a command still has a loopback of its own: test
// suites can start servers and talk to them.
func TestOwnLoopback(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	r := newRunner(t, ReadOnly, tempDir(t), runnerOpts{})
	res := sh(t, r, `python3 -c '
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
threading.Thread(target=lambda: s.accept()[0].sendall(b"own"), daemon=True).start()
c = socket.create_connection(s.getsockname()); print(c.recv(3).decode())'`)
	if res.ExitCode != 0 || strings.TrimSpace(res.Output.Text()) != "own" {
		t.Errorf("own loopback: exit %d: %s", res.ExitCode, res.Output.Text())
	}
	if len(res.Denials) != 0 {
		t.Errorf("denials %v", res.Denials)
	}
}

// A command cannot signal, trace or read processes outside the sandbox,
// nor use the kernel keyrings, io_uring or terminal input injection.
func TestProcessIsolation(t *testing.T) {
	t.Parallel()
	outside := exec.Command("sleep", "1000")
	if err := outside.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { outside.Process.Kill(); outside.Wait() })
	pid := strconv.Itoa(outside.Process.Pid)
	self := strconv.Itoa(os.Getpid())
	r := newRunner(t, WorkspaceWrite, tempDir(t), runnerOpts{})
	for _, a := range [][]string{
		{"kill", pid}, {"pidfd", pid}, {"ptrace", pid}, {"environ", self}, {"environ", pid},
		{"kill", "-1"}, // "works" on the sandbox's own processes; the one outside must live
		{"keyctl"}, {"io_uring"}, {"tiocsti"},
	} {
		if worked, out := attackRun(t, r, a...); worked && a[0] != "kill" {
			t.Errorf("%s worked: %s", a, out)
		}
	}
	if err := outside.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the process outside died: %v", err)
	}
	res := sh(t, r, "ls /proc | grep -c '^[0-9]*$'")
	if n, _ := strconv.Atoi(strings.TrimSpace(res.Output.Text())); n == 0 || n > 4 {
		t.Errorf("the sandbox sees %q processes in /proc, want only its own few", res.Output.Text())
	}
}

func TestEnvironmentScrubbed(t *testing.T) {
	t.Parallel()
	const key = "sk-test-0123456789abcdef"
	r := newRunner(t, ReadOnly, tempDir(t), runnerOpts{
		environ: []string{
			"PATH=" + os.Getenv("PATH"), "HOME=/home/ada",
			"OPENAI_API_KEY=" + key, "AWS_SECRET_ACCESS_KEY=aws", "GITHUB_TOKEN=gh", "DB_PASSWORD=pw",
			"INNOCENT=" + key, "KEEP_ME=yes", "AWS_REGION=eu", "WARDEN_SANDBOX=full-access",
		},
		env: EnvPolicy{Exclude: []string{"AWS_*"}, Secrets: []string{key}},
	})
	res := sh(t, r, "env; cat /proc/1/environ | tr '\\0' '\\n'")
	out := res.Output.Text()
	for _, leak := range []string{key, "aws", "gh", "pw", "AWS_REGION", "full-access"} {
		if strings.Contains(out, "="+leak) || strings.Contains(out, leak+"\n") {
			t.Errorf("%q reached the command:\n%s", leak, out)
		}
	}
	for _, want := range []string{"KEEP_ME=yes", "WARDEN_SANDBOX=read-only", "WARDEN_NETWORK_DISABLED=1", "HOME=/home/ada"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s:\n%s", want, out)
		}
	}
	on := newRunner(t, WorkspaceWrite, tempDir(t), runnerOpts{network: true})
	out = sh(t, on, "env").Output.Text()
	if strings.Contains(out, "WARDEN_NETWORK_DISABLED") || !strings.Contains(out, "WARDEN_SANDBOX=workspace-write") {
		t.Errorf("network on:\n%s", out)
	}
	for _, want := range []string{"TMPDIR=" + on.TempDir(), "GOCACHE=" + on.CacheDir() + "/go-build", "XDG_CACHE_HOME=" + on.CacheDir()} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s:\n%s", want, out)
		}
	}
}
