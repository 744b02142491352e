package workspace_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"warden/harness/event"
	"warden/harness/workspace"
)

func mkfifo(t *testing.T, root, name string) {
	t.Helper()
	if err := syscall.Mkfifo(filepath.Join(root, filepath.FromSlash(name)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sparseFile makes root/name a file of size bytes that takes no room.
func sparseFile(t *testing.T, root, name string, size int64) {
	t.Helper()
	f, err := os.Create(filepath.Join(root, filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
}

// quickDiff is diff, failing if it takes more than a few seconds: a git
// stuck on a named pipe is stopped by GitTimeout, which the tests set
// short, but the point is that it is never run into one.
func quickDiff(t *testing.T, b *workspace.Baseline) []event.FileChange {
	t.Helper()
	start := time.Now()
	changes := diff(t, b)
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("Diff took %v", d)
	}
	return changes
}

// A named pipe or a huge file named .gitignore or .gitattributes, there
// when the session starts, would make git wait forever or read it whole:
// its directory is left out and reported, and the rest compared.
func TestRuleFilesGitMustNotReadAtTheStart(t *testing.T) {
	for _, c := range []struct {
		name, file, why string
		make            func(t *testing.T, root, name string)
	}{
		{"named pipe .gitignore", "src/.gitignore", "is a named pipe", mkfifo},
		{"named pipe .gitattributes", "src/.gitattributes", "is a named pipe", mkfifo},
		{"huge .gitignore", "src/.gitignore", "is 2.0 MiB", func(t *testing.T, root, name string) {
			sparseFile(t, root, name, 2<<20)
		}},
		{"in the root", ".gitignore", "is a named pipe", mkfifo},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			write(t, root, "a.txt", "a\n")
			write(t, root, "src/b.txt", "b\n")
			c.make(t, root, c.file)
			b := start(t, root, workspace.Options{GitTimeout: 10 * time.Second})
			write(t, root, "a.txt", "a2\n")
			write(t, root, "src/b.txt", "b2\n")
			changes := quickDiff(t, b)
			want := []string{"a.txt", c.file}
			if c.file == ".gitignore" {
				want = []string{c.file} // the whole work tree is left out
			}
			if got := paths(changes); !slices.Equal(got, want) {
				t.Fatalf("paths %q, want %q", got, want)
			}
			note := byPath(t, changes)[c.file]
			if note.Kind != "update" || !strings.Contains(note.Diff, "Not compared: when the session started, "+c.file+" "+c.why) {
				t.Errorf("%s: %+v", c.file, note)
			}
		})
	}
}

// Made by the model during the session: a .gitignore, whatever it is, is
// not read by a Diff at all, and a .gitattributes git must not read keeps
// its directory out, reported.
func TestRuleFilesGitMustNotReadMadeLater(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "a.txt", "a\n")
	write(t, root, "src/b.txt", "b\n")
	write(t, root, "lib/c.txt", "c\n")
	write(t, root, "lib/.gitignore", "*.o\n")
	sparseFile(t, root, "src/disk.img", 50<<20+1) // compared by stat: not deleted when src/ is left out
	b := start(t, root, workspace.Options{GitTimeout: 10 * time.Second})
	mkfifo(t, root, ".gitignore")
	remove(t, root, "lib/.gitignore")
	mkfifo(t, root, "lib/.gitignore")
	mkfifo(t, root, "src/.gitattributes")
	write(t, root, "new/x.txt", "x\n")
	sparseFile(t, root, "new/.gitattributes", 1<<30)
	write(t, root, "a.txt", "a2\n")
	write(t, root, "src/b.txt", "b2\n")
	write(t, root, "lib/c.txt", "c2\n")
	changes := quickDiff(t, b)
	want := []string{"a.txt", "lib/.gitignore", "lib/c.txt", "new/.gitattributes", "src/.gitattributes"}
	if got := paths(changes); !slices.Equal(got, want) {
		t.Fatalf("paths %q, want %q", got, want)
	}
	m := byPath(t, changes)
	if c := m["lib/.gitignore"]; c.Kind != "delete" {
		t.Errorf("lib/.gitignore, a file become a named pipe: %+v", c)
	}
	if c := m["src/.gitattributes"]; c.Kind != "add" || !strings.Contains(c.Diff, "src/.gitattributes is a named pipe") ||
		!strings.Contains(c.Diff, "compares no file under src/") {
		t.Errorf("src/.gitattributes: %+v", c)
	}
	if c := m["new/.gitattributes"]; c.Kind != "add" || !strings.Contains(c.Diff, "is 1.0 GiB") {
		t.Errorf("new/.gitattributes: %+v", c)
	}
	// Once it is gone, the directory is compared again.
	remove(t, root, "src/.gitattributes")
	if got := paths(quickDiff(t, b)); !slices.Contains(got, "src/b.txt") {
		t.Errorf("with the named pipe gone, paths %q", got)
	}
}

// fakeGit is a "git" that never finishes.
func fakeGit(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "git")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\nexec sleep 600\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// Every git run is bounded in time, and says why it was stopped; Ready
// is closed all the same.
func TestGitTimeout(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	b := workspace.Start(root, workspace.Options{Git: fakeGit(t), Dir: t.TempDir(), GitTimeout: 200 * time.Millisecond})
	defer b.Close()
	select {
	case <-b.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("Ready not closed after the baseline's git timed out")
	}
	_, err := b.Diff(context.Background())
	if err == nil || !strings.Contains(err.Error(), "did not finish reading the work tree in 0.2 s: is a named pipe or a huge file named .gitignore or .gitattributes in it?") {
		t.Errorf("Diff error = %v", err)
	}
}

// Close stops a baseline in progress at once, rather than waiting for it.
func TestCloseDoesNotWait(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := t.TempDir()
	b := workspace.Start(root, workspace.Options{Git: fakeGit(t), Dir: dir})
	time.Sleep(100 * time.Millisecond) // git is running
	start := time.Now()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	select {
	case <-b.Ready():
	default:
		t.Error("Ready not closed after Close")
	}
	if _, err := b.Diff(context.Background()); err == nil {
		t.Error("Diff after Close succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// A Diff in progress is interrupted by Close, and by its context.
func TestDiffInterrupted(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	b := workspace.Start(root, workspace.Options{Git: fakeGit(t), Dir: t.TempDir()})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := b.Diff(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Diff = %v", err)
	}
	done := make(chan error)
	go func() {
		_, err := b.Diff(context.Background())
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	b.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("Diff interrupted by Close succeeded")
		}
	case <-time.After(3 * time.Second):
		t.Error("Close did not interrupt Diff")
	}
}
