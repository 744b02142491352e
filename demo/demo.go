// Package demo lets a newcomer watch a whole warden session on a fresh
// machine, with no API key and no network: warden's own scripted model
// (package fakemodel), served on 127.0.0.1, plays a realistic session —
// exploring, planning, asking for approval, patching, testing — in a
// temporary copy of a small sample repository that ships inside the binary.
//
// The session runs through the real harness, tools and sandbox; only the
// model is scripted. The package's tests replay the script against the
// sample, so neither can drift without the other being fixed.
package demo

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"warden/harness/config"
)

// Model is the model name the demo server answers to.
const Model = "warden-demo"

// ContextWindow is what the status line shows for the demo model, which no
// table of real models knows: a typical window of today's coding models.
const ContextWindow = 200_000

// apiKey is sent to the demo server, which ignores it; a non-empty key
// keeps every code path that expects one (the environment filter, auth
// headers) the same as with a real provider.
const apiKey = "sk-warden-demo-not-a-real-key"

// Prompt is the first message the demo types for the user.
const Prompt = "`bin/bumpver minor` turns 1.2.3 into 1.3.3 instead of 1.3.0. Can you find the bug, fix it, and check that the tests pass?"

// sampleDir is the sample repository's directory in sample. The "all:"
// prefix keeps its dot files (.gitignore), which embed skips otherwise.
const sampleDir = "sample"

//go:embed all:sample
var sample embed.FS

// commitDate pins the sample's single commit, so its hash is the same on
// every machine.
const commitDate = "2024-11-20T10:00:00Z"

// Prepare copies the embedded sample repository into a new directory under
// parent (os.MkdirTemp) and returns its path. When git is installed, the
// copy is made a repository with one commit, as a real project would be;
// without git nothing in the demo breaks, there is just no history.
func Prepare(parent string) (dir string, err error) {
	dir, err = os.MkdirTemp(parent, "warden-demo-")
	if err != nil {
		return "", fmt.Errorf("create the demo directory: %w", err)
	}
	if err := fill(dir); err != nil {
		return "", errors.Join(err, os.RemoveAll(dir))
	}
	return dir, nil
}

// fill puts the sample into dir and commits it when git is there.
func fill(dir string) error {
	if err := copySample(dir); err != nil {
		return err
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil
	}
	return commitSample(dir)
}

// copySample writes every embedded file under dir. Embedding keeps no file
// modes, so scripts (files starting with "#!") are made executable.
func copySample(dir string) error {
	return fs.WalkDir(sample, sampleDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("read the embedded sample: %w", err)
		}
		rel, err := filepath.Rel(sampleDir, path)
		if err != nil {
			return fmt.Errorf("sample path %s: %w", path, err)
		}
		target := filepath.Join(dir, rel)
		if d.IsDir() {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("create %s: %w", target, err)
			}
			return nil
		}
		data, err := sample.ReadFile(path)
		if err != nil {
			return fmt.Errorf("read the embedded %s: %w", path, err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(string(data), "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(target, data, mode); err != nil {
			return fmt.Errorf("write %s: %w", target, err)
		}
		return nil
	})
}

// commitSample makes dir a git repository holding the sample as one
// commit. The user's git configuration is kept out (no signing prompts,
// hooks or templates of theirs), so the same commit is made everywhere.
func commitSample(dir string) error {
	env := append(os.Environ(),
		"GIT_CONFIG_GLOBAL="+os.DevNull,
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=bumpver maintainers",
		"GIT_AUTHOR_EMAIL=maintainers@bumpver.invalid",
		"GIT_COMMITTER_NAME=bumpver maintainers",
		"GIT_COMMITTER_EMAIL=maintainers@bumpver.invalid",
		"GIT_AUTHOR_DATE="+commitDate,
		"GIT_COMMITTER_DATE="+commitDate,
	)
	steps := [][]string{
		// Through -c rather than --initial-branch, which git before 2.28
		// does not know.
		{"-c", "init.defaultBranch=main", "init", "--quiet"},
		{"add", "--all"},
		{"commit", "--quiet", "--no-verify", "--message=bumpver 0.4.1"},
	}
	for _, args := range steps {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			msg := strings.TrimSpace(string(out))
			if msg == "" {
				msg = "no output"
			}
			return fmt.Errorf("git %s in %s: %w (%s)", strings.Join(args, " "), dir, err, msg)
		}
	}
	return nil
}

// Settings returns base pointed at the demo server at baseURL: the
// Responses wire, the demo model, a dummy key, and the sandbox and approval
// policy the demo is written for (workspace-write, on-request), whatever
// the user's config says, so the session plays the same everywhere. The
// sandbox gets no network and no writable roots beyond the demo copy.
func Settings(base config.Settings, baseURL string) config.Settings {
	s := base
	s.Model = Model
	s.Provider = config.Provider{Name: "warden-demo", BaseURL: baseURL, Wire: config.WireResponses}
	s.APIKey = apiKey
	s.ContextWindow = ContextWindow
	// The script streams reasoning summaries, so ask for them as a real
	// reasoning model would be asked; no effort, which the user's config
	// might set for another model.
	s.ReasoningEffort = ""
	s.ReasoningSummary = "auto"
	s.SandboxMode = config.SandboxWorkspaceWrite
	s.SandboxModeChosen = true
	s.ApprovalPolicy = config.ApprovalOnRequest
	s.Sandbox.Network = false
	s.Sandbox.WritableRoots = nil
	return s
}
