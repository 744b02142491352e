package workspace_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"warden/harness/event"
	"warden/harness/workspace"
)

// write creates or replaces root/name (slash-separated) with data.
func write(t testing.TB, root, name, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func remove(t testing.TB, root, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(name))); err != nil {
		t.Fatal(err)
	}
}

// gitEnv is a clean environment for the tests' own git runs.
func gitEnv() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=/nonexistent", "LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
	}
}

// git runs the test's own git in dir (not the package's).
func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// initRepo makes root a repository with everything in it committed.
func initRepo(t testing.TB, root string) {
	t.Helper()
	git(t, root, "init", "-q", "-b", "main")
	git(t, root, "add", "-A")
	git(t, root, "commit", "-q", "--allow-empty", "-m", "initial")
}

// start records root and waits for the baseline.
func start(t testing.TB, root string, o workspace.Options) *workspace.Baseline {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	b := workspace.Start(root, o)
	t.Cleanup(func() { b.Close() })
	select {
	case <-b.Ready():
	case <-time.After(time.Minute):
		t.Fatal("baseline not ready after a minute")
	}
	return b
}

func diff(t testing.TB, b *workspace.Baseline) []event.FileChange {
	t.Helper()
	changes, err := b.Diff(context.Background())
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return changes
}

// byPath indexes changes by path, failing on a path seen twice.
func byPath(t testing.TB, changes []event.FileChange) map[string]event.FileChange {
	t.Helper()
	m := make(map[string]event.FileChange, len(changes))
	for _, c := range changes {
		if _, dup := m[c.Path]; dup {
			t.Errorf("%s reported twice", c.Path)
		}
		m[c.Path] = c
	}
	return m
}

func paths(changes []event.FileChange) []string {
	var ps []string
	for _, c := range changes {
		ps = append(ps, c.Path)
	}
	return ps
}

// listing describes every file and directory under root: type, mode,
// size, mtime, and the content's hash or the link's target. Any write
// under root, even one undone, changes a directory's mtime.
func listing(t testing.TB, root string) map[string]string {
	t.Helper()
	m := make(map[string]string)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("%v %d %d", fi.Mode(), fi.Size(), fi.ModTime().UnixNano())
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			desc += " " + hex.EncodeToString(sum[:])
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		}
		m[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameListing(t testing.TB, what string, before, after map[string]string) {
	t.Helper()
	for p, d := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s: %s disappeared", what, p)
		} else if a != d {
			t.Errorf("%s: %s changed: %s -> %s", what, p, d, a)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

// checkParses checks that diff is what tui/diffview's parser draws as a
// diff (harness packages may not import the TUI, even in tests, so its
// rules are restated here; see tui/diffview/parse.go): only file headers
// before the first hunk, readable hunk headers, and hunk lines that start
// with ' ', '+', '-' or '\'. It returns the added and removed lines.
var hunkHeader = regexp.MustCompile(`^@@ -\d+(,\d+)? \+\d+(,\d+)? @@`)

func checkParses(t testing.TB, diff string) (added, removed []string) {
	t.Helper()
	headers := []string{
		"--- ", "+++ ", "diff ", "index ", "new file mode ", "deleted file mode ",
		"old mode ", "new mode ", "similarity index ", "dissimilarity index ",
		"rename from ", "rename to ", "copy from ", "copy to ",
	}
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")
	i := 0
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "@@"); i++ {
		ok := false
		for _, h := range headers {
			ok = ok || strings.HasPrefix(lines[i], h)
		}
		if !ok {
			t.Fatalf("line %d before the first hunk is not a file header: %q\n%s", i+1, lines[i], diff)
		}
	}
	if i == len(lines) {
		t.Fatalf("no hunk:\n%s", diff)
	}
	sawOld, sawNew := false, false
	for _, l := range lines[:i] {
		sawOld = sawOld || strings.HasPrefix(l, "--- ")
		sawNew = sawNew || strings.HasPrefix(l, "+++ ")
	}
	if !sawOld || !sawNew {
		t.Errorf("no ---/+++ headers:\n%s", diff)
	}
	for _, l := range lines[i:] {
		if strings.HasPrefix(l, "@@") {
			if !hunkHeader.MatchString(l) {
				t.Fatalf("bad hunk header %q", l)
			}
			continue
		}
		if l == "" {
			continue
		}
		switch l[0] {
		case ' ', '\\':
		case '+':
			added = append(added, l[1:])
		case '-':
			removed = append(removed, l[1:])
		default:
			t.Fatalf("bad hunk line %q in\n%s", l, diff)
		}
	}
	return added, removed
}
