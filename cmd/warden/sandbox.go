package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"warden/harness/config"
	"warden/harness/launch"
	"warden/sandbox"
)

// Exit statuses of `warden sandbox` besides the command's own.
const (
	exitSandboxFailed = 125 // the sandbox was refused or could not be set up
	exitTimedOut      = 124 // as timeout(1)
)

type sandboxFlags struct {
	mode          string
	network       bool
	writableRoots []string
	dir           string
	timeout       time.Duration
	status        bool
	configPath    string
}

func newSandboxCommand() *cobra.Command {
	var fl sandboxFlags
	cmd := &cobra.Command{
		Use:                   "sandbox [--mode read-only|workspace-write] [--network] [--writable-root DIR]... [-C DIR] -- CMD [ARGS...]",
		Short:                 "Run one command confined the way the agent's commands are, or show what the sandbox can do",
		DisableFlagsInUseLine: true,
		Long: `Run one command in the sandbox the agent's commands get, with stdin, stdout and
stderr passed through, and exit with its status. Defaults come from the config
file (sandbox_mode, [sandbox]); flags override them. --status prints what the
kernel supports instead. See docs/sandbox.md.

Exit status: the command's; 124 if it timed out (--timeout); 125 if the
sandbox was refused or could not be set up; 126 if the command could not be
executed and 127 if it was not found.`,
		Example: `  warden sandbox -- touch /etc/x           # refused: read-only
  warden sandbox --mode workspace-write -- go test ./...
  warden sandbox --status`,
		Args: func(cmd *cobra.Command, args []string) error {
			if fl.status {
				if len(args) > 0 {
					return usageErr("sandbox --status takes no command")
				}
				return nil
			}
			if len(args) == 0 {
				return usageErr("sandbox needs a command to run: warden sandbox [flags] -- CMD [ARGS...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runSandbox(cmd, fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.mode, "mode", "", "read-only or workspace-write (default: sandbox_mode from the config file, else read-only)")
	f.BoolVar(&fl.network, "network", false, "let the command reach the network; --network=false keeps it off (default: [sandbox] network from the config file)")
	f.StringArrayVar(&fl.writableRoots, "writable-root", nil, "a further writable directory (workspace-write; repeatable)")
	f.StringVarP(&fl.dir, "dir", "C", "", "workspace and working directory (default: the current directory)")
	f.DurationVar(&fl.timeout, "timeout", 0, "kill the command after this long, e.g. 30s (default: no limit)")
	f.BoolVar(&fl.status, "status", false, "print what the kernel supports and which modes can run")
	f.StringVar(&fl.configPath, "config", "", "config file (default $XDG_CONFIG_HOME/warden/config.toml)")
	return cmd
}

func runSandbox(cmd *cobra.Command, fl sandboxFlags, args []string) error {
	stderr := cmd.ErrOrStderr()
	if fl.status {
		p := sandbox.RunProbe("/proc/self/exe")
		fmt.Fprint(cmd.OutOrStdout(), p.Report())
		return nil
	}
	st, err := config.Load(config.Overrides{ConfigPath: fl.configPath}, os.Getenv)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	mode := sandbox.Mode(st.SandboxMode)
	if fl.mode != "" {
		if mode, err = sandbox.ParseMode(fl.mode); err != nil || mode == sandbox.FullAccess {
			return usageErr("--mode must be read-only or workspace-write, got %q", fl.mode)
		}
	} else if mode == sandbox.FullAccess {
		fmt.Fprintln(stderr, "warden sandbox: the config sets sandbox_mode = \"full-access\"; confining this command read-only (choose with --mode)")
		mode = sandbox.ReadOnly
	}
	workspace := fl.dir
	if workspace == "" {
		if workspace, err = os.Getwd(); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	network := st.Sandbox.Network
	if cmd.Flags().Changed("network") {
		network = fl.network
	}
	cfg := launch.SandboxConfig(st, workspace, os.Getenv, "")
	cfg.Policy.Mode = mode
	cfg.Policy.Network = network
	cfg.Policy.WritableRoots = append(cfg.Policy.WritableRoots, fl.writableRoots...)
	// One command run by hand: no default limit, only the one asked for.
	cfg.DefaultTimeout, cfg.MaxTimeout = fl.timeout, 0
	runner, err := sandbox.NewRunner(cfg)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	defer runner.Close()

	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	defer signal.Stop(signals)
	res, err := runner.Run(context.Background(), sandbox.Command{
		Args:    args,
		Stdin:   cmd.InOrStdin(),
		Stdout:  cmd.OutOrStdout(),
		Stderr:  stderr,
		Signals: signals,
	})
	if err != nil {
		var se *sandbox.SetupError
		if errors.As(err, &se) {
			return &exitError{code: exitSandboxFailed, err: err}
		}
		return err
	}
	for _, d := range res.Denials {
		fmt.Fprintf(stderr, "warden sandbox: blocked %s\n", d)
	}
	if res.TimedOut {
		fmt.Fprintf(stderr, "warden sandbox: timed out after %s; killed the command and everything it started\n", res.Timeout)
		return &exitError{code: exitTimedOut}
	}
	if res.ExitCode != 0 {
		return &exitError{code: res.ExitCode}
	}
	return nil
}
