package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"warden/harness/event"
	"warden/harness/model"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestProgressPrinterGolden(t *testing.T) {
	code, timedOut := 1, 124
	events := []event.Event{
		event.SessionStarted{SessionID: "s-1", Model: "gpt-5", Provider: "openai", Wire: "responses", SandboxMode: "read-only", ApprovalPolicy: "on-request", TranscriptPath: "/state/t.jsonl"},
		event.TurnStarted{TurnID: 1, Input: "fix the build\nplease"},
		event.ReasoningDelta{Delta: "Looking at "},
		event.ReasoningDelta{Delta: "the error."},
		event.TextDelta{Delta: "Running the tests."},
		event.ItemCompleted{Item: model.Item{Type: model.ItemMessage, Role: "assistant", Text: "Running the tests."}},
		event.ToolCallStarted{CallID: "c1", Name: "shell_command", Arguments: json.RawMessage(`{"command": "go test ./..."}`)},
		event.ToolOutputDelta{CallID: "c1", Delta: "--- FAIL: TestX\n"},
		event.ToolOutputDelta{CallID: "c1", Delta: "FAIL"},
		event.ToolCallFinished{CallID: "c1", Name: "shell_command", ExitCode: &code, Duration: 1234 * time.Millisecond, Status: "ok",
			Denials: []event.SandboxDenial{{Op: "write", Target: "/etc/hosts", Reason: "outside the writable roots"}, {Op: "resolve host", Reason: "the network is off in this sandbox"}}},
		event.ToolCallStarted{CallID: "c2", Name: "nope", Input: "{bad"},
		event.ToolCallFinished{CallID: "c2", Name: "nope", Status: "error", Output: "error: there is no tool named \"nope\"."},
		event.ToolCallStarted{CallID: "c3", Name: "apply_patch", Input: "*** Begin Patch\n*** Update File: a.go\n…"},
		event.ApprovalRequested{Kind: "patch", Reason: "the session's sandbox is read-only", Changes: []event.FileChange{{Path: "a.go", Kind: "update", Added: 2, Removed: 1}}},
		event.RuleSaved{File: "/home/u/.config/warden/rules.toml", Rule: "[[rule]]\ndecision = \"allow\"\ncommand = [\"go\", \"test\"]\n"},
		event.PatchApplied{CallID: "c3", Changes: []event.FileChange{{Path: "a.go", Kind: "update", Added: 2, Removed: 1}, {Path: "old.go", Kind: "update", MoveTo: "new.go"}, {Path: "b.go", Kind: "add", Added: 10}}},
		event.ToolCallFinished{CallID: "c3", Name: "apply_patch", Status: "ok", Duration: 3 * time.Millisecond},
		event.ApprovalRequested{Kind: "command", Command: []string{"bash", "-lc", "git push"}, Script: "git push", Reason: "asks to run outside the sandbox"},
		event.ToolCallStarted{CallID: "c4", Name: "shell_command", Arguments: json.RawMessage(`{"command": "seq 1 100", "timeout_ms": 1000}`)},
		event.ToolOutputDelta{CallID: "c4", Delta: seqLines(1, 30)},
		event.ToolOutputDelta{CallID: "c4", Delta: seqLines(31, 100) + "partial"},
		event.ToolCallFinished{CallID: "c4", Name: "shell_command", ExitCode: &timedOut, TimedOut: true, Duration: time.Second, Status: "ok"},
		event.ToolCallStarted{CallID: "c5", Name: "apply_patch", Input: "*** Begin Patch\n*** Add File: x.go\n+x\n*** Update File: y.go\n*** Move to: z.go\n@@\n-a\n+b\n*** End Patch\n"},
		event.ToolCallFinished{CallID: "c5", Name: "apply_patch", Duration: time.Millisecond, Status: "denied", Output: "refused: the session's sandbox is read-only, and the approval policy is \"never\", so nobody can allow this patch. No file was changed."},
		event.TextDelta{Delta: "Half an ans"},
		event.PlanUpdated{Steps: []event.PlanStep{{Step: "Find the bug", Status: "completed"}, {Step: "Fix it", Status: "in_progress"}, {Step: "Test", Status: "pending"}}},
		event.Retrying{Attempt: 1, MaxAttempts: 5, Delay: 2 * time.Second, Kind: "rate_limit", Reason: "rate limited"},
		event.TextDelta{Delta: "Fixed."},
		event.ItemCompleted{Item: model.Item{Type: model.ItemMessage, Role: "assistant", Text: "Fixed."}},
		event.ItemCompleted{Item: model.Item{Type: model.ItemMessage, Role: "assistant", Text: "Sent whole, without deltas."}},
		event.TokenUsage{ContextUsed: 40_000, ContextWindow: 400_000},
		event.Error{Message: "something odd", Fatal: false},
		event.TurnFinished{TurnID: 1, Status: "completed", Steps: 3, Duration: 4500 * time.Millisecond, Usage: model.Usage{InputTokens: 1000, CachedInputTokens: 800, OutputTokens: 50, ReasoningTokens: 20}},
	}
	var buf bytes.Buffer
	p := newProgressPrinter(&buf)
	for _, e := range events {
		p.handle(e)
	}
	golden := filepath.Join("testdata", "progress.golden")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("progress output differs from %s:\n%s", golden, buf.String())
	}
}

func seqLines(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

// A progress bar's carriage returns reach exec's printer as separate
// updates, each on a line of its own: a bare CR would overwrite the indent.
func TestProgressPrinterShowsCarriageReturnsAsLines(t *testing.T) {
	var out bytes.Buffer
	p := newProgressPrinter(&out)
	p.handle(event.ToolCallStarted{CallID: "c1", Name: "shell_command", Arguments: json.RawMessage(`{"command": "make"}`)})
	p.handle(event.ToolOutputDelta{CallID: "c1", Delta: "10%\r50%\r100%\n"})
	got := out.String()
	if strings.Contains(got, "\r") || !strings.Contains(got, "50%\n") || !strings.Contains(got, "100%\n") {
		t.Fatalf("printed %q", got)
	}
}
