package workspace_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"warden/harness/event"
	"warden/harness/workspace"
)

// populate writes the files the change tests start from.
func populate(t *testing.T, root string) {
	write(t, root, "mod.txt", "one\ntwo\nthree\n")
	write(t, root, "gone.txt", "bye\n")
	write(t, root, "old/name.txt", strings.Repeat("moved line\n", 20))
	write(t, root, "run.sh", "#!/bin/sh\necho hi\n")
	write(t, root, "data.bin", "\x00\x01\x02binary")
	write(t, root, ".gitignore", "build/\n")
	write(t, root, "build/out.o", "object")
	write(t, root, "same.txt", "unchanged\n")
	if err := os.Symlink("mod.txt", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
}

// change makes every kind of change populate's files can undergo.
func change(t *testing.T, root string) {
	write(t, root, "mod.txt", "one\nTWO\nthree\n")
	write(t, root, "new/file.go", "package new\n")
	remove(t, root, "gone.txt")
	if err := os.Rename(filepath.Join(root, "old"), filepath.Join(root, "renamed")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(root, "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, root, "data.bin", "\x00\x01\x03binary")
	write(t, root, "build/out.o", "other object")
	write(t, root, "build/new.o", "new object")
	write(t, root, "fleeting.txt", "here and gone")
	remove(t, root, "fleeting.txt")
	remove(t, root, "link")
	if err := os.Symlink("same.txt", filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
}

func TestDiffReportsEveryChange(t *testing.T) {
	for _, repo := range []bool{false, true} {
		name := "plain directory"
		if repo {
			name = "git repository"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			populate(t, root)
			if repo {
				initRepo(t, root)
			}
			b := start(t, root, workspace.Options{})
			if got := diff(t, b); got != nil {
				t.Fatalf("no change yet, Diff = %+v", got)
			}
			change(t, root)
			changes := diff(t, b)
			want := []string{"data.bin", "gone.txt", "link", "mod.txt", "new/file.go", "old/name.txt", "run.sh"}
			if got := paths(changes); !slices.Equal(got, want) {
				t.Fatalf("changed paths %q, want %q", got, want)
			}
			m := byPath(t, changes)

			mod := m["mod.txt"]
			if mod.Kind != "update" || mod.Added != 1 || mod.Removed != 1 {
				t.Errorf("mod.txt: %+v", mod)
			}
			added, removed := checkParses(t, mod.Diff)
			if !slices.Equal(added, []string{"TWO"}) || !slices.Equal(removed, []string{"two"}) {
				t.Errorf("mod.txt diff:\n%s", mod.Diff)
			}
			if !strings.Contains(mod.Diff, "--- a/mod.txt\n+++ b/mod.txt\n") {
				t.Errorf("mod.txt diff headers:\n%s", mod.Diff)
			}

			nf := m["new/file.go"]
			if nf.Kind != "add" || nf.Added != 1 || nf.Removed != 0 {
				t.Errorf("new/file.go: %+v", nf)
			}
			if added, _ := checkParses(t, nf.Diff); !slices.Equal(added, []string{"package new"}) {
				t.Errorf("new/file.go diff:\n%s", nf.Diff)
			}

			gone := m["gone.txt"]
			if gone.Kind != "delete" || gone.Removed != 1 {
				t.Errorf("gone.txt: %+v", gone)
			}
			if _, removed := checkParses(t, gone.Diff); !slices.Equal(removed, []string{"bye"}) {
				t.Errorf("gone.txt diff:\n%s", gone.Diff)
			}

			mv := m["old/name.txt"]
			if mv.Kind != "update" || mv.MoveTo != "renamed/name.txt" || mv.Added != 0 || mv.Removed != 0 {
				t.Errorf("rename: %+v", mv)
			}
			if !strings.Contains(mv.Diff, "rename from old/name.txt\nrename to renamed/name.txt") {
				t.Errorf("rename diff:\n%s", mv.Diff)
			}

			x := m["run.sh"]
			if x.Kind != "update" || x.Added != 0 || x.Removed != 0 ||
				!strings.Contains(x.Diff, "old mode 100644\nnew mode 100755") {
				t.Errorf("chmod: %+v", x)
			}

			bin := m["data.bin"]
			if bin.Kind != "update" || bin.Added != 0 || bin.Removed != 0 ||
				!strings.Contains(bin.Diff, "Binary files a/data.bin and b/data.bin differ") {
				t.Errorf("binary: %+v", bin)
			}

			link := m["link"]
			if link.Kind != "update" || link.Added != 1 || link.Removed != 1 {
				t.Errorf("symlink: %+v", link)
			}
			if added, _ := checkParses(t, link.Diff); !slices.Equal(added, []string{"same.txt"}) {
				t.Errorf("symlink diff:\n%s", link.Diff)
			}
		})
	}
}

func TestTypeChange(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a", "a file\n")
	write(t, root, "target", "x\n")
	b := start(t, root, workspace.Options{})
	remove(t, root, "a")
	if err := os.Symlink("target", filepath.Join(root, "a")); err != nil {
		t.Fatal(err)
	}
	write(t, root, "z", "after\n")
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, []string{"a", "z"}) {
		t.Fatalf("paths %q", got)
	}
	a := changes[0]
	if a.Kind != "update" || a.Added != 1 || a.Removed != 1 ||
		!strings.Contains(a.Diff, "deleted file mode 100644") || !strings.Contains(a.Diff, "new file mode 120000") {
		t.Errorf("type change: %+v", a)
	}
	// The file after it still gets its own diff.
	if z := changes[1]; z.Kind != "add" || z.Diff == "" || !strings.Contains(z.Diff, "+after") {
		t.Errorf("z: %+v", z)
	}
}

func TestNothingChanged(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "a.txt", "a\n") // rewritten, same content
	write(t, root, "tmp", "x")
	remove(t, root, "tmp")
	if got := diff(t, b); got != nil {
		t.Errorf("Diff = %+v, want nil", got)
	}
}

func TestEmptyDirectory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	b := start(t, root, workspace.Options{})
	if got := diff(t, b); got != nil {
		t.Fatalf("Diff = %+v", got)
	}
	write(t, root, "first", "1\n")
	changes := diff(t, b)
	if len(changes) != 1 || changes[0].Path != "first" || changes[0].Kind != "add" {
		t.Fatalf("Diff = %+v", changes)
	}
}

func TestRepeatedDiffsSeeLaterChanges(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a", "1\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "a", "2\n")
	if c := diff(t, b); len(c) != 1 || !strings.Contains(c[0].Diff, "+2") {
		t.Fatalf("first Diff = %+v", c)
	}
	write(t, root, "a", "3\n")
	if c := diff(t, b); len(c) != 1 || !strings.Contains(c[0].Diff, "+3") || !strings.Contains(c[0].Diff, "-1") {
		t.Fatalf("second Diff = %+v", c)
	}
	write(t, root, "a", "1\n")
	if c := diff(t, b); c != nil {
		t.Fatalf("back to the baseline, Diff = %+v", c)
	}
}

func TestInfoExcludeApplies(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "keep.txt", "k\n")
	initRepo(t, root)
	// Untracked: a file the repository tracks is compared whatever the
	// rules say (TestTrackedIgnoredFiles).
	write(t, root, "secret.env", "A=1\n")
	write(t, root, ".git/info/exclude", "*.env\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "secret.env", "A=2\n")
	write(t, root, "keep.txt", "kk\n")
	if got := paths(diff(t, b)); !slices.Equal(got, []string{"keep.txt"}) {
		t.Errorf("paths %q, want only keep.txt", got)
	}
}

func TestDotGitFileIsSkipped(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, ".git", "gitdir: /nonexistent/worktree\n")
	write(t, root, "a", "1\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "a", "2\n")
	write(t, root, ".git", "gitdir: /elsewhere\n")
	if got := paths(diff(t, b)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("paths %q", got)
	}
}

func TestBigFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	const big = 50<<20 + 1
	sparse := func(name string, size int64) {
		t.Helper()
		f, err := os.Create(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
	}
	sparse("stays.img", big)
	sparse("grows.img", big)
	sparse("goes.img", big)
	write(t, root, "small-then-big", "small\n")
	sparse("big-then-small", big)
	dir := t.TempDir()
	b := start(t, root, workspace.Options{Dir: dir})
	sparse("grows.img", big+100)
	remove(t, root, "goes.img")
	sparse("new.img", big)
	sparse("small-then-big", big)
	write(t, root, "big-then-small", "small now\n")
	changes := diff(t, b)
	want := []event.FileChange{
		{Path: "big-then-small", Kind: "update"},
		{Path: "goes.img", Kind: "delete"},
		{Path: "grows.img", Kind: "update"},
		{Path: "new.img", Kind: "add"},
		{Path: "small-then-big", Kind: "update"},
	}
	if !reflect.DeepEqual(changes, want) {
		t.Errorf("Diff = %+v\nwant %+v", changes, want)
	}
	// Nothing that size went into the private repository.
	var stored int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				stored += fi.Size()
			}
		}
		return nil
	})
	if stored > 1<<20 {
		t.Errorf("the private directory holds %d bytes", stored)
	}
}

func TestHugeDiffIsCountedNotShown(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "small.txt", "a\n")
	b := start(t, root, workspace.Options{})
	const lines = 300_000 // 5 MiB of text, over the 4 MiB a diff may take
	write(t, root, "huge.txt", strings.Repeat("0123456789abcdef\n", lines))
	write(t, root, "small.txt", "b\n")
	m := byPath(t, diff(t, b))
	if h := m["huge.txt"]; h.Kind != "add" || h.Diff != "" || h.Added != lines || h.Removed != 0 {
		t.Errorf("huge.txt: Kind %q, Diff %d bytes, +%d -%d", h.Kind, len(h.Diff), h.Added, h.Removed)
	}
	if s := m["small.txt"]; s.Diff == "" || s.Added != 1 || s.Removed != 1 {
		t.Errorf("small.txt: %+v", s)
	}
}

// TestLeavesWorkTreeAlone: a snapshot of a repository writes nothing into
// it: not into the work tree, not into .git.
func TestLeavesWorkTreeAlone(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	populate(t, root)
	initRepo(t, root)
	write(t, root, "staged.txt", "staged\n")
	git(t, root, "add", "staged.txt")
	write(t, root, "untracked.txt", "u\n")
	write(t, root, ".git/info/exclude", "*.tmp\n")
	before := listing(t, root)
	b := start(t, root, workspace.Options{})
	if _, err := b.Diff(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	sameListing(t, "after Start, Diff and Close", before, listing(t, root))
}

// TestHostileRepository: a repository whose config names programs (an
// fsmonitor, filter and diff drivers, hooks) gets none of them run.
func TestHostileRepository(t *testing.T) {
	t.Parallel()
	marks := t.TempDir()
	hostile := func(root string) {
		write(t, root, "a.txt", "a\n")
		write(t, root, ".gitattributes", "* filter=evil diff=evil\n")
		git(t, root, "init", "-q")
		cfg := "[core]\n\tfsmonitor = \"touch " + marks + "/fsmonitor\"\n" +
			"\thooksPath = hooks\n" +
			"[filter \"evil\"]\n\tclean = \"touch " + marks + "/clean; cat\"\n\tsmudge = cat\n\trequired = true\n" +
			"[diff \"evil\"]\n\ttextconv = \"touch " + marks + "/textconv; cat\"\n" +
			"\tcommand = \"touch " + marks + "/extdiff\"\n"
		f, err := os.OpenFile(filepath.Join(root, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString(cfg)
		f.Close()
	}
	// The control: git itself, in such a repository, runs them.
	control := t.TempDir()
	hostile(control)
	git(t, control, "add", "-A")
	if _, err := os.Stat(filepath.Join(marks, "clean")); err != nil {
		t.Fatalf("the hostile config is not effective, the test proves nothing: %v", err)
	}
	os.RemoveAll(marks)
	if err := os.Mkdir(marks, 0o755); err != nil {
		t.Fatal(err)
	}

	root := t.TempDir()
	hostile(root)
	b := start(t, root, workspace.Options{})
	write(t, root, "a.txt", "b\n")
	changes := diff(t, b)
	if len(changes) != 1 || changes[0].Path != "a.txt" || changes[0].Added != 1 {
		t.Errorf("Diff = %+v", changes)
	}
	b.Close()
	entries, err := os.ReadDir(marks)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("the repository's config ran a program: %s exists", e.Name())
	}
}

// TestIgnoresGitEnvironment: GIT_* variables in warden's environment
// neither redirect the snapshots nor configure them.
func TestIgnoresGitEnvironment(t *testing.T) {
	other := t.TempDir()
	write(t, other, "o.txt", "other\n")
	initRepo(t, other)
	marks := t.TempDir()
	t.Setenv("GIT_DIR", filepath.Join(other, ".git"))
	t.Setenv("GIT_WORK_TREE", other)
	t.Setenv("GIT_INDEX_FILE", filepath.Join(other, ".git", "index"))
	t.Setenv("GIT_OBJECT_DIRECTORY", filepath.Join(other, ".git", "objects"))
	t.Setenv("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='touch "+marks+"/fsmonitor'")
	t.Setenv("GIT_CONFIG_COUNT", "1")
	t.Setenv("GIT_CONFIG_KEY_0", "core.fsmonitor")
	t.Setenv("GIT_CONFIG_VALUE_0", "touch "+marks+"/fsmonitor2")
	before := listing(t, other)

	root := t.TempDir()
	write(t, root, "r.txt", "r\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "r.txt", "r2\n")
	changes := diff(t, b)
	if len(changes) != 1 || changes[0].Path != "r.txt" {
		t.Errorf("Diff = %+v", changes)
	}
	b.Close()
	sameListing(t, "the repository GIT_DIR names", before, listing(t, other))
	if entries, _ := os.ReadDir(marks); len(entries) > 0 {
		t.Errorf("config from the environment ran: %s", entries[0].Name())
	}
}

func TestGitMissing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	b := workspace.Start(root, workspace.Options{Git: "/nonexistent/git", Dir: t.TempDir()})
	defer b.Close()
	<-b.Ready()
	_, err := b.Diff(context.Background())
	if !errors.Is(err, workspace.ErrNoGit) || !strings.Contains(err.Error(), "/diff needs git, which is not installed") {
		t.Errorf("Diff error = %v", err)
	}
}

func TestSnapshotErrorsSayWhy(t *testing.T) {
	t.Parallel()
	root := filepath.Join(t.TempDir(), "missing")
	b := start(t, root, workspace.Options{})
	_, err := b.Diff(context.Background())
	if err == nil || !strings.Contains(err.Error(), root) {
		t.Errorf("Diff error = %v", err)
	}
}

func TestConcurrentDiffs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := range 50 {
		write(t, root, "f/"+string(rune('a'+i%26))+string(rune('a'+i/26))+".txt", strings.Repeat("x\n", i+1))
	}
	b := workspace.Start(root, workspace.Options{Dir: t.TempDir()})
	defer b.Close()
	// Diffs may come before the baseline is ready; they wait for it.
	<-b.Ready()
	write(t, root, "f/aa.txt", "changed\n")
	write(t, root, "g.txt", "new\n")
	const n = 4
	results := make([][]event.FileChange, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = b.Diff(context.Background()) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got := paths(results[i]); !slices.Equal(got, []string{"f/aa.txt", "g.txt"}) {
			t.Errorf("Diff %d: %q", i, got)
		}
		if !reflect.DeepEqual(results[i], results[0]) {
			t.Errorf("Diff %d differs from Diff 0", i)
		}
	}
}

func TestCloseRemovesPrivateDirectory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a", "a\n")
	dir := t.TempDir()
	b := workspace.Start(root, workspace.Options{Dir: dir})
	if got := b.Root(); got != root {
		t.Errorf("Root() = %q, want %q", got, root)
	}
	// Close may come before the baseline is done; it waits.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	if _, err := b.Diff(context.Background()); err == nil {
		t.Error("Diff after Close succeeded")
	}
}

func TestDiffHonoursContext(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a", "a\n")
	b := start(t, root, workspace.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Diff(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Diff with a cancelled context: %v", err)
	}
}

func TestRootThroughSymlink(t *testing.T) {
	t.Parallel()
	real := t.TempDir()
	write(t, real, "a", "1\n")
	root := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, root); err != nil {
		t.Fatal(err)
	}
	b := start(t, root, workspace.Options{})
	write(t, real, "a", "2\n")
	if got := paths(diff(t, b)); !slices.Equal(got, []string{"a"}) {
		t.Errorf("paths %q", got)
	}
}

func TestDiffBeforeReadyWaits(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a", "1\n")
	b := workspace.Start(root, workspace.Options{Dir: t.TempDir()})
	defer b.Close()
	changes, err := b.Diff(context.Background())
	if err != nil || changes != nil {
		t.Errorf("Diff = %+v, %v", changes, err)
	}
}

// TestUnusualNames: names git quotes in a patch still get their own diff.
func TestUnusualNames(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	names := []string{"plain", "with space.txt", "ünïcödé.txt", "tab\tname", "quote\"name", "new\nline", "back\\slash"}
	for _, n := range names {
		write(t, root, n, "old "+strconv.Quote(n)+"\n")
	}
	b := start(t, root, workspace.Options{})
	for _, n := range names {
		write(t, root, n, "new "+strconv.Quote(n)+"\n")
	}
	changes := diff(t, b)
	want := slices.Clone(names)
	slices.Sort(want)
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	for _, c := range changes {
		added, removed := checkParses(t, c.Diff)
		if !slices.Equal(added, []string{"new " + strconv.Quote(c.Path)}) || !slices.Equal(removed, []string{"old " + strconv.Quote(c.Path)}) {
			t.Errorf("%q: diff\n%s", c.Path, c.Diff)
		}
	}
}
