package cells

import (
	"strings"
	"testing"

	"warden/harness/event"
	"warden/tui/keys"
)

func TestClean(t *testing.T) {
	tests := map[string]string{
		"plain":                             "plain",
		"line\nbreaks\nstay":                "line\nbreaks\nstay",
		"a\tb":                              "a    b",
		"\x1b[31mred\x1b[0m text":           "red text",
		"approve \x1b]0;pwned\x07this?":     "approve this?",
		"c1 \u009b2Jcsi":                    "c1 csi",
		"cr\r bs\b nul\x00 del\x7f":         "cr bs nul del",
		"bad \xff utf8":                     "bad \uFFFD utf8",
		"unterminated \x1b]8;;https://x.y/": "unterminated ",
	}
	for in, want := range tests {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

// The hint's key needs no key map per render, but it must name the key
// that really opens the pager.
func TestDefaultPagerKeyIsTheTranscriptBinding(t *testing.T) {
	if want := keys.Default().Global.Transcript.Help().Key; defaultPagerKey != want {
		t.Fatalf("defaultPagerKey = %q, keys.Default() opens the transcript with %q", defaultPagerKey, want)
	}
	e := NewExec("c", "go test", "", t0)
	e.AppendOutput(numbered("line", 50))
	e.Finish(event.ToolCallFinished{Status: "ok", ExitCode: exitCode(0)})
	ctx := newContext(80, themes[0].opts, false)
	if out := e.Render(ctx); !strings.Contains(out, "(ctrl+t to view)") {
		t.Fatalf("collapsed output without the default pager key:\n%s", out)
	}
	ctx.PagerKey = "f2"
	if out := e.Render(ctx); !strings.Contains(out, "(f2 to view)") {
		t.Fatalf("collapsed output ignores Context.PagerKey:\n%s", out)
	}
}
