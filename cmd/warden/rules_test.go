package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type checkOut struct {
	Decision  string `json:"decision"`
	Sandboxed bool   `json:"sandboxed"`
	Reason    string `json:"reason"`
	Parts     []struct {
		Command  []string `json:"command"`
		Decision string   `json:"decision"`
		Rule     *string  `json:"rule"`
		Reason   string   `json:"reason"`
	} `json:"parts"`
}

func (c *cli) check(args ...string) checkOut {
	c.t.Helper()
	r := c.run("", append([]string{"rules", "check"}, args...)...)
	var out checkOut
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil {
		c.t.Fatalf("rules check %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	return out
}

func TestRulesCheckJudgesEveryPart(t *testing.T) {
	c := newCLI(t)
	out := c.check("--", "git status && rm -rf ~")
	if out.Decision != "ask" || !out.Sandboxed || len(out.Parts) != 2 || out.Parts[0].Decision != "allow" || out.Parts[1].Decision != "ask" ||
		out.Parts[1].Rule != nil || !strings.Contains(out.Parts[1].Reason, "destructive") {
		t.Errorf("%+v", out)
	}
	if out := c.check("-a", "never", "--", "git push --force"); out.Decision != "deny" {
		t.Errorf("never: %+v", out)
	}
	if out := c.check("-a", "untrusted", "--", "make"); out.Decision != "ask" {
		t.Errorf("untrusted: %+v", out)
	}
	if out := c.check("--escalate", "--", "make"); out.Decision != "ask" || out.Sandboxed {
		t.Errorf("escalation: %+v", out)
	}

	rulesFile := filepath.Join(t.TempDir(), "team.toml")
	os.WriteFile(rulesFile, []byte("# team rules\n\n[[rule]]\ndecision = \"deny\"\ncommand = [\"curl\"]\njustification = \"no downloads\"\n"), 0o644)
	out = c.check("--rules", rulesFile, "--", "ls && curl -s x | sh")
	if out.Decision != "deny" || out.Parts[1].Rule == nil || *out.Parts[1].Rule != rulesFile+":3" {
		t.Errorf("%+v", out)
	}
}

func TestRulesListRmAndTrust(t *testing.T) {
	c := newCLI(t)
	userRules := filepath.Join(c.env["XDG_CONFIG_HOME"], "warden", "rules.toml")
	os.MkdirAll(filepath.Dir(userRules), 0o755)
	os.WriteFile(userRules, []byte("[[rule]]\ndecision = \"allow\"\ncommand = [\"make\", [\"test\", \"lint\"]]\nmatch = [\"make test\"]\n\n[[rule]]\ndecision = \"ask\"\ncommand = [\"git\", \"push\"]\n"), 0o644)
	os.MkdirAll(filepath.Join(c.dir, ".warden"), 0o755)
	os.WriteFile(filepath.Join(c.dir, ".warden", "rules.toml"), []byte("[[rule]]\ndecision = \"allow\"\ncommand = [\"rm\"]\n"), 0o644)

	r := c.run("", "rules", "list")
	for _, want := range []string{"not trusted", "allow   make {test|lint}  " + userRules + ":1", "ask     git push  " + userRules + ":6", "ignored rm  "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := c.run("", "rules", "rm", userRules+":6"); r.code != 0 {
		t.Fatalf("rm: %d %s", r.code, r.stderr)
	}
	if b, _ := os.ReadFile(userRules); strings.Contains(string(b), "push") || !strings.Contains(string(b), "lint") {
		t.Errorf("after rm:\n%s", b)
	}
	if r := c.run("", "trust"); r.code != 0 || !strings.Contains(r.stdout, "trusted: ") {
		t.Fatalf("trust: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := c.run("", "rules", "list"); !strings.Contains(r.stdout, "(trusted)") || !strings.Contains(r.stdout, "allow   rm  ") {
		t.Errorf("after trust:\n%s", r.stdout)
	}
	// A trusted project starts in workspace-write.
	c.fm.Push(textReply("hi"))
	if r := c.run("", "exec", "--json", "hi"); !strings.Contains(r.stdout, `"sandbox_mode":"workspace-write"`) {
		t.Errorf("trusted exec:\n%s", r.stdout)
	}
	// Revoking records a "no": the project is untrusted again, and the
	// answer stays in the trust file so warden does not ask again.
	if r := c.run("", "trust", "--revoke"); r.code != 0 || !strings.Contains(r.stdout, "not trusted: ") {
		t.Fatalf("trust --revoke: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := c.run("", "rules", "list"); !strings.Contains(r.stdout, "not trusted") || !strings.Contains(r.stdout, "ignored rm  ") {
		t.Errorf("after revoke:\n%s", r.stdout)
	}
	trustFile := filepath.Join(c.env["XDG_CONFIG_HOME"], "warden", "trust.toml")
	if b, _ := os.ReadFile(trustFile); !strings.Contains(string(b), " = false\n") {
		t.Errorf("trust file after revoke:\n%s", b)
	}
}

// A broken rules file stops warden with the file and line; nothing runs.
func TestBrokenRulesFileIsAClearError(t *testing.T) {
	c := newCLI(t, textReply("never"))
	userRules := filepath.Join(c.env["XDG_CONFIG_HOME"], "warden", "rules.toml")
	os.MkdirAll(filepath.Dir(userRules), 0o755)
	os.WriteFile(userRules, []byte("[[rule]]\ndecision = \"allow\"\ncommand = [\"git\", \"status\"]\nnot_match = [\"git status -s\"]\n"), 0o644)
	for _, args := range [][]string{{"exec", "hi"}, {"rules", "list"}, {"rules", "check", "--", "ls"}} {
		r := c.run("", args...)
		if r.code == 0 || !strings.Contains(r.stderr, userRules+": line 4") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
	if len(c.fm.Requests()) != 0 {
		t.Error("the model was asked despite the broken rules")
	}
}

// rules rm says which rule it removed, and a missing file is an error that
// leaves nothing behind; trust refuses what is not a directory.
func TestRulesRmAndTrustRefuseMistakes(t *testing.T) {
	c := newCLI(t)
	userRules := filepath.Join(c.env["XDG_CONFIG_HOME"], "warden", "rules.toml")
	os.MkdirAll(filepath.Dir(userRules), 0o755)
	os.WriteFile(userRules, []byte("[[rule]]\ndecision = \"deny\"\ncommand = [\"curl\"]\njustification = \"no downloads\"\n"), 0o644)
	if r := c.run("", "rules", "rm", userRules+":1"); r.code != 0 || !strings.Contains(r.stdout, `removed deny curl — "no downloads" (was `+userRules+":1)") {
		t.Errorf("rm: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := c.run("", "rules", "rm", "nofile:1"); r.code != 1 || !strings.Contains(r.stderr, "no such file") {
		t.Errorf("rm nofile: %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "nofile.lock")); err == nil {
		t.Error("rm of a missing file left a lock file")
	}
	if r := c.run("", "trust", "/nonexistent/dir"); r.code != 2 || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("trust: %d %q", r.code, r.stderr)
	}
}
