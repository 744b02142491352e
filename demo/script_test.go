package demo

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"warden/fakemodel"
	"warden/tools/applypatch"
)

// fast is script with the pauses taken out, so a test plays it in well
// under a second; everything else, chunking included, is as the user sees.
func fast(script fakemodel.Script) fakemodel.Script {
	out := script
	out.Replies = slices.Clone(script.Replies)
	for i := range out.Replies {
		out.Replies[i].DelayMS = 0
	}
	return out
}

// outputs are every output of every reply, in order.
func outputs(script fakemodel.Script) []fakemodel.Output {
	var all []fakemodel.Output
	for _, r := range script.Replies {
		all = append(all, r.Output...)
	}
	return all
}

// shellCommands are the scripted shell_command calls' commands by call id.
func shellCommands(t *testing.T, script fakemodel.Script) map[string]shellArgs {
	t.Helper()
	cmds := map[string]shellArgs{}
	for _, o := range outputs(script) {
		if o.Call == nil || o.Call.Name != "shell_command" {
			continue
		}
		var a shellArgs
		if err := json.Unmarshal([]byte(o.Call.Arguments), &a); err != nil {
			t.Fatalf("%s: %v", o.Call.CallID, err)
		}
		cmds[o.Call.CallID] = a
	}
	return cmds
}

func TestScriptIsPlayable(t *testing.T) {
	s := Script()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (fakemodel.Script{Replies: []fakemodel.Reply{epilogue()}}).Validate(); err != nil {
		t.Fatalf("epilogue: %v", err)
	}
	ids := map[string]bool{}
	for _, o := range outputs(s) {
		id := ""
		switch {
		case o.Call != nil:
			id = o.Call.CallID
			if !json.Valid([]byte(o.Call.Arguments)) {
				t.Errorf("%s: arguments are not JSON: %s", id, o.Call.Arguments)
			}
		case o.Custom != nil:
			id = o.Custom.CallID
		default:
			continue
		}
		if id == "" || ids[id] {
			t.Errorf("call id %q is empty or repeated", id)
		}
		ids[id] = true
	}
}

// Every patch in the script applies to the sample as shipped, and the one
// that fixes the bug makes the sample's tests pass.
func TestScriptedPatchesApplyToTheSample(t *testing.T) {
	dir, err := Prepare(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range outputs(Script()) {
		if o.Custom == nil || o.Custom.Name != "apply_patch" {
			continue
		}
		n++
		p, err := applypatch.Parse(o.Custom.Input)
		if err != nil {
			t.Fatalf("%s does not parse: %v", o.Custom.CallID, err)
		}
		res, err := applypatch.Apply(p, applypatch.Options{Dir: dir, Confine: true})
		if err != nil {
			t.Fatalf("%s does not apply: %v", o.Custom.CallID, err)
		}
		for _, c := range res.Changes {
			if c.Added == 0 || c.Diff == "" {
				t.Errorf("%s: %s shows no diff", o.Custom.CallID, c.Path)
			}
		}
	}
	if n == 0 {
		t.Fatal("the script has no apply_patch call")
	}
	semver, err := os.ReadFile(filepath.Join(dir, "lib", "semver.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(semver), "\tminor) minor=$((minor + 1)) patch=0 ;;\n") {
		t.Errorf("lib/semver.sh after the patches:\n%s", semver)
	}
	if out, code := runSampleTests(t, dir); code != 0 || !strings.Contains(out, "8/8 passed") {
		t.Errorf("tests after the patches (exit %d):\n%s", code, out)
	}
}

// The session the brief asks for, in order: exploration that runs without
// asking, a three-step plan, one command to approve, a patch, the tests, a
// finished plan and a markdown summary.
func TestScriptTellsTheWholeStory(t *testing.T) {
	s := Script()
	var kinds []string
	for _, o := range outputs(s) {
		switch {
		case o.Reasoning != nil:
			kinds = append(kinds, "think")
		case o.Text != "":
			kinds = append(kinds, "say")
		case o.Custom != nil:
			kinds = append(kinds, o.Custom.Name)
		case o.Call.Name == "shell_command":
			var a shellArgs
			json.Unmarshal([]byte(o.Call.Arguments), &a)
			kinds = append(kinds, "$ "+strings.Fields(a.Command)[0])
		default:
			kinds = append(kinds, o.Call.Name)
		}
	}
	got := strings.Join(kinds, ", ")
	want := "think, say, $ ls, think, $ cat, think, $ grep, say, $ sed, think, update_plan, say, $ rm, update_plan, think, apply_patch, update_plan, say, $ sh, update_plan, say"
	if got != want {
		t.Errorf("the story is\n%s\nwant\n%s", got, want)
	}

	cmds := shellCommands(t, s)
	if c := cmds["call_demo_clean"]; c.Command != cleanCommand || c.Justification == "" {
		t.Errorf("the command to approve: %+v", c)
	}

	var plans [][]step
	for _, o := range outputs(s) {
		if o.Call != nil && o.Call.Name == "update_plan" {
			var p struct{ Plan []step }
			if err := json.Unmarshal([]byte(o.Call.Arguments), &p); err != nil {
				t.Fatal(err)
			}
			plans = append(plans, p.Plan)
		}
	}
	for i, p := range plans {
		inProgress := 0
		for _, st := range p {
			if st.Status == "in_progress" {
				inProgress++
			}
		}
		if len(p) != 3 || inProgress > 1 {
			t.Errorf("plan %d: %+v", i, p)
		}
	}
	for _, st := range plans[len(plans)-1] {
		if st.Status != "completed" {
			t.Errorf("the last plan leaves %q %s", st.Step, st.Status)
		}
	}
}

func TestReasoningSummariesHaveTitles(t *testing.T) {
	for _, o := range outputs(Script()) {
		if o.Reasoning == nil {
			continue
		}
		for _, sum := range o.Reasoning.Summary {
			title, body, ok := strings.Cut(sum, "\n\n")
			if !ok || !strings.HasPrefix(title, "**") || !strings.HasSuffix(title, "**") || strings.TrimSpace(body) == "" {
				t.Errorf("summary without a **Title** line and a body: %q", sum)
			}
		}
	}
}

// The final answer exercises the markdown renderer while it streams.
func TestFinalAnswerIsRichMarkdown(t *testing.T) {
	replies := Script().Replies
	last := replies[len(replies)-1].Output
	if len(last) != 1 || last[0].Phase != "final_answer" {
		t.Fatalf("the last reply is not a final answer: %+v", last)
	}
	text := last[0].Text
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 35 {
		t.Errorf("the summary has %d lines, want about 40", len(lines))
	}
	for what, sign := range map[string]string{
		"a heading":           "\n### ",
		"a list":              "\n- ",
		"a numbered list":     "\n1. ",
		"a code span":         "`lib/semver.sh`",
		"a fenced code block": "\n```sh\n",
		"bold text":           "**",
	} {
		if !strings.Contains("\n"+text, sign) {
			t.Errorf("the summary lacks %s (%q)", what, sign)
		}
	}
	// The model cannot know whether the user allowed rm -rf build.
	for _, claim := range []string{"deleted build", "removed build", "build/ is gone", "`build/` is gone"} {
		if strings.Contains(text, claim) {
			t.Errorf("the summary claims %q whatever the user answered", claim)
		}
	}
}

// scriptDuration estimates how long the script streams: the pause times
// the number of SSE events of each reply (the fakemodel's Responses
// stream: lifecycle events, and per item its opening and closing events
// around the deltas).
func scriptDuration(s fakemodel.Script) time.Duration {
	var total time.Duration
	for _, r := range s.Replies {
		events := 3 // created, in_progress, completed
		deltas := func(text string) int {
			return int(math.Ceil(float64(utf8.RuneCountInString(text)) / float64(max(r.ChunkSize, 1))))
		}
		for _, o := range r.Output {
			switch {
			case o.Reasoning != nil:
				events += 2
				for _, sum := range o.Reasoning.Summary {
					events += 3 + deltas(sum)
				}
			case o.Call != nil:
				events += 3 + deltas(o.Call.Arguments)
			case o.Custom != nil:
				events += 3 + deltas(o.Custom.Input)
			default:
				events += 5 + deltas(o.Text)
			}
		}
		total += time.Duration(events-1) * time.Duration(r.DelayMS) * time.Millisecond
	}
	return total
}

// The demo is paced to be watched: text streams visibly, and the whole
// run, besides the user's answer, takes 20 to 40 seconds.
func TestScriptPacing(t *testing.T) {
	s := Script()
	d := scriptDuration(s)
	t.Logf("the script streams for about %v", d)
	if d < 20*time.Second || d > 40*time.Second {
		t.Errorf("the script streams for about %v, want 20-40s", d)
	}
	for i, r := range s.Replies {
		if r.DelayMS <= 0 || r.ChunkSize <= 0 {
			t.Errorf("reply %d does not stream visibly: delay %dms, chunk %d", i, r.DelayMS, r.ChunkSize)
		}
	}
	if fd := scriptDuration(fast(s)); fd != 0 {
		t.Errorf("fast script still pauses %v", fd)
	}
	if s.Replies[0].DelayMS == 0 {
		t.Error("fast changed the original script")
	}
}
