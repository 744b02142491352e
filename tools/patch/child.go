package patch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"warden/sandbox"
	"warden/tools/applypatch"
)

// ChildArg, as the first argument, makes warden's binary the patch writer
// that runs inside the sandbox: it reads a patch on stdin, applies it in
// the directory given as the second argument, and answers in JSON on
// stdout.
const ChildArg = "__warden-apply-patch"

// IsChild reports whether this process was started as the patch writer.
// Call it first thing in main, and then ChildMain.
func IsChild() bool { return len(os.Args) >= 2 && os.Args[1] == ChildArg }

// childAnswer is what the patch writer says.
type childAnswer struct {
	Changes []applypatch.FileChange `json:"changes,omitempty"`
	Error   string                  `json:"error,omitempty"`
}

// ChildMain applies the patch on stdin and returns the exit status.
func ChildMain() int {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s DIR < PATCH\n", ChildArg)
		return 2
	}
	text, err := io.ReadAll(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apply_patch: read the patch:", err)
		return 2
	}
	var ans childAnswer
	res, err := apply(string(text), os.Args[2])
	if err != nil {
		ans.Error = err.Error()
		// Said on stderr too, in the words tools use, so that the
		// runner can tell the user what the sandbox blocked.
		// The file the patch names, not the temporary file beside it
		// that the refused system call was about.
		var f *applypatch.Failure
		var errno syscall.Errno
		if errors.As(err, &f) && errors.As(err, &errno) {
			target := f.Path
			if !filepath.IsAbs(target) {
				target = filepath.Join(os.Args[2], target)
			}
			fmt.Fprintf(os.Stderr, "apply_patch: cannot write '%s': %s\n", target, errnoText(errno))
		}
	} else {
		ans.Changes = res.Changes
	}
	if err := json.NewEncoder(os.Stdout).Encode(ans); err != nil {
		return 2
	}
	if ans.Error != "" {
		return 1
	}
	return 0
}

func apply(text, dir string) (*applypatch.Result, error) {
	p, err := applypatch.Parse(text)
	if err != nil {
		return nil, err
	}
	return applypatch.Apply(p, applypatch.Options{Dir: dir})
}

// errnoText is an error's message with the capital coreutils gives it.
func errnoText(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// maxAnswer bounds the patch writer's answer (its diffs, mostly).
const maxAnswer = 64 << 20

// cappedBuffer keeps at most max bytes, and notes that more came.
type cappedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		b.over = true
		return len(p), nil // drained, so the writer is not blocked
	}
	return b.Buffer.Write(p)
}

// writerTimeout bounds the patch writer, which cannot be interrupted.
const writerTimeout = time.Minute

// applySandboxed writes the patch by running the patch writer as a
// command in the session's sandbox.
func (t *Tool) applySandboxed(ctx context.Context, text, dir string) (*applypatch.Result, []sandbox.Denial, error) {
	// Not cancelled with the turn: the writer is killed with everything in
	// its sandbox, and killed between two renames it would leave half a
	// patch. It only reads and writes a few files, so it ends promptly.
	ctx = context.WithoutCancel(ctx)
	stdout := &cappedBuffer{max: maxAnswer}
	res, err := t.cfg.Runner.Run(ctx, sandbox.Command{
		Timeout: writerTimeout,
		Args:    []string{t.cfg.ChildPath, ChildArg, dir},
		Dir:     dir,
		Stdin:   strings.NewReader(text),
		Stdout:  stdout,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("apply_patch failed; no file was changed: the sandbox could not run the patch writer: %w", err)
	}
	var ans childAnswer
	if stdout.over {
		return nil, res.Denials, fmt.Errorf("apply_patch failed: the patch writer's answer was over %d MiB", maxAnswer>>20)
	}
	if jerr := json.Unmarshal(stdout.Bytes(), &ans); jerr != nil {
		return nil, res.Denials, fmt.Errorf("apply_patch failed: the patch writer ended with status %d and no answer (%v); its output: %s", res.ExitCode, jerr, strings.TrimSpace(res.Output.Text()))
	}
	if ans.Error != "" {
		if len(res.Denials) > 0 {
			// Not the writer's own advice to check the location and try
			// again: the sandbox will refuse it every time. The model reads
			// it as sentences, hence the full stops.
			//lint:ignore ST1005 a message for the model, not an error to wrap
			return nil, res.Denials, errors.New("apply_patch failed; no file was changed: the sandbox does not let this session write some of the files the patch changes (below). Send the patch again without them; if they must change, tell the user.")
		}
		return nil, res.Denials, errors.New(ans.Error)
	}
	return &applypatch.Result{Changes: ans.Changes}, res.Denials, nil
}
