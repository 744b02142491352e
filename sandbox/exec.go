package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// run starts the command (through a helper when spec is set) and waits.
func (r *Runner) run(ctx context.Context, c Command, dir string, timeout time.Duration, spec *helperSpec) (Result, error) {
	capt := newCapture(r.cfg.OutputLimit, c.OnOutput)
	if spec == nil {
		return r.runDirect(ctx, c, dir, timeout, capt)
	}
	captured := c.Stdout == nil && c.Stderr == nil
	h := r.takePrestarted(captured)
	if h == nil {
		var err error
		if h, err = r.startHelper(&c, capt); err != nil {
			return Result{}, err
		}
	}
	if captured {
		// The next command's helper starts once this one is done, while
		// the model reads what it printed.
		defer r.prestart()
	}
	defer h.release()

	start := time.Now()
	if err := h.send(helperRequest{Spec: *spec, Args: c.Args, Env: r.environ(dir)}, c.Stdin, capt); err != nil {
		h.kill()
		return Result{}, &SetupError{Stage: "start", Err: err}
	}
	res := r.wait(ctx, h.cmd, c.Signals, timeout, true)
	h.drain()
	res.Duration = time.Since(start)
	res.Timeout = timeout
	res.Output = capt.output()

	st, ok := h.status.result()
	switch {
	case ok && st.Error != "" && !st.NotStarted:
		return res, &SetupError{Stage: st.Stage, Err: errors.New(st.Error)}
	case !ok && !res.TimedOut && !res.Interrupted && res.ExitCode == exitSetupFailed:
		return res, &SetupError{Stage: "start", Err: fmt.Errorf("the sandbox helper failed: %s", res.Output.Text())}
	case ok && !res.TimedOut && !res.Interrupted:
		res.ExitCode, res.Signal, res.NotStarted = st.ExitCode, st.Signal, st.NotStarted
		res.setup = st.Report
		res.hiddenSockets = st.Hidden
	}
	return res, nil
}

// runDirect runs the command with no sandbox, as the leader of a process
// group of its own and without the user's terminal.
func (r *Runner) runDirect(ctx context.Context, c Command, dir string, timeout time.Duration, capt *capture) (Result, error) {
	cmd := &exec.Cmd{Path: c.Args[0], Args: c.Args, Dir: dir, Env: r.environ(dir), Stdin: c.Stdin, WaitDelay: 2 * time.Second}
	if lp, err := exec.LookPath(c.Args[0]); err == nil || errors.Is(err, exec.ErrDot) {
		cmd.Path = lp
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Stdout, cmd.Stderr = outputs(c, capt)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		res := Result{ExitCode: exitNotFound, NotStarted: true, Timeout: timeout}
		if !errors.Is(err, exec.ErrNotFound) && !errors.Is(err, fs.ErrNotExist) {
			res.ExitCode = exitNotExecutable
		}
		fmt.Fprintf(cmd.Stderr, "warden: %s: %v\n", c.Args[0], unwrapPathError(err))
		res.Output = capt.output()
		return res, nil
	}
	res := r.wait(ctx, cmd, c.Signals, timeout, false)
	res.Duration = time.Since(start)
	res.Timeout = timeout
	res.Output = capt.output()
	return res, nil
}

// outputs are where a command's stdout and stderr go: both into the
// capture (the same writer: one pipe, in order), or to the writers the
// caller gave, stderr also into the capture so denials can be explained.
func outputs(c Command, capt *capture) (stdout, stderr io.Writer) {
	if c.Stdout == nil && c.Stderr == nil {
		return capt, capt
	}
	stdout, stderr = c.Stdout, io.Writer(capt)
	if stdout == nil {
		stdout = capt
	}
	if c.Stderr != nil {
		stderr = io.MultiWriter(c.Stderr, capt)
	}
	return stdout, stderr
}

// wait waits for the command, killing it on timeout or when ctx is done.
func (r *Runner) wait(ctx context.Context, cmd *exec.Cmd, signals <-chan os.Signal, timeout time.Duration, sandboxed bool) Result {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	pid := cmd.Process.Pid
	// The helper is the init of the command's PID namespace: killing it
	// kills every process in there. Without a sandbox, the command leads
	// its own process group.
	kill := func() {
		if sandboxed {
			syscall.Kill(pid, syscall.SIGKILL)
		} else {
			syscall.Kill(-pid, syscall.SIGKILL)
		}
	}
	var res Result
	for {
		select {
		case <-done:
			return exitResult(cmd.ProcessState, res)
		case <-ctx.Done():
			kill()
			<-done
			res.Interrupted, res.ExitCode = true, -1
			return res
		case <-expired:
			kill()
			<-done
			res.TimedOut, res.ExitCode = true, -1
			return res
		case s := <-signals:
			sig, ok := s.(syscall.Signal)
			if !ok {
				continue
			}
			if sandboxed {
				syscall.Kill(pid, sig) // the helper passes it on to the command's group
			} else {
				syscall.Kill(-pid, sig)
			}
		}
	}
}

func exitResult(ps *os.ProcessState, res Result) Result {
	if ps == nil {
		res.ExitCode = -1
		return res
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		res.ExitCode = 128 + int(ws.Signal())
		res.Signal = ws.Signal().String()
		return res
	}
	res.ExitCode = ps.ExitCode()
	return res
}
