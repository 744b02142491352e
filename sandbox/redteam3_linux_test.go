package sandbox

import (
	"os"

	"strings"
	"testing"
)

// The third review by attack found these; each was a way out before its
// fix.

// The runner's own changes in the workspace (removing, creating, giving an
// inode of its own) never follow a link a command planted out of the
// roots.
func TestRunnerNeverActsOutsideTheRoots(t *testing.T) {
	t.Parallel()
	w, outside := tempDir(t), tempDir(t)
	gitRepo(t, w)
	writeFile(t, outside+"/victim.txt", "precious\n")
	writeFile(t, outside+"/victimdir/f", "precious\n")
	writeFile(t, outside+"/hl1", "precious\n")
	os.Link(outside+"/hl1", outside+"/hl2")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	// A submodule git directory and a worktree whose files name paths
	// through a link (l) that does not exist yet; then the link.
	sh(t, r, `mkdir -p .git/modules/x/objects .git/modules/x/refs && echo 'ref: refs/heads/main' > .git/modules/x/HEAD &&
printf '[core]\n\thooksPath = `+w+`/l/victimdir\n[include]\n\tpath = `+w+`/l/victim.txt\n' > .git/modules/x/config`)
	sh(t, r, "mkdir -p .git/worktrees/w && echo "+w+"/l/hl1 > .git/worktrees/w/gitdir; mkdir -p conf2; rmdir conf2")
	before := snapshot(t, outside)
	for _, script := range []string{"ln -s " + outside + " l", "true", "rm -f l; ln -s " + outside + " l", "true"} {
		res := sh(t, r, script)
		if d := diffSnapshots(before, snapshot(t, outside)); d != "" {
			t.Fatalf("after %q the runner changed what is outside:\n%s\n%v", script, d, res.Denials)
		}
	}
	// The user's own config naming a missing include; the command puts a
	// link where its directory would be.
	w2 := tempDir(t)
	gitRepo(t, w2)
	writeFile(t, w2+"/.git/config", "[include]\n\tpath = ../conf/local.gitconfig\n")
	r2 := newRunner(t, WorkspaceWrite, w2, runnerOpts{})
	res := sh(t, r2, "ln -s "+outside+" conf")
	if d := diffSnapshots(before, snapshot(t, outside)); d != "" {
		t.Fatalf("changed what is outside:\n%s", d)
	}
	if _, err := os.Lstat(w2 + "/conf"); err == nil || !hasDenial(res.Denials, "create", "/conf") {
		t.Errorf("the link in the way of the include should be gone: %v", res.Denials)
	}
}

// A submodule's git directory made by a command (to be used, hooks and
// all, when the user sets the submodule up) does not survive.
func TestNoPlantedSubmoduleGitDir(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	os.MkdirAll(w+"/.git/modules/kept/objects", 0o755)
	writeFile(t, w+"/.git/modules/kept/HEAD", "ref: refs/heads/main\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir -p .git/modules/lib/sub/hooks .git/modules/lib/sub/objects && echo 'ref: refs/heads/main' > .git/modules/lib/sub/HEAD && printf '#!/bin/sh\\ntouch /tmp/owned\\n' > .git/modules/lib/sub/hooks/post-checkout")
	if _, err := os.Lstat(w + "/.git/modules/lib/sub"); err == nil {
		t.Fatalf("the planted submodule git directory survived: %v", res.Denials)
	}
	if _, err := os.Lstat(w + "/.git/modules/kept"); err != nil {
		t.Errorf("the existing one went too: %v", err)
	}
	if !hasDenial(res.Denials, "create", "/.git/modules/lib") { // the first new part goes
		t.Errorf("denials %v", res.Denials)
	}
	// Nor as a link to one made elsewhere in the workspace.
	res = sh(t, r, "mkdir -p elsewhere/evil.git/objects && echo 'ref: refs/heads/main' > elsewhere/evil.git/HEAD && ln -s "+w+"/elsewhere/evil.git .git/modules/linked")
	if _, err := os.Lstat(w + "/.git/modules/linked"); err == nil {
		t.Fatalf("a linked submodule git directory survived: %v", res.Denials)
	}

}

// A bare repository's HEAD may be a dangling link.
func TestNoBareRepositoryWithLinkedHEAD(t *testing.T) {
	t.Parallel()
	w := subdirOfRepository(t)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir objects refs && ln -s refs/heads/none HEAD && printf '[core]\\n\\tbare = false\\n' > config")
	if isGitDir(w) {
		t.Fatalf("a bare repository survived: %v", res.Denials)
	}
}

// Links on the way to what git reads or runs are put back when a command
// changes them, and what they lead to stays read-only.
func TestLinksToGitReferencesGuarded(t *testing.T) {
	t.Parallel()
	w, dotfiles := tempDir(t), tempDir(t)
	gitRepo(t, w)
	writeFile(t, dotfiles+"/hooks/pre-commit", "#!/bin/sh\n")
	writeFile(t, dotfiles+"/shared.gitconfig", "[user]\n\tname = a\n")
	os.Symlink(dotfiles+"/hooks", w+"/.githooks")
	os.Symlink(dotfiles+"/shared.gitconfig", w+"/.gitconfig.shared")
	writeFile(t, w+"/v1/post-commit", "#!/bin/sh\n")
	os.Symlink("v1", w+"/hooks-current")
	os.Symlink("../../hooks-current/post-commit", w+"/.git/hooks/post-commit")
	writeFile(t, w+"/.git/config", "[core]\n\thooksPath = .githooks\n[include]\n\tpath = ../.gitconfig.shared\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `mkdir evil && printf '#!/bin/sh\ntouch /tmp/owned\n' > evil/pre-commit && cp evil/pre-commit evil/post-commit &&
rm .githooks && ln -s evil .githooks; ln -sfn evil .gitconfig.shared; ln -sfn evil hooks-current; echo evil >> v1/post-commit`)
	for link, want := range map[string]string{".githooks": dotfiles + "/hooks", ".gitconfig.shared": dotfiles + "/shared.gitconfig", "hooks-current": "v1"} {
		if got, err := os.Readlink(w + "/" + link); err != nil || got != want {
			t.Errorf("%s -> %q (%v), want %q", link, got, err, want)
		}
	}
	if b, _ := os.ReadFile(w + "/v1/post-commit"); string(b) != "#!/bin/sh\n" {
		t.Errorf("the hook a link leads to changed: %q", b)
	}
	if !hasDenial(res.Denials, "change link", "/.githooks") {
		t.Errorf("denials %v", res.Denials)
	}
}

// Warden's own files, and the user's global git config and what it names,
// stay as they are where a writable root holds them.
func TestWardensAndGlobalGitFilesProtected(t *testing.T) {
	t.Parallel()
	home := tempDir(t)
	writeFile(t, home+"/.config/warden/config.toml", "sandbox_mode = \"read-only\"\n")
	writeFile(t, home+"/.gitconfig", "[includeIf \"gitdir:~/work/\"]\n\tpath = ~/work/.gitconfig\n")
	writeFile(t, home+"/work/.gitconfig", "[user]\n\tname = a\n")
	r := newRunner(t, WorkspaceWrite, home, runnerOpts{
		environ: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home},
		protect: []string{home + "/.config/warden", home + "/.local/state/warden"},
	})
	watched := []string{home + "/.config/warden", home + "/.gitconfig", home + "/work/.gitconfig", home + "/.local/state/warden"}
	sh(t, r, "true") // warden makes its state directory, to keep it read-only
	before := snapshot(t, watched...)
	res := sh(t, r, `echo 'sandbox_mode = "full-access"' > .config/warden/config.toml; echo '[core] fsmonitor = evil' >> .gitconfig; echo '[core] fsmonitor = evil' >> work/.gitconfig; mkdir -p .local/state/warden`)
	if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
		t.Fatalf("changed:\n%s\n%s", d, res.Output.Text())
	}
	if entries, err := os.ReadDir(home + "/.local/state/warden"); err != nil || len(entries) != 0 {
		t.Errorf("warden's state directory: %v %v", entries, err)
	}
}

// An interactive rebase a command leaves with exec steps to run does not
// survive: `git rebase --continue` would run them outside.
func TestRebaseWithExecRemoved(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir -p .git/rebase-merge && printf 'pick abc one\\nexec touch /tmp/owned\\n' > .git/rebase-merge/git-rebase-todo")
	if _, err := os.Lstat(w + "/.git/rebase-merge"); err == nil {
		t.Fatalf("the rebase survived: %v", res.Denials)
	}
	if res := sh(t, r, "mkdir -p .git/rebase-merge && echo 'pick abc one' > .git/rebase-merge/git-rebase-todo"); len(res.Denials) != 0 {
		t.Errorf("a rebase without exec steps is the agent's business: %v", res.Denials)
	}
}

// A link planted where warden keeps its caches does not lead them, or
// what commands may write, elsewhere; nothing is made there either.
func TestPlantedCacheLinkRefused(t *testing.T) {
	t.Parallel()
	home, elsewhere := tempDir(t), tempDir(t)
	os.MkdirAll(home+"/.cache", 0o755)
	os.Symlink(elsewhere, home+"/.cache/warden")
	_, err := NewRunner(Config{Policy: Policy{Mode: WorkspaceWrite, Workspace: tempDir(t)}, Environ: []string{"HOME=" + home}})
	if err == nil || !strings.Contains(err.Error(), "not a directory of yours") {
		t.Errorf("got %v", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("made %v where the link led", entries)
	}
}
