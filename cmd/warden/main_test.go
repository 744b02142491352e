package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"warden/fakemodel"
	"warden/harness/transcript"
	"warden/sandbox"
	"warden/tools/patch"
)

// The test binary doubles as the warden binary: with WARDEN_TEST_AS_MAIN set
// it runs main, so the CLI is tested as a real process without a separate
// build step.
func TestMain(m *testing.M) {
	// The patch writer runs inside the sandbox, which keeps WARDEN_*
	// variables from commands: it is recognised by its argument alone.
	if sandbox.IsHelper() || patch.IsChild() || os.Getenv("WARDEN_TEST_AS_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type cli struct {
	t    *testing.T
	fm   *fakemodel.Server
	url  string
	home string
	dir  string
	env  map[string]string
	// askTrust leaves the project undecided, so the interactive warden
	// asks whether to trust it; startTerminal otherwise records "no".
	askTrust bool
	// terminals counts the terminals started, each on a tmux server of
	// its own.
	terminals int
}

func newCLI(t *testing.T, replies ...fakemodel.Reply) *cli {
	t.Helper()
	fm := fakemodel.New(fakemodel.Script{Replies: replies})
	srv := httptest.NewServer(fm)
	t.Cleanup(func() { fm.Close(); srv.Close() })
	home := t.TempDir()
	c := &cli{t: t, fm: fm, url: srv.URL + "/v1", home: home, dir: t.TempDir()}
	c.env = map[string]string{
		"WARDEN_TEST_AS_MAIN": "1",
		"HOME":                home,
		"XDG_CONFIG_HOME":     filepath.Join(home, "config"),
		"XDG_STATE_HOME":      filepath.Join(home, "state"),
		"OPENAI_API_KEY":      "sk-test-secret-value-123",
		"OPENAI_BASE_URL":     c.url,
		"PATH":                os.Getenv("PATH"),
	}
	return c
}

type result struct {
	stdout, stderr string
	code           int
}

func (c *cli) command(stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = c.dir
	for k, v := range c.env {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdin = strings.NewReader(stdin)
	return cmd
}

func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	cmd := c.command(stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func textReply(s string) fakemodel.Reply {
	return fakemodel.Reply{Output: []fakemodel.Output{{Text: s}}}
}

func TestExecPrintsTheAnswerOnStdout(t *testing.T) {
	c := newCLI(t, textReply("The answer is 42."))
	r := c.run("", "exec", "what is the answer?")
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	if r.stdout != "The answer is 42.\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	for _, want := range []string{"warden · gpt-", "user: what is the answer?", "turn completed"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if auth := c.fm.Requests()[0].Header.Get("Authorization"); auth != "Bearer sk-test-secret-value-123" {
		t.Fatalf("authorization header %q", auth)
	}
}

func TestExecJSONEmitsOneEventPerLine(t *testing.T) {
	c := newCLI(t, textReply("Hi."))
	r := c.run("", "exec", "--json", "hello")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var types []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		types = append(types, m["type"].(string))
	}
	if len(types) < 4 || types[0] != "session_started" || types[1] != "turn_started" || types[len(types)-1] != "turn_finished" {
		t.Fatalf("event types %v", types)
	}
	if !strings.Contains(strings.Join(types, ","), "text_delta") {
		t.Fatalf("no text deltas: %v", types)
	}
}

func TestExecReadsThePromptFromStdin(t *testing.T) {
	c := newCLI(t, textReply("ok"))
	if r := c.run("prompt from a pipe\n", "exec", "-"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !bytes.Contains(c.fm.Requests()[0].Body, []byte("prompt from a pipe")) {
		t.Fatal("the stdin prompt was not sent")
	}
}

func TestExecFailures(t *testing.T) {
	t.Run("no key", func(t *testing.T) {
		c := newCLI(t)
		c.env["OPENAI_API_KEY"] = ""
		c.env["OPENAI_BASE_URL"] = "" // OpenAI itself, which needs a key
		r := c.run("", "exec", "hi")
		if r.code != 2 || !strings.Contains(r.stderr, "OPENAI_API_KEY is not set") || !strings.Contains(r.stderr, "--base-url") {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
	})
	t.Run("no key, json", func(t *testing.T) {
		c := newCLI(t)
		c.env["OPENAI_API_KEY"] = ""
		c.env["OPENAI_BASE_URL"] = ""
		r := c.run("", "exec", "--json", "hi")
		var ev map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &ev); err != nil || r.code != 2 {
			t.Fatalf("exit %d stdout %q: %v", r.code, r.stdout, err)
		}
		if ev["type"] != "error" || ev["kind"] != "setup" || !strings.Contains(ev["message"].(string), "OPENAI_API_KEY") {
			t.Fatalf("event %v", ev)
		}
	})
	t.Run("rejected key", func(t *testing.T) {
		c := newCLI(t, fakemodel.Reply{Status: 401, Error: &fakemodel.APIError{Message: "Incorrect API key provided.", Code: "invalid_api_key"}})
		r := c.run("", "exec", "hi")
		if r.code != 1 || !strings.Contains(r.stderr, "OPENAI_API_KEY") {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
		if strings.Contains(r.stderr, "sk-test-secret-value-123") {
			t.Fatal("the key was printed")
		}
	})
	t.Run("broken config", func(t *testing.T) {
		c := newCLI(t)
		path := filepath.Join(c.home, "config", "warden", "config.toml")
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, []byte("model = \"x\"\nwire = = 3\n"), 0o644)
		r := c.run("", "exec", "hi")
		if r.code != 2 || !strings.Contains(r.stderr, path) || !strings.Contains(r.stderr, "line 2") {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
	})
	t.Run("bad flag", func(t *testing.T) {
		c := newCLI(t)
		r := c.run("", "exec", "--wire", "carrier-pigeon", "hi")
		if r.code != 2 || !strings.Contains(r.stderr, "carrier-pigeon") {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
	})
	t.Run("missing prompt", func(t *testing.T) {
		c := newCLI(t)
		r := c.run("", "exec")
		if r.code != 2 || !strings.Contains(r.stderr, "PROMPT") {
			t.Fatalf("exit %d stderr %q", r.code, r.stderr)
		}
	})
}

func TestExecWritesATranscriptWithoutTheKey(t *testing.T) {
	c := newCLI(t, textReply("Recorded."))
	if r := c.run("", "exec", "record me"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(c.home, "state", "warden", "sessions", "*", "*", "*", "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("transcripts %v", files)
	}
	raw, _ := os.ReadFile(files[0])
	if bytes.Contains(raw, []byte("sk-test-secret-value-123")) {
		t.Fatal("the API key is in the transcript")
	}
	h, items, err := transcript.Read(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if h.Cwd != c.dir || h.Model == "" || h.Wire != "responses" || h.SessionID == "" {
		t.Fatalf("header %+v", h)
	}
	last := items[len(items)-1]
	if last.Text != "Recorded." || items[len(items)-2].Text != "record me" {
		t.Fatalf("items %+v", items)
	}
}

func TestExecGivesTheModelAgentsFilesInOrder(t *testing.T) {
	c := newCLI(t, textReply("ok"))
	repo := c.dir
	os.Mkdir(filepath.Join(repo, ".git"), 0o755)
	sub := filepath.Join(repo, "pkg", "inner")
	os.MkdirAll(sub, 0o755)
	os.MkdirAll(filepath.Join(c.home, "config", "warden"), 0o755)
	os.WriteFile(filepath.Join(c.home, "config", "warden", "AGENTS.md"), []byte("GLOBAL-RULE"), 0o644)
	os.WriteFile(filepath.Join(repo, "AGENTS.md"), []byte("ROOT-RULE"), 0o644)
	os.WriteFile(filepath.Join(repo, "pkg", "AGENTS.md"), []byte("PKG-RULE"), 0o644)
	os.WriteFile(filepath.Join(sub, "AGENTS.md"), []byte("INNER-RULE"), 0o644)
	c.dir = sub
	if r := c.run("", "exec", "PROMPT-MARKER"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	body := string(c.fm.Requests()[0].Body)
	last := -1
	for _, rule := range []string{"GLOBAL-RULE", "ROOT-RULE", "PKG-RULE", "INNER-RULE", "PROMPT-MARKER"} {
		i := strings.Index(body, rule)
		if i < 0 || i < last {
			t.Fatalf("%s missing or out of order in %s", rule, body)
		}
		last = i
	}
}

func TestExecInterruptedBySignal(t *testing.T) {
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: 130, syscall.SIGTERM: 143} {
		gate := fakemodel.NewGate(3)
		c := newCLI(t, fakemodel.Reply{Gate: gate, Output: []fakemodel.Output{{Text: "never finishes"}}})
		cmd := c.command("", "exec", "hi")
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-gate.Reached():
		case <-time.After(20 * time.Second):
			t.Fatal("the request never reached the fake")
		}
		cmd.Process.Signal(sig)
		err := cmd.Wait()
		gate.Release()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != want || !strings.Contains(errb.String(), "turn interrupted") {
			t.Fatalf("%v: err %v (want exit %d) stderr %s", sig, err, want, errb.String())
		}
	}
}

// A mistyped command is refused with the likely one, never sent to the
// model; the interface refuses to start without a terminal.
func TestRootCommandGuardsItsArguments(t *testing.T) {
	c := newCLI(t)
	r := c.run("", "exce")
	if r.code != 2 || !strings.Contains(r.stderr, `did you mean "exec"`) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = c.run("", "explain", "this", "code")
	if r.code != 2 || !strings.Contains(r.stderr, "needs a terminal") || !strings.Contains(r.stderr, "warden exec") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if len(c.fm.Requests()) != 0 {
		t.Fatal("something was sent to the model")
	}
}
