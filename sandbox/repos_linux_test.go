package sandbox

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// `git init` and `git clone` in a command make repositories that run
// nothing: they stay, and from the next command on their config and hooks
// are as read-only as the workspace's own.
func TestHarmlessNewRepositoriesStayAndAreProtected(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	w := tempDir(t)
	gitRepo(t, w)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	res := sh(t, r, `git init -q made && git clone -q made cloned 2>/dev/null; mkdir -p deep/er && git init -q deep/er/x`)
	if res.ExitCode != 0 || len(res.Denials) > 0 {
		t.Fatalf("%s %v", res.Output.Text(), res.Denials)
	}
	for _, repo := range []string{"made", "cloned", "deep/er/x"} {
		if _, err := os.Lstat(w + "/" + repo + "/.git/config"); err != nil {
			t.Errorf("%s: %v", repo, err)
		}
		res := sh(t, r, `git -C `+repo+` config core.fsmonitor "touch $PWD/escaped"`)
		if res.ExitCode == 0 {
			t.Errorf("%s: its config could be changed by the next command", repo)
		}
	}
}

func TestHarmlessConfig(t *testing.T) {
	t.Parallel()
	fresh := "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\tlogallrefupdates = true\n"
	for text, want := range map[string]bool{
		"":    true,
		fresh: true,
		fresh + "[remote \"origin\"]\n\turl = /srv/x\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n\tmerge = refs/heads/main\n": true,
		fresh + "\tfsmonitor = touch x\n":                       false,
		fresh + "\thooksPath = /tmp\n":                          false,
		"[CORE]\n\tFSMonitor = touch x\n":                       false,
		"[core]\n\tbare = false \\\n\n\tfsmonitor = x\n":        false, // a continuation
		"[include]\n\tpath = ../x\n":                            false,
		"[core] fsmonitor = x\n":                                false, // a key on the header's line
		"[remote \"o\"]\n\tuploadpack = touch x\n":              false,
		"[filter \"lfs\"]\n\tclean = x\n":                       false,
		"[core]\n\tsshCommand = x\n":                            false,
		"[core.x]\n\tbare = true\n":                             false,
		"[core]\n\tbare\n":                                      false, // a boolean without "=": not understood
		"[alias]\n\tst = !touch x\n":                            false,
		"[user]\n\tname = A\n\temail = a@b\n# comment\n; too\n": true,
	} {
		path := tempDir(t) + "/config"
		writeFile(t, path, text)
		if got := harmlessConfig(path); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
}

// A .git that is a file or a link, or has a hook, or a commondir, is set
// aside whatever its config.
func TestRepositoriesThatCouldRunCodeAreSetAside(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	for name, script := range map[string]string{
		"hook":        `git init -q sub && printf '#!/bin/sh\ntouch x\n' > sub/.git/hooks/post-checkout`,
		"gitdir file": `mkdir sub && git init -q --separate-git-dir=$TMPDIR/g sub`,
		"link":        `git init -q $TMPDIR/r && mkdir sub && ln -s $TMPDIR/r/.git sub/.git`,
		"commondir":   `git init -q sub && echo /tmp > sub/.git/commondir`,
		"unreadable":  `mkdir -p d && git init -q d/sub && printf '#!/bin/sh\n' > d/sub/.git/hooks/pre-commit && chmod 000 d`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := tempDir(t)
			gitRepo(t, w)
			res := sh(t, newRunner(t, WorkspaceWrite, w, runnerOpts{}), script)
			sub := "/sub/.git"
			if name == "unreadable" {
				sub = "/d/sub/.git"
			}
			if _, err := os.Lstat(w + sub); err == nil {
				t.Errorf("%s stayed: %s", sub, res.Output.Text())
			}
			if !hasDenial(res.Denials, "create", sub) || !strings.Contains(res.Denials[len(res.Denials)-1].Reason, quarantineSuffix) {
				t.Errorf("denials %v", res.Denials)
			}
		})
	}
}

// BenchmarkRepoScan is the cost, after each command, of looking for new
// repositories in a workspace of 10,000 directories (100,000 files) where
// the command changed nothing: a stat of every directory.
func BenchmarkRepoScan(b *testing.B) {
	w := b.TempDir()
	for i := range 100 {
		for j := range 100 {
			d := w + "/" + strconv.Itoa(i) + "/" + strconv.Itoa(j)
			if err := os.MkdirAll(d, 0o755); err != nil {
				b.Fatal(err)
			}
			for k := range 10 {
				os.WriteFile(d+"/f"+strconv.Itoa(k), nil, 0o644)
			}
		}
	}
	var s repoScan
	roots := []string{w}
	b.Run("first", func(b *testing.B) {
		for range b.N {
			s = repoScan{}
			s.knownRepos(roots)
		}
	})
	b.Run("after-command", func(b *testing.B) {
		for range b.N {
			if n := s.newRepos(roots); len(n) != 0 {
				b.Fatal(n)
			}
		}
	})
}
