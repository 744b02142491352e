package instructions

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// tree creates files under root: a path ending in "/" is a directory, any
// other gets its content.
func tree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindProjectDocsOrder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree(t, root, map[string]string{
		"config/AGENTS.md":          "global",
		"AGENTS.md":                 "above the repository: not read",
		"repo/.git/":                "",
		"repo/AGENTS.md":            "root",
		"repo/a/AGENTS.md":          "intermediate",
		"repo/a/b/":                 "",
		"repo/a/b/c/AGENTS.md":      "cwd",
		"repo/a/b/c/d/AGENTS.md":    "below cwd: not read",
		"repo/a/sibling/AGENTS.md":  "beside: not read",
		"repo/a/b/c/AGENTS.md.orig": "other name: not read",
	})
	cwd := filepath.Join(root, "repo", "a", "b", "c")
	docs, err := FindProjectDocs(filepath.Join(root, "config"), cwd, 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{
		{Path: filepath.Join(root, "config", "AGENTS.md"), Content: "global", Global: true},
		{Path: filepath.Join(root, "repo", "AGENTS.md"), Content: "root"},
		{Path: filepath.Join(root, "repo", "a", "AGENTS.md"), Content: "intermediate"},
		{Path: filepath.Join(cwd, "AGENTS.md"), Content: "cwd"},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got  %+v\nwant %+v", docs, want)
	}
}

func TestFindProjectDocsRoot(t *testing.T) {
	t.Parallel()
	t.Run("no repository: only cwd", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		tree(t, root, map[string]string{
			"AGENTS.md":     "parent",
			"cwd/AGENTS.md": "cwd",
		})
		docs, err := FindProjectDocs("", filepath.Join(root, "cwd"), 1000)
		if err != nil {
			t.Fatal(err)
		}
		want := []Doc{{Path: filepath.Join(root, "cwd", "AGENTS.md"), Content: "cwd"}}
		if !reflect.DeepEqual(docs, want) {
			t.Errorf("got  %+v\nwant %+v", docs, want)
		}
	})
	t.Run(".git as a file", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		tree(t, root, map[string]string{
			"AGENTS.md":          "above: not read",
			"wt/.git":            "gitdir: /elsewhere/.git/worktrees/wt\n",
			"wt/AGENTS.md":       "worktree root",
			"wt/pkg/AGENTS.md":   "pkg",
			"wt/pkg/x/README.md": "",
		})
		docs, err := FindProjectDocs("", filepath.Join(root, "wt", "pkg", "x"), 1000)
		if err != nil {
			t.Fatal(err)
		}
		want := []Doc{
			{Path: filepath.Join(root, "wt", "AGENTS.md"), Content: "worktree root"},
			{Path: filepath.Join(root, "wt", "pkg", "AGENTS.md"), Content: "pkg"},
		}
		if !reflect.DeepEqual(docs, want) {
			t.Errorf("got  %+v\nwant %+v", docs, want)
		}
	})
	t.Run("cwd is the root", func(t *testing.T) {
		t.Parallel()
		root := t.TempDir()
		tree(t, root, map[string]string{".git/": "", "AGENTS.md": "root"})
		docs, err := FindProjectDocs("", root, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 || docs[0].Content != "root" {
			t.Errorf("got %+v", docs)
		}
	})
}

func TestFindProjectDocsSkips(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree(t, root, map[string]string{
		"config/AGENTS.md/":    "", // a directory: skipped
		".git/":                "",
		"AGENTS.md":            "",
		"a/AGENTS.md":          " \n\t\n",
		"a/b/AGENTS.md/":       "",
		"a/b/c/AGENTS.md":      "0123456789",
		"a/b/c/d/AGENTS.md":    "x",
		"a/b/c/d/e/.keep":      "",
		"a/b/c/d/e/f/":         "",
		"a/b/c/d/e/f/AGENTS.m": "misspelt",
	})
	// The empty files take none of the 11 bytes.
	docs, err := FindProjectDocs(filepath.Join(root, "config"), filepath.Join(root, "a", "b", "c", "d", "e", "f"), 11)
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{
		{Path: filepath.Join(root, "a", "b", "c", "AGENTS.md"), Content: "0123456789"},
		{Path: filepath.Join(root, "a", "b", "c", "d", "AGENTS.md"), Content: "x"},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got  %+v\nwant %+v", docs, want)
	}
}

func TestFindProjectDocsCap(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree(t, root, map[string]string{
		"config/AGENTS.md": "global global global", // 20 bytes, a budget of its own
		".git/":            "",
		"AGENTS.md":        "0123456789", // 10
		"a/AGENTS.md":      "ab€€cd",     // 2+3+3+2 = 10: crosses the cap
		"a/b/AGENTS.md":    "z",          // after a cut: dropped
		"a/b/c/AGENTS.md":  "not reached",
	})
	cwd := filepath.Join(root, "a", "b", "c")
	tests := []struct {
		max  int
		want []Doc
	}{
		{0, nil},
		{-1, nil},
		// 10 + 4: the cut falls inside the first €, so only "ab" is kept.
		{14, []Doc{
			{Path: filepath.Join(root, "config", "AGENTS.md"), Content: "global global ", Truncated: true, Global: true},
			{Path: filepath.Join(root, "AGENTS.md"), Content: "0123456789"},
			{Path: filepath.Join(root, "a", "AGENTS.md"), Content: "ab", Truncated: true},
		}},
		// 10 + 5: exactly one €.
		{15, []Doc{
			{Path: filepath.Join(root, "config", "AGENTS.md"), Content: "global global g", Truncated: true, Global: true},
			{Path: filepath.Join(root, "AGENTS.md"), Content: "0123456789"},
			{Path: filepath.Join(root, "a", "AGENTS.md"), Content: "ab€", Truncated: true},
		}},
		// 10 exactly: the next file is not started.
		{10, []Doc{
			{Path: filepath.Join(root, "config", "AGENTS.md"), Content: "global glo", Truncated: true, Global: true},
			{Path: filepath.Join(root, "AGENTS.md"), Content: "0123456789"},
		}},
		// Room for all but the last.
		{21, []Doc{
			{Path: filepath.Join(root, "config", "AGENTS.md"), Content: "global global global", Global: true},
			{Path: filepath.Join(root, "AGENTS.md"), Content: "0123456789"},
			{Path: filepath.Join(root, "a", "AGENTS.md"), Content: "ab€€cd"},
			{Path: filepath.Join(root, "a", "b", "AGENTS.md"), Content: "z"},
		}},
	}
	for _, tt := range tests {
		docs, err := FindProjectDocs(filepath.Join(root, "config"), cwd, tt.max)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(docs, tt.want) {
			t.Errorf("max %d:\n got %+v\nwant %+v", tt.max, docs, tt.want)
		}
		for _, d := range docs {
			if !utf8.ValidString(d.Content) {
				t.Errorf("max %d: %s cut inside a character: %q", tt.max, d.Path, d.Content)
			}
		}
	}
}

func TestFindProjectDocsCutToNothing(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	tree(t, root, map[string]string{
		".git/":         "",
		"AGENTS.md":     "0123",
		"a/AGENTS.md":   "€uro", // only the € would fit, half of it
		"a/b/AGENTS.md": "z",    // must not slip in after it
	})
	docs, err := FindProjectDocs("", filepath.Join(root, "a", "b"), 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []Doc{{Path: filepath.Join(root, "AGENTS.md"), Content: "0123"}}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("got  %+v\nwant %+v", docs, want)
	}
}

func TestFindProjectDocsUnreadable(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root reads any file")
	}
	root := t.TempDir()
	tree(t, root, map[string]string{"AGENTS.md": "secret"})
	path := filepath.Join(root, "AGENTS.md")
	if err := os.Chmod(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := FindProjectDocs("", root, 100)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("unreadable AGENTS.md: got %v, want an error naming %s", err, path)
	}
	_, err = FindProjectDocs(root, t.TempDir(), 100)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("unreadable global AGENTS.md: got %v, want an error naming %s", err, path)
	}
}

func TestFormatProjectDocs(t *testing.T) {
	t.Parallel()
	got := FormatProjectDocs([]Doc{
		{Path: "/home/ada/.config/warden/AGENTS.md", Content: "Answer in English.\n", Global: true},
		{Path: "/src/engine/AGENTS.md", Content: "\nRun `make test`.\n\n"},
		{Path: "/src/engine/gpu/AGENTS.md", Content: "Never touch the shaders", Truncated: true},
	})
	want := `# Global AGENTS.md instructions

From /home/ada/.config/warden/AGENTS.md; they apply in every project.

<INSTRUCTIONS>
Answer in English.
</INSTRUCTIONS>

# AGENTS.md instructions for /src/engine

From /src/engine/AGENTS.md; they apply to files under /src/engine.

<INSTRUCTIONS>
Run ` + "`make test`" + `.
</INSTRUCTIONS>

# AGENTS.md instructions for /src/engine/gpu

From /src/engine/gpu/AGENTS.md; they apply to files under /src/engine/gpu.

<INSTRUCTIONS>
Never touch the shaders
[… truncated: the AGENTS.md files exceed the size limit]
</INSTRUCTIONS>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := FormatProjectDocs(nil); got != "" {
		t.Errorf("no docs: got %q", got)
	}
}
