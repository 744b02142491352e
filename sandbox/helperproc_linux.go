package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// helperProc is a helper started in its namespaces, waiting for its
// request. Starting one (new namespaces, and warden's own start-up) costs
// more than everything the helper then does; Runner.prestart starts the
// next one when a command has ended, so that the next command finds it
// ready.
type helperProc struct {
	cmd     *exec.Cmd
	request *os.File // the runner's end of the request pipe
	status  *statusReader
	// For captured output the runner holds the other ends of the
	// command's stdin and output pipes; nil when the caller's streams are
	// passed through.
	stdin, output *os.File
	copied        chan struct{} // closed when all output has been captured
}

// startHelper starts a helper. With c nil or capturing output, the
// command's streams are pipes the runner holds; otherwise c's own streams
// are passed through (as pipes, see pipeStdio).
func (r *Runner) startHelper(c *Command, capt *capture) (_ *helperProc, err error) {
	attr, err := helperProcAttr(r.pol.Network)
	if err != nil {
		return nil, &SetupError{Stage: "namespaces", Err: err}
	}
	h := &helperProc{}
	var childEnds []*os.File // closed here once the helper has its own copies
	defer func() {
		for _, f := range childEnds {
			f.Close()
		}
		if err != nil {
			h.release()
		}
	}()
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return nil, &SetupError{Stage: "start", Err: err}
	}
	h.request = reqW
	childEnds = append(childEnds, reqR)
	if h.status, err = newStatusReader(); err != nil {
		return nil, &SetupError{Stage: "start", Err: err}
	}
	childEnds = append(childEnds, h.status.w)
	sockets, err := os.Open("/proc/self/net/unix")
	if err != nil {
		sockets = nil // no procfs: nothing listed, nothing to hide
	} else {
		childEnds = append(childEnds, sockets)
	}

	h.cmd = &exec.Cmd{
		Path:        r.cfg.HelperPath,
		Args:        []string{HelperName, map[bool]string{true: networkOn, false: networkOff}[r.pol.Network]},
		Dir:         "/",
		Env:         append(append([]string(nil), r.baseEnv...), "GOMAXPROCS=1"), // fewer threads for Landlock to restrict one by one
		ExtraFiles:  []*os.File{reqR, h.status.w, sockets},
		SysProcAttr: attr,
		WaitDelay:   2 * time.Second,
	}
	if c == nil || (c.Stdout == nil && c.Stderr == nil) {
		inR, inW, err := os.Pipe()
		if err != nil {
			return nil, &SetupError{Stage: "start", Err: err}
		}
		outR, outW, err := os.Pipe()
		if err != nil {
			inR.Close()
			inW.Close()
			return nil, &SetupError{Stage: "start", Err: err}
		}
		h.stdin, h.output = inW, outR
		childEnds = append(childEnds, inR, outW)
		h.cmd.Stdin, h.cmd.Stdout, h.cmd.Stderr = inR, outW, outW
	} else {
		h.cmd.Stdin = c.Stdin
		h.cmd.Stdout, h.cmd.Stderr = outputs(*c, capt)
		stop, err := pipeStdio(h.cmd)
		if err != nil {
			return nil, &SetupError{Stage: "start", Err: err}
		}
		defer func() {
			if err != nil {
				stop()
			}
		}()
	}
	if err := h.cmd.Start(); err != nil {
		return nil, &SetupError{Stage: "namespaces", Err: namespaceError(err)}
	}
	return h, nil
}

// send hands the helper its request and connects the command's streams.
func (h *helperProc) send(req helperRequest, stdin io.Reader, capt *capture) error {
	if h.output != nil {
		h.copied = make(chan struct{})
		go func() {
			io.Copy(capt, h.output)
			close(h.copied)
		}()
	}
	if h.stdin != nil {
		if stdin == nil {
			h.stdin.Close()
		} else {
			go func() {
				io.Copy(h.stdin, stdin)
				h.stdin.Close()
			}()
		}
	}
	err := json.NewEncoder(h.request).Encode(req)
	if cerr := h.request.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("send the request to the sandbox helper: %w", err)
	}
	return nil
}

// drain waits until the command's captured output is all in: once the
// helper has exited, its PID namespace is empty and the pipe at its end.
func (h *helperProc) drain() {
	if h.copied != nil {
		<-h.copied
	}
}

// kill ends a helper (and whatever runs in its namespace) and reaps it.
func (h *helperProc) kill() {
	if h.cmd != nil && h.cmd.Process != nil {
		h.cmd.Process.Kill()
		h.cmd.Wait()
	}
}

// release closes the runner's ends of the helper's pipes.
func (h *helperProc) release() {
	for _, f := range []*os.File{h.request, h.stdin, h.output} {
		if f != nil {
			f.Close()
		}
	}
	if h.status != nil {
		h.status.close()
	}
}

// takePrestarted hands out the helper started in advance, if there is one
// and the command's output is to be captured (passed-through streams are
// fixed when a helper starts).
func (r *Runner) takePrestarted(captured bool) *helperProc {
	if !captured {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	h := r.ready
	r.ready = nil
	return h
}

// prestart starts the next command's helper in the background.
func (r *Runner) prestart() {
	r.mu.Lock()
	skip := r.closed || r.noPrestart || r.starting
	r.starting = !skip
	r.mu.Unlock()
	if skip {
		return
	}
	go func() {
		h, err := r.startHelper(nil, nil)
		if err == nil {
			<-h.status.ready // handed out only once it has started up
		}
		r.mu.Lock()
		r.starting = false
		if err == nil && r.ready == nil && !r.closed {
			r.ready, h = h, nil
		}
		r.mu.Unlock()
		if h != nil {
			h.kill()
			h.release()
		}
	}()
}

// statusReader collects what the helper says: that it is ready, then its
// status line.
type statusReader struct {
	w     *os.File // the helper's end
	r     *os.File
	ready chan struct{} // closed when the helper is ready, or gone
	done  chan struct{}
	data  []byte
}

func newStatusReader() (*statusReader, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	s := &statusReader{r: r, w: w, ready: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		first := make([]byte, 1)
		_, err := io.ReadFull(r, first)
		close(s.ready)
		if err != nil {
			return
		}
		if first[0] != readyByte {
			s.data = first
		}
		rest, _ := io.ReadAll(io.LimitReader(r, 1<<16))
		s.data = append(s.data, rest...)
	}()
	return s, nil
}

func (s *statusReader) close() {
	s.w.Close()
	s.r.Close()
}

// result waits for the helper's status; ok is false when it sent none
// (it was killed, or died before it could).
func (s *statusReader) result() (helperStatus, bool) {
	<-s.done
	var st helperStatus
	if len(s.data) == 0 || json.Unmarshal(s.data, &st) != nil {
		return st, false
	}
	return st, true
}

// pipeStdio makes sure that a sandboxed command's standard streams are
// pipes. A file or terminal passed as it is would be a descriptor on the
// outside's mounts: through it a command could chmod, chown or retime the
// file (even make a setuid binary of an output file), change the
// terminal's settings, or read what the user types elsewhere. Pipes carry
// the data and nothing else. Stdin is fed by a goroutine that is not waited
// for (a terminal read cannot be interrupted); stop closes its pipe.
func pipeStdio(cmd *exec.Cmd) (stop func(), err error) {
	for _, w := range []*io.Writer{&cmd.Stdout, &cmd.Stderr} {
		if f, ok := (*w).(*os.File); ok && !anonymousPipe(f) {
			*w = struct{ io.Writer }{f} // exec copies through a pipe of its own
		}
	}
	if f, ok := cmd.Stdin.(*os.File); ok && anonymousPipe(f) {
		return func() {}, nil
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	if in := cmd.Stdin; in != nil {
		go func() {
			io.Copy(pw, in)
			pw.Close()
		}()
	} else {
		pw.Close() // nothing to read: end of file at once
	}
	cmd.Stdin = pr
	return func() { pr.Close(); pw.Close() }, nil
}

// anonymousPipe reports whether f is a pipe or socket with no name in the
// file system, which a command can do nothing to but read and write.
func anonymousPipe(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	link := ""
	rc.Control(func(fd uintptr) { link, _ = os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd)) })
	return strings.HasPrefix(link, "pipe:[") || strings.HasPrefix(link, "socket:[")
}
