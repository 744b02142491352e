package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"warden/tools/applypatch"
)

func newApplyPatchCommand() *cobra.Command {
	var dir string
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "apply-patch [-C DIR] [FILE|-]",
		Short: "Apply a patch in the apply_patch format, all or nothing",
		Long: `Apply a patch written in the format of the model's apply_patch tool (see
docs/tools.md) from FILE, or from stdin when FILE is '-' or missing. Paths are
relative to DIR (default: the current directory) and must stay inside it.
Every hunk is checked before anything is written: if any fails, no file
changes. Prints what the model would be told: the files changed, or why the
patch did not apply (exit status 1).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src := "-"
			if len(args) == 1 {
				src = args[0]
			}
			return runApplyPatch(cmd, dir, src, jsonOut)
		},
	}
	cmd.Flags().StringVarP(&dir, "dir", "C", "", "directory the patch's paths are relative to (default: the current directory)")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the changes, with a unified diff per file, as JSON")
	return cmd
}

func runApplyPatch(cmd *cobra.Command, dir, src string, jsonOut bool) error {
	var text []byte
	var err error
	if src == "-" {
		text, err = io.ReadAll(cmd.InOrStdin())
	} else {
		text, err = os.ReadFile(src)
	}
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("read the patch: %w", err)}
	}
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageErr("-C %s: not a directory", dir)
	}
	p, err := applypatch.Parse(string(text))
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	res, err := applypatch.Apply(p, applypatch.Options{Dir: dir, Confine: true})
	if err != nil {
		var f *applypatch.Failure
		if errors.As(err, &f) {
			fmt.Fprintln(cmd.ErrOrStderr(), err)
			return &exitError{code: 1}
		}
		return &exitError{code: 1, err: err}
	}
	if jsonOut {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"changes": res.Changes})
	}
	fmt.Fprint(cmd.OutOrStdout(), res.Summary())
	return nil
}
