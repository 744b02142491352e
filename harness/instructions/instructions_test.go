package instructions

import (
	"strings"
	"testing"

	"warden/harness/config"
)

func TestBaseEssentials(t *testing.T) {
	t.Parallel()
	always := []string{
		"You are warden", "terminal",
		"`shell_command`", "`apply_patch`", "`update_plan`", "`rg`",
		"*** Begin Patch", "*** Update File:", "*** Add File:", "*** Delete File:", "*** End Patch",
		"# Sandbox and approvals", "environment context",
		"# Working style", "Read before you edit", "never revert", "run the tests",
		"AGENTS.md",
		"# Your final answer", "how to verify", "Markdown",
	}
	modes := []string{config.SandboxReadOnly, config.SandboxWorkspaceWrite, config.SandboxFullAccess, ""}
	policies := []string{config.ApprovalUntrusted, config.ApprovalOnRequest, config.ApprovalNever, ""}
	for _, mode := range modes {
		for _, policy := range policies {
			for _, network := range []bool{false, true} {
				p := Params{SandboxMode: mode, ApprovalPolicy: policy, NetworkEnabled: network,
					Tools: []string{"shell_command", "apply_patch", "update_plan"}}
				text := Base(p)
				has := func(s string) bool { return strings.Contains(text, s) }
				want := func(s string, yes bool) {
					t.Helper()
					if has(s) != yes {
						t.Errorf("%+v: contains %q = %v, want %v", p, s, !yes, yes)
					}
				}
				for _, s := range always {
					want(s, true)
				}
				sandboxed := mode != config.SandboxFullAccess
				asks := policy != config.ApprovalNever

				want("get around the sandbox", sandboxed)
				want(`"require_escalated"`, sandboxed && asks)
				want("`justification`", sandboxed && asks)
				switch mode {
				case config.SandboxReadOnly:
					want("Sandbox `read-only`", true)
					want("write nowhere", true)
					want("do not attempt any", !asks)
				case config.SandboxWorkspaceWrite:
					want("Sandbox `workspace-write`", true)
					want("write inside the working directory", true)
				case config.SandboxFullAccess:
					want("there is no sandbox", true)
					want("destructive", true)
				}
				if sandboxed {
					want("Network access is enabled.", network)
					want("Network access is restricted.", !network)
				}
				if policy != "" {
					want("Approval policy `"+policy+"`", true)
				}
				want("nobody will answer", policy == config.ApprovalNever)

				if Base(p) != text {
					t.Errorf("%+v: Base is not deterministic", p)
				}
				if n := strings.Count(text, "\n"); n > 120 {
					t.Errorf("%+v: %d lines; keep the instructions tight", p, n)
				}
				for i, line := range strings.Split(text, "\n") {
					if strings.TrimRight(line, " \t") != line {
						t.Errorf("%+v: line %d has trailing space: %q", p, i+1, line)
					}
				}
			}
		}
	}
}

func TestEnvironmentContext(t *testing.T) {
	t.Parallel()
	got := EnvironmentContext(Env{
		Cwd:            "/home/ada/src/engine",
		Shell:          "zsh",
		Date:           "2026-03-14",
		SandboxMode:    config.SandboxWorkspaceWrite,
		ApprovalPolicy: config.ApprovalOnRequest,
		OS:             "linux",
	})
	want := `<environment_context>
  <cwd>/home/ada/src/engine</cwd>
  <shell>zsh</shell>
  <current_date>2026-03-14</current_date>
  <sandbox_mode>workspace-write</sandbox_mode>
  <network_access>restricted</network_access>
  <approval_policy>on-request</approval_policy>
  <os>linux</os>
</environment_context>`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	got = EnvironmentContext(Env{
		Cwd:            "/tmp/a<b>&c",
		Date:           "2026-03-14",
		SandboxMode:    config.SandboxFullAccess,
		NetworkEnabled: true,
		ApprovalPolicy: config.ApprovalNever,
	})
	want = `<environment_context>
  <cwd>/tmp/a&lt;b&gt;&amp;c</cwd>
  <current_date>2026-03-14</current_date>
  <sandbox_mode>full-access</sandbox_mode>
  <network_access>enabled</network_access>
  <approval_policy>never</approval_policy>
</environment_context>`
	if got != want {
		t.Errorf("escaped, without shell and OS: got\n%s\nwant\n%s", got, want)
	}
}

func TestBaseDescribesOnlyOfferedTools(t *testing.T) {
	none := Base(Params{SandboxMode: config.SandboxReadOnly})
	for _, tool := range []string{"`shell_command`", "`apply_patch`", "`update_plan`", "`rg`", "*** Begin Patch", "require_escalated"} {
		if strings.Contains(none, tool) {
			t.Errorf("no tools offered, yet the instructions mention %s", tool)
		}
	}
	if !strings.Contains(none, "No tools are available") {
		t.Error("the model is not told it has no tools")
	}
	some := Base(Params{Tools: []string{"update_plan", "lint"}})
	if !strings.Contains(some, "`update_plan`") || strings.Contains(some, "*** Begin Patch") || !strings.Contains(some, "`lint`") {
		t.Errorf("tools section wrong:\n%s", some)
	}
}
