package shell

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"warden/sandbox"
)

func output(text string) sandbox.Output {
	return sandbox.Output{Head: []byte(text), Total: int64(len(text)), Lines: int64(strings.Count(text, "\n"))}
}

func TestFormatResultLayout(t *testing.T) {
	t.Parallel()
	got := formatResult(sandbox.Result{ExitCode: 2, Duration: 1530 * time.Millisecond, Output: output("a\nb\n")}, 100)
	want := "Exit code: 2\nWall time: 1.5 seconds\nOutput:\na\nb\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestFormatResultSaysATimeoutFirst(t *testing.T) {
	t.Parallel()
	got := formatResult(sandbox.Result{ExitCode: -1, TimedOut: true, Timeout: 2 * time.Second, Duration: 2 * time.Second, Output: output("started\n")}, 100)
	want := "command timed out after 2000 milliseconds; it and every process it started were killed\nExit code: 124\nWall time: 2.0 seconds\nOutput:\nstarted\n"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestFormatResultSaysWhatTheSandboxBlocked(t *testing.T) {
	t.Parallel()
	res := sandbox.Result{ExitCode: 1, Output: output("touch: cannot touch '/etc/x': Read-only file system"),
		Denials: []sandbox.Denial{{Op: "write", Target: "/etc/x", Reason: "outside the writable roots"}}}
	got := formatResult(res, 100)
	if !strings.HasSuffix(got, "Read-only file system\n\nThe sandbox blocked:\n- write /etc/x: outside the writable roots\n") {
		t.Errorf("got %q", got)
	}
}

func TestTruncateKeepsHeadAndTailWithinTheBudget(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 5000 {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i%50))
		b.WriteString("\n")
	}
	text := "FIRST\n" + b.String() + "LAST\n"
	out := output(text)
	got, cut := truncate(out, 1000)
	if !cut {
		t.Fatal("not cut")
	}
	if !strings.HasPrefix(got, "FIRST\n") || !strings.HasSuffix(got, "LAST\n") {
		t.Errorf("head or tail lost: %q … %q", got[:20], got[len(got)-20:])
	}
	if len(got) > 1000*bytesPerToken+100 {
		t.Errorf("%d bytes kept, over the budget of %d", len(got), 1000*bytesPerToken)
	}
	var marker string
	for _, l := range strings.Split(got, "\n") {
		if strings.Contains(l, "tokens truncated") {
			marker = l
		}
	}
	var n int
	if _, err := fmt.Sscanf(marker, "…%d tokens truncated…", &n); err != nil {
		t.Fatalf("marker %q: %v", marker, err)
	}
	// The marker counts what went: the whole less what was kept.
	kept := len(got) - len(marker) - 1
	if want := (len(text) - kept + 3) / 4; n < want-2 || n > want+2 {
		t.Errorf("marker says %d tokens, want about %d", n, want)
	}
	// Both cuts fall on line boundaries here.
	for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
		if !strings.HasPrefix(l, "line ") && l != "FIRST" && l != "LAST" && !strings.Contains(l, "truncated") {
			t.Fatalf("a line was cut: %q", l)
		}
	}
	if full := formatResult(sandbox.Result{Output: out}, 1000); !strings.Contains(full, "Total output lines: 5002\nOutput:\nFIRST\n") {
		t.Errorf("no total line count before the output: %q", full[:120])
	}
}

func TestTruncateNeverSplitsACharacter(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("é", 20_000) // one long line of two-byte characters
	got, cut := truncate(output(text), 1001)
	if !cut {
		t.Fatal("not cut")
	}
	if strings.ContainsRune(got, '\uFFFD') || !strings.HasPrefix(got, "é") || !strings.HasSuffix(got, "é") {
		t.Errorf("a character was split: %q … %q", got[:10], got[len(got)-10:])
	}
}

func TestShortOutputIsNotCut(t *testing.T) {
	t.Parallel()
	got, cut := truncate(output("ok\n"), 10)
	if cut || got != "ok\n" {
		t.Errorf("got %q, cut %v", got, cut)
	}
}
