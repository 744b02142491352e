package cells

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/styles"
)

func exitCode(n int) *int { return &n }

// numbered is n lines of output, "line 1" to "line n", each ended.
func numbered(prefix string, n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s %d\n", prefix, i)
	}
	return b.String()
}

const goTestOutput = "=== RUN   TestParse\n--- PASS: TestParse (0.00s)\n=== RUN   TestRender\n--- PASS: TestRender (0.01s)\nPASS\nok  \twarden/tui/cells\t0.412s\n"

func TestExecGolden(t *testing.T) {
	finished := func(code int, d time.Duration) event.ToolCallFinished {
		return event.ToolCallFinished{CallID: "c1", Name: ShellCommandTool, ExitCode: exitCode(code), Duration: d, Status: "ok"}
	}
	cases := []struct {
		name    string
		full    bool
		command string
		dir     string
		output  []string // deltas
		fin     *event.ToolCallFinished
	}{
		{name: "exec_running_no_output", command: "go test ./..."},
		{
			name: "exec_running", command: "go test ./tui/...",
			output: []string{numbered("ok  \twarden/tui/pkg", 7), "=== RUN   TestLong", "Running"},
		},
		{
			name: "exec_ok", command: "go test ./tui/cells",
			output: []string{goTestOutput[:30], goTestOutput[30:]},
			fin:    ptr(finished(0, 400*time.Millisecond)),
		},
		{name: "exec_ok_no_output", command: "gofmt -l .", fin: ptr(finished(0, 35*time.Millisecond))},
		{
			name: "exec_collapsed", command: "go test -v ./tui/cells",
			output: []string{numbered("=== RUN   TestCase", 57)},
			fin:    ptr(finished(0, 12300*time.Millisecond)),
		},
		{
			name: "exec_failed", command: "make build",
			output: []string{"go build ./...\n", "tui/cells/exec.go:12:2: undefined: lipglossStyle\n", "make: *** [Makefile:3: build] Error 1\n"},
			fin:    ptr(finished(2, 1200*time.Millisecond)),
		},
		{
			name: "exec_timed_out", command: "npm test -- --watch",
			output: []string{"PASS src/app.test.js\n", "Watching for file changes…\n"},
			fin:    &event.ToolCallFinished{ExitCode: exitCode(124), Duration: 10 * time.Second, Status: "ok", TimedOut: true},
		},
		{
			name: "exec_denied", command: "rm -rf build/",
			fin: &event.ToolCallFinished{Status: "denied", Output: "refused, nothing ran: the user declined. Do the task another way, or tell the user what needs to run."},
		},
		{
			name: "exec_aborted", command: "cargo build --release",
			output: []string{"   Compiling serde v1.0.210\n", "   Compiling tokio v1.40.0\n"},
			fin:    &event.ToolCallFinished{Status: "aborted", Duration: 5 * time.Second},
		},
		{
			name: "exec_sandbox_denials", command: "touch /etc/warden.conf && echo done",
			output: []string{"touch: cannot touch '/etc/warden.conf': Permission denied\n"},
			fin: &event.ToolCallFinished{ExitCode: exitCode(1), Duration: 80 * time.Millisecond, Status: "ok", Denials: []event.SandboxDenial{
				{Op: "write", Target: "/etc/warden.conf", Reason: "outside the writable roots"},
				{Op: "connect", Target: "registry.npmjs.org:443", Reason: "network is off in this sandbox"},
			}},
		},
		{
			name: "exec_long_command", dir: "tui/cells",
			command: "go test -run 'TestExecGolden|TestExploredGolden|TestPatchGolden' -count=1 -race -timeout 120s ./tui/cells/ ./tui/status/",
			fin:     ptr(finished(0, 42*time.Second)),
		},
		{
			name: "exec_script", command: "cat <<'EOF' > notes.txt\nfirst\nsecond\nEOF\nwc -l notes.txt",
			output: []string{"2 notes.txt\n"},
			fin:    ptr(finished(0, 20*time.Millisecond)),
		},
		{
			name: "exec_script_full", full: true, dir: "tui",
			command: "for f in cells status; do\n\tgo test -count=1 -run 'TestExecGolden|TestExploredGolden|TestPatchGolden' ./$f/\ndone",
			output:  []string{numbered("ok  \twarden/tui/pkg\t0.1s", 12)},
			fin:     ptr(finished(1, 65*time.Second)),
		},
		{
			name: "exec_model_output", command: "git status --short",
			fin: &event.ToolCallFinished{ExitCode: exitCode(0), Duration: 50 * time.Millisecond, Status: "ok",
				Output: "Exit code: 0\nWall time: 0.1 seconds\nOutput:\n M tui/cells/exec.go\n?? tui/status/\n"},
		},
		{
			name: "exec_progress", command: "npm install",
			output: []string{"\x1b[32madded\x1b[0m 12 packages\n", "[#   ] 25%\r[##  ] 50%", "\r[### ] 75%\r", "[####] 100%\n", "\x1b]0;npm\x07done in 3s\n"},
			fin:    ptr(finished(0, 3100*time.Millisecond)),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.name, tc.full, func(ctx Context) string {
				e := NewExec("c1", tc.command, tc.dir, t0)
				for _, d := range tc.output {
					e.AppendOutput(d)
				}
				if tc.fin != nil {
					e.Finish(*tc.fin)
				}
				return e.Render(ctx)
			})
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestExecDone(t *testing.T) {
	e := NewExec("c1", "ls", "", t0)
	if e.Done() {
		t.Fatal("a running command is done")
	}
	e.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(0)})
	if !e.Done() {
		t.Fatal("a finished command is not done")
	}
	e.AppendOutput("late\n")
	if strings.Contains(plain(e.Render(newContext(80, themes[0].opts, false))), "late") {
		t.Error("output after the end was added")
	}
}

// The live view shows the last lines, the unfinished one included, and
// the elapsed time.
func TestExecLiveTail(t *testing.T) {
	e := NewExec("c1", "make", "", t0)
	e.AppendOutput(numbered("step", 9) + "step 10 (half")
	got := plain(e.Render(newContext(80, themes[0].opts, false)))
	for _, want := range []string{"Running make (3s)", "step 6", "step 9", "step 10 (half"} {
		if !strings.Contains(got, want) {
			t.Errorf("live view lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "step 5\n") {
		t.Errorf("live view shows more than %d lines:\n%s", liveOutputLines, got)
	}
}

// The collapsed view shows the first two and last three lines and counts
// the rest.
func TestExecCollapsed(t *testing.T) {
	e := NewExec("c1", "seq 1000", "", t0)
	e.AppendOutput(numbered("n", 1000))
	e.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(0), Duration: time.Second})
	got := strings.Split(plain(e.Render(newContext(80, themes[0].opts, false))), "\n")
	want := []string{"  └ n 1", "    n 2", "    … +995 lines (ctrl+t to view)", "    n 998", "    n 999", "    n 1000"}
	if strings.Join(got[1:], "\n") != strings.Join(want, "\n") {
		t.Errorf("collapsed output:\n%s\nwant:\n%s", strings.Join(got[1:], "\n"), strings.Join(want, "\n"))
	}
	// Six lines are shown whole: a marker would hide only one.
	e = NewExec("c2", "seq 6", "", t0)
	e.AppendOutput(numbered("n", 6))
	e.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(0)})
	if got := plain(e.Render(newContext(80, themes[0].opts, false))); strings.Contains(got, ellipsis) || !strings.Contains(got, "n 4") {
		t.Errorf("six lines collapsed:\n%s", got)
	}
}

// The full view shows every kept line and says where lines were dropped.
func TestExecFullGap(t *testing.T) {
	e := NewExec("c1", "seq 1000", "", t0)
	e.AppendOutput(numbered("n", 1000))
	e.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(0)})
	got := strings.Split(plain(e.Render(newContext(80, themes[0].opts, true))), "\n")
	if n := len(got); n != 1+keepHeadLines+1+keepTailLines {
		t.Errorf("full view has %d lines, want %d", n, 1+keepHeadLines+1+keepTailLines)
	}
	if got[1] != "  └ n 1" || got[5] != "    n 5" || got[6] != "    … 795 lines not kept …" || got[7] != "    n 801" || got[len(got)-1] != "    n 1000" {
		t.Errorf("full view:\n%s", strings.Join(got[:10], "\n"))
	}
}

func TestModelOutput(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Exit code: 0\nWall time: 0.1 seconds\nOutput:\nhello\n", "hello\n"},
		{"Output:\nonly\n", "only\n"},
		{"Exit code: 1\nWall time: 0.2 seconds\nOutput:\nno\n\nThe sandbox blocked:\n- write /etc/x", "no\n"},
		{"Exit code: 1\nWall time: 0.2 seconds\nOutput:\n\nThe sandbox blocked:\n- write /etc/x", ""},
		{"command timed out after 10000 milliseconds; it and every process it started were killed\nExit code: 124\nWall time: 10.0 seconds\nTotal output lines: 9000\nOutput:\nhead\n…12 tokens truncated…\ntail\n", "head\n…12 tokens truncated…\ntail\n"},
	}
	for _, c := range cases {
		got, ok := modelOutput(c.in)
		if !ok || got != c.want {
			t.Errorf("modelOutput(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	if _, ok := modelOutput("refused, nothing ran: no Output: here"); ok {
		t.Error("found an output section in a refusal")
	}
}

func TestFormatDuration(t *testing.T) {
	cases := map[time.Duration]string{
		35 * time.Millisecond:            "35ms",
		400 * time.Millisecond:           "0.4s",
		1250 * time.Millisecond:          "1.2s",
		12 * time.Second:                 "12s",
		65 * time.Second:                 "1m 05s",
		3*time.Hour + 125*time.Second:    "3h 02m",
		-time.Second:                     "0ms",
		9999 * time.Millisecond:          "10s",
		9940 * time.Millisecond:          "9.9s",
		59600 * time.Millisecond:         "1m 00s",
		10*time.Second + time.Nanosecond: "10s",
	}
	for d, want := range cases {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestParseShellCall(t *testing.T) {
	cmd, dir, ok := ParseShellCall(event.ToolCallStarted{Name: ShellCommandTool, Arguments: []byte(`{"command":"ls -la","workdir":"tui"}`)})
	if !ok || cmd != "ls -la" || dir != "tui" {
		t.Errorf("got %q %q %v", cmd, dir, ok)
	}
	if _, _, ok := ParseShellCall(event.ToolCallStarted{Name: "apply_patch", Input: "x"}); ok {
		t.Error("parsed another tool's call")
	}
	if _, _, ok := ParseShellCall(event.ToolCallStarted{Name: ShellCommandTool, Arguments: []byte(`{"command":`)}); ok {
		t.Error("parsed broken arguments")
	}
}

// The pager shows all of a running command's kept output, not the live
// tail.
func TestExecFullWhileRunning(t *testing.T) {
	e := NewExec("c1", "seq 20", "", t0)
	e.AppendOutput(numbered("n", 20))
	got := plain(e.Render(newContext(80, themes[0].opts, true)))
	if !strings.Contains(got, "└ n 1\n") || !strings.Contains(got, "n 20") {
		t.Errorf("full view of a running command:\n%s", got)
	}
}

// A command waiting for the user's approval says so and counts no time;
// once answered its clock starts from the answer.
func TestExecWaitingForApproval(t *testing.T) {
	e := NewExec("c1", "rm -rf build", "", t0)
	e.Await()
	ctx := newContext(80, styles.Options{NoColor: true}, false)
	got := ansi.Strip(e.Render(ctx))
	if !strings.Contains(got, "Asking to run rm -rf build") || !strings.Contains(got, "(waiting)") || strings.Contains(got, "Running") {
		t.Fatalf("waiting cell:\n%s", got)
	}
	e.Resume(ctx.Now.Add(-time.Second))
	got = ansi.Strip(e.Render(ctx))
	if !strings.Contains(got, "Running rm -rf build (1s)") {
		t.Fatalf("resumed cell:\n%s", got)
	}
	golden(t, "exec_waiting", false, func(ctx Context) string {
		e := NewExec("c1", "git push --force origin main", "", t0)
		e.Await()
		return e.Render(ctx)
	})
}

// A call whose arguments held no command still says what it was.
func TestExecWithoutACommand(t *testing.T) {
	e := NewExec("c1", "", "", t0)
	e.Finish(event.ToolCallFinished{CallID: "c1", Status: "error", Output: "invalid arguments: unexpected end of JSON input"})
	got := ansi.Strip(e.Render(newContext(80, styles.Options{NoColor: true}, false)))
	if !strings.Contains(got, "(no command)") || !strings.Contains(got, "invalid arguments") {
		t.Fatalf("cell:\n%s", got)
	}
}
