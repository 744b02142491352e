package sandbox

import (
	"os"
	"path/filepath"
	"testing"
)

// The fourth review by attack found these; each was a way around a fix
// before its own.

// A worktree's gitdir file says where its .git file is: rewritten, the next
// command would protect another one.
func TestWorktreeGitdirFileProtected(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/wt/.git", "gitdir: "+w+"/.git/worktrees/wt\n")
	writeFile(t, w+"/.git/worktrees/wt/HEAD", "ref: refs/heads/wt\n")
	writeFile(t, w+"/.git/worktrees/wt/commondir", "../..\n")
	writeFile(t, w+"/.git/worktrees/wt/gitdir", w+"/wt/.git\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	sh(t, r, "true")
	watched := []string{w + "/.git/worktrees/wt/gitdir", w + "/wt/.git"}
	before := snapshot(t, watched...)
	res := sh(t, r, "echo "+w+"/nothing/.git > .git/worktrees/wt/gitdir; echo 'gitdir: /tmp/evil' > wt/.git")
	if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
		t.Fatalf("changed:\n%s\n%s", d, res.Output.Text())
	}
}

// What an included config includes, or names as the hooks directory, is
// protected too, and so is what a global config's relative hooks
// directory means in each work tree.
func TestIncludesOfIncludesProtected(t *testing.T) {
	t.Parallel()
	w, home := tempDir(t), tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/.git/config", "[include]\n\tpath = ../shared.gitconfig\n")
	writeFile(t, w+"/shared.gitconfig", "[core]\n\thooksPath = .githooks\n[include]\n\tpath = local.gitconfig\n")
	writeFile(t, w+"/local.gitconfig", "")
	writeFile(t, w+"/.githooks/pre-commit", "#!/bin/sh\n")
	writeFile(t, home+"/.gitconfig", "[core]\n\thooksPath = .team-hooks\n")
	writeFile(t, w+"/.team-hooks/pre-push", "#!/bin/sh\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{environ: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}})
	watched := []string{w + "/local.gitconfig", w + "/.githooks", w + "/.team-hooks"}
	sh(t, r, "true")
	before := snapshot(t, watched...)
	res := sh(t, r, "echo '[core] fsmonitor = evil' >> local.gitconfig; echo evil >> .githooks/pre-commit; echo evil >> .team-hooks/pre-push")
	if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
		t.Fatalf("changed:\n%s\n%s", d, res.Output.Text())
	}
}

// git also takes a directory with a HEAD and a commondir for a repository.
func TestNoBareRepositoryThroughCommondir(t *testing.T) {
	t.Parallel()
	w := subdirOfRepository(t)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir -p .x/objects .x/refs/heads && echo 'ref: refs/heads/main' > HEAD && echo .x > commondir")
	for _, name := range []string{"HEAD", "commondir"} {
		if _, err := os.Lstat(filepath.Join(w, name)); err == nil {
			t.Errorf("%s survived: %v", name, res.Denials)
		}
	}
}

// A rebase with exec steps is removed from a linked worktree's git
// directory too.
func TestRebaseInWorktreeGitDirRemoved(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/.git/worktrees/feature/HEAD", "ref: refs/heads/feature\n")
	writeFile(t, w+"/.git/worktrees/feature/commondir", "../..\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir -p .git/worktrees/feature/rebase-merge && printf 'exec touch /tmp/owned\\n' > .git/worktrees/feature/rebase-merge/git-rebase-todo")
	if _, err := os.Lstat(w + "/.git/worktrees/feature/rebase-merge"); err == nil {
		t.Fatalf("the rebase survived: %v", res.Denials)
	}
}
