package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The second review by attack found these; each was a way out before its
// fix.

// A workspace inside another writable root keeps its own protection.
func TestNestedWorkspaceStaysProtected(t *testing.T) {
	t.Parallel()
	src := tempDir(t)
	w := filepath.Join(src, "proj")
	os.Mkdir(w, 0o755)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{roots: []string{src}})
	sh(t, r, "true")
	watched := []string{w + "/.git/config", w + "/.git/hooks", w + "/.warden"}
	before := snapshot(t, watched...)
	res := sh(t, r, "echo evil > .git/hooks/pre-commit; echo x >> .git/config; echo x > .warden/rules.toml")
	if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
		t.Fatalf("changed:\n%s\n%s", d, res.Output.Text())
	}
}

// The helper's threads hold no more than the command, and none of them
// can be traced.
func TestHelperCannotBeTakenOver(t *testing.T) {
	t.Parallel()
	r := newRunner(t, WorkspaceWrite, tempDir(t), runnerOpts{})
	if worked, out := attackRun(t, r, "ptrace-helper"); worked {
		t.Errorf("traced the helper: %s", out)
	}
	res := sh(t, r, "grep -h CapEff /proc/self/status; grep -h CapEff /proc/1/task/*/status")
	lines := strings.Fields(res.Output.Text())
	own := lines[1]
	for i := 3; i < len(lines); i += 2 {
		if lines[i] != own {
			t.Errorf("a helper thread has capabilities %s, the command %s:\n%s", lines[i], own, res.Output.Text())
		}
	}
}

// Descriptors warden's caller left open do not reach the command.
func TestInheritedDescriptorsDoNotLeak(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(tempDir(t), "outside")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// A descriptor this process holds without close-on-exec, as a shell's
	// 9>>file would leave it.
	fd, err := syscallDup(f)
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, ReadOnly, tempDir(t), runnerOpts{})
	res := sh(t, r, "ls /proc/self/fd; echo attack >&"+strconv.Itoa(fd))
	if fi, _ := f.Stat(); fi.Size() != 0 {
		t.Errorf("wrote through an inherited descriptor: %s", res.Output.Text())
	}
	if got := strings.Fields(res.Output.Text()); len(got) < 4 || got[0] != "0" || got[1] != "1" || got[2] != "2" || got[3] != "3" || (len(got) > 4 && got[4] != "sh:") {
		t.Errorf("the command holds descriptors besides its own: %q", res.Output.Text())
	}
}

// The device files are the machine's own nodes: their mode cannot change.
func TestDeviceFilesCannotBeChanged(t *testing.T) {
	t.Parallel()
	before := snapshot(t, "/dev/null", "/dev/zero")
	r := newRunner(t, ReadOnly, tempDir(t), runnerOpts{})
	res := sh(t, r, "chmod 000 /dev/null; touch -d 2001-01-01 /dev/zero; echo fine > /dev/null")
	if d := diffSnapshots(before, snapshot(t, "/dev/null", "/dev/zero")); d != "" {
		t.Fatalf("changed the machine's devices:\n%s\n%s", d, res.Output.Text())
	}
}

// With extensions.worktreeConfig on, a worktree's config.worktree is git's
// config too; and worktrees' and submodules' .git files are pointers git
// follows.
func TestWorktreeAndSubmodulePointers(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	w := tempDir(t)
	gitRepo(t, w)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", w, "-c", "user.name=a", "-c", "user.email=a@b", "-c", "protocol.file.allow=always"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	writeFile(t, w+"/f", "x\n")
	git("add", "f")
	git("commit", "-qm", "one")
	git("worktree", "add", "-q", w+"/wt")
	git("config", "extensions.worktreeConfig", "true")
	sub := tempDir(t)
	gitRepo(t, sub)
	writeFile(t, sub+"/g", "y\n")
	exec.Command("git", "-C", sub, "add", "g").Run()
	exec.Command("git", "-C", sub, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "s").Run()
	git("submodule", "add", "-q", sub, "lib/sub")

	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	sh(t, r, "true")
	watched := []string{w + "/.git/worktrees/wt/config.worktree", w + "/wt/.git", w + "/lib/sub/.git", w + "/.git/modules/lib/sub/config"}
	before := snapshot(t, watched...)
	if strings.Contains(before[watched[0]], "error") {
		t.Fatalf("config.worktree was not created: %s", before[watched[0]])
	}
	res := sh(t, r, `printf '[core]\n\tfsmonitor = evil\n' > .git/worktrees/wt/config.worktree
echo 'gitdir: /tmp/evil' > wt/.git
echo 'gitdir: /tmp/evil' > lib/sub/.git
mv lib lib2`)
	if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
		t.Fatalf("changed:\n%s\n%s", d, res.Output.Text())
	}
}

// A hooks directory or include deeper in the work tree cannot be swapped
// by moving its parent, and one that does not exist yet cannot be made.
func TestDeepConfigReferences(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/.git/config", "[core]\n\thooksPath = tools/git/hooks\n[include]\n\tpath = ../conf/missing.gitconfig\n")
	writeFile(t, w+"/tools/git/hooks/pre-commit", "#!/bin/sh\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	sh(t, r, "true")
	before := snapshot(t, w+"/tools")
	res := sh(t, r, "mv tools tools.old; mv tools/git tools/git.old; mkdir -p conf && echo '[core] fsmonitor = evil' > conf/missing.gitconfig")
	if d := diffSnapshots(before, snapshot(t, w+"/tools")); d != "" {
		t.Errorf("moved the hooks away:\n%s\n%s", d, res.Output.Text())
	}
	if _, err := os.Lstat(w + "/conf/missing.gitconfig"); err == nil {
		t.Error("the included file the command made survived")
	}
	if !hasDenial(res.Denials, "create", "/conf") { // the first missing part goes
		t.Errorf("denials %v", res.Denials)
	}
	if !hasDenial(res.Denials, "rename", "/tools") {
		t.Errorf("denials %v", res.Denials)
	}
}

// Taking write permission away does not keep a forbidden file in place.
func TestRemovalDespiteChmod(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "echo /tmp/evil > .git/commondir && chmod 555 .git")
	if _, err := os.Lstat(w + "/.git/commondir"); err == nil {
		t.Fatalf(".git/commondir survived: %v", res.Denials)
	}
	if res := sh(t, r, "true"); res.ExitCode != 0 {
		t.Errorf("the next command: %s", res.Output.Text())
	}
	// The command's chmod stays, as it left it; one planted outside the
	// sandbox is refused, not followed.
	if fi, _ := os.Stat(w + "/.git"); fi.Mode().Perm() != 0o555 {
		t.Errorf(".git has mode %v, want the 555 the command gave it", fi.Mode().Perm())
	}
	os.Chmod(w+"/.git", 0o755)
	writeFile(t, w+"/.git/commondir", "/tmp/evil\n")
	if _, err := r.Run(t.Context(), Command{Args: []string{"true"}}); err == nil || !strings.Contains(err.Error(), "remove it") {
		t.Errorf("a planted commondir: %v", err)
	}
}

// Inside a repository's subdirectory, the layout of a bare repository does
// not survive either.
func TestNoBareRepositoryInsideAnother(t *testing.T) {
	t.Parallel()
	w := subdirOfRepository(t)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir objects refs && echo 'ref: refs/heads/main' > HEAD && printf '[core]\\n\\tbare = false\\n' > config")
	if isGitDir(w) {
		t.Fatalf("a bare repository survived: %v", res.Denials)
	}
	if !hasDenial(res.Denials, "create", "/sub/HEAD") {
		t.Errorf("denials %v", res.Denials)
	}
}

// The workspace, the cache and the temporary directory are refused when
// reached through a link a command could replace, and the cache is the
// user's own.
func TestOwnDirectoriesCannotBeRedirected(t *testing.T) {
	t.Parallel()
	src, real := tempDir(t), tempDir(t)
	os.Symlink(real, src+"/proj")
	_, err := NewRunner(Config{Policy: Policy{Mode: WorkspaceWrite, Workspace: src + "/proj", WritableRoots: []string{src}}, CacheDir: sharedCache()})
	if err == nil || !strings.Contains(err.Error(), "commands can replace") {
		t.Errorf("workspace through a replaceable link: %v", err)
	}
	home := tempDir(t)
	os.MkdirAll(home+"/.cache", 0o755)
	os.Symlink(tempDir(t), home+"/.cache/warden")
	_, err = NewRunner(Config{Policy: Policy{Mode: WorkspaceWrite, Workspace: tempDir(t), WritableRoots: []string{home}}, Environ: []string{"HOME=" + home}})
	if err == nil || !strings.Contains(err.Error(), "commands can replace") {
		t.Errorf("cache through a replaceable link: %v", err)
	}
	r, err := NewRunner(Config{Policy: Policy{Mode: WorkspaceWrite, Workspace: tempDir(t)}, Environ: []string{"PATH=/usr/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !within(r.CacheDir(), r.TempDir()) {
		t.Errorf("without HOME the cache %s should live in the private %s", r.CacheDir(), r.TempDir())
	}
}

// A message queue file system mounted on the machine is hidden: reading a
// queue would take its messages.
func TestMessageQueuesHidden(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("mounting an mqueue file system needs root")
	}
	mq := tempDir(t)
	if out, err := exec.Command("mount", "-t", "mqueue", "none", mq).CombinedOutput(); err != nil {
		t.Skipf("cannot mount mqueue: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mq).Run() })
	q, err := os.OpenFile(mq+"/queue", os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		t.Fatalf("make a queue: %v", err)
	}
	q.Close()
	r := newRunner(t, ReadOnly, tempDir(t), runnerOpts{})
	res := sh(t, r, "ls -A "+mq)
	if res.ExitCode != 0 || strings.TrimSpace(res.Output.Text()) != "" {
		t.Errorf("the machine's queues are visible: %q", res.Output.Text())
	}
}

// syscallDup duplicates f's descriptor without close-on-exec, as a shell
// leaves the descriptors it opens for a command.
func syscallDup(f *os.File) (int, error) {
	return syscall.Dup(int(f.Fd()))
}
