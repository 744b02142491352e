package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Red-team round 7: attacks on the repository scan (repos.go). Each test
// that FAILS demonstrates a bypass: git, run later by the user on the host
// (outside the sandbox) in the workspace, runs a program the sandboxed
// command chose. The passing ones are attacks that held, kept as
// regressions.

// rt7Escaped runs the user's git commands on the host (each a list of
// arguments, run in dir, w if ""), and reports whether the planted payload
// ran: it touches w/escaped.
func rt7Escaped(t *testing.T, w, dir string, cmds ...[]string) bool {
	t.Helper()
	os.Remove(w + "/escaped") // run inside the sandbox by the command itself, harmlessly
	if dir == "" {
		dir = w
	}
	if cmds == nil {
		cmds = [][]string{{"status"}}
	}
	for _, c := range cmds {
		cmd := exec.Command("git", append([]string{"-c", "user.name=u", "-c", "user.email=u@u"}, c...)...)
		cmd.Dir = dir
		out, _ := cmd.CombinedOutput()
		t.Logf("host: git %s: %s", strings.Join(c, " "), strings.TrimSpace(string(out)))
	}
	_, err := os.Lstat(w + "/escaped")
	return err == nil
}

// rt7Plant is a shell snippet that makes "$TMPDIR/sub" a repository whose
// core.fsmonitor touches $W/escaped (W is the workspace) and sets SHA to
// its commit.
const rt7Plant = `W=$PWD
git init -q "$TMPDIR/sub" && git -C "$TMPDIR/sub" config core.fsmonitor "touch $W/escaped" &&
git -C "$TMPDIR/sub" -c user.name=t -c user.email=t@t commit -q --allow-empty -m x &&
SHA=$(git -C "$TMPDIR/sub" rev-parse HEAD) || exit 1
`

// F1. The scan skips every entry whose name starts with
// ".git.warden-quarantine" (meant for the .git it set aside), at any
// depth, files and directories alike, and never looks inside. git accepts
// such a name as an ordinary path component: a submodule at
// .git.warden-quarantine-x/sub is entered by `git status`.
func TestRedteam7_QuarantinePrefixedDirectoryNotScanned(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, rt7Plant+`mkdir .git.warden-quarantine-x && mv "$TMPDIR/sub" .git.warden-quarantine-x/sub &&
git update-index --add --cacheinfo 160000,$SHA,.git.warden-quarantine-x/sub`)
	if res.ExitCode != 0 {
		t.Fatalf("setup: %s", res.Output.Text())
	}
	t.Logf("denials: %v", res.Denials)
	if rt7Escaped(t, w, "") {
		t.Fatal("BYPASS: a repository under a directory named .git.warden-quarantine-x is never scanned; the user's git status runs its fsmonitor")
	}
}

// F2. The scan looks for entries named .git; git also takes a directory
// that has the layout of a git directory (HEAD, objects/, refs/) for a
// repository when it finds no .git on the way up. A command gives an
// ordinary subdirectory of the workspace that layout, with a config whose
// core.worktree makes it a non-bare repository: the user's `git status`
// (or diff, log, commit) run anywhere in that subdirectory uses it.
func TestRedteam7_BareRepositoryLayoutInSubdirectory(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/src/pkg/main.go", "package main\n")
	git(t, w, "add", ".")
	git(t, w, "commit", "-qm", "init")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `W=$PWD; git init -q --bare "$TMPDIR/b" && cd src && cp -r "$TMPDIR/b/HEAD" "$TMPDIR/b/objects" "$TMPDIR/b/refs" . &&
printf '[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tworktree = ..\n\tfsmonitor = touch %s/escaped\n' "$W" > config`)
	if res.ExitCode != 0 {
		t.Fatalf("setup: %s", res.Output.Text())
	}
	t.Logf("denials: %v", res.Denials)
	if rt7Escaped(t, w, w+"/src/pkg") {
		t.Fatal("BYPASS: a git-directory layout (HEAD, objects, refs, config) planted in src/ takes over git run in src/...: git status there ran the planted fsmonitor")
	}
}

// F3. harmlessRepo reads the hooks directory through a link: a link that
// leads nowhere (or to an empty directory) passes as "no hooks". The repo
// is kept; from the next command on its git directory is read-only, but
// the link's target is not protected (gitDir mounts the directory
// read-only and stops), so a later command fills it. Here the target is in
// the workspace; the cache directory, never protected and kept between
// sessions, works as well.
func TestRedteam7_KeptRepositoryHooksLink(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	for name, target := range map[string]string{
		"in the workspace":     "../../hk",
		"in the cache dir":     "$XDG_CACHE_HOME/rt7-hk-$(basename $(dirname $PWD))",
		"in the temporary dir": "$TMPDIR/hk", // gone with the session: a hook can be put there by any later command
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := tempDir(t)
			gitRepo(t, w)
			r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
			res := sh(t, r, `git init -q sub && git -C sub -c user.name=t -c user.email=t@t commit -q --allow-empty -m x &&
rm -rf sub/.git/hooks && ln -s "`+target+`" sub/.git/hooks && echo "`+target+`" > .rt7-target`)
			if res.ExitCode != 0 {
				t.Fatalf("command 1: %s", res.Output.Text())
			}
			t.Logf("denials after command 1: %v", res.Denials)
			t.Cleanup(func() { // the cache directory is shared by the tests
				if target, err := os.Readlink(w + "/sub/.git/hooks"); err == nil && strings.HasPrefix(target, sharedCache()) {
					os.RemoveAll(target)
				}
			})
			if _, err := os.Lstat(w + "/sub/.git"); err != nil {
				if !hasDenial(res.Denials, "create", "/sub/.git") {
					t.Errorf("sub/.git is gone without a denial: %v", res.Denials)
				}
				return // held: set aside, the link with it
			}
			// A later command, with the repository now "protected".
			res = sh(t, r, `T=$(readlink sub/.git/hooks); case $T in ../../*) T=sub/.git/$T;; esac
mkdir -p "$T" && printf '#!/bin/sh\ntouch %s/escaped\n' "$PWD" > "$T/pre-commit" && chmod +x "$T/pre-commit" && echo planted "$T"`)
			t.Logf("command 2: exit %d: %s %v", res.ExitCode, res.Output.Text(), res.Denials)
			if rt7Escaped(t, w, w+"/sub", []string{"commit", "-q", "--allow-empty", "-m", "user"}) {
				t.Fatal("BYPASS: a kept repository's hooks link leads to a directory no mount protects; the user's git commit in it ran a hook a later command wrote")
			}
		})
	}
}

// F4. harmlessRepo does not look in the new repository's modules/: a
// submodule git directory planted there, hooks and all, is kept with it
// (and from the next command on even protected as it is). The user's `git
// submodule update --init --recursive` finds it and uses it instead of
// cloning: its post-checkout hook runs on the host.
func TestRedteam7_KeptRepositoryPlantedModuleGitDir(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	git(t, w, "commit", "-q", "--allow-empty", "-m", "init")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `set -e
G="git -c user.name=t -c user.email=t@t"
W=$PWD
git init -q "$TMPDIR/x" && $G -C "$TMPDIR/x" commit -q --allow-empty -m x
X=$($G -C "$TMPDIR/x" rev-parse HEAD)
git init -q sub
mkdir -p sub/.git/modules
git clone -q --bare "$TMPDIR/x" sub/.git/modules/x
git -C sub/.git/modules/x config core.bare false
printf '#!/bin/sh\ntouch %s/escaped\n' "$W" > sub/.git/modules/x/hooks/post-checkout
chmod +x sub/.git/modules/x/hooks/post-checkout
printf '[submodule "x"]\n\tpath = x\n\turl = ./x\n' > sub/.gitmodules
git -C sub add .gitmodules
git -C sub update-index --add --cacheinfo 160000,$X,x
$G -C sub commit -q -m sub
S=$($G -C sub rev-parse HEAD)
printf '[submodule "sub"]\n\tpath = sub\n\turl = ./sub\n' > .gitmodules
git add .gitmodules
git update-index --add --cacheinfo 160000,$S,sub`)
	if res.ExitCode != 0 {
		t.Fatalf("setup: %s", res.Output.Text())
	}
	t.Logf("denials: %v", res.Denials)
	if rt7Escaped(t, w, "", []string{"submodule", "update", "--init", "--recursive"}) {
		t.Fatal("BYPASS: a kept repository's planted .git/modules/x ran its post-checkout hook on the user's git submodule update --init --recursive")
	}
}

// Held: stampDir and os.ReadDir take absolute paths, so a directory whose
// absolute path is longer than PATH_MAX (4096) is neither recorded nor
// read by the scan, while git works from the work tree with relative
// paths. But git itself fails in such a submodule (it resolves its git
// directory to an absolute path: "failed to stat"), so nothing runs.
func TestRedteam7_RepositoryBeyondPathMax(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, rt7Plant+`D=$(printf 'd%.0s' $(seq 200)); REL=""
while [ $(( ${#W} + ${#REL} + 201 )) -lt 4090 ]; do mkdir "$D" && cd -P "$D" || exit 1; REL="$REL$D/"; done
N=$(( 4100 - ${#W} - 1 - ${#REL} - 4 )); L=$(printf 'e%.0s' $(seq $N)); mkdir "$L" && cd -P "$L" || exit 1; REL="$REL$L/"
mv "$TMPDIR/sub" sub && cd "$W" && git update-index --add --cacheinfo "160000,$SHA,${REL}sub" && echo "depth ${#REL}"`)
	if res.ExitCode != 0 {
		t.Fatalf("setup: %s", res.Output.Text())
	}
	t.Logf("%s denials: %v", res.Output.Text(), res.Denials)
	if rt7Escaped(t, w, "") {
		t.Fatal("BYPASS: a repository in a directory whose absolute path exceeds PATH_MAX is invisible to the scan; the user's git status runs its fsmonitor")
	}
}

// Held: a harmful repository made in the temporary directory and moved
// into the workspace, into a directory the first scan recorded, or into a
// new directory tree, is found and set aside.
func TestRedteam7_MovedInRepositoriesSetAside(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	os.MkdirAll(w+"/a/b/c", 0o755)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, rt7Plant+`mkdir -p "$TMPDIR/t/u" && cp -a "$TMPDIR/sub" "$TMPDIR/t/u/sub" && mv "$TMPDIR/t" newtree &&
mv "$TMPDIR/sub" a/b/c/sub && mv a a2 && mv a2 a`)
	if res.ExitCode != 0 {
		t.Fatalf("setup: %s", res.Output.Text())
	}
	for _, p := range []string{"newtree/u/sub/.git", "a/b/c/sub/.git"} {
		if _, err := os.Lstat(filepath.Join(w, p)); err == nil {
			t.Errorf("%s was kept: %v", p, res.Denials)
		}
	}
}

// Held: a .git that is a FIFO, a socket-like special file, or a directory
// whose parent lost its permissions is set aside, and the scan does not
// block on the FIFO.
func TestRedteam7_SpecialDotGitSetAside(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `mkdir f && mkfifo f/.git`)
	if res.ExitCode != 0 {
		t.Fatalf("setup: %s", res.Output.Text())
	}
	if _, err := os.Lstat(w + "/f/.git"); err == nil {
		t.Errorf("a FIFO .git was kept: %v", res.Denials)
	}
}

// Held: config lines git and harmlessConfig might read differently are
// refused (fail closed).
func TestRedteam7_HarmlessConfigParserEdges(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"\xef\xbb\xbf[core]\n\tfsmonitor = x\n",                // BOM: git skips it
		"[core]\n\tbare = false \\\r\n\tfsmonitor = x\n",       // continuation before CRLF
		"[core \"\"]\n\tfsmonitor = x\n",                       // empty subsection
		"[core]\n\tbare = \"x\\\n\"\n\tfsmonitor = x\n",        // escaped newline in quotes
		"[remote \"o\"]\n\turl = x\n[remote.o]\n\tpushurl=x\n", // old-style subsection
		"[core]\n\tfsmonitor\x00 = x\n",                        // NUL
		"[includeIf \"gitdir:/\"]\n\tpath = /tmp/x\n",          // conditional include
	} {
		path := tempDir(t) + "/config"
		writeFile(t, path, text)
		if harmlessConfig(path) {
			t.Errorf("%q taken for harmless", text)
		}
	}
}

// F6 (DoS). harmlessRepo lists the new repository's hooks with os.ReadDir,
// which opens the path without looking at what it is first: a FIFO named
// hooks (or a link to one) blocks the open for ever, since no process is
// left to write to it. Run never returns: the session hangs after the
// command.
func TestRedteam7_HooksFIFOHangsTheScan(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	done := make(chan Result, 1)
	go func() {
		res, err := r.Run(context.Background(), Command{Args: []string{"sh", "-c", `git init -q sub && rm -rf sub/.git/hooks && mkfifo sub/.git/hooks`}})
		if err != nil {
			t.Errorf("run: %v", err)
		}
		done <- res
	}()
	select {
	case res := <-done:
		t.Logf("returned: %v", res.Denials)
	case <-time.After(10 * time.Second):
		// Let the test end: give the blocked open its writer.
		go func() {
			if f, err := os.OpenFile(w+"/sub/.git/hooks", os.O_WRONLY, 0); err == nil {
				f.Close()
			}
		}()
		t.Fatal("DoS: Run has not returned 10 s after the command ended: harmlessRepo blocks opening a FIFO named hooks")
	}
}

// F3b. The same gap in the user's own repository: .git/hooks (or
// .git/config) as a link to a file or directory in the work tree (`ln -s
// ../.githooks .git/hooks`, a common way to share hooks) makes gitDir
// mount the git directory read-only and stop; what the link leads to, from
// which git runs hooks or reads config, stays writable, unlike a
// core.hooksPath directory or an included file, which are protected.
func TestRedteam7_UserGitDirLinkTargetWritable(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	t.Run("hooks", func(t *testing.T) {
		t.Parallel()
		w := tempDir(t)
		gitRepo(t, w)
		os.RemoveAll(w + "/.git/hooks")
		os.Mkdir(w+"/.githooks", 0o755)
		if err := os.Symlink("../.githooks", w+"/.git/hooks"); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
		res := sh(t, r, `printf '#!/bin/sh\ntouch %s/escaped\n' "$PWD" > .githooks/pre-commit && chmod +x .githooks/pre-commit`)
		t.Logf("exit %d %s %v", res.ExitCode, res.Output.Text(), res.Denials)
		if rt7Escaped(t, w, "", []string{"commit", "-q", "--allow-empty", "-m", "user"}) {
			t.Fatal("BYPASS: the directory .git/hooks links to stays writable; the user's git commit ran the hook a command wrote there")
		}
	})
	t.Run("config", func(t *testing.T) {
		t.Parallel()
		w := tempDir(t)
		gitRepo(t, w)
		os.Rename(w+"/.git/config", w+"/gitconfig")
		if err := os.Symlink("../gitconfig", w+"/.git/config"); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
		res := sh(t, r, `printf '[core]\n\tfsmonitor = touch %s/escaped\n' "$PWD" >> gitconfig`)
		t.Logf("exit %d %s %v", res.ExitCode, res.Output.Text(), res.Denials)
		if rt7Escaped(t, w, "") {
			t.Fatal("BYPASS: the file .git/config links to stays writable; the user's git status ran the fsmonitor a command added")
		}
	})
}
