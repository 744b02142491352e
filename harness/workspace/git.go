package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// gitRepo runs git on the private repository dir with root as its work
// tree.
type gitRepo struct {
	bin  string
	dir  string   // the private git directory
	root string   // the work tree
	env  []string // hermeticEnv, without GIT_INDEX_FILE
	// maxFiles and maxBytes bound what a snapshot hashes (Options).
	maxFiles int
	maxBytes int64
	// emptyBlob is the id of the empty blob, written by init.
	emptyBlob string
}

// hermeticConfig is set on the command line of every git run.
//
// Git runs here outside the sandbox, on a work tree the model may have
// written, and possibly a repository someone else wrote. A repository's
// own .git/config can name programs git runs on its own: core.fsmonitor
// on every index refresh, filter drivers (which .gitattributes apply) on
// every file added, hooks, textconv and external diff drivers. So git is
// never pointed at the user's .git: the private repository's config is
// the one `git init` wrote, the system and global configs are not read
// (hermeticEnv), and these settings pin what remains. Attributes naming a
// filter or diff driver are then inert: the drivers are defined nowhere,
// and the private info/attributes overrides them anyway (see
// privateAttributes). The global ignore and attributes files, which git
// reads from HOME even without a global config, are replaced by the
// private repository's own (see writeExcludes): the model must not be able
// to change what a snapshot leaves out by writing into HOME. The work
// tree's .gitignore files do apply, which is what we want: build output
// stays out of the snapshots; see ignore.go for why that cannot hide a
// file the model writes.
func hermeticConfig() []string {
	return []string{
		"-c", "core.fsmonitor=false",
		"-c", "core.hooksPath=/dev/null",
		"-c", "core.autocrlf=false",
		"-c", "core.safecrlf=false",
		"-c", "core.symlinks=true",
		"-c", "core.fileMode=true",
		"-c", "core.quotepath=false",
		"-c", "core.untrackedCache=false",
		"-c", "core.splitIndex=false",
		"-c", "core.sparseCheckout=false",
		"-c", "core.excludesFile=/dev/null",
		"-c", "core.attributesFile=/dev/null",
		// Snapshots are written once and read once or twice: fast
		// compression beats small.
		"-c", "core.looseCompression=1",
		"-c", "pack.compression=1",
		"-c", "gc.auto=0",
		"-c", "maintenance.auto=false",
		"-c", "advice.addEmbeddedRepo=false",
		"-c", "init.defaultBranch=main",
	}
}

// hermeticEnv is the environment git runs in, built from nothing rather
// than from os.Environ: GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_* and their
// kind in warden's own environment (set, perhaps, because warden was
// started from a git hook) must not redirect or reconfigure the
// snapshots. PATH, HOME and TMPDIR are kept; the locale is C, so that
// git's messages are the same everywhere.
func hermeticEnv() []string {
	env := []string{
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_ATTR_NOSYSTEM=1",
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ADVICE=0",
		"LC_ALL=C",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// command is git run on the private repository with index as its index
// file ("" for none), from root so that paths are relative to it.
func (g *gitRepo) command(ctx context.Context, index string, args ...string) *exec.Cmd {
	full := append([]string{"--git-dir=" + g.dir, "--work-tree=" + g.root}, hermeticConfig()...)
	cmd := exec.CommandContext(ctx, g.bin, append(full, args...)...)
	cmd.Dir = g.root
	cmd.Env = g.env[:len(g.env):len(g.env)]
	if index != "" {
		cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+index)
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// maxStderrBytes bounds the part of git's stderr kept for an error.
const maxStderrBytes = 4 << 10

// stderrBuffer keeps the first maxStderrBytes written to it.
type stderrBuffer struct{ b []byte }

func (s *stderrBuffer) Write(p []byte) (int, error) {
	if room := maxStderrBytes - len(s.b); room > 0 {
		s.b = append(s.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (s *stderrBuffer) String() string { return strings.TrimSpace(string(s.b)) }

// gitError is a failed git run: its subcommand, trimmed stderr and exit.
type gitError struct {
	sub    string
	stderr string
	err    error
}

func (e *gitError) Error() string {
	if e.stderr == "" {
		return fmt.Sprintf("git %s: %v", e.sub, e.err)
	}
	return fmt.Sprintf("git %s: %s: %v", e.sub, e.stderr, e.err)
}

func (e *gitError) Unwrap() error { return e.err }

// exitCode is the exit status of a git that ran and failed, -1 otherwise.
func (e *gitError) exitCode() int {
	var ee *exec.ExitError
	if errors.As(e.err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// subcommand is the git command args run, past "-c name=value" options.
func subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		if args[i] == "-c" {
			i++
			continue
		}
		return args[i]
	}
	return ""
}

// run runs git with stdin and returns its output.
func (g *gitRepo) run(ctx context.Context, index string, stdin []byte, args ...string) ([]byte, error) {
	cmd := g.command(ctx, index, args...)
	var stdout bytes.Buffer
	var stderr stderrBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), &gitError{sub: subcommand(args), stderr: stderr.String(), err: err}
	}
	return stdout.Bytes(), nil
}

// stream runs git and hands its output to read as it comes.
func (g *gitRepo) stream(ctx context.Context, read func(io.Reader) error, args ...string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops git if read gives up early
	cmd := g.command(ctx, "", args...)
	var stderr stderrBuffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &gitError{sub: subcommand(args), err: err}
	}
	rerr := read(out)
	if rerr != nil {
		cancel()
	}
	werr := cmd.Wait()
	if rerr != nil {
		return rerr
	}
	if werr != nil {
		return &gitError{sub: subcommand(args), stderr: stderr.String(), err: werr}
	}
	return nil
}

// privateAttributes is the private repository's info/attributes, which
// takes precedence over every .gitattributes of the work tree (and the
// system and global files are not read). The work tree's attributes could
// otherwise hide a change:
//
//   - when a file is hashed (git add), "text", "eol" and "crlf" convert
//     its line endings, "ident" collapses "$Id: anything$" to "$Id$", and
//     "working-tree-encoding" re-encodes it (or, for content that is not
//     in that encoding, makes git add fail, and /diff with it); "filter"
//     names a driver, defined nowhere here but neutralised all the same.
//     Unset, a snapshot stores the bytes on disk.
//   - when a diff is written, "-diff", "binary" and "diff=<driver>" would
//     make git print "Binary files differ" for a text file. With "diff"
//     unspecified, git decides from the content alone, as it does with
//     no attributes: a NUL byte in the first 8,000 bytes of either side
//     makes a file binary.
//
// Attributes are resolved per attribute, the highest-precedence file
// that mentions one deciding it, so a macro (such as "binary", or one a
// .gitattributes defines) cannot set these either.
const privateAttributes = "* -text -eol -crlf -ident -filter -working-tree-encoding !diff\n"

// init makes the private repository: bare, and without the template
// directory's sample hooks and description; with privateAttributes, the
// excludes (writeExcludes), and the empty blob nested repositories are
// seeded with (nested.go).
func (g *gitRepo) init(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, g.bin, append(hermeticConfig(), "init", "--bare", "--quiet", "--template=", g.dir)...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	var stderr stderrBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return &gitError{sub: "init", stderr: stderr.String(), err: err}
	}
	info := filepath.Join(g.dir, "info")
	if err := os.MkdirAll(info, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(info, "attributes"), []byte(privateAttributes), 0o600); err != nil {
		return err
	}
	if err := writeExcludes(g.root, info); err != nil {
		return err
	}
	out, err := g.run(ctx, "", []byte{}, "hash-object", "-w", "--stdin")
	if err != nil {
		return err
	}
	if g.emptyBlob = strings.TrimSpace(string(out)); g.emptyBlob == "" {
		return errors.New("git hash-object wrote no object")
	}
	return nil
}
