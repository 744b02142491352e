package sandbox

import (
	"strings"
	"syscall"
	"testing"
)

func TestProbeCheckRefuses(t *testing.T) {
	t.Parallel()
	ok := &setupReport{LandlockABI: 7, OwnProc: true, Loopback: true, Seccomp: true}
	ro := Policy{Mode: ReadOnly}
	net := Policy{Mode: WorkspaceWrite, Network: true}
	tests := []struct {
		name  string
		probe Probe
		pol   Policy
		want  []string // all in the message; nil: allowed
	}{
		{"all there", Probe{LandlockABI: 7, Setup: ok}, net, nil},
		{"full access needs nothing", Probe{LandlockErr: syscall.ENOSYS}, Policy{Mode: FullAccess}, nil},
		{"not built in", Probe{LandlockErr: syscall.ENOSYS}, ro,
			[]string{"built without CONFIG_SECURITY_LANDLOCK", "runs no command unconfined", `sandbox_mode = "full-access"`}},
		{"not enabled at boot", Probe{LandlockErr: syscall.EOPNOTSUPP}, ro,
			[]string{"not enabled", "lsm=", "reboot", `sandbox_mode = "full-access"`}},
		{"too old", Probe{LandlockABI: 2}, ro, []string{"ABI 2", "ABI 3 or newer", "truncate", "full-access"}},
		{"no user namespaces", Probe{LandlockABI: 7, SetupErr: &SetupError{Stage: "namespaces", Err: syscall.EPERM}}, ro,
			[]string{"user namespace", "max_user_namespaces", "apparmor", "full-access"}},
		{"mount refused", Probe{LandlockABI: 7, SetupErr: &SetupError{Stage: "mount", Err: syscall.EPERM}}, ro,
			[]string{"read-only view", "AppArmor", "full-access"}},
		{"network on needs scopes", Probe{LandlockABI: 5, Setup: ok}, net, []string{"ABI 6", "abstract Unix sockets", "Turn the network off"}},
		{"network off does not", Probe{LandlockABI: 5, Setup: ok}, ro, nil},
		{"no own /proc and no scopes", Probe{LandlockABI: 5, Setup: &setupReport{}}, ro, []string{"signals", "/proc"}},
	}
	for _, tt := range tests {
		err := tt.probe.Check(tt.pol)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: refused: %v", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: allowed", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not say %q", tt.name, err, w)
			}
		}
	}
}

func TestProbeReport(t *testing.T) {
	t.Parallel()
	r := Probe{Kernel: "6.18", LandlockABI: 7, Setup: &setupReport{OwnProc: true, Loopback: true, MaskedSockets: 2, Seccomp: true}}.Report()
	for _, w := range []string{"ABI 7 (kernel 6.18)", "truncate, ioctl_dev", "not in this kernel: resolve_unix", "IPC scopes enforced", "hidden: 2", "read-only:", "ready"} {
		if !strings.Contains(r, w) {
			t.Errorf("report lacks %q:\n%s", w, r)
		}
	}
	r = Probe{Kernel: "5.10", LandlockErr: syscall.EOPNOTSUPP}.Report()
	if !strings.Contains(r, "not available") || !strings.Contains(r, "refused") || strings.Contains(r, "ready") {
		t.Errorf("report of a kernel without Landlock:\n%s", r)
	}
}
