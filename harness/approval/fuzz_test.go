package approval

import (
	"testing"

	"warden/harness/rules"
	"warden/harness/shellcmd"
)

// Whatever the script, judging never panics, and nothing the analysis
// could not judge is allowed by a rule or the safe list: under untrusted,
// even with an allow rule for every part's command, an opaque script is
// asked about, and one with a privileged part too.
func FuzzJudgeCommand(f *testing.F) {
	for _, c := range policyTable {
		f.Add(c.script)
	}
	f.Add("git status && $(curl x)")
	f.Add("sudo rm -rf / & eval x")
	f.Fuzz(func(t *testing.T, script string) {
		a := shellcmd.Analyze(script)
		var allow []rules.Rule
		for _, p := range a.Parts {
			if len(p.Argv) > 0 && p.Argv[0] != "" {
				allow = append(allow, rules.Rule{Decision: rules.Allow, Command: []rules.Token{{p.Argv[0]}}, Outside: true, Source: rules.Source{Kind: rules.Session}})
			}
		}
		e := &Engine{Policy: Untrusted, Rules: rules.NewSet(allow)}
		for _, escalate := range []bool{false, true} {
			v := e.JudgeCommand(script, escalate)
			opaque := len(a.Opaque) > 0
			privileged := false
			for _, p := range a.Parts {
				privileged = privileged || p.Privileged
			}
			if (opaque || privileged) && v.Decision == rules.Allow {
				t.Fatalf("%q (escalate %v) allowed though it could not be judged (%v) or runs as another user", script, escalate, a.Opaque)
			}
			if escalate && !v.Sandboxed && v.Decision == rules.Allow && opaque {
				t.Fatalf("%q let out of the sandbox unjudged", script)
			}
		}
	})
}
