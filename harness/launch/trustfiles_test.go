package launch

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"warden/harness/instructions"
)

// trustProject makes a git repository with the files given (path → text)
// and an environment whose config directory is outside it.
func trustProject(t *testing.T, files map[string]string) (root string, getenv func(string) string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root = filepath.Join(base, "repo")
	if err := os.MkdirAll(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for p, text := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"HOME": filepath.Join(base, "home"), "XDG_CONFIG_HOME": filepath.Join(base, "config")}
	return root, func(k string) string { return env[k] }
}

const (
	allowRule = "[[rule]]\ndecision = \"allow\"\ncommand = [\"make\"]\n\n"
	denyRule  = "[[rule]]\ndecision = \"deny\"\ncommand = [\"curl\"]\n\n"
	askRule   = "[[rule]]\ndecision = \"ask\"\ncommand = [\"git\", \"push\"]\n\n"
)

func TestTrustFilesListsRulesAndInstructions(t *testing.T) {
	root, getenv := trustProject(t, map[string]string{
		".warden/rules.toml": allowRule + denyRule + allowRule + askRule,
		"AGENTS.md":          "Use tabs.",
		"pkg/AGENTS.md":      "Keep this package small.",
		"other/AGENTS.md":    "Not on the way to the working directory.",
	})
	// The user's own AGENTS.md is not the project's.
	global := filepath.Join(getenv("XDG_CONFIG_HOME"), "warden", "AGENTS.md")
	if err := os.MkdirAll(filepath.Dir(global), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(global, []byte("Be brief."), 0o644); err != nil {
		t.Fatal(err)
	}
	gotRoot, files, err := TrustFiles(getenv, filepath.Join(root, "pkg"), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	if gotRoot != root {
		t.Errorf("root %s, want %s", gotRoot, root)
	}
	want := []TrustFile{
		{".warden/rules.toml", "2 allow rules would apply only if trusted; 2 ask or deny rules apply either way"},
		{"AGENTS.md", "instructions for the model (read whether trusted or not)"},
		{"pkg/AGENTS.md", "instructions for the model (read whether trusted or not)"},
	}
	if !reflect.DeepEqual(files, want) {
		t.Errorf("files\n%q\nwant\n%q", files, want)
	}
}

func TestTrustFilesDescribesEachRulesFile(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"one of each", allowRule + denyRule, "1 allow rule would apply only if trusted; 1 ask or deny rule applies either way"},
		{"only restrictions", askRule, "1 ask or deny rule applies either way"},
		{"only allows", allowRule + allowRule + allowRule, "3 allow rules would apply only if trusted"},
		{"empty", "# nothing yet\n", "no rules"},
		{"broken", "[[rule]]\ndecision = \"maybe\"\ncommand = [\"ls\"]\n", `does not load: line 2: rule 1: decision must be "allow", "ask" or "deny", got "maybe"`},
		{"broken twice", "[[rule]]\ndecision = \"maybe\"\ncommand = [\"ls\"]\n\n[[rule]]\ndecision = \"allow\"\n", `does not load: line 2: rule 1: decision must be "allow", "ask" or "deny", got "maybe"; line 5: `},
		{"not toml", "[[rule]\n", "does not load: "},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, getenv := trustProject(t, map[string]string{".warden/rules.toml": c.text})
			_, files, err := TrustFiles(getenv, root, 1<<10)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 1 || files[0].Path != ".warden/rules.toml" || !strings.HasPrefix(files[0].What, c.want) {
				t.Fatalf("files %q, want one starting %q", files, c.want)
			}
			// The path is shown beside the description already.
			if strings.Contains(files[0].What, root) || strings.Contains(files[0].What, "\n") {
				t.Errorf("description %q repeats the path or spans lines", files[0].What)
			}
		})
	}
}

func TestTrustFilesWithoutProjectFiles(t *testing.T) {
	root, getenv := trustProject(t, map[string]string{"main.go": "package main\n"})
	gotRoot, files, err := TrustFiles(getenv, root, 1<<10)
	if err != nil || gotRoot != root || len(files) != 0 {
		t.Errorf("TrustFiles = %s, %q, %v", gotRoot, files, err)
	}
	// A directory outside any repository is its own project.
	dir := t.TempDir()
	gotRoot, files, err = TrustFiles(getenv, dir, 1<<10)
	if want, _ := filepath.EvalSymlinks(dir); err != nil || gotRoot != want || len(files) != 0 {
		t.Errorf("outside a repository: %s, %q, %v", gotRoot, files, err)
	}
}

// The instruction files listed are the ones the session would read: none
// when the size limit is 0, and the one cut to the limit says so.
func TestTrustFilesFollowsTheInstructionsLimit(t *testing.T) {
	root, getenv := trustProject(t, map[string]string{"AGENTS.md": strings.Repeat("Use tabs. ", 20), "pkg/AGENTS.md": "Small."})
	_, files, err := TrustFiles(getenv, filepath.Join(root, "pkg"), 0)
	if err != nil || len(files) != 0 {
		t.Errorf("limit 0: %q, %v", files, err)
	}
	_, files, err = TrustFiles(getenv, filepath.Join(root, "pkg"), 50)
	if err != nil || len(files) != 1 || files[0].Path != "AGENTS.md" || !strings.Contains(files[0].What, "cut to the size limit") {
		t.Errorf("limit 50: %q, %v", files, err)
	}
}

// Reached through a symlink, the project and its files are named as they
// are on disk, relative to the resolved root.
func TestTrustFilesThroughASymlink(t *testing.T) {
	root, getenv := trustProject(t, map[string]string{"AGENTS.md": "Use tabs.", "pkg/AGENTS.md": "Small."})
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	gotRoot, files, err := TrustFiles(getenv, filepath.Join(link, "pkg"), 1<<10)
	if err != nil || gotRoot != root || len(files) != 2 || files[0].Path != "AGENTS.md" || files[1].Path != "pkg/AGENTS.md" {
		t.Errorf("TrustFiles = %s, %q, %v", gotRoot, files, err)
	}
}

func TestTrustFilesNeedsAConfigDir(t *testing.T) {
	_, _, err := TrustFiles(func(string) string { return "" }, t.TempDir(), 1<<10)
	if err == nil || !strings.Contains(err.Error(), "config directory") {
		t.Errorf("error %v", err)
	}
}

// A working directory reached through a symbolic link (repo/sub links
// elsewhere): the root is where the link leads, but the model is still
// given the repository's AGENTS.md on the way, so the question lists it.
func TestTrustFilesListsInstructionsReachedThroughALink(t *testing.T) {
	root, getenv := trustProject(t, map[string]string{"AGENTS.md": "root agents\n"})
	outside := filepath.Join(filepath.Dir(root), "outside")
	if err := os.MkdirAll(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	cwd := filepath.Join(root, "sub")
	if err := os.Symlink(outside, cwd); err != nil {
		t.Fatal(err)
	}
	_, files, err := TrustFiles(getenv, cwd, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := instructions.FindProjectDocs(getenv("XDG_CONFIG_HOME"), cwd, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.Global || d.Refused != "" {
			continue
		}
		listed := false
		for _, f := range files {
			if strings.HasSuffix(filepath.Join(root, f.Path), d.Path) || f.Path == d.Path {
				listed = true
			}
		}
		if !listed {
			t.Fatalf("%s is given to the model but not listed: %+v", d.Path, files)
		}
	}
}
