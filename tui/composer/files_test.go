package composer

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

func writeFiles(t *testing.T, root string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestListFilesInAGitRepository(t *testing.T) {
	root := t.TempDir()
	git(t, root, "init", "-q")
	writeFiles(t, root,
		".gitignore",
		"main.go",
		"pkg/util/strings.go",
		"docs/with space.md",
		"build/out.bin",       // ignored
		"debug.log",           // ignored
		"node_modules/x/y.js", // untracked but not ignored: git decides, not us
	)
	if err := os.WriteFile(filepath.Join(root, ".gitignore"), []byte("build/\n*.log\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, root, "add", ".gitignore", "main.go", "pkg")
	git(t, root, "commit", "-q", "-m", "init")
	writeFiles(t, root, "untracked.txt")

	got, err := ListFiles(root, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "docs/with space.md", "main.go", "node_modules/x/y.js", "pkg/util/strings.go", "untracked.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("ListFiles = %q, want %q", got, want)
	}

	got, err = ListFiles(root, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want[:3]) {
		t.Fatalf("ListFiles(limit 3) = %q, want %q", got, want[:3])
	}

	// From a subdirectory, paths are relative to it.
	got, err = ListFiles(filepath.Join(root, "pkg"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"util/strings.go"}) {
		t.Fatalf("ListFiles(pkg) = %q", got)
	}
}

func TestListFilesInAPlainDirectory(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root,
		"b.txt",
		"a/z.go",
		"a-c/x.go",
		".env",
		".hidden/secret.txt",
		"node_modules/lib/index.js",
		"vendor/mod/x.go",
		"src/__pycache__/m.pyc",
		"src/m.py",
	)
	got, err := ListFiles(root, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".env", "a-c/x.go", "a/z.go", "b.txt", "src/m.py"}
	if !slices.Equal(got, want) {
		t.Fatalf("ListFiles = %q, want %q", got, want)
	}

	got, err = ListFiles(root, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.IsSorted(got) {
		t.Fatalf("ListFiles(limit 2) = %q, want 2 sorted paths", got)
	}
	for _, p := range got {
		if !slices.Contains(want, p) {
			t.Fatalf("ListFiles(limit 2) returned %q, not a listable file", p)
		}
	}
}

func TestListFilesOfAMissingDirectoryFails(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := ListFiles(missing, 10); err == nil {
		t.Fatalf("ListFiles(%s) succeeded", missing)
	}
}

// The repository's own config names programs git would run while listing
// untracked files (core.fsmonitor, here through include.path): listing
// the files for @ completion must not run them, and must not read the
// repository's config at all.
func TestListFilesNeverRunsTheRepositorysConfig(t *testing.T) {
	root := t.TempDir()
	marks := t.TempDir()
	git(t, root, "init", "-q")
	writeFiles(t, root, "main.go", "sub/dir/x.go")
	included := filepath.Join(t.TempDir(), "evil.gitconfig")
	if err := os.WriteFile(included, []byte("[core]\n\tfsmonitor = \"touch "+marks+"/fsmonitor\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(root, ".git", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "[include]\n\tpath = %s\n", included)
	f.Close()
	// The control: git itself, in that repository, runs it.
	git(t, root, "status", "--porcelain")
	if entries, _ := os.ReadDir(marks); len(entries) == 0 {
		t.Fatal("the hostile config is not effective: the test proves nothing")
	}
	os.Remove(filepath.Join(marks, "fsmonitor"))

	for _, dir := range []string{root, filepath.Join(root, "sub")} {
		got, err := ListFiles(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatalf("ListFiles(%s) listed nothing", dir)
		}
	}
	if entries, _ := os.ReadDir(marks); len(entries) > 0 {
		t.Fatalf("listing files ran the repository's fsmonitor: %v", entries)
	}
	if got, _ := ListFiles(filepath.Join(root, "sub"), 0); !slices.Equal(got, []string{"dir/x.go"}) {
		t.Fatalf("ListFiles(sub) = %q", got)
	}
}
