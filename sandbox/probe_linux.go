package sandbox

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	ll "github.com/landlock-lsm/go-landlock/landlock/syscall"
	"golang.org/x/sys/unix"
)

// RunProbe asks the kernel for its Landlock ABI and tries the helper at
// helperPath once, with the network off (the stricter setup).
func RunProbe(helperPath string) Probe {
	var p Probe
	var uts unix.Utsname
	if unix.Uname(&uts) == nil {
		p.Kernel = unix.ByteSliceToString(uts.Release[:])
	}
	p.LandlockABI, p.LandlockErr = ll.LandlockGetABIVersion()
	if p.LandlockErr != nil {
		p.LandlockABI = 0
		return p
	}
	if p.LandlockABI < MinLandlockABI {
		return p
	}
	env := minimalEnviron()
	r := &Runner{
		cfg:        Config{HelperPath: helperPath, Environ: env},
		pol:        resolved{Policy: Policy{Mode: ReadOnly}, workspace: "/"},
		baseEnv:    env,
		noPrestart: true,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := r.probeRun(ctx)
	var se *SetupError
	switch {
	case errors.As(err, &se):
		p.SetupErr = se
	case err != nil:
		p.SetupErr = &SetupError{Stage: "start", Err: err}
	case res == nil:
		p.SetupErr = &SetupError{Stage: "start", Err: errors.New("the helper reported nothing")}
	default:
		p.Setup = res
	}
	return p
}

func (r *Runner) probeRun(ctx context.Context) (*setupReport, error) {
	spec := helperSpec{Probe: true, Dir: "/", MinLandlockABI: MinLandlockABI}
	res, err := r.run(ctx, Command{Args: []string{"true"}}, "/", 0, &spec)
	if err != nil {
		return nil, err
	}
	return res.setup, nil
}

func minimalEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return env
}
