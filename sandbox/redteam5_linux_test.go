package sandbox

import (
	"maps"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// A config.worktree planted while extensions.worktreeConfig is off would
// take effect the day the user runs `git sparse-checkout init` (which turns
// it on), outside the sandbox: it must not survive the command, in the
// repository's git directory or a worktree's.
func TestPlantedConfigWorktreeRemoved(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	w := tempDir(t)
	gitRepo(t, w)
	for _, args := range [][]string{
		{"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "first"},
		{"worktree", "add", "-q", "--detach", w + "/wt"},
	} {
		if out, err := exec.Command("git", append([]string{"-C", w}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `printf '[core]\n\tfsmonitor = "touch $PWD/escaped"\n' | tee .git/config.worktree > .git/worktrees/wt/config.worktree`)
	for _, p := range []string{"/.git/config.worktree", "/.git/worktrees/wt/config.worktree"} {
		if _, err := os.Lstat(w + p); err == nil {
			t.Errorf("%s survived the command", p)
		}
		if !hasDenial(res.Denials, "create", p) {
			t.Errorf("no denial for %s: %v", p, res.Denials)
		}
	}
	out, _ := exec.Command("git", "-C", w, "config", "--worktree", "core.fsmonitor").CombinedOutput()
	if strings.Contains(string(out), "escaped") {
		t.Errorf("git on the host reads the planted config: %q", out)
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@t"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// A repository made and registered as a submodule in one command: the
// user's next `git status` would look into it with a git of its own and run
// the core.fsmonitor the command planted, outside the sandbox. Its .git is
// set aside instead, whatever the index looks like.
func TestSubmoduleRegisteredByACommandIsSetAside(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for name, prepare := range map[string][]string{
		"v2":          nil,
		"v4":          {"update-index", "--index-version", "4"},
		"split index": {"update-index", "--split-index"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := tempDir(t)
			gitRepo(t, w)
			writeFile(t, w+"/a.txt", "a\n")
			git(t, w, "add", "a.txt")
			if prepare != nil {
				git(t, w, prepare...)
			}
			r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
			res := sh(t, r, `git init -q sub && git -C sub config core.fsmonitor "touch $PWD/escaped" && git -C sub -c user.name=t -c user.email=t@t commit -q --allow-empty -m x && git add sub`)
			if res.ExitCode != 0 {
				t.Fatalf("setup failed in the sandbox: %s", res.Output.Text())
			}
			if _, err := os.Lstat(w + "/sub/.git"); err == nil {
				t.Fatal("sub/.git is still there")
			}
			if _, err := os.Lstat(w + "/sub/.git" + quarantineSuffix + "/config"); err != nil {
				t.Errorf("sub/.git was not set aside but lost: %v", err)
			}
			if !hasDenial(res.Denials, "create", "/sub/.git") {
				t.Errorf("denials %v", res.Denials)
			}
			os.Remove(w + "/escaped") // the commit in the sandbox ran it there, harmlessly
			git(t, w, "status")
			if _, err := os.Lstat(w + "/escaped"); err == nil {
				t.Fatal("the user's git status ran the planted fsmonitor")
			}
		})
	}
}

// A submodule registered before the session keeps its config read-only,
// like the repository's own.
func TestExistingGitlinkConfigIsProtected(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	w := tempDir(t)
	gitRepo(t, w)
	git(t, w, "init", "-q", "sub")
	git(t, w+"/sub", "commit", "-q", "--allow-empty", "-m", "x")
	git(t, w, "add", "sub")
	before := snapshot(t, w+"/sub/.git/config", w+"/sub/.git/hooks")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	for _, script := range []string{
		`git -C sub config core.fsmonitor "touch $PWD/escaped"`,
		`echo 'touch escaped' > sub/.git/hooks/post-checkout && chmod +x sub/.git/hooks/post-checkout`,
	} {
		if res := sh(t, r, script); res.ExitCode == 0 {
			t.Errorf("%s: succeeded", script)
		}
	}
	if after := snapshot(t, w+"/sub/.git/config", w+"/sub/.git/hooks"); !maps.Equal(before, after) {
		t.Errorf("the submodule's git directory changed")
	}
}
