package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func mkfile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func realTemp(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestProtectedPathsRepository(t *testing.T) {
	t.Parallel()
	ws := realTemp(t)
	mkfile(t, ws+"/.git/config", "[core]\n")
	mkfile(t, ws+"/.git/HEAD", "ref: refs/heads/main\n")
	mkfile(t, ws+"/.git/modules/lib/HEAD", "x")
	mkfile(t, ws+"/.git/modules/lib/config", "x")
	mkfile(t, ws+"/.git/modules/a/b/HEAD", "x") // a submodule named a/b
	got, err := protectedPaths(protectIn{roots: []string{ws}, repos: []string{ws}})
	if err != nil {
		t.Fatal(err)
	}
	want := []protectedMount{
		{ws + "/.warden", true},
		{ws + "/.git", false},
		{ws + "/.git/config", true},
		{ws + "/.git/hooks", true},
		{ws + "/.git/modules", false},   // pinned: moving it would carry
		{ws + "/.git/modules/a", false}, // the protected paths away
		{ws + "/.git/modules/a/b", false},
		{ws + "/.git/modules/a/b/config", true},
		{ws + "/.git/modules/a/b/hooks", true},
		{ws + "/.git/modules/lib", false},
		{ws + "/.git/modules/lib/config", true},
		{ws + "/.git/modules/lib/hooks", true},
	}
	if len(got.Mounts) != len(want) {
		t.Errorf("got  %v\nwant %v", got.Mounts, want)
	}
	for _, w := range want {
		if !slices.Contains(got.Mounts, w) {
			t.Errorf("missing %v in %v", w, got.Mounts)
		}
	}
	for i, m := range got.Mounts { // a mount goes on top of those around it
		for _, later := range got.Mounts[i+1:] {
			if within(m.Path, later.Path) && m.Path != later.Path {
				t.Errorf("%s is mounted before %s, which holds it", m.Path, later.Path)
			}
		}
	}
	for _, a := range []string{"/.git/commondir", "/.git/modules/lib/commondir"} {
		if !slices.ContainsFunc(got.Absent, func(p absentPath) bool { return p.Path == ws+a }) {
			t.Errorf("%s should be listed as absent: %v", a, got.Absent)
		}
	}
	// What was missing now exists, empty, so that it could be mounted over.
	for _, p := range []string{"/.warden", "/.git/hooks", "/.git/modules/a/b/config", "/.git/modules/lib/hooks"} {
		if _, err := os.Stat(ws + p); err != nil {
			t.Errorf("%s not created: %v", p, err)
		}
	}
}

func TestProtectedPathsGitFile(t *testing.T) {
	t.Parallel()
	ws, main := realTemp(t), realTemp(t)
	// A worktree of a repository whose main git directory is also writable.
	mkfile(t, main+"/.git/config", "")
	mkfile(t, main+"/.git/worktrees/wt/HEAD", "x")
	mkfile(t, main+"/.git/worktrees/wt/commondir", "../..\n")
	mkfile(t, ws+"/.git", "gitdir: "+main+"/.git/worktrees/wt\n")
	got, err := protectedPaths(protectIn{roots: []string{ws, main}, repos: []string{ws, main}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []protectedMount{
		{ws + "/.git", true},
		{main + "/.git/worktrees/wt/config", true},
		{main + "/.git/worktrees/wt/hooks", true},
		{main + "/.git", false},
		{main + "/.git/config", true},
		{main + "/.git/hooks", true},
	} {
		if !slices.Contains(got.Mounts, w) {
			t.Errorf("missing %v in %v", w, got)
		}
	}

	// When the git directory is outside the writable roots, it is
	// read-only already: nothing is created there.
	ws2, outside := realTemp(t), realTemp(t)
	mkfile(t, outside+"/gitdir/HEAD", "x")
	mkfile(t, ws2+"/.git", "gitdir: "+outside+"/gitdir\n")
	if _, err := protectedPaths(protectIn{roots: []string{ws2}, repos: []string{ws2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(outside + "/gitdir/hooks"); err == nil {
		t.Error("created hooks outside the writable roots")
	}
}

func TestProtectedPathsSymlinks(t *testing.T) {
	t.Parallel()
	ws := realTemp(t)
	os.Symlink(t.TempDir(), ws+"/.warden")
	if _, err := protectedPaths(protectIn{roots: []string{ws}, repos: []string{ws}}); err == nil || !strings.Contains(err.Error(), ".warden is a symbolic link") {
		t.Errorf(".warden symlink: %v", err)
	}

	ws = realTemp(t)
	mkfile(t, ws+"/.git/config", "")
	os.Symlink(t.TempDir(), ws+"/.git/hooks")
	got, err := protectedPaths(protectIn{roots: []string{ws}, repos: []string{ws}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got.Mounts, protectedMount{ws + "/.git", true}) {
		t.Errorf("a symlinked hooks directory should make all of .git read-only: %v", got)
	}

	ws = realTemp(t)
	os.Symlink(t.TempDir(), ws+"/.git")
	if _, err := protectedPaths(protectIn{roots: []string{ws}, repos: []string{ws}}); err == nil || !strings.Contains(err.Error(), ".git is a symbolic link") {
		t.Errorf(".git symlink: %v", err)
	}
}
