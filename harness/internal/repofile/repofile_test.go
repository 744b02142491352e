package repofile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// project makes a project directory, resolved, beside a file outside it.
func project(t *testing.T) (root, outside string) {
	t.Helper()
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root = filepath.Join(base, "repo")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	outside = filepath.Join(base, "outside.md")
	write(t, outside, "outside secret")
	return root, outside
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

// promptly runs f, failing the test if it has not returned within 5 s, so
// that a read that blocks fails the test instead of hanging the suite.
func promptly[T any](t *testing.T, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("no answer within 5 s: the read blocked")
		panic("unreachable")
	}
}

// refused checks that err refuses the file for reason.
func refused(t *testing.T, err error, reason string) {
	t.Helper()
	got, ok := Reason(err)
	if !ok || got != reason {
		t.Errorf("error %v, want a refusal: %s", err, reason)
	}
}

func TestReadsARegularFileInside(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	write(t, filepath.Join(root, "AGENTS.md"), "Use tabs.")
	data, err := Read(filepath.Join(root, "AGENTS.md"), root, 1<<20)
	if err != nil || string(data) != "Use tabs." {
		t.Errorf("Read = %q, %v", data, err)
	}
}

// AGENTS.md -> CLAUDE.md is a common pattern; links that stay inside the
// project, through directories too, are followed.
func TestFollowsLinksInsideTheProject(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	write(t, filepath.Join(root, "CLAUDE.md"), "Be brief.")
	write(t, filepath.Join(root, "docs", "agents.md"), "From docs.")
	symlink(t, "CLAUDE.md", filepath.Join(root, "AGENTS.md"))
	if err := os.MkdirAll(filepath.Join(root, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, "../docs/agents.md", filepath.Join(root, "pkg", "AGENTS.md"))
	symlink(t, filepath.Join(root, "docs"), filepath.Join(root, "linked"))
	for path, want := range map[string]string{
		filepath.Join(root, "AGENTS.md"):           "Be brief.",
		filepath.Join(root, "pkg", "AGENTS.md"):    "From docs.",
		filepath.Join(root, "linked", "agents.md"): "From docs.",
	} {
		data, err := Read(path, root, 1<<20)
		if err != nil || string(data) != want {
			t.Errorf("Read(%s) = %q, %v; want %q", path, data, err, want)
		}
	}
}

// The project and the file may both be named through a link to the
// project: the root is resolved too.
func TestRootThroughALink(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	write(t, filepath.Join(root, "AGENTS.md"), "Use tabs.")
	link := filepath.Join(t.TempDir(), "link")
	symlink(t, root, link)
	for _, c := range [][2]string{{link, link}, {link, root}, {root, link}} {
		data, err := Read(filepath.Join(c[0], "AGENTS.md"), c[1], 1<<20)
		if err != nil || string(data) != "Use tabs." {
			t.Errorf("Read(%s/AGENTS.md, root %s) = %q, %v", c[0], c[1], data, err)
		}
	}
}

func TestRefusesLinksOutOfTheProject(t *testing.T) {
	t.Parallel()
	root, outside := project(t)
	// A sibling whose name starts with the project's: inside by string
	// prefix, outside by path components.
	write(t, root+"-evil/AGENTS.md", "evil")
	for i, target := range []string{"../outside.md", outside, "/proc/self/environ", "/dev/zero", "../repo-evil/AGENTS.md"} {
		path := filepath.Join(root, fmt.Sprintf("link%d.md", i))
		symlink(t, target, path)
		err := promptly(t, func() error { _, err := Read(path, root, 1<<20); return err })
		refused(t, err, "a link to a file outside the project")
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the content: %v", err)
		}
	}
	// Through a linked directory rather than a linked file.
	symlink(t, filepath.Dir(outside), filepath.Join(root, "up"))
	_, err := Read(filepath.Join(root, "up", "outside.md"), root, 1<<20)
	refused(t, err, "outside the project")
}

func TestEnvironIsNeverRead(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	path := filepath.Join(root, "AGENTS.md")
	symlink(t, "/proc/self/environ", path)
	data, err := Read(path, root, 1<<20)
	if len(data) != 0 {
		t.Fatalf("read %d bytes of the environment", len(data))
	}
	want := "AGENTS.md is a link to a file outside the project: not read"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
}

func TestRefusesANamedPipeWithoutBlocking(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	path := filepath.Join(root, "AGENTS.md")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	err := promptly(t, func() error { _, err := Read(path, root, 1<<20); return err })
	want := "AGENTS.md is a named pipe, not a file: not read"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	err = promptly(t, func() error { _, err := ReadOwn(path, 1<<20); return err })
	refused(t, err, "a named pipe, not a file")
	// The check by descriptor, after the open, refuses it too.
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	refused(t, checkOpened(f, path), "a named pipe, not a file")
}

func TestRefusesDevicesAndDirectories(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	zero := filepath.Join(root, "zero")
	symlink(t, "/dev/zero", zero)
	err := promptly(t, func() error { _, err := ReadOwn(zero, 1<<20); return err })
	refused(t, err, "a character device, not a file")

	dir := filepath.Join(root, "rules.toml")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Read(dir, root, 1<<20)
	refused(t, err, "a directory, not a file")
	if !IsDir(err) {
		t.Errorf("IsDir(%v) = false", err)
	}
	_, err = ReadOwn(dir, 1<<20)
	refused(t, err, "a directory, not a file")
	// The root itself is a directory.
	_, err = Read(root, root, 1<<20)
	refused(t, err, "a directory, not a file")
}

func TestRefusesPastTheLimit(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	big := filepath.Join(root, "rules.toml")
	write(t, big, strings.Repeat("x", 2<<20))
	_, err := Read(big, root, 1<<20)
	want := "rules.toml is larger than 1 MiB: not read"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	_, err = ReadOwn(big, 1<<20)
	refused(t, err, "larger than 1 MiB")

	exact := filepath.Join(root, "exact")
	write(t, exact, "12345")
	if data, err := Read(exact, root, 5); err != nil || string(data) != "12345" {
		t.Errorf("at the limit: %q, %v", data, err)
	}
	_, err = Read(exact, root, 4)
	refused(t, err, "larger than 4 bytes")
}

// A file that reports a size of 0 but has more is still cut off at the
// limit, not read to its end.
func TestLimitHoldsWhatTheSizeDoesNotSay(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/environ"); err != nil {
		t.Skip("no /proc")
	}
	_, err := ReadOwn("/proc/self/cmdline", 1)
	refused(t, err, "larger than 1 byte")
}

// A link to itself is refused, not an error that would stop warden.
func TestRefusesALinkLoop(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	path := filepath.Join(root, "AGENTS.md")
	symlink(t, "AGENTS.md", path)
	_, err := Read(path, root, 1<<20)
	refused(t, err, "a link that leads nowhere (EvalSymlinks: too many links)")
}

func TestMissingIsNotExist(t *testing.T) {
	t.Parallel()
	root, _ := project(t)
	symlink(t, "nowhere.md", filepath.Join(root, "dangling"))
	for _, path := range []string{filepath.Join(root, "none"), filepath.Join(root, "dangling"), filepath.Join(root, "no", "dir")} {
		if _, err := Read(path, root, 1<<20); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Read(%s): %v, want not-exist", path, err)
		}
		if _, err := ReadOwn(path, 1<<20); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("ReadOwn(%s): %v, want not-exist", path, err)
		}
		if _, ok := Reason(errors.New("x")); ok {
			t.Error("Reason of a plain error")
		}
	}
}

func TestOwnFilesMayLinkAnywhere(t *testing.T) {
	t.Parallel()
	_, outside := project(t)
	link := filepath.Join(t.TempDir(), "rules.toml")
	symlink(t, outside, link)
	if data, err := ReadOwn(link, 1<<20); err != nil || string(data) != "outside secret" {
		t.Errorf("ReadOwn = %q, %v", data, err)
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1 << 20: "1 MiB", 3 << 20: "3 MiB", 64 << 10: "64 KiB", 1: "1 byte", 100: "100 bytes", 1<<20 + 1: "1048577 bytes", 0: "0 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
