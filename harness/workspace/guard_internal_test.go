package workspace

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// What the bound on git's time is for: git run into a named pipe called
// .gitignore (which the snapshots keep it from) waits forever for a
// writer; the bound stops it, and the error says what to look for.
func TestGitIntoANamedPipeIsStopped(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(root, ".gitignore"), 0o644); err != nil {
		t.Fatal(err)
	}
	g := &gitRepo{bin: bin, dir: t.TempDir(), root: root, env: HermeticEnv(), timeout: 300 * time.Millisecond}
	if err := g.init(t.Context()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // should the bound not work
	defer cancel()
	_, err = g.run(ctx, filepath.Join(g.dir, "index"), nil, "ls-files", "--others", "--exclude-standard")
	var te *errTimeout
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "git ls-files did not finish reading the work tree in 0.3 s") {
		t.Errorf("error = %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
}
