package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	text := readFile(t, TrustFile(p.ConfigDir))
	if !strings.Contains(text, "[projects]\n"+quote(other)+" = true\n") || strings.Contains(text, p.ProjectRoot) {
		t.Errorf("trust file\n%s", text)
	}
	if ok, err := Trusted(p.ConfigDir, other); !ok || err != nil {
		t.Errorf("other: %v, %v", ok, err)
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
		err = SetTrusted(dir, "/b", true)
		if err == nil || !strings.HasPrefix(err.Error(), "save trust "+file+": load trust "+file+": ") {
			t.Errorf("%q: SetTrusted error %v", c.text, err)
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
