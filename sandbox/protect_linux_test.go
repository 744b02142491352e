package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a repository in dir with git if it is installed, by hand
// otherwise, and returns whether git is there to commit with.
func gitRepo(t *testing.T, dir string) (haveGit bool) {
	t.Helper()
	if _, err := exec.LookPath("git"); err == nil {
		out, err := exec.Command("git", "-C", dir, "init", "-q").CombinedOutput()
		if err != nil {
			t.Fatalf("git init: %v: %s", err, out)
		}
		return true
	}
	writeFile(t, dir+"/.git/config", "[core]\n\trepositoryformatversion = 0\n")
	writeFile(t, dir+"/.git/HEAD", "ref: refs/heads/main\n")
	writeFile(t, dir+"/.git/hooks/pre-commit.sample", "#!/bin/sh\n")
	return false
}

// subdirOfRepository makes a repository and returns a directory inside it
// that holds no .git of its own, as a workspace opened in a subdirectory.
func subdirOfRepository(t *testing.T) string {
	t.Helper()
	repo := tempDir(t)
	gitRepo(t, repo)
	w := filepath.Join(repo, "sub")
	if err := os.Mkdir(w, 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// protectedAttacks try to change .git/config, .git/hooks or .warden of the
// workspace, or to swap in replacements.
var protectedAttacks = []struct{ name, script string }{
	{"overwrite config", "echo '[core] hooksPath = /tmp' > .git/config"},
	{"append to config", "printf '[core]\\n\\tfsmonitor = touch /tmp/owned\\n' >> .git/config"},
	{"replace config by rename", "printf '[core]\\n\\thooksPath = /tmp\\n' > cfg && mv cfg .git/config"},
	{"git config", "git config core.hooksPath /tmp"},
	{"git config --file", "git config --file .git/config core.fsmonitor 'touch /tmp/owned'"},
	{"delete config", "rm -f .git/config"},
	{"chmod config", "chmod 666 .git/config"},
	{"touch config", "touch -d 2001-01-01 .git/config"},
	{"new hook", "printf '#!/bin/sh\\ntouch /tmp/owned\\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit"},
	{"symlinked hook", "ln -s /bin/true .git/hooks/post-checkout"},
	{"remove hooks", "rm -rf .git/hooks"},
	{"move hooks aside", "mv .git/hooks .git/hooks.old && mkdir .git/hooks && echo evil > .git/hooks/pre-commit"},
	{"move .git aside", "mv .git .git.old && mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit"},
	{"remove .git", "rm -rf .git; mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit"},
	{"git init over it", "git init -q --template=/nonexistent . && echo evil > .git/hooks/pre-commit"},
	{"rules", "echo '[[rule]]' > .warden/rules.toml"},
	{"new rules file", "echo '[[rule]]' > .warden/new.toml"},
	{"remove .warden", "rm -rf .warden"},
	{"move .warden aside", "mv .warden .warden.old && mkdir .warden && echo x > .warden/rules.toml"},
	{"unshare and unmount", "unshare -Urm sh -c 'umount -l .git/hooks; umount -l .warden; echo evil > .git/hooks/pre-commit; echo x > .warden/rules.toml'"},
}

func TestProtectedPathsStayReadOnly(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	haveGit := gitRepo(t, w)
	writeFile(t, w+"/.warden/rules.toml", "# the user's rules\n")
	writeFile(t, w+"/src.txt", "code\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	protected := []string{w + "/.git/config", w + "/.git/hooks", w + "/.warden"}
	before := snapshot(t, protected...)
	for _, a := range protectedAttacks {
		res := sh(t, r, a.script)
		after := snapshot(t, protected...)
		if d := diffSnapshots(before, after); d != "" {
			t.Errorf("%s: changed a protected path:\n%s\noutput: %s", a.name, d, res.Output.Text())
			before = after
		}
		if fi, err := os.Lstat(w + "/.git"); err != nil || !fi.IsDir() {
			t.Fatalf("%s: .git is gone or replaced: %v", a.name, err)
		}
	}
	for _, a := range [][]string{
		{"umount", w + "/.git/hooks"}, {"remount-rw", w + "/.git/hooks"}, {"mount-tmpfs", w + "/.git/hooks"},
		{"exchange", w + "/src.txt", w + "/.git/config"}, {"write", w + "/.git/config"}, {"fchmod", w + "/.git/config"},
	} {
		if worked, out := attackRun(t, r, a...); worked {
			t.Errorf("attack %q worked: %s", a, out)
		}
	}
	if d := diffSnapshots(before, snapshot(t, protected...)); d != "" {
		t.Errorf("attacks changed a protected path:\n%s", d)
	}

	// What git needs besides still works: the agent can commit.
	if haveGit {
		w2 := tempDir(t)
		gitRepo(t, w2)
		r2 := newRunner(t, WorkspaceWrite, w2, runnerOpts{})
		res := sh(t, r2, "echo hi > f && git add f && git -c user.name=a -c user.email=a@b commit -qm first && git log --oneline")
		if res.ExitCode != 0 || !strings.Contains(res.Output.Text(), "first") {
			t.Errorf("commit in the sandbox: exit %d: %s", res.ExitCode, res.Output.Text())
		}
	}
}

// A denial of a protected path says so.
func TestProtectedPathDenialIsReported(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "echo evil > .git/hooks/pre-commit")
	want := Denial{Op: "write", Target: w + "/.git/hooks/pre-commit", Reason: "protected: git runs what is here outside the sandbox"}
	if len(res.Denials) != 1 || res.Denials[0] != want {
		t.Errorf("denials %v, want [%v]; output %q", res.Denials, want, res.Output.Text())
	}
	res = sh(t, r, "mkdir -p .warden && echo x > .warden/rules.toml")
	if !hasDenial(res.Denials, "write", "/.warden/rules.toml") {
		t.Errorf("denials %v", res.Denials)
	}
}

// A worktree's or submodule's .git file names a git directory elsewhere:
// that one's config and hooks are protected, and so is the .git file.
func TestProtectedGitFile(t *testing.T) {
	t.Parallel()
	w, mainRepo := tempDir(t), tempDir(t)
	gitRepo(t, mainRepo)
	gitDir := filepath.Join(mainRepo, ".git", "worktrees", "wt")
	writeFile(t, gitDir+"/HEAD", "ref: refs/heads/wt\n")
	writeFile(t, gitDir+"/commondir", "../..\n")
	writeFile(t, gitDir+"/config", "")
	writeFile(t, w+"/.git", "gitdir: "+gitDir+"\n")
	writeFile(t, mainRepo+"/.git/modules/lib/HEAD", "x\n")
	writeFile(t, mainRepo+"/.git/modules/lib/config", "")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{roots: []string{mainRepo}})
	sh(t, r, "true") // the first command creates the missing hooks directories
	watched := []string{w + "/.git", gitDir + "/config", gitDir + "/hooks", mainRepo + "/.git/config", mainRepo + "/.git/hooks", mainRepo + "/.git/modules/lib/hooks", mainRepo + "/.git/modules/lib/config"}
	before := snapshot(t, watched...)
	for _, script := range []string{
		"echo 'gitdir: /tmp/evil' > .git",
		"echo evil > " + gitDir + "/hooks/pre-commit",
		"echo '[core]' >> " + gitDir + "/config",
		"echo evil > " + mainRepo + "/.git/hooks/pre-commit",
		"echo evil > " + mainRepo + "/.git/modules/lib/hooks/pre-commit",
		"mv " + mainRepo + "/.git/modules/lib " + mainRepo + "/.git/modules/lib2",
	} {
		res := sh(t, r, script)
		if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
			t.Fatalf("%q changed a protected path:\n%s\n%s", script, d, res.Output.Text())
		}
	}
	if res := sh(t, r, "echo ok > "+mainRepo+"/.git/worktrees/wt/ORIG_HEAD"); res.ExitCode != 0 {
		t.Errorf("the rest of the git directory should stay writable: %s", res.Output.Text())
	}
}
