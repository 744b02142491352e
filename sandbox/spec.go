package sandbox

import (
	"encoding/json"
	"fmt"
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
	statusFD  = 3 // helper → runner: one JSON helperStatus
	socketsFD = 4 // runner → helper: /proc/net/unix as the runner sees it
)

// helperSpec tells the helper what to set up. It travels as argv[1], the
// command as argv[3:] after a "--".
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

func encodeSpec(s helperSpec) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("encode sandbox spec: %v", err)) // plain data: cannot fail
	}
	return string(b)
}

func decodeSpec(s string) (helperSpec, error) {
	var spec helperSpec
	if err := json.Unmarshal([]byte(s), &spec); err != nil {
		return spec, fmt.Errorf("decode sandbox spec: %w", err)
	}
	return spec, nil
}
