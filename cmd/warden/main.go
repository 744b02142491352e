// Command warden is a terminal coding agent. This file wires the
// subcommands; each front-end lives in its own file and is a client of the
// harness.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"warden/harness/config"
	"warden/sandbox"
	"warden/tools/patch"
)

// exitError carries a process exit status up to main, so subcommands return
// errors instead of calling os.Exit themselves.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func main() {
	if sandbox.IsHelper() {
		sandbox.HelperMain() // warden re-executed to confine a command
	}
	if patch.IsChild() {
		os.Exit(patch.ChildMain()) // warden writing a patch inside the sandbox
	}
	root := newRootCommand()
	err := root.Execute()
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	} else if strings.HasPrefix(err.Error(), "unknown command") {
		// cobra's own usage error: same status as every other usage error.
		code = 2
	}
	if ee == nil || ee.err != nil {
		fmt.Fprintln(os.Stderr, "warden:", err)
	}
	os.Exit(code)
}

func newRootCommand() *cobra.Command {
	var ov config.Overrides
	root := &cobra.Command{
		Use:   "warden [flags] [PROMPT]",
		Short: "A terminal coding agent that works inside a sandbox you control",
		Long: "A terminal coding agent that works inside a sandbox you control.\n" +
			"With no command, warden opens its interface in the current directory; PROMPT, if given, is the first message.\n" +
			"The first time it opens in a project it asks whether you trust it (see warden trust).\n" +
			"In the interface, / lists the commands: /model, /approvals, /permissions, /diff, /new, /status, /init, /help.",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// A mistyped command must not become a message to the model.
			if len(args) == 1 {
				if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
					return usageErr("unknown command %q: did you mean %q? (to send it to the model as a prompt, add more words)", args[0], near[0])
				}
			}
			return runTUI(cmd, args, ov)
		},
	}
	root.SuggestionsMinimumDistance = 2
	addModelFlags(root, &ov)
	root.AddCommand(newExecCommand(), newDemoCommand(), newSandboxCommand(), newApplyPatchCommand(), newRulesCommand(), newTrustCommand())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: 2, err: fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	return root
}

// version is the module version when built with `go install`, else "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
