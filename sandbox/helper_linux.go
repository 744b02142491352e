package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
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
	syscall.CloseOnExec(statusFD)
	syscall.CloseOnExec(socketsFD)
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
	if len(args) < 2 || args[1] != "--" {
		return fail("start", errors.New("usage: "+HelperName+" SPEC -- COMMAND [ARGS...]"))
	}
	spec, err := decodeSpec(args[0])
	if err != nil {
		return fail("start", err)
	}
	command := args[2:]
	if !spec.Probe && len(command) == 0 {
		return fail("start", errors.New("no command to run"))
	}

	rep, hidden, stage, err := setUp(spec)
	if err != nil {
		return fail(stage, err)
	}
	if spec.Probe {
		report(helperStatus{Report: &rep})
		return 0
	}
	st := runAsInit(command, spec.Dir)
	st.Hidden = hidden[:min(len(hidden), maxReportedSockets)]
	report(st)
	return st.ExitCode
}

// setUp confines this process, in an order that matters: the network and
// mounts need the capabilities that Landlock, the capability drop and
// seccomp then take away for good.
func setUp(spec helperSpec) (rep setupReport, hidden []string, stage string, err error) {
	if !spec.Network {
		if err := loopbackUp(); err != nil {
			return rep, nil, "network", err
		}
		rep.Loopback = true
	}
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
	if err := loadSeccomp(); err != nil {
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
func runAsInit(command []string, dir string) helperStatus {
	forward := make(chan os.Signal, 16)
	signal.Notify(forward, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGCONT)

	path, err := exec.LookPath(command[0])
	if errors.Is(err, exec.ErrDot) {
		err = nil // a relative PATH entry is the user's choice
	}
	var pid int
	if err == nil {
		pid, err = syscall.ForkExec(path, command, &syscall.ProcAttr{
			Dir:   dir,
			Env:   os.Environ(),
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
