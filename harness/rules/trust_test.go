package rules

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestTrust(t *testing.T) {
	t.Parallel()
	p := project(t)
	if ok, err := Trusted(p.ConfigDir, p.ProjectRoot); ok || err != nil {
		t.Fatalf("before any trust: %v, %v", ok, err)
	}
	if err := SetTrusted(p.ConfigDir, p.ProjectRoot, true); err != nil {
		t.Fatal(err)
	}
	// Reached through a symlink, it is the same project.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(p.ProjectRoot, link); err != nil {
		t.Fatal(err)
	}
	if ok, err := Trusted(p.ConfigDir, link); !ok || err != nil {
		t.Errorf("after SetTrusted: %v, %v", ok, err)
	}
	other := filepath.Join(t.TempDir(), "other")
	if ok, _ := Trusted(p.ConfigDir, other); ok {
		t.Error("another project is trusted too")
	}
	if err := SetTrusted(p.ConfigDir, other, true); err != nil {
		t.Fatal(err)
	}
	if err := SetTrusted(p.ConfigDir, link, false); err != nil {
		t.Fatal(err)
	}
	if ok, err := Trusted(p.ConfigDir, p.ProjectRoot); ok || err != nil {
		t.Errorf("after untrusting: %v, %v", ok, err)
	}
	// The "no" is written down, not forgotten, so warden does not ask again.
	text := readFile(t, TrustFile(p.ConfigDir))
	if !strings.Contains(text, quote(p.ProjectRoot)+" = false\n") || !strings.Contains(text, quote(other)+" = true\n") {
		t.Errorf("trust file\n%s", text)
	}
	if ok, err := Trusted(p.ConfigDir, other); !ok || err != nil {
		t.Errorf("other: %v, %v", ok, err)
	}
}

func TestTrustDecisionRemembersNo(t *testing.T) {
	t.Parallel()
	p := project(t)
	check := func(when string, wantTrusted, wantDecided bool) {
		t.Helper()
		trusted, decided, err := TrustDecision(p.ConfigDir, p.ProjectRoot)
		if err != nil || trusted != wantTrusted || decided != wantDecided {
			t.Errorf("%s: trusted %v, decided %v, %v; want %v, %v", when, trusted, decided, err, wantTrusted, wantDecided)
		}
		if ok, err := Trusted(p.ConfigDir, p.ProjectRoot); err != nil || ok != wantTrusted {
			t.Errorf("%s: Trusted = %v, %v", when, ok, err)
		}
	}
	check("never asked, no file", false, false)
	other := filepath.Join(t.TempDir(), "other")
	if err := SetTrusted(p.ConfigDir, other, true); err != nil {
		t.Fatal(err)
	}
	check("never asked, another project in the file", false, false)

	if err := SetTrusted(p.ConfigDir, p.ProjectRoot, false); err != nil {
		t.Fatal(err)
	}
	check("after no", false, true)
	if err := SetTrusted(p.ConfigDir, p.ProjectRoot, true); err != nil {
		t.Fatal(err)
	}
	check("after yes", true, true)
	if err := SetTrusted(p.ConfigDir, p.ProjectRoot, false); err != nil {
		t.Fatal(err)
	}
	check("after no again", false, true)
	if err := SetTrusted(p.ConfigDir, p.ProjectRoot, true); err != nil {
		t.Fatal(err)
	}
	check("after yes again", true, true)
	if _, decided, _ := TrustDecision(p.ConfigDir, other); !decided {
		t.Error("the other project's answer was lost")
	}
	text := readFile(t, TrustFile(p.ConfigDir))
	if strings.Count(text, quote(p.ProjectRoot)) != 1 {
		t.Errorf("the project is not listed once:\n%s", text)
	}
	// The file explains both answers to whoever opens it.
	for _, want := range []string{"# true:", "# false:"} {
		if !strings.Contains(text, want) {
			t.Errorf("header lacks %q:\n%s", want, text)
		}
	}
}

// A trust file inside the project itself counts for nothing: trust lives
// in the config directory only.
func TestProjectCannotDecideItsOwnTrust(t *testing.T) {
	t.Parallel()
	p := project(t)
	writeFile(t, filepath.Join(p.ProjectRoot, ".warden", "trust.toml"), "[projects]\n"+quote(p.ProjectRoot)+" = true\n")
	writeFile(t, filepath.Join(p.ProjectRoot, "trust.toml"), "[projects]\n"+quote(p.ProjectRoot)+" = true\n")
	if trusted, decided, err := TrustDecision(p.ConfigDir, p.ProjectRoot); trusted || decided || err != nil {
		t.Errorf("self-declared trust: %v, %v, %v", trusted, decided, err)
	}
}

func TestTrustFileErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, want string }{
		{"[projects]\n\"/a\" = \"yes\"\n", `line 2`},
		{"[projects]\n\"/a\" = true\n\n[other]\nx = 1\n", `line 4: unknown key "other"`},
		{"projects = [\n", `line 1`},
		{"projects = 3\n", `line 1: projects must be a table, got integer 3`},
		{"[projects]\n\"/a\" = 1\n", `line 2: project "/a" must be true or false, got integer 1`},
	} {
		dir := t.TempDir()
		file := TrustFile(dir)
		writeFile(t, file, c.text)
		_, err := Trusted(dir, "/a")
		if err == nil || !strings.HasPrefix(err.Error(), "load trust "+file+": ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
		if _, _, err := TrustDecision(dir, "/a"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: TrustDecision error %v, want %q", c.text, err, c.want)
		}
		for _, trusted := range []bool{true, false} {
			err = SetTrusted(dir, "/b", trusted)
			if err == nil || !strings.HasPrefix(err.Error(), "save trust "+file+": load trust "+file+": ") {
				t.Errorf("%q: SetTrusted(%v) error %v", c.text, trusted, err)
			}
		}
		if got := readFile(t, file); got != c.text {
			t.Errorf("broken trust file changed to\n%s", got)
		}
	}
}

func TestTrustedSetLoads(t *testing.T) {
	t.Parallel()
	p := project(t)
	s0 := loadSet(t, p, false)
	writeFile(t, s0.FileFor(Project), shellRule(Allow, "make"))
	if err := SetTrusted(p.ConfigDir, p.ProjectRoot, true); err != nil {
		t.Fatal(err)
	}
	trusted, err := Trusted(p.ConfigDir, p.ProjectRoot)
	if err != nil {
		t.Fatal(err)
	}
	if d, _, _ := loadSet(t, p, trusted).Judge([]string{"make"}); d != Allow {
		t.Errorf("trusted project's allow: %q", d)
	}
}

// trust.toml is read before anything starts: a named pipe in its place
// must be an error, not a hang.
func TestTrustFileThatIsAPipeIsAnError(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(TrustFile(dir), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, _, err := TrustDecision(dir, t.TempDir())
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a pipe was read as trust.toml")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("TrustDecision blocked on a pipe")
	}
}
