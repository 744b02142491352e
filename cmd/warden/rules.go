package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"warden/harness/approval"
	"warden/harness/config"
	"warden/harness/launch"
	"warden/harness/rules"
)

func newRulesCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List, check and remove the permission rules in force (see docs/approvals.md)",
	}
	cmd.AddCommand(newRulesListCommand(), newRulesCheckCommand(), newRulesRmCommand())
	return cmd
}

func newRulesListCommand() *cobra.Command {
	var dir string
	return withDir(&cobra.Command{
		Use:   "list",
		Short: "Every rule in force here, with its file and line",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			perms, err := launch.LoadPermissions(os.Getenv, dirOrCwd(dir))
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			out := cmd.OutOrStdout()
			trust := "not trusted: its own allow rules are ignored (warden trust)"
			if perms.Trusted {
				trust = "trusted"
			}
			fmt.Fprintf(out, "project %s (%s)\n", perms.Root, trust)
			if len(perms.Rules.Rules()) == 0 {
				fmt.Fprintln(out, "no rules")
			}
			for _, r := range perms.Rules.Rules() {
				fmt.Fprintf(out, "%-7s %s  %s\n", r.Decision, describe(r), r.Where())
			}
			for _, r := range perms.Rules.Ignored() {
				fmt.Fprintf(out, "ignored %s  %s (the project is not trusted)\n", describe(r), r.Where())
			}
			return nil
		},
	}, &dir)
}

// describe is a rule on one line: its command prefix (alternatives in
// braces) or its patch paths, and where it lets a command run.
func describe(r rules.Rule) string {
	if r.IsPatch() {
		return "apply_patch " + strings.Join(r.Paths, ", ")
	}
	var words []string
	for _, t := range r.Command {
		if len(t) == 1 {
			words = append(words, t[0])
		} else {
			words = append(words, "{"+strings.Join(t, "|")+"}")
		}
	}
	s := strings.Join(words, " ")
	if r.Outside {
		s += " (outside the sandbox)"
	}
	if r.Justification != "" {
		s += ` — "` + r.Justification + `"`
	}
	return s
}

type checkFlags struct {
	files    []string
	policy   string
	mode     string
	preset   string
	escalate bool
	dir      string
}

func newRulesCheckCommand() *cobra.Command {
	var fl checkFlags
	cmd := &cobra.Command{
		Use:   "check [--rules FILE]... [-a POLICY] [--sandbox MODE] [--escalate] -- 'COMMAND'",
		Short: "Say what warden would do with a command, and why (JSON)",
		Long: `Judge COMMAND as warden would if the model asked to run it, and print JSON:
{"decision": "allow"|"ask"|"deny", "sandboxed": true|false, "reason": "...",
 "parts": [{"command": [...], "decision": ..., "rule": "file:line" or null, "reason": "..."}]}.
Without --rules, the rules in force in this directory are used (as
'warden rules list' shows them); with --rules, only those files.`,
		DisableFlagsInUseLine: true,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr("rules check needs one COMMAND (quote it): warden rules check -- 'git status && make'")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRulesCheck(cmd, fl, args[0])
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&fl.files, "rules", nil, "a rules file to use instead of those in force (repeatable)")
	f.StringVarP(&fl.policy, "ask-for-approval", "a", "", "approval policy: untrusted, on-request or never (default: the config's)")
	f.StringVarP(&fl.mode, "sandbox", "s", "", "sandbox mode: read-only, workspace-write or full-access (default: the config's)")
	f.StringVar(&fl.preset, "preset", "", "read-only, auto or full-access (default: the config's)")
	f.BoolVar(&fl.escalate, "escalate", false, "judge it as a request to run outside the sandbox")
	f.StringVarP(&fl.dir, "dir", "C", "", "the project directory (default: the current one)")
	return cmd
}

func runRulesCheck(cmd *cobra.Command, fl checkFlags, script string) error {
	st, err := config.Load(config.Overrides{SandboxMode: fl.mode, ApprovalPolicy: fl.policy, Preset: fl.preset}, os.Getenv)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	var set *rules.Set
	if len(fl.files) > 0 {
		var all []rules.Rule
		for _, f := range fl.files {
			rs, err := rules.Load(f, rules.User)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			if rs == nil {
				if _, err := os.Stat(f); err != nil {
					return &exitError{code: 2, err: fmt.Errorf("rules file %s: %w", f, err)}
				}
			}
			all = append(all, rs...)
		}
		set = rules.NewSet(all)
	} else {
		perms, err := launch.LoadPermissions(os.Getenv, dirOrCwd(fl.dir))
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		set = perms.Rules
		if !st.SandboxModeChosen && perms.Trusted {
			st.SandboxMode = config.SandboxWorkspaceWrite
		}
	}
	e := &approval.Engine{Policy: st.ApprovalPolicy, FullAccess: st.SandboxMode == config.SandboxFullAccess, Rules: set}
	v := e.JudgeCommand(script, fl.escalate)
	type part struct {
		Command  []string `json:"command"`
		Decision string   `json:"decision"`
		Rule     *string  `json:"rule"`
		Reason   string   `json:"reason"`
	}
	out := struct {
		Decision  string   `json:"decision"`
		Sandboxed bool     `json:"sandboxed"`
		Reason    string   `json:"reason,omitempty"`
		Parts     []part   `json:"parts"`
		Prefix    []string `json:"proposed_prefix,omitempty"`
	}{Decision: string(v.Decision), Sandboxed: v.Sandboxed, Reason: v.Reason, Parts: []part{}, Prefix: v.Prefix}
	for _, p := range v.Parts {
		pp := part{Command: p.Command, Decision: string(p.Decision), Reason: p.Reason}
		if p.Rule != "" {
			r := p.Rule
			pp.Rule = &r
		}
		out.Parts = append(out.Parts, pp)
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func newRulesRmCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "rm FILE:LINE",
		Short: "Remove the rule that starts at FILE:LINE (as 'warden rules list' shows it)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			i := strings.LastIndexByte(args[0], ':')
			line, err := strconv.Atoi(args[0][i+1:])
			if i < 0 || err != nil || line < 1 {
				return usageErr("rules rm needs FILE:LINE, as 'warden rules list' prints it; got %q", args[0])
			}
			file := args[0][:i]
			if _, err := os.Stat(file); err != nil {
				return &exitError{code: 1, err: fmt.Errorf("rules rm: %w", err)}
			}
			// Said before it goes: lines move when a rule is removed, so
			// the user must see which rule a FILE:LINE named.
			var removed *rules.Rule
			if rs, err := rules.Load(file, rules.User); err == nil {
				for _, r := range rs {
					if r.Line == line {
						removed = &r
					}
				}
			}
			if err := rules.Remove(file, line); err != nil {
				return &exitError{code: 1, err: err}
			}
			if removed != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s %s (was %s)\n", removed.Decision, describe(*removed), args[0])
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "removed the rule at %s\n", args[0])
			}
			return nil
		},
	}
}

func newTrustCommand() *cobra.Command {
	var revoke bool
	cmd := &cobra.Command{
		Use:   "trust [DIR]",
		Short: "Trust a project: it starts in workspace-write, and its own .warden rules may allow, not only restrict",
		Long: `Mark the project holding DIR (default: the current directory) as trusted, in
your config directory (never in the repository). A trusted project starts in
workspace-write instead of read-only unless you chose a sandbox mode, and the
allow rules of its .warden/rules.toml apply (untrusted, they are ignored; its
ask and deny rules always apply). --revoke takes the trust back: the project is
then recorded as not trusted, so warden does not ask about it again.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := ""
			if len(args) == 1 {
				dir = args[0]
			}
			configDir, err := config.Dir(os.Getenv)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			target := dirOrCwd(dir)
			if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
				return usageErr("trust: %s is not a directory", target)
			}
			root := rules.ProjectRoot(target)
			if err := rules.SetTrusted(configDir, root, !revoke); err != nil {
				return &exitError{code: 1, err: err}
			}
			if revoke {
				fmt.Fprintf(cmd.OutOrStdout(), "not trusted: %s\n", root)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "trusted: %s\n", root)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&revoke, "revoke", false, "take the trust back")
	return cmd
}

func withDir(cmd *cobra.Command, dir *string) *cobra.Command {
	cmd.Flags().StringVarP(dir, "dir", "C", "", "the project directory (default: the current one)")
	return cmd
}

func dirOrCwd(dir string) string {
	if dir == "" {
		dir, _ = os.Getwd()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return abs
}
