package launch

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/event"
)

// A repository is untrusted input: the files of its own that warden reads
// outside the sandbox (AGENTS.md, .warden/rules.toml) must not lead it to
// read its own environment or the user's files, nor block it.

// promptly runs f, failing the test if it has not returned within 5 s, so
// that a read that blocks fails instead of hanging the suite.
func promptly[T any](t *testing.T, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("no answer within 5 s: warden blocked reading a file of the repository")
		panic("unreachable")
	}
}

const leakKey = "sk-environ-leak-canary-7f3a"

// The variable's value must be in the process's own /proc/self/environ,
// which is fixed at exec: so the test runs itself again with it set.
func TestSessionInARepoLinkingToTheEnvironment(t *testing.T) {
	if os.Getenv("WARDEN_TEST_ENVIRON_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSessionInARepoLinkingToTheEnvironment$", "-test.count=1", "-test.v")
		// The key first, so that it would fall within any size cap.
		cmd.Env = append([]string{"OPENAI_API_KEY=" + leakKey, "WARDEN_TEST_ENVIRON_CHILD=1"}, os.Environ()...)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestSessionInARepoLinkingToTheEnvironment") {
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	environ, err := os.ReadFile("/proc/self/environ")
	if err != nil || !strings.Contains(string(environ), "OPENAI_API_KEY="+leakKey) {
		t.Fatalf("the test's precondition: /proc/self/environ holds the key (%v)", err)
	}

	fm := fakemodel.New(fakemodel.Script{Replies: []fakemodel.Reply{{Output: []fakemodel.Output{{Text: "hello"}}}}})
	srv := httptest.NewServer(fm)
	defer srv.Close()
	home := t.TempDir()
	repo := t.TempDir()
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/proc/self/environ", filepath.Join(repo, "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	cwd := filepath.Join(repo, "pkg")
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cwd, "AGENTS.md"), []byte("Use tabs."), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME": home, "XDG_STATE_HOME": filepath.Join(home, "state"), "SHELL": "/bin/sh"}
	var warnings []event.Error
	st := settingsFor(t, "responses", srv.URL+"/v1")
	st.ProjectDocMaxBytes = 1 << 20 // room for all of the environment
	sess, err := Start(Params{
		Settings: st,
		Cwd:      cwd,
		Getenv:   func(k string) string { return env[k] },
		Sink: func(e event.Event) {
			if w, ok := e.(event.Error); ok {
				warnings = append(warnings, w)
			}
		},
		Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	if res := sess.RunTurn(context.Background(), "hi"); res.Status != event.TurnCompleted {
		t.Fatalf("turn %+v", res)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	body := string(fm.Requests()[0].Body)
	transcript, err := os.ReadFile(sess.TranscriptPath())
	if err != nil {
		t.Fatal(err)
	}
	for where, text := range map[string]string{"the request to the model": body, "the transcript": string(transcript)} {
		for _, secret := range []string{"OPENAI_API_KEY", leakKey, "WARDEN_TEST_ENVIRON_CHILD"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %s", where, secret)
			}
		}
	}
	if !strings.Contains(body, "Use tabs.") {
		t.Error("the AGENTS.md inside the project was not sent")
	}
	want := filepath.Join(repo, "AGENTS.md") + " was not read: it is a link to a file outside the project"
	if len(warnings) != 1 || warnings[0].Message != want || warnings[0].Fatal {
		t.Errorf("warnings %+v, want one: %s", warnings, want)
	}
}

// A named pipe for the project's rules: the session does not start, and
// says why, rather than hang.
func TestSessionInARepoWithARulesPipe(t *testing.T) {
	home := t.TempDir()
	repo := t.TempDir()
	if err := os.MkdirAll(filepath.Join(repo, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(repo, ".warden"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(repo, ".warden", "rules.toml"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := promptly(t, func() error {
		sess, err := Start(Params{
			Settings: settingsFor(t, "responses", "http://127.0.0.1:1/v1"),
			Cwd:      repo,
			Getenv:   func(k string) string { return map[string]string{"HOME": home}[k] },
		})
		if err == nil {
			sess.Close()
		}
		return err
	})
	if err == nil || !strings.Contains(err.Error(), ".warden/rules.toml: rules.toml is a named pipe, not a file: not read") {
		t.Errorf("error %v", err)
	}
}

// The trust question lists the files refused, and why.
func TestTrustFilesListsRefusedFiles(t *testing.T) {
	root, getenv := trustProject(t, map[string]string{"pkg/AGENTS.md": "Small.", "CLAUDE.md": "Shared."})
	outside := filepath.Join(filepath.Dir(root), "outside.md")
	if err := os.WriteFile(outside, []byte("not the project's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, ".warden"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(root, ".warden", "rules.toml"), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		files []TrustFile
		err   error
	}
	r := promptly(t, func() result {
		_, files, err := TrustFiles(getenv, filepath.Join(root, "pkg"), 1<<10)
		return result{files, err}
	})
	if r.err != nil {
		t.Fatal(r.err)
	}
	want := []TrustFile{
		{".warden/rules.toml", "not read: a named pipe, not a file"},
		{"AGENTS.md", "not read: a link to a file outside the project"},
		{"pkg/AGENTS.md", "instructions for the model (read whether trusted or not)"},
	}
	if !slices.Equal(r.files, want) {
		t.Errorf("files\n%q\nwant\n%q", r.files, want)
	}

	// A link inside the project is read, and a rules file too large is
	// refused.
	if err := os.Remove(filepath.Join(root, "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("CLAUDE.md", filepath.Join(root, "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(root, ".warden", "rules.toml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".warden", "rules.toml"), []byte(strings.Repeat("#\n", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, files, err := TrustFiles(getenv, filepath.Join(root, "pkg"), 1<<10)
	want = []TrustFile{
		{".warden/rules.toml", "not read: larger than 1 MiB"},
		{"AGENTS.md", "instructions for the model (read whether trusted or not)"},
		{"pkg/AGENTS.md", "instructions for the model (read whether trusted or not)"},
	}
	if err != nil || !slices.Equal(files, want) {
		t.Errorf("files\n%q, %v\nwant\n%q", files, err, want)
	}
}
