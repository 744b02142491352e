package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/harness/rules"
	"warden/sandbox"
	"warden/tools/internal/tooltest"
)

func withRules(t *testing.T, mode sandbox.Mode, policy string) (*fixture, *rules.Set, string) {
	t.Helper()
	config := t.TempDir()
	project := t.TempDir()
	set, err := rules.LoadSet(rules.Paths{ConfigDir: config, ProjectRoot: project}, false)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, mode, Config{Approvals: &approval.Engine{Policy: policy, FullAccess: mode == sandbox.FullAccess, Rules: set}})
	return f, set, config
}

// A destructive command is put to the user with the prefix to propose and
// where a rule would go; "always allow in this project" saves the rule, and
// the next such command runs without a question.
func TestAskSaveAndAllowNextTime(t *testing.T) {
	t.Parallel()
	f, set, _ := withRules(t, sandbox.WorkspaceWrite, approval.OnRequest)
	os.MkdirAll(filepath.Join(f.dir, "build"), 0o755)
	f.env.Answer = func(req event.ApprovalRequested) event.Decision {
		return event.Decision{Approved: true, Remember: event.RememberProject, Prefix: req.ProposedPrefix}
	}
	res := f.mustCall(map[string]any{"command": "rm -rf build"})
	if res.ExitCode == nil || *res.ExitCode != 0 {
		t.Fatalf("%+v", res)
	}
	reqs := f.env.Approvals()
	if len(reqs) != 1 || reqs[0].Escalation || len(reqs[0].ProposedPrefix) == 0 || reqs[0].RuleFiles[event.RememberProject] == "" ||
		!strings.Contains(reqs[0].ProposedRule, `command = ["rm", "-rf", "build"]`) || strings.Join(reqs[0].PrefixOf, " ") != "rm -rf build" ||
		!strings.Contains(reqs[0].Reason, "destructive") {
		t.Fatalf("request %+v", reqs)
	}
	file := reqs[0].RuleFiles[event.RememberProject]
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), `decision = "allow"`) {
		t.Fatalf("rules file %s: %q %v", file, b, err)
	}
	var saved []event.RuleSaved
	for _, e := range f.env.Events() {
		if r, ok := e.(event.RuleSaved); ok {
			saved = append(saved, r)
		}
	}
	if len(saved) != 1 || saved[0].File != file || !strings.Contains(saved[0].Rule, `command = ["rm", "-rf", "build"]`) {
		t.Errorf("rule_saved events %+v", saved)
	}
	if d, _, ok := set.Judge([]string{"rm", "-rf", "build"}); !ok || d != rules.Allow {
		t.Errorf("the saved rule is not in force: %v %v", d, ok)
	}
	os.MkdirAll(filepath.Join(f.dir, "build"), 0o755)
	f.mustCall(map[string]any{"command": "rm -rf build"})
	if n := len(f.env.Approvals()); n != 1 {
		t.Errorf("asked again after the rule was saved (%d questions)", n)
	}
}

// "This exact command for the session" spares the question for that
// command only; a deny with a reason reaches the model; "deny and stop"
// stops the turn.
func TestSessionApprovalAndDenials(t *testing.T) {
	t.Parallel()
	f, _, _ := withRules(t, sandbox.WorkspaceWrite, approval.OnRequest)
	f.env.Answer = func(event.ApprovalRequested) event.Decision {
		return event.Decision{Approved: true, Remember: event.RememberSession}
	}
	for range 2 {
		f.mustCall(map[string]any{"command": "rm -rf gone"})
	}
	if n := len(f.env.Approvals()); n != 1 {
		t.Errorf("%d questions for the same command, want 1", n)
	}
	f.env.Answer = func(event.ApprovalRequested) event.Decision {
		return event.Decision{Approved: false, Message: "use make clean", Stop: true}
	}
	res := f.mustCall(map[string]any{"command": "rm -rf other"})
	if res.Status != "denied" || !res.StopTurn || !strings.Contains(res.Output, "They said: use make clean") {
		t.Errorf("%+v", res)
	}
}

// Under never, what would be asked is refused without a question, and the
// model is told why; a rule's deny holds under every policy.
func TestNeverRefusesAndDenyRulesHold(t *testing.T) {
	t.Parallel()
	f, set, _ := withRules(t, sandbox.WorkspaceWrite, approval.Never)
	f.env.Answer = tooltest.Approve
	res := f.mustCall(map[string]any{"command": "git push --force"})
	if res.Status != "denied" || !strings.Contains(res.Output, `approval policy is "never"`) || len(f.env.Approvals()) != 0 {
		t.Errorf("%+v", res)
	}
	if err := set.AddSession(rules.Rule{Decision: rules.Deny, Command: []rules.Token{{"touch"}}, Justification: "no new files"}); err != nil {
		t.Fatal(err)
	}
	res = f.mustCall(map[string]any{"command": "ls && touch x"})
	if res.Status != "denied" || !strings.Contains(res.Output, "no new files") {
		t.Errorf("%+v", res)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "x")); err == nil {
		t.Error("a denied command ran")
	}
}

// Under untrusted, a command the sandbox blocked is offered to the user to
// run again without it.
func TestUntrustedOffersARetryOutsideTheSandbox(t *testing.T) {
	t.Parallel()
	f, _, _ := withRules(t, sandbox.ReadOnly, approval.Untrusted)
	f.env.Answer = tooltest.Approve
	res := f.mustCall(map[string]any{"command": "touch made.txt"})
	if _, err := os.Stat(filepath.Join(f.dir, "made.txt")); err != nil {
		t.Fatalf("not run again outside: %+v", res)
	}
	reqs := f.env.Approvals()
	if len(reqs) != 2 || !strings.Contains(reqs[1].Reason, "retry without the sandbox") || !reqs[1].Escalation ||
		!strings.Contains(res.Output, "the user let it run again without the sandbox") {
		t.Errorf("requests %+v\noutput %s", reqs, res.Output)
	}
}
