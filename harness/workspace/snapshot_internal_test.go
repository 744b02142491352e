package workspace

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// When git update-index cannot take a path (here one that is a directory,
// as a file replaced by one after it was listed would be), record falls
// back to git add (forceAdd), which adds what it can, and still takes the
// sentinels of nested repositories out of the index.
func TestForceAddFallsBack(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	for name, data := range map[string]string{".gitignore": "*\n", "f": "f\n", "d/x": "x\n", "n/y": "y\n"} {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := &gitRepo{bin: bin, dir: t.TempDir(), root: root, env: HermeticEnv(), maxFiles: DefaultMaxFiles, maxBytes: DefaultMaxBytes}
	ctx := t.Context()
	if err := g.init(ctx); err != nil {
		t.Fatal(err)
	}
	r := &snapshotRun{g: g, index: filepath.Join(g.dir, "index"), outside: map[string]outsideFile{}}
	sentinel := "n/" + sentinelName
	if _, err := g.run(ctx, r.index, []byte("100644 "+g.emptyBlob+"\t"+sentinel+"\x00"), "update-index", "-z", "--index-info"); err != nil {
		t.Fatal(err)
	}
	if err := r.record(ctx, []string{"f", "d", "n/y", sentinel, "gone"}, nil); err != nil {
		t.Fatal(err)
	}
	out, err := g.run(ctx, r.index, nil, "ls-files", "-z")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if want := []string{"d/x", "f", "n/y"}; !slices.Equal(got, want) {
		t.Errorf("index holds %q, want %q", got, want)
	}
}

// Should a file become unreadable after warden looked (the model can
// chmod in a loop), update-index fails, and the git add that follows
// leaves it out with a line on stderr: it is reported all the same, new
// or in the index already (which keeps it out, so that Diff sees it).
func TestForceAddReportsWhatGitCannotRead(t *testing.T) {
	if asUnprivileged(t) {
		return
	}
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	for _, name := range []string{"old", "new", "fine"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	g := &gitRepo{bin: bin, dir: t.TempDir(), root: root, env: HermeticEnv(), maxFiles: DefaultMaxFiles, maxBytes: DefaultMaxBytes}
	ctx := t.Context()
	if err := g.init(ctx); err != nil {
		t.Fatal(err)
	}
	r := &snapshotRun{g: g, index: filepath.Join(g.dir, "index"), outside: map[string]outsideFile{}}
	if err := r.record(ctx, []string{"old"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"old", "new"} {
		p := filepath.Join(root, name)
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(p, 0o644) })
	}
	if err := r.record(ctx, []string{"fine", "new", "old"}, nil); err != nil {
		t.Fatal(err)
	}
	out, err := g.run(ctx, r.index, nil, "ls-files", "-z")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00"); !slices.Equal(got, []string{"fine"}) {
		t.Errorf("index holds %q, want only fine", got)
	}
	for _, name := range []string{"old", "new"} {
		if f, ok := r.outside[name]; !ok || f.unreadable != "permission denied" {
			t.Errorf("%s: %+v, %v", name, f, ok)
		}
	}
}

func TestFailedToIndex(t *testing.T) {
	t.Parallel()
	log := "warning: could not open directory 'd/': Permission denied\n" +
		"error: open(\"a b.txt\"): Permission denied\nerror: unable to index file 'a b.txt'\n" +
		"error: unable to index file 'c'\nfatal: adding files failed\n"
	got := failedToIndex([]byte(log))
	if len(got) != 2 || !got["a b.txt"] || !got["c"] {
		t.Errorf("failedToIndex = %v", got)
	}
}
