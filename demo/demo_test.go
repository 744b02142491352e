package demo

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"warden/harness/config"
	"warden/sandbox"
	"warden/tools/patch"
)

// The test binary doubles as the sandbox helper and the patch writer, as
// the warden binary does when the demo runs for real.
func TestMain(m *testing.M) {
	if sandbox.IsHelper() {
		sandbox.HelperMain()
	}
	if patch.IsChild() {
		os.Exit(patch.ChildMain())
	}
	os.Exit(m.Run())
}

// sampleFiles are the embedded sample's files, by path relative to it.
func sampleFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(sample, sampleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := sample.ReadFile(path)
		files[strings.TrimPrefix(path, sampleDir+"/")] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestPrepareCopiesTheWholeSample(t *testing.T) {
	dir, err := Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files := sampleFiles(t)
	for _, want := range []string{"README.md", ".gitignore", "lib/semver.sh", "tests/test_semver.sh", "build/bumpver"} {
		if _, ok := files[want]; !ok {
			t.Errorf("the embedded sample lacks %s", want)
		}
	}
	for name, want := range files {
		path := filepath.Join(dir, name)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s was not copied: %v", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the embedded file", name)
		}
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if script := bytes.HasPrefix(want, []byte("#!")); script != (info.Mode().Perm()&0o111 != 0) {
			t.Errorf("%s: mode %v, script=%v", name, info.Mode(), script)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: nothing more to check")
	}
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if n := strings.TrimSpace(git("rev-list", "--count", "HEAD")); n != "1" {
		t.Errorf("%s commits, want 1", n)
	}
	if st := git("status", "--porcelain", "--ignored"); st != "!! build/\n" {
		t.Errorf("git status after Prepare:\n%s\nwant only the ignored build/", st)
	}
	tracked := strings.Fields(git("ls-files"))
	for name := range files {
		if !strings.HasPrefix(name, "build/") && !slices.Contains(tracked, name) {
			t.Errorf("%s is not committed (tracked: %v)", name, tracked)
		}
	}
}

// Two prepared copies are independent directories.
func TestPrepareMakesAFreshDirectoryEachTime(t *testing.T) {
	parent := t.TempDir()
	a, err := Prepare(parent)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Prepare(parent)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || filepath.Dir(a) != parent || filepath.Dir(b) != parent {
		t.Errorf("Prepare gave %s and %s under %s", a, b, parent)
	}
}

// Without git the sample is still copied, just not committed.
func TestPrepareWithoutGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dir, err := Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); !os.IsNotExist(err) {
		t.Errorf(".git exists without git: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lib", "semver.sh")); err != nil {
		t.Error(err)
	}
}

func TestPrepareReportsAnUnusableParent(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "missing")
	if _, err := Prepare(parent); err == nil || !strings.Contains(err.Error(), "create the demo directory") {
		t.Errorf("err = %v", err)
	}
}

// The sample sits inside this module: a Go file or a go.mod in it would
// be built as part of warden, or split the module.
func TestSampleHasNothingGoWouldBuild(t *testing.T) {
	files := sampleFiles(t)
	for name := range files {
		if base := filepath.Base(name); filepath.Ext(base) == ".go" || base == "go.mod" || base == "go.work" {
			t.Errorf("%s would be picked up by Go tooling", name)
		}
	}
	if n := len(files); n < 5 || n > 10 {
		t.Errorf("the sample has %d files, want a small project of 5 to 10", n)
	}
}

// The sample ships with the bug the demo fixes: its tests fail on the
// minor bump and nothing else.
func TestSampleShipsWithTheBug(t *testing.T) {
	dir, err := Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out, code := runSampleTests(t, dir)
	if code == 0 || !strings.Contains(out, "6/8 passed") ||
		!strings.Contains(out, "FAIL  minor bump resets patch: want 1.3.0, got 1.3.3") {
		t.Errorf("tests of the unfixed sample (exit %d):\n%s", code, out)
	}
}

func runSampleTests(t *testing.T, dir string) (string, int) {
	t.Helper()
	cmd := exec.Command("sh", "-c", testCommand)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s: %v", testCommand, err)
	}
	return string(out), 0
}

func TestSettingsPointAtTheDemoServer(t *testing.T) {
	base := config.Settings{
		Model:             "gpt-5.1-codex",
		Provider:          config.Provider{Name: "openai", BaseURL: "https://api.openai.com/v1", EnvKey: "OPENAI_API_KEY", Wire: config.WireChat},
		APIKey:            "sk-the-users-real-key",
		ReasoningEffort:   "high",
		SandboxMode:       config.SandboxReadOnly,
		ApprovalPolicy:    config.ApprovalNever,
		MaxSteps:          77,
		StreamIdleTimeout: time.Minute,
		Sandbox: config.SandboxSettings{
			Network:        true,
			WritableRoots:  []string{"/home/u/elsewhere"},
			CommandTimeout: 42 * time.Second,
		},
	}
	s := Settings(base, "http://127.0.0.1:4321/v1")
	if s.Model != Model || s.Provider.BaseURL != "http://127.0.0.1:4321/v1" || s.Provider.Wire != config.WireResponses || s.Provider.EnvKey != "" {
		t.Errorf("model/provider: %q %+v", s.Model, s.Provider)
	}
	if s.APIKey == "" || s.APIKey == base.APIKey {
		t.Errorf("the demo must send a dummy key, never the user's: %q", s.APIKey)
	}
	if _, missing := s.MissingKey(); missing {
		t.Error("the demo reports a missing key")
	}
	if s.ContextWindow <= 0 {
		t.Errorf("context window %d", s.ContextWindow)
	}
	if s.SandboxMode != config.SandboxWorkspaceWrite || !s.SandboxModeChosen || s.ApprovalPolicy != config.ApprovalOnRequest {
		t.Errorf("sandbox %q chosen=%v approval %q", s.SandboxMode, s.SandboxModeChosen, s.ApprovalPolicy)
	}
	if s.Sandbox.Network || len(s.Sandbox.WritableRoots) != 0 {
		t.Errorf("the demo's commands may reach beyond the demo copy: %+v", s.Sandbox)
	}
	if s.ReasoningEffort != "" || s.ReasoningSummary != "auto" {
		t.Errorf("reasoning effort %q summary %q", s.ReasoningEffort, s.ReasoningSummary)
	}
	// What the user configured about how a session runs still holds.
	if s.MaxSteps != 77 || s.StreamIdleTimeout != time.Minute || s.Sandbox.CommandTimeout != 42*time.Second {
		t.Errorf("the user's settings were lost: %+v", s)
	}
	if base.Sandbox.WritableRoots[0] != "/home/u/elsewhere" {
		t.Error("Settings changed its argument")
	}
}
