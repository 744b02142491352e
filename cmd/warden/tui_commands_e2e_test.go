package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"warden/fakemodel"
	"warden/tui/trustprompt"
)

// The first run in a project asks whether to trust it, listing the
// project's files; yes starts in workspace-write with the project's allow
// rules in force, and is remembered. Then, in the same session, the slash
// commands around approvals: /diff shows a change a shell command made,
// /permissions revokes a user rule (gone from the file on disk), /model
// changes the model of the next request, /approvals goes back to read
// only, and /new starts a second transcript.
func TestTUITrustQuestionAndSessionCommands(t *testing.T) {
	c := newCLI(t,
		shellCall("c1", "echo made-by-a-command > made.txt"),
		textReply("Made it."),
		textReply("Answered by the second model."),
		textReply("Fresh start."),
	)
	c.askTrust = true
	write := func(path, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(c.dir, ".warden", "rules.toml"), "[[rule]]\ndecision = \"allow\"\ncommand = [\"make\", \"lint\"]\n")
	write(filepath.Join(c.dir, "AGENTS.md"), "Use tabs.\n")
	userRules := filepath.Join(c.home, "config", "warden", "rules.toml")
	write(userRules, "[[rule]]\ndecision = \"allow\"\ncommand = [\"make\", \"test\"]\n")

	term := startTerminal(t, c, 120, 40)
	s := term.waitForText("Do you trust")
	time.Sleep(trustprompt.Grace + 100*time.Millisecond) // keys typed as it appears are ignored
	for _, want := range []string{".warden/rules.toml", "AGENTS.md", "1 allow rule"} {
		if !strings.Contains(s, want) {
			t.Fatalf("the trust question lacks %q:\n%s", want, s)
		}
	}
	term.keys("y")
	s = term.waitForText("Ask warden to do anything")
	if !strings.Contains(s, "workspace-write (trusted project)") {
		t.Fatalf("trusting did not start in workspace-write:\n%s", s)
	}
	trust, err := os.ReadFile(filepath.Join(c.home, "config", "warden", "trust.toml"))
	if err != nil || !strings.Contains(string(trust), "= true") {
		t.Fatalf("trust.toml: %q, %v", trust, err)
	}

	term.typeText("make a file")
	term.keys("Enter")
	term.waitForText("Made it.")
	term.waitForIdle()

	term.typeText("/diff")
	term.keys("Enter")
	s = term.waitForText("Changes since the session started")
	for _, want := range []string{"made.txt", "made-by-a-command"} {
		if !strings.Contains(s, want) {
			t.Fatalf("/diff lacks %q:\n%s", want, s)
		}
	}
	term.keys("q")
	term.waitForText("Ask warden to do anything")

	term.typeText("/permissions")
	term.keys("Enter")
	s = term.waitForText("Rules and approvals in force")
	if !strings.Contains(s, "allow make test") || !strings.Contains(s, "allow make lint") {
		t.Fatalf("/permissions does not list both rules:\n%s", s)
	}
	// The user's rule comes first; the project's own cannot be revoked.
	term.keys("x")
	term.waitForText("Revoke?")
	term.keys("y")
	term.waitForText("Revoked: allow make test")
	term.waitFor("the list without the revoked rule", func(s string) bool {
		return !strings.Contains(s, "› allow make test") && strings.Contains(s, "› allow make lint")
	})
	if data, _ := os.ReadFile(userRules); strings.Contains(string(data), "make") {
		t.Fatalf("the revoked rule is still in %s:\n%s", userRules, data)
	}
	term.keys("x")
	term.waitForText("repository's own")
	term.keys("Escape")
	// Typed at once, "/" would follow esc as alt+/.
	term.waitForText("Ask warden to do anything")

	term.typeText("/model")
	term.keys("Enter")
	term.waitForText("Choose a model")
	term.typeText("gpt-4.1-mini")
	term.keys("Enter")
	term.waitForText("Reasoning effort for gpt-4.1-mini")
	term.keys("Enter")
	term.waitForText("Model: gpt-4.1-mini")
	term.typeText("who are you")
	term.keys("Enter")
	term.waitForText("Answered by the second model.")
	term.waitForIdle()
	reqs := c.fm.Requests()
	var models []string
	for _, r := range reqs {
		if r.Method == "POST" {
			body, err := r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			models = append(models, body["model"].(string))
		}
	}
	if len(models) != 3 || models[2] != "gpt-4.1-mini" || models[0] == "gpt-4.1-mini" {
		t.Fatalf("models asked for: %v", models)
	}

	term.typeText("/approvals")
	term.keys("Enter")
	term.waitForText("Choose what warden may do without asking")
	term.keys("Up", "Enter")
	term.waitForText("read-only (chosen)")

	term.typeText("/new")
	term.keys("Enter")
	term.waitForText("Started a new session")
	term.typeText("hello again")
	term.keys("Enter")
	term.waitForText("Fresh start.")
	term.waitForIdle()
	term.keys("C-c")
	term.keys("C-c")
	term.waitForText("saved to")
	transcripts, _ := filepath.Glob(filepath.Join(c.home, "state", "warden", "sessions", "*", "*", "*", "*.jsonl"))
	if len(transcripts) != 2 {
		t.Fatalf("transcripts after /new: %v", transcripts)
	}
	// The new session kept the model and the sandbox chosen meanwhile.
	reqs = c.fm.Requests()
	last, err := reqs[len(reqs)-1].JSON()
	if err != nil {
		t.Fatal(err)
	}
	if last["model"] != "gpt-4.1-mini" || !strings.Contains(string(reqs[len(reqs)-1].Body), "read-only") {
		t.Fatalf("the new session's request: model %v\n%s", last["model"], reqs[len(reqs)-1].Body)
	}
}

// No (the default) is remembered too: the next start asks nothing and
// stays read-only.
func TestTUITrustAnswerNoIsRemembered(t *testing.T) {
	c := newCLI(t)
	c.askTrust = true
	term := startTerminal(t, c, 100, 30)
	term.waitForText("Do you trust")
	time.Sleep(trustprompt.Grace + 100*time.Millisecond)
	term.keys("Enter")
	s := term.waitForText("Ask warden to do anything")
	if !strings.Contains(s, "read-only (untrusted project)") {
		t.Fatalf("not trusting did not stay read-only:\n%s", s)
	}
	term.keys("C-c")
	term.keys("C-c")
	term.waitForText("saved to")

	again := startTerminal(t, c, 100, 30)
	s = again.waitForText("Ask warden to do anything")
	if strings.Contains(again.history(), "Do you trust") || !strings.Contains(s, "read-only (untrusted project)") {
		t.Fatalf("the second start asked again or changed mode:\n%s", again.history())
	}
}

// What finishes while the full-screen pager is open reaches the scrollback
// once it closes, every paragraph in order: bubbletea writes a print at
// once but leaves the alternate screen only at its next frame.
func TestTUIOutputFinishedBehindThePagerReachesTheScrollback(t *testing.T) {
	var paragraphs []string
	for i := 1; i <= 12; i++ {
		paragraphs = append(paragraphs, fmt.Sprintf("P%02d-para is paragraph number %d of the slow answer.", i, i))
	}
	c := newCLI(t, fakemodel.Reply{Output: []fakemodel.Output{{Text: strings.Join(paragraphs, "\n\n")}}, ChunkSize: 6, DelayMS: 10})
	term := startTerminal(t, c, 100, 30)
	term.waitForText("Ask warden to do anything")
	term.typeText("A")
	term.keys("Enter")
	term.waitForText("P01-para")
	term.keys("C-t")
	term.waitForText("Transcript · everything expanded")
	term.waitFor("the answer to end in the pager", func(s string) bool { return strings.Contains(s, "P12-para") })
	term.keys("q")
	term.waitForIdle()
	history := term.history()
	last := -1
	for _, p := range paragraphs {
		i := strings.Index(history, p)
		if i < 0 {
			t.Fatalf("%q is not in the scrollback:\n%s", p, history)
		}
		if i < last {
			t.Fatalf("%q is out of order:\n%s", p, history)
		}
		last = i
		if strings.Count(history, p) != 1 {
			t.Fatalf("%q appears %d times:\n%s", p, strings.Count(history, p), history)
		}
	}
}
