package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// HelperMain is the helper's whole life: set up the sandbox described by
// argv, run the command in it as its init process, report, and exit with
// the command's status. It never returns.
func HelperMain() {
	// Below Landlock ABI 8 every thread is restricted on its own and gets
	// a Landlock domain of its own, and a domain may only signal processes
	// in itself or below. The command inherits the domain of the thread
	// that forks it, so that thread must also be the one that passes
	// signals on: the main goroutine stays on one thread for both.
	runtime.LockOSThread()
	os.Exit(helperMain(os.Args[1:]))
}

// Exit statuses of the helper besides the command's own, as shells and
// container runtimes use them.
const (
	exitSetupFailed   = 125 // the sandbox could not be set up: nothing ran
	exitNotExecutable = 126
	exitNotFound      = 127
)

func helperMain(args []string) int {
	status := os.NewFile(statusFD, "sandbox status")
	// No descriptor but the command's stdin, stdout and stderr may reach
	// it: warden's own caller may have left others open (a shell's
	// 5>>file), and they lead outside the sandbox.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		for fd := 3; fd < 1024; fd++ { // before Linux 5.11
			syscall.CloseOnExec(fd)
		}
	}
	report := func(st helperStatus) {
		if status != nil {
			json.NewEncoder(status).Encode(st)
		}
	}
	fail := func(stage string, err error) int {
		report(helperStatus{Error: err.Error(), Stage: stage})
		fmt.Fprintf(os.Stderr, "warden sandbox: %s: %v\n", stage, err)
		return exitSetupFailed
	}
	if len(args) != 1 || (args[0] != networkOn && args[0] != networkOff) {
		return fail("start", errors.New("usage: "+HelperName+" "+networkOn+"|"+networkOff+" (the request comes on file descriptor 3)"))
	}
	// What does not depend on the command is done before it comes.
	network := args[0] == networkOn
	if !network {
		if err := loopbackUp(); err != nil {
			return fail("network", err)
		}
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fail("mount", fmt.Errorf("make mounts private: %w", err))
	}
	filter, err := seccompProgram()
	if err != nil {
		return fail("seccomp", err)
	}
	forward := make(chan os.Signal, 16)
	signal.Notify(forward, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT)
	if status != nil {
		status.Write([]byte{readyByte}) // started up: waiting for the request
	}
	req, ok, err := readRequest(os.NewFile(requestFD, "sandbox request"))
	if err != nil {
		return fail("start", err)
	}
	if !ok {
		return 0 // not needed after all
	}
	spec := req.Spec
	if !spec.Probe && len(req.Args) == 0 {
		return fail("start", errors.New("no command to run"))
	}
	if spec.Network != network {
		return fail("start", errors.New("the request's network setting is not the helper's"))
	}

	rep, hidden, stage, err := setUp(spec, filter)
	if err != nil {
		return fail(stage, err)
	}
	if spec.Probe {
		report(helperStatus{Report: &rep})
		return 0
	}
	st := runAsInit(req.Args, spec.Dir, req.Env, forward)
	st.Hidden = hidden[:min(len(hidden), maxReportedSockets)]
	report(st)
	return st.ExitCode
}

// setUp confines this process, in an order that matters: the mounts need
// the capabilities that Landlock, the capability drop and seccomp then take
// away for good.
func setUp(spec helperSpec, filter []unix.SockFilter) (rep setupReport, hidden []string, stage string, err error) {
	rep.Loopback = !spec.Network
	sockets := readSockets(os.NewFile(socketsFD, "unix sockets"))
	if hidden, rep.OwnProc, err = setUpMounts(spec, sockets); err != nil {
		return rep, nil, "mount", err
	}
	rep.MaskedSockets = len(hidden)
	if rep.LandlockABI, err = restrictLandlock(spec); err != nil {
		return rep, nil, "landlock", err
	}
	if err := dropCapabilities(); err != nil {
		return rep, nil, "capabilities", err
	}
	if err := loadSeccomp(filter); err != nil {
		return rep, nil, "seccomp", err
	}
	rep.Seccomp = true
	return rep, hidden, "", nil
}

// maxReportedSockets bounds the hidden sockets named in the status, which
// is only for explaining a failed connection.
const maxReportedSockets = 64

// runAsInit starts the command in its own process group and waits for it,
// reaping the orphans that the PID namespace hands to its init meanwhile
// and passing on the signals the helper gets. When it returns, the helper
// exits and the kernel kills whatever the command left behind.
func runAsInit(command []string, dir string, env []string, forward <-chan os.Signal) helperStatus {
	path, err := lookPath(command[0], dir, env)
	var pid int
	if err == nil {
		pid, err = syscall.ForkExec(path, command, &syscall.ProcAttr{
			Dir:   dir,
			Env:   env,
			Files: []uintptr{0, 1, 2},
			Sys:   &syscall.SysProcAttr{Setpgid: true},
		})
	}
	if err != nil {
		code := exitNotExecutable
		msg := fmt.Sprintf("%s: %v", command[0], unwrapPathError(err))
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, syscall.ENOENT) {
			code = exitNotFound
			msg = command[0] + ": command not found"
		}
		fmt.Fprintln(os.Stderr, "warden sandbox:", msg)
		return helperStatus{ExitCode: code, NotStarted: true, Error: msg}
	}

	exited := make(chan helperStatus, 1)
	go func() { exited <- reap(pid) }()
	for {
		select {
		case s := <-forward:
			syscall.Kill(-pid, s.(syscall.Signal))
		case st := <-exited:
			return st
		}
	}
}

// lookPath finds the program as the command's PATH says, from the
// command's directory (the helper's own environment and directory are not
// the command's). A name with a slash is left to execve.
func lookPath(name, dir string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	for _, d := range filepath.SplitList(lookupEnv(env, "PATH")) {
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d) // a relative entry is the user's choice
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// reap waits for the command, reaping the orphans the PID namespace hands
// to its init meanwhile.
func reap(pid int) helperStatus {
	for {
		var ws syscall.WaitStatus
		wpid, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil { // ECHILD: cannot happen while the command lives
			return helperStatus{ExitCode: exitSetupFailed, Error: fmt.Sprintf("wait: %v", err), Stage: "wait"}
		}
		if wpid != pid {
			continue // an orphan
		}
		if ws.Signaled() {
			return helperStatus{ExitCode: 128 + int(ws.Signal()), Signal: ws.Signal().String()}
		}
		return helperStatus{ExitCode: ws.ExitStatus()}
	}
}
