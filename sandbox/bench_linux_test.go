package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// BenchmarkCommand measures what the sandbox adds to running a command:
// `true`, run plainly with os/exec and through a Runner in each mode, its
// output captured either way. The helper is the real warden binary, built
// here (or WARDEN_BENCH_HELPER), since its start-up is part of the cost.
// Besides the mean (ns/op) it reports the median in ms ("ms-median").
//
// In a session commands come seconds apart, and each finds the helper the
// runner started for it in the meantime: the modes' plain names measure
// that, waiting (untimed) for the helper before each command. The "cold"
// cases start every helper on the command's path, as the first command of a
// session does.
//
//	go test -run '^$' -bench Command -benchtime 300x ./sandbox/
func BenchmarkCommand(b *testing.B) {
	helper := os.Getenv("WARDEN_BENCH_HELPER")
	if helper == "" {
		helper = filepath.Join(b.TempDir(), "warden")
		out, err := exec.Command("go", "build", "-o", helper, "../cmd/warden").CombinedOutput()
		if err != nil {
			b.Fatalf("build warden: %v\n%s", err, out)
		}
	}
	w := tempDir(b)
	runner := func(mode Mode, network, cold bool) func(*testing.B) (time.Duration, error) {
		r, err := NewRunner(Config{
			Policy:     Policy{Mode: mode, Network: network, Workspace: w},
			HelperPath: helper,
			Environ:    []string{"PATH=" + os.Getenv("PATH")},
			CacheDir:   sharedCache(),
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Close() })
		if err := r.Probe().Check(r.Policy()); mode != FullAccess && err != nil {
			b.Fatal(err)
		}
		r.noPrestart = cold
		return func(b *testing.B) (time.Duration, error) {
			if mode != FullAccess && !cold {
				b.StopTimer()
				r.prestart()
				for r.takeReadyForBench() == nil {
					runtime.Gosched()
				}
				b.StartTimer()
			}
			start := time.Now()
			res, err := r.Run(context.Background(), Command{Args: []string{"true"}})
			if err == nil && res.ExitCode != 0 {
				b.Fatalf("exit %d: %s", res.ExitCode, res.Output.Text())
			}
			return time.Since(start), err
		}
	}
	cases := []struct {
		name string
		run  func(*testing.B) (time.Duration, error)
	}{
		{"plain", func(*testing.B) (time.Duration, error) {
			start := time.Now()
			cmd := exec.Command("true")
			cmd.Dir = w
			_, err := cmd.Output()
			return time.Since(start), err
		}},
		{"full-access", runner(FullAccess, false, false)},
		{"read-only", runner(ReadOnly, false, false)},
		{"workspace-write", runner(WorkspaceWrite, false, false)},
		{"workspace-write+network", runner(WorkspaceWrite, true, false)},
		{"read-only-cold", runner(ReadOnly, false, true)},
		{"workspace-write-cold", runner(WorkspaceWrite, false, true)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				d, err := c.run(b)
				if err != nil {
					b.Fatal(err)
				}
				took = append(took, d)
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2])/1e6, "ms-median")
		})
	}
}

// takeReadyForBench reports the prestarted helper without taking it.
func (r *Runner) takeReadyForBench() *helperProc {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ready
}
