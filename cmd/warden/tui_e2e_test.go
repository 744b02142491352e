package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"warden/harness/rules"

	"github.com/charmbracelet/x/ansi"

	"warden/fakemodel"
	"warden/tui/approvaldialog"
)

// terminal is a real terminal (a tmux pane) running the warden binary, as a
// user would see it.
type terminal struct {
	t      *testing.T
	socket string
	name   string
}

func tmuxOrSkip(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("WARDEN_REQUIRE_TMUX") != "" {
			t.Fatal("tmux is required here (WARDEN_REQUIRE_TMUX) but not installed")
		}
		t.Skip("tmux is not installed")
	}
	return path
}

// startTerminal runs the test binary as warden in a new tmux server of its
// own (no user config), in a pane of the given size.
func startTerminal(t *testing.T, c *cli, width, height int, args ...string) *terminal {
	t.Helper()
	tmuxOrSkip(t)
	// A server per test: a server being killed by the previous test must
	// not be the one the next test talks to.
	c.terminals++
	socket := fmt.Sprintf("warden-e2e-%d-%s-%d", os.Getpid(), strings.NewReplacer("/", "-", " ", "-").Replace(t.Name()), c.terminals)
	term := &terminal{t: t, socket: socket, name: "e2e"}
	if !c.askTrust {
		// The project was seen before and not trusted: no question.
		if err := rules.SetTrusted(filepath.Join(c.env["XDG_CONFIG_HOME"], "warden"), c.dir, false); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", term.socket, "kill-server").Run() })
	var env []string
	for k, v := range c.env {
		env = append(env, k+"="+shellQuote(v))
	}
	env = append(env, "TERM=xterm-256color", "GORACE=atexit_sleep_ms=0")
	command := "cd " + shellQuote(c.dir) + " && exec env " + strings.Join(env, " ") + " " + shellQuote(os.Args[0])
	for _, a := range args {
		command += " " + shellQuote(a)
	}
	term.tmux("-f", "/dev/null", "new-session", "-d", "-s", term.name, "-x", fmt.Sprint(width), "-y", fmt.Sprint(height), command)
	term.tmux("set-option", "-t", term.name, "remain-on-exit", "on")
	term.tmux("set-option", "-t", term.name, "history-limit", "10000")
	return term
}

func (term *terminal) tmux(args ...string) string {
	term.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", term.socket}, args...)...).CombinedOutput()
	if err != nil {
		term.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen is what the pane shows now.
func (term *terminal) screen() string {
	return term.tmux("capture-pane", "-p", "-t", term.name)
}

// history is the pane's scrollback and screen together.
func (term *terminal) history() string {
	return term.tmux("capture-pane", "-p", "-S", "-", "-t", term.name)
}

// send types keys: text literally, or tmux key names with keys().
func (term *terminal) typeText(text string) {
	term.tmux("send-keys", "-t", term.name, "-l", text)
}

func (term *terminal) keys(names ...string) {
	term.tmux(append([]string{"send-keys", "-t", term.name}, names...)...)
}

// waitFor polls the screen until cond holds, failing with the screen after
// a generous deadline. Polling a visible state is how a user waits too.
func (term *terminal) waitFor(what string, cond func(screen string) bool) string {
	term.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := term.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("timed out waiting for %s; the screen:\n%s", what, s)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

func (term *terminal) waitForText(text string) string {
	term.t.Helper()
	return term.waitFor(fmt.Sprintf("%q on screen", text), func(s string) bool { return strings.Contains(s, text) })
}

// waitForIdle waits until the turn is over and the live area is back to
// the idle composer, so the screen holds no frame about to change.
func (term *terminal) waitForIdle() {
	term.t.Helper()
	term.waitFor("the turn to end", func(s string) bool {
		return strings.Contains(s, "Ask warden to do anything") && !strings.Contains(s, "Working")
	})
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func slowText(text string) fakemodel.Reply {
	return fakemodel.Reply{Output: []fakemodel.Output{{Text: text}}, ChunkSize: 4, DelayMS: 15}
}

// The TUI through a real terminal: a streamed answer, a scripted command,
// Esc interrupting a running command (its process killed, the model told),
// a resize mid-stream, and quitting, checking the screen at each step.
func TestTUIEndToEndInTmux(t *testing.T) {
	longAnswer := strings.Repeat("This paragraph streams while the window is resized, and it must re-wrap cleanly. ", 6)
	c := newCLI(t,
		fakemodel.Reply{Output: []fakemodel.Output{
			{Reasoning: &fakemodel.Reasoning{Summary: []string{"**Greeting the user**\n\nSay hello."}}},
			{Text: "Hello from **the fake model**.\n\n- first point\n- second point\n"},
		}, ChunkSize: 4, DelayMS: 5},
		shellCall("c1", "echo e2e-marker; echo second-line"),
		textReply("The command printed the marker."),
		shellCall("c2", "sleep 31337"),
		textReply("Carrying on after the interrupt."),
		slowText(longAnswer+"\n\nEND-OF-ANSWER"),
	)
	term := startTerminal(t, c, 100, 30)

	// Start: the welcome says which sandbox is in force, the status line too.
	s := term.waitForText("read-only")
	if !strings.Contains(s, "warden") || !strings.Contains(s, "gpt-") {
		t.Fatalf("no welcome or status line:\n%s", s)
	}

	// A composer that grows and is then cleared shrinks the live area with
	// nothing printed: no line of the taller frame may stay behind, on the
	// screen or, later, in the scrollback.
	for i := 1; i <= 6; i++ {
		term.typeText(fmt.Sprintf("draft line %d", i))
		if i < 6 {
			term.keys("C-j")
		}
	}
	term.waitForText("draft line 6")
	term.keys("C-c")
	term.waitFor("the draft to be cleared", func(s string) bool { return !strings.Contains(s, "draft line") })

	// A streamed markdown answer.
	term.typeText("say hello")
	term.keys("Enter")
	s = term.waitForText("second point")
	if strings.Contains(s, "**the fake model**") {
		t.Fatalf("markdown not rendered:\n%s", s)
	}
	term.waitForText("Greeting the user")

	// A scripted tool call: the command, its output and its exit.
	term.typeText("run the marker command")
	term.keys("Enter")
	s = term.waitForText("The command printed the marker.")
	for _, want := range []string{"echo e2e-marker", "e2e-marker", "second-line"} {
		if !strings.Contains(s, want) {
			t.Fatalf("the command cell lacks %q:\n%s", want, s)
		}
	}

	// Esc interrupts a running command: its process dies, the model is told.
	term.typeText("sleep for a long time")
	term.keys("Enter")
	term.waitForText("sleep 31337")
	waitForProcess(t, "sleep 31337", true)
	term.keys("Escape")
	term.waitForText("Interrupted")
	waitForProcess(t, "sleep 31337", false)
	term.typeText("carry on")
	term.keys("Enter")
	term.waitForText("Carrying on after the interrupt.")
	reqs := c.fm.Requests()
	if last := string(reqs[len(reqs)-1].Body); !strings.Contains(last, "interrupted") {
		t.Fatal("the model was not told about the interrupt")
	}

	// A resize in the middle of a stream: the live area re-wraps to the new
	// width and the answer completes.
	term.typeText("write a long paragraph")
	term.keys("Enter")
	term.waitForText("This paragraph streams")
	term.tmux("resize-window", "-t", term.name, "-x", "60", "-y", "24")
	s = term.waitForText("END-OF-ANSWER")
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if w := ansi.StringWidth(line); w > 60 {
			t.Fatalf("a line is %d wide after resizing to 60:\n%s", w, s)
		}
	}
	history := term.history()
	if !strings.Contains(history, "Hello from the fake model") {
		t.Fatal("the first answer is not in the scrollback")
	}
	if strings.Contains(history, "draft line") {
		t.Fatalf("a cleared draft was left in the scrollback:\n%s", history)
	}

	// Quit: ctrl+c twice on an empty composer.
	term.keys("C-c")
	term.waitForText("again to quit")
	term.keys("C-c")
	s = term.waitFor("warden to exit", func(s string) bool { return strings.Contains(s, "saved to") })
	if !regexp.MustCompile(`Session [0-9a-f-]+ saved to `).MatchString(s) {
		t.Fatalf("no goodbye line:\n%s", s)
	}
	matches, _ := filepath.Glob(filepath.Join(c.home, "state", "warden", "sessions", "*", "*", "*", "*.jsonl"))
	if len(matches) != 1 {
		t.Fatalf("transcripts %v", matches)
	}
}

// waitForProcess waits until a process whose command line contains pattern
// exists (or no longer does).
func waitForProcess(t *testing.T, pattern string, exists bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := exec.Command("pgrep", "-f", "^"+pattern).Run()
		if (err == nil) == exists {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %q exists=%v, wanted %v", pattern, err == nil, exists)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// Answers and messages taller than the screen reach the terminal's
// scrollback whole, once each and in order: bubbletea cannot print more
// lines at once than fit above the live area, so warden prints in pieces.
func TestTUILongOutputReachesTheScrollbackWhole(t *testing.T) {
	if raceEnabled {
		// Under the race detector the binary is several times slower
		// than anything a user runs, and bubbletea's renderer (which
		// draws on its own ticker) then rarely loses a printed line under
		// load. CI runs this test in its plain pass.
		t.Skip("checks the scrollback line by line: run without -race")
	}
	var code strings.Builder
	code.WriteString("Here is the code:\n\n```python\n")
	for i := range 1500 {
		fmt.Fprintf(&code, "def f%d(x):  # line %d\n", i, i)
	}
	code.WriteString("```\n\nEND-OF-CODE")
	c := newCLI(t,
		fakemodel.Reply{Output: []fakemodel.Output{{Text: code.String()}}, ChunkSize: 50, DelayMS: 1},
		textReply("Got your long message."),
	)
	term := startTerminal(t, c, 100, 30)
	term.waitForText("read-only")
	term.typeText("show me a lot of code")
	term.keys("Enter")
	term.waitForText("END-OF-CODE")
	term.waitForIdle()
	history := term.history()
	last := -1
	for i := range 1500 {
		line := fmt.Sprintf("def f%d(x):  # line %d\n", i, i)
		at := strings.Index(history, line)
		if at < 0 || at < last || strings.Count(history, line) != 1 {
			t.Fatalf("line %d (at %d, previous at %d, %d times) missing, repeated or out of order in the scrollback:\n%s", i, at, last, strings.Count(history, line), history)
		}
		last = at
	}

	// A pasted message of 300 lines (bracketed paste), sent and printed.
	var paste strings.Builder
	for i := range 300 {
		fmt.Fprintf(&paste, "pasted line %d\n", i)
	}
	file := filepath.Join(t.TempDir(), "paste.txt")
	if err := os.WriteFile(file, []byte(paste.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	term.tmux("load-buffer", "-b", "p", file)
	term.tmux("paste-buffer", "-p", "-b", "p", "-t", term.name)
	term.waitForText("Pasted text")
	term.keys("Enter")
	term.waitForText("Got your long message.")
	term.waitForIdle()
	history = term.history()
	for i := range 300 {
		if line := fmt.Sprintf("pasted line %d\n", i); strings.Count(history, line) != 1 {
			t.Fatalf("pasted line %d appears %d times in the scrollback", i, strings.Count(history, line))
		}
	}
	if strings.Count(history, "› Ask warden to do anything") > 1 {
		t.Fatal("an old composer frame was left in the scrollback")
	}
}

func escalatedCall(id, command string) fakemodel.Reply {
	args, _ := json.Marshal(map[string]string{"command": command, "sandbox_permissions": "require_escalated", "justification": "print a greeting outside the sandbox"})
	return fakemodel.Reply{Output: []fakemodel.Output{{Call: &fakemodel.FunctionCall{CallID: id, Name: "shell_command", Arguments: string(args)}}}}
}

// The approval dialog through a real terminal: the prefix is lengthened
// token by token, the rule is saved (checked on disk) and the next
// matching command runs without a question; a denial with a typed reason
// reaches the model.
func TestTUIApprovalDialogSavesARuleAndSendsAReason(t *testing.T) {
	c := newCLI(t,
		escalatedCall("c1", `printf "%s\n" hello from warden`),
		textReply("Printed it."),
		escalatedCall("c2", `printf "%s\n" again`),
		textReply("Printed again without asking."),
		shellCall("c3", "rm -rf build"),
		textReply("Understood, I left build alone."),
	)
	term := startTerminal(t, c, 110, 40)
	term.waitForText("read-only")
	term.typeText("greet")
	term.keys("Enter")
	term.waitForText("outside the sandbox")
	time.Sleep(approvaldialog.Grace + 100*time.Millisecond) // the dialog ignores keys typed as it appears
	term.keys("p")
	term.waitForText(`command = ["printf"]`)
	term.keys("Right")
	s := term.waitForText(`command = ["printf", "%s\\n"]`)
	if !strings.Contains(s, "rules.toml") {
		t.Fatalf("the preview does not name the file:\n%s", s)
	}
	term.keys("Enter")
	term.waitForText("Printed it.")

	rulesFiles, _ := filepath.Glob(filepath.Join(c.home, "config", "warden", "*", "*", "rules.toml"))
	more, _ := filepath.Glob(filepath.Join(c.home, "config", "warden", "*", "rules.toml"))
	rulesFiles = append(rulesFiles, more...)
	var saved string
	for _, f := range rulesFiles {
		b, _ := os.ReadFile(f)
		saved += string(b)
	}
	if !strings.Contains(saved, `command = ["printf", "%s\\n"]`) || !strings.Contains(saved, `sandbox = "outside"`) {
		t.Fatalf("rules files %v hold:\n%s", rulesFiles, saved)
	}

	term.typeText("greet again")
	term.keys("Enter")
	// Had it asked, nobody would answer and the reply would never come.
	term.waitForText("Printed again without asking.")
	reqs := c.fm.Requests()
	if out := toolOutputs(t, reqs[len(reqs)-1].Body)["c2"]; !strings.Contains(out, "Exit code: 0") || !strings.Contains(out, "again") {
		t.Fatalf("the second command did not run: %q", out)
	}

	term.typeText("clean up")
	term.keys("Enter")
	term.waitForText("rm -rf build")
	term.waitForText("tell the model why")
	time.Sleep(approvaldialog.Grace + 100*time.Millisecond)
	term.keys("d")
	term.typeText("not now, I need build for the release")
	term.keys("Enter")
	term.waitForText("Understood, I left build alone.")
	reqs = c.fm.Requests()
	if body := string(reqs[len(reqs)-1].Body); !strings.Contains(body, "not now, I need build for the release") {
		t.Fatal("the reason did not reach the model")
	}
}
