package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These cover the ways around the protections that a review by attack
// found: each was an escape before its fix.

// git reads config and hooks from wherever .git/commondir points; the file
// cannot be made read-only before it exists, so one that appears is removed.
func TestCommondirRedirectRemoved(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `mkdir evil && cp -r .git/. evil/ && printf '[core]\n\thooksPath = /tmp\n' > evil/config && echo "$PWD/evil" > .git/commondir`)
	if _, err := os.Lstat(w + "/.git/commondir"); err == nil {
		t.Fatal(".git/commondir survived the command")
	}
	if !hasDenial(res.Denials, "create", "/.git/commondir") {
		t.Errorf("denials %v", res.Denials)
	}
	out, err := exec.Command("git", "-C", w, "config", "core.hooksPath").CombinedOutput()
	if err == nil || strings.TrimSpace(string(out)) == "/tmp" {
		t.Errorf("git on the host reads the planted config: %q", out)
	}
}

// What the repository's config points git at is protected too: included
// files, a hooks directory in the work tree, config.worktree.
func TestConfigReferencesProtected(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/.git/config", "[core]\n\thooksPath = .githooks # shared hooks\n[include]\n\tpath = \"../team.gitconfig\"\n[extensions]\n\tworktreeConfig = true\n")
	writeFile(t, w+"/.githooks/pre-commit", "#!/bin/sh\n")
	writeFile(t, w+"/team.gitconfig", "[user]\n\tname = team\n")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	sh(t, r, "true") // creates config.worktree, so that it can be protected
	watched := []string{w + "/.githooks", w + "/team.gitconfig", w + "/.git/config.worktree"}
	before := snapshot(t, watched...)
	for _, script := range []string{
		"echo evil >> .githooks/pre-commit",
		"echo evil > .githooks/post-checkout",
		"printf '[core]\\n\\tfsmonitor = evil\\n' >> team.gitconfig",
		"printf '[core]\\n\\tfsmonitor = evil\\n' > .git/config.worktree",
	} {
		res := sh(t, r, script)
		if d := diffSnapshots(before, snapshot(t, watched...)); d != "" {
			t.Fatalf("%q changed what git runs:\n%s\n%s", script, d, res.Output.Text())
		}
		if res.ExitCode == 0 {
			t.Errorf("%q succeeded", script)
		}
	}
	if res := sh(t, r, "echo fine > other.txt"); res.ExitCode != 0 {
		t.Errorf("the rest of the work tree should stay writable: %s", res.Output.Text())
	}
}

// A hard link or a symbolic link made while a file was unprotected (say
// after the agent's own git init) must not leave a writable way to it.
func TestLinksIntoProtectedFiles(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/hook.sh", "#!/bin/sh\n")
	if err := os.Link(w+"/.git/config", w+"/config-link"); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../hook.sh", w+"/.git/hooks/pre-commit"); err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	sh(t, r, "true") // the runner gives the config an inode of its own
	before := snapshot(t, w+"/.git/config", w+"/hook.sh")
	if !strings.Contains(before[w+"/.git/config"], "nlink=1 ") {
		t.Errorf("config still hard-linked: %s", before[w+"/.git/config"])
	}
	for _, script := range []string{"echo '[core] fsmonitor = evil' >> config-link", "echo evil >> hook.sh"} {
		res := sh(t, r, script)
		if d := diffSnapshots(before, snapshot(t, w+"/.git/config", w+"/hook.sh")); d != "" {
			t.Fatalf("%q changed what git runs:\n%s\n%s", script, d, res.Output.Text())
		}
	}
}

// A workspace inside a repository's subdirectory may not grow a .git of its
// own, which would take git over there.
func TestNoNewRepositoryInsideAnother(t *testing.T) {
	t.Parallel()
	w := subdirOfRepository(t)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit")
	if _, err := os.Lstat(w + "/.git"); err == nil {
		t.Fatal("a .git appeared inside the repository's subdirectory")
	}
	if !hasDenial(res.Denials, "create", "/sub/.git") {
		t.Errorf("denials %v", res.Denials)
	}
	// Outside any repository, making one is the agent's right.
	free := tempDir(t)
	if res := sh(t, newRunner(t, WorkspaceWrite, free, runnerOpts{}), "mkdir .git"); res.ExitCode != 0 || len(res.Denials) > 0 {
		t.Errorf("mkdir .git outside a repository: %s %v", res.Output.Text(), res.Denials)
	}
}

// A FIFO planted where the runner reads must not hang it.
func TestPlantedFIFOsDoNotHang(t *testing.T) {
	t.Parallel()
	for _, fifo := range []string{".git/commondir", ".git"} {
		w := tempDir(t)
		if fifo != ".git" {
			gitRepo(t, w)
		}
		if err := syscall.Mkfifo(filepath.Join(w, fifo), 0o644); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
		done := make(chan error, 1)
		go func() {
			_, err := r.Run(context.Background(), Command{Args: []string{"true"}})
			done <- err
		}()
		select {
		case err := <-done:
			// A commondir in a repository's own .git is refused outright;
			// a .git that is a FIFO is no repository.
			if fifo == ".git/commondir" && (err == nil || !strings.Contains(err.Error(), "remove it")) {
				t.Errorf("%s as a FIFO: %v, want a refusal that says to remove it", fifo, err)
			}
			if fifo == ".git" && err != nil {
				t.Errorf("%s as a FIFO: %v", fifo, err)
			}
		case <-time.After(time.Minute): // a watchdog, not a timing assertion
			t.Fatalf("%s as a FIFO hangs the runner", fifo)
		}
	}
}

// A writable root nested in another adds nothing and could be redirected
// by moving its parent; one reached through a link a command can replace
// is refused.
func TestWritableRootsCannotBeRedirected(t *testing.T) {
	t.Parallel()
	w, data := tempDir(t), tempDir(t)
	os.MkdirAll(w+"/a/dir", 0o755)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{roots: []string{w + "/a/dir", data}})
	if got := r.Policy().WritableRoots; !slices.Equal(got, []string{w + "/a/dir", data}) {
		t.Errorf("the policy's roots %q, want both", got)
	}
	if got := r.writable(); !slices.Equal(got[:2], []string{w, data}) {
		t.Errorf("writable mounts %q, want only %s and %s besides the temporary and cache directories", got, w, data)
	}
	os.Symlink(data, w+"/link")
	_, err := NewRunner(Config{Policy: Policy{Mode: WorkspaceWrite, Workspace: w, WritableRoots: []string{w + "/link"}}, CacheDir: sharedCache()})
	if err == nil || !strings.Contains(err.Error(), "commands can replace") {
		t.Errorf("a root through a link in the workspace: %v", err)
	}
}

// Files handed to a command as its standard streams reach it as pipes: it
// cannot chmod, chown or retime them through the descriptor.
func TestStdioFilesArePiped(t *testing.T) {
	t.Parallel()
	outside := tempDir(t)
	out, err := os.Create(outside + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	in, err := os.Open(outside + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, mode := range []Mode{ReadOnly, WorkspaceWrite} {
		r := newRunner(t, mode, tempDir(t), runnerOpts{})
		before := snapshot(t, outside)
		for fd, c := range map[string]Command{
			"0": {Stdin: in},
			"1": {Stdout: out},
			"2": {Stderr: out, Stdout: out},
		} {
			c.Args = []string{selfPath(t), attackArg, "fd-metadata", fd}
			run(t, r, c)
			if d := diffSnapshots(before, snapshot(t, outside)); d != "" && !onlyContentGrew(before, snapshot(t, outside)) {
				t.Errorf("%s: fd %s changed the file's metadata:\n%s", mode, fd, d)
			}
			before = snapshot(t, outside)
		}
	}
}

// onlyContentGrew tells the output written to a file (which the command
// may do) from a change of its metadata.
func onlyContentGrew(before, after map[string]string) bool {
	strip := func(m map[string]string) map[string]string {
		o := map[string]string{}
		for k, v := range m {
			fields := strings.Fields(v)
			keep := fields[:0]
			for _, f := range fields {
				if !strings.HasPrefix(f, "size=") && !strings.HasPrefix(f, "mtime=") && !strings.HasPrefix(f, "ctime=") && !strings.HasPrefix(f, "sha=") {
					keep = append(keep, f)
				}
			}
			o[k] = strings.Join(keep, " ")
		}
		return o
	}
	return diffSnapshots(strip(before), strip(after)) == ""
}

// A command's /dev is its own: the device files it needs and terminals of
// its own, none of the machine's disks, inputs or the user's terminals.
func TestPrivateDev(t *testing.T) {
	t.Parallel()
	r := newRunner(t, ReadOnly, tempDir(t), runnerOpts{})
	res := sh(t, r, "ls /dev /dev/pts | tr '\\n' ' '")
	want := "/dev: fd full null ptmx pts random shm stderr stdin stdout tty urandom zero  /dev/pts: ptmx "
	if strings.TrimSpace(res.Output.Text()) != strings.TrimSpace(want) {
		t.Errorf("ls /dev:\n got %q\nwant %q", res.Output.Text(), want)
	}
	if _, err := exec.LookPath("python3"); err == nil {
		res = sh(t, r, `python3 -c 'import os, pty; m, s = pty.openpty(); os.write(s, b"hi\n"); print(os.read(m, 2).decode(), os.ttyname(s))'`)
		if !strings.HasPrefix(res.Output.Text(), "hi /dev/pts/") {
			t.Errorf("a terminal of its own: %s", res.Output.Text())
		}
	}
}

// Setuid and setgid bits cannot be set, not even on the command's own
// files: another user running such a file would run it as its owner.
func TestNoSetuidFiles(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, "cp /bin/true mine && chmod 755 mine && chmod u+s mine; chmod g+s mine; ls -l mine")
	fi, err := os.Stat(w + "/mine")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&(os.ModeSetuid|os.ModeSetgid) != 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("mode %v: %s", fi.Mode(), res.Output.Text())
	}
	if !hasDenial(res.Denials, "change permissions", "/mine") {
		t.Errorf("denials %v", res.Denials)
	}
	if worked, out := attackRun(t, r, "mknod", w+"/suid"); !worked {
		t.Errorf("a plain mknod of a regular file should work: %s", out)
	}
}
