package instructions

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// An AGENTS.md comes with the repository, which is untrusted input: what
// it links to out of the repository must never reach the model, and one
// that is not a regular file must not block.

// findPromptly is FindProjectDocs, failing the test if it has not returned
// within 5 s rather than hanging the suite.
func findPromptly(t *testing.T, configDir, cwd string, maxBytes int) ([]Doc, error) {
	t.Helper()
	type result struct {
		docs []Doc
		err  error
	}
	done := make(chan result, 1)
	go func() {
		docs, err := FindProjectDocs(configDir, cwd, maxBytes)
		done <- result{docs, err}
	}()
	select {
	case r := <-done:
		return r.docs, r.err
	case <-time.After(5 * time.Second):
		t.Fatal("FindProjectDocs did not return within 5 s: it blocked reading a file")
		return nil, nil
	}
}

func TestAgentsMDLinkedToTheEnvironmentIsNotRead(t *testing.T) {
	t.Setenv("WARDEN_TEST_SECRET", "sk-environ-must-not-leak")
	root := t.TempDir()
	tree(t, root, map[string]string{".git/": "", "pkg/AGENTS.md": "Keep it small."})
	path := filepath.Join(root, "AGENTS.md")
	if err := os.Symlink("/proc/self/environ", path); err != nil {
		t.Fatal(err)
	}
	docs, err := findPromptly(t, "", filepath.Join(root, "pkg"), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{
		{Path: path, Refused: "a link to a file outside the project"},
		{Path: filepath.Join(root, "pkg", "AGENTS.md"), Content: "Keep it small."},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got  %+v\nwant %+v", docs, want)
	}
	text := FormatProjectDocs(docs)
	if strings.Contains(text, "sk-environ-must-not-leak") || strings.Contains(text, "PATH=") {
		t.Errorf("the environment is in the instructions:\n%s", text)
	}
	if !strings.Contains(text, "Keep it small.") || strings.Contains(text, path+";") {
		t.Errorf("instructions\n%s\nwant pkg/AGENTS.md only", text)
	}
}

func TestAgentsMDLinks(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	tree(t, base, map[string]string{
		"outside.md":     "outside: not read",
		"repo/.git/":     "",
		"repo/CLAUDE.md": "Shared with another agent.",
		"repo/a/":        "",
		"repo/a/b/":      "",
		"repo/docs/x.md": "From docs.",
	})
	root := filepath.Join(base, "repo")
	for link, target := range map[string]string{
		"repo/AGENTS.md":     "CLAUDE.md",        // inside: read
		"repo/a/AGENTS.md":   "../../outside.md", // outside: refused
		"repo/a/b/AGENTS.md": "../../docs/x.md",  // inside, up and down: read
	} {
		if err := os.Symlink(target, filepath.Join(base, link)); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := findPromptly(t, "", filepath.Join(root, "a", "b"), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{
		{Path: filepath.Join(root, "AGENTS.md"), Content: "Shared with another agent."},
		{Path: filepath.Join(root, "a", "AGENTS.md"), Refused: "a link to a file outside the project"},
		{Path: filepath.Join(root, "a", "b", "AGENTS.md"), Content: "From docs."},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got  %+v\nwant %+v", docs, want)
	}
	if text := FormatProjectDocs(docs); strings.Contains(text, "outside") || strings.Contains(text, filepath.Join(root, "a", "AGENTS.md")+";") {
		t.Errorf("the refused file is in the instructions:\n%s", text)
	}
}

// Outside a repository the project is cwd: a link to its parent is out.
func TestAgentsMDLinkOutOfCwdWithoutARepository(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	tree(t, base, map[string]string{"outside.md": "outside: not read", "cwd/": ""})
	path := filepath.Join(base, "cwd", "AGENTS.md")
	if err := os.Symlink("../outside.md", path); err != nil {
		t.Fatal(err)
	}
	docs, err := findPromptly(t, "", filepath.Join(base, "cwd"), 1<<10)
	want := []Doc{{Path: path, Refused: "a link to a file outside the project"}}
	if err != nil || !reflect.DeepEqual(docs, want) {
		t.Errorf("got %+v, %v\nwant %+v", docs, err, want)
	}
	if text := FormatProjectDocs(docs); text != "" {
		t.Errorf("instructions from refused files only: %q", text)
	}
}

func TestAgentsMDThatIsANamedPipe(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree(t, root, map[string]string{".git/": "", "config/": "", "pkg/AGENTS.md": "Keep it small."})
	for _, fifo := range []string{"AGENTS.md", "config/AGENTS.md"} {
		if err := syscall.Mkfifo(filepath.Join(root, fifo), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	docs, err := findPromptly(t, filepath.Join(root, "config"), filepath.Join(root, "pkg"), 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{
		{Path: filepath.Join(root, "config", "AGENTS.md"), Refused: "a named pipe, not a file", Global: true},
		{Path: filepath.Join(root, "AGENTS.md"), Refused: "a named pipe, not a file"},
		{Path: filepath.Join(root, "pkg", "AGENTS.md"), Content: "Keep it small."},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got  %+v\nwant %+v", docs, want)
	}
}

// A link to a device is out of the project; the size cap, not the file,
// bounds what is read of a large file.
func TestAgentsMDLinkedToDevZero(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree(t, root, map[string]string{".git/": "", "big/AGENTS.md": strings.Repeat("x", 4<<20)})
	if err := os.Symlink("/dev/zero", filepath.Join(root, "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	docs, err := findPromptly(t, "", filepath.Join(root, "big"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || docs[0].Refused != "a link to a file outside the project" || len(docs[1].Content) != 100 || !docs[1].Truncated {
		t.Errorf("docs %+v", docs)
	}
}

// The user's own AGENTS.md may link anywhere (a dotfiles repository).
func TestGlobalAgentsMDMayLinkAnywhere(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	tree(t, base, map[string]string{"dotfiles/agents.md": "Be brief.", "config/": "", "cwd/": ""})
	if err := os.Symlink(filepath.Join(base, "dotfiles", "agents.md"), filepath.Join(base, "config", "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	docs, err := findPromptly(t, filepath.Join(base, "config"), filepath.Join(base, "cwd"), 1<<10)
	want := []Doc{{Path: filepath.Join(base, "config", "AGENTS.md"), Content: "Be brief.", Global: true}}
	if err != nil || !reflect.DeepEqual(docs, want) {
		t.Errorf("got %+v, %v\nwant %+v", docs, err, want)
	}
}
