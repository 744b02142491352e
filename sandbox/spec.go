package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// HelperName is argv[0] of the helper: the warden binary (or a test binary)
// started under this name confines itself and runs a command, instead of
// doing what it normally does. See IsHelper.
const HelperName = "warden-sandbox-helper"

// IsHelper reports whether this process was started as the sandbox helper;
// main (and TestMain in tests that run sandboxed commands) must then call
// HelperMain before anything else.
func IsHelper() bool { return len(os.Args) > 0 && os.Args[0] == HelperName }

// The helper's extra file descriptors.
const (
	requestFD = 3 // runner → helper: one JSON helperRequest, then end of file
	statusFD  = 4 // helper → runner: readyByte once started up, then one JSON helperStatus
	socketsFD = 5 // /proc/net/unix as the runner sees it, read when the request comes
)

// The helper's one argument: whether it was started in a network namespace
// of its own, which the request must agree with.
const (
	networkOn  = "network=on"
	networkOff = "network=off"
)

// readyByte tells the runner that a helper has started up and waits for its
// request.
const readyByte = '.'

// helperRequest is what the helper reads from requestFD. A helper is
// started in its namespaces before it is needed and waits for it, so that
// its start-up is not on a command's path (see Runner.prestart).
type helperRequest struct {
	Spec helperSpec `json:"spec"`
	Args []string   `json:"args"`
	Env  []string   `json:"env"`
}

// helperSpec tells the helper what to set up.
type helperSpec struct {
	// Probe sets everything up, reports, and runs no command.
	Probe   bool `json:"probe,omitempty"`
	Network bool `json:"network,omitempty"`
	// Writable are the directories mounted read-write and granted write
	// access by Landlock: the writable roots plus the private temporary
	// and cache directories. Empty in read-only mode.
	Writable  []string         `json:"writable,omitempty"`
	Protected []protectedMount `json:"protected,omitempty"`
	// WritableShm lets the command write its private /dev/shm.
	WritableShm bool `json:"writable_shm,omitempty"`
	// Dir is the command's working directory.
	Dir string `json:"dir"`
	// MinLandlockABI refuses to run on a kernel with less.
	MinLandlockABI int `json:"min_landlock_abi"`
}

// helperStatus is the helper's last word: how setup went and how the
// command ended.
type helperStatus struct {
	// Error is set when the sandbox could not be set up; no command ran.
	Error string `json:"error,omitempty"`
	// Stage names the setup step that failed ("mount", "landlock", …).
	Stage string `json:"stage,omitempty"`

	ExitCode int    `json:"exit_code"`
	Signal   string `json:"signal,omitempty"`
	// NotStarted: the command could not be executed (not found, not
	// executable); the reason is in Error and on stderr.
	NotStarted bool `json:"not_started,omitempty"`

	Report *setupReport `json:"report,omitempty"`
	// Hidden are the Unix sockets hidden from the command (the first few).
	Hidden []string `json:"hidden,omitempty"`
}

// setupReport says what the helper managed to set up.
type setupReport struct {
	LandlockABI int `json:"landlock_abi"`
	// LandlockFS and LandlockScopes are the rights Landlock enforced.
	LandlockFS     string `json:"landlock_fs"`
	LandlockScopes string `json:"landlock_scopes"`
	OwnProc        bool   `json:"own_proc"`
	Loopback       bool   `json:"loopback"`
	MaskedSockets  int    `json:"masked_sockets"`
	Seccomp        bool   `json:"seccomp"`
}

// readRequest reads the request, or reports that none came (the runner
// closed the pipe: the helper is not needed after all).
func readRequest(r io.Reader) (req helperRequest, ok bool, err error) {
	b, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return req, false, fmt.Errorf("read sandbox request: %w", err)
	}
	if len(b) == 0 {
		return req, false, nil
	}
	if err := json.Unmarshal(b, &req); err != nil {
		return req, false, fmt.Errorf("decode sandbox request: %w", err)
	}
	return req, true, nil
}
