package rules

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Rules files are read only if they are regular files of bounded size, and
// the project's own only from inside the project: a repository is
// untrusted input, and a named pipe, a link to /dev/zero or to a file
// elsewhere must neither hang warden, nor exhaust its memory, nor be read.

// loadSetPromptly is LoadSet, failing the test if it has not returned
// within 5 s rather than hanging the suite.
func loadSetPromptly(t *testing.T, p Paths) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := LoadSet(p, false)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("LoadSet did not return within 5 s: it blocked reading a rules file")
		return nil
	}
}

// wantRefused checks that err is a load error naming file and saying why.
func wantRefused(t *testing.T, err error, file, why string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s loaded; want it refused: %s", file, why)
	}
	if !strings.HasPrefix(err.Error(), "load rules "+file+": ") || !strings.Contains(err.Error(), why) {
		t.Errorf("error %q, want one naming %s and saying %q", err, file, why)
	}
}

func TestRulesFileThatIsANamedPipe(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{Project, User, Personal} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			p := project(t)
			file := loadSet(t, p, false).FileFor(kind)
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(file, 0o644); err != nil {
				t.Fatal(err)
			}
			wantRefused(t, loadSetPromptly(t, p), file, "rules.toml is a named pipe, not a file: not read")
		})
	}
}

func TestRulesFileLinkedToDevZero(t *testing.T) {
	t.Parallel()
	for kind, why := range map[Kind]string{
		Project: "a link to a file outside the project",
		User:    "a character device, not a file",
	} {
		p := project(t)
		file := loadSet(t, p, false).FileFor(kind)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/zero", file); err != nil {
			t.Fatal(err)
		}
		wantRefused(t, loadSetPromptly(t, p), file, why)
	}
}

func TestRulesFileTooLarge(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{Project, User} {
		p := project(t)
		file := loadSet(t, p, false).FileFor(kind)
		// 2 MiB of comments: valid TOML, but more than a rules file holds.
		writeFile(t, file, strings.Repeat("# "+strings.Repeat("x", 1021)+"\n", 2<<10))
		wantRefused(t, loadSetPromptly(t, p), file, "rules.toml is larger than 1 MiB: not read")
	}
	// Up to the limit it loads.
	p := project(t)
	file := loadSet(t, p, false).FileFor(Project)
	writeFile(t, file, shellRule(Deny, "curl")+strings.Repeat("#", MaxFileBytes-len(shellRule(Deny, "curl"))-1)+"\n")
	if d := judged(t, loadSet(t, p, false), "curl x"); d != Deny {
		t.Errorf("a rules file of exactly MaxFileBytes: curl = %q", d)
	}
}

func TestProjectRulesFileThatIsADirectory(t *testing.T) {
	t.Parallel()
	p := project(t)
	file := loadSet(t, p, false).FileFor(Project)
	if err := os.MkdirAll(file, 0o755); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, loadSetPromptly(t, p), file, "a directory, not a file")
}

// The project's rules file may not be a link out of the project — here to
// the user's own rules, which it would pass off as the project's — but may
// be one to another file of the project.
func TestProjectRulesFileLinks(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(User), shellRule(Allow, "git"))
	file := s0.FileFor(Project)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(s0.FileFor(User), file); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, loadSetPromptly(t, p), file, "rules.toml is a link to a file outside the project: not read")
	if _, err := Load(file, Project); err == nil || !strings.Contains(err.Error(), "outside the project") {
		t.Errorf("Load(%s, Project): %v, want it refused", file, err)
	}

	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(p.ProjectRoot, "policy", "warden.toml"), shellRule(Deny, "curl"))
	if err := os.Symlink(filepath.Join("..", "policy", "warden.toml"), file); err != nil {
		t.Fatal(err)
	}
	if d := judged(t, loadSet(t, p, false), "curl x"); d != Deny {
		t.Errorf("a link inside the project: curl = %q", d)
	}
}

// The user's own rules file may link anywhere, say into a dotfiles
// repository.
func TestUserRulesFileMayLinkOutOfTheConfigDir(t *testing.T) {
	t.Parallel()
	p := project(t)
	real := filepath.Join(t.TempDir(), "dotfiles", "rules.toml")
	writeFile(t, real, shellRule(Deny, "curl"))
	file := loadSet(t, p, false).FileFor(User)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, file); err != nil {
		t.Fatal(err)
	}
	if d := judged(t, loadSet(t, p, false), "curl x"); d != Deny {
		t.Errorf("curl = %q", d)
	}
}
