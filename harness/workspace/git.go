package workspace

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	// timeout bounds each git run (Options.GitTimeout).
	timeout time.Duration
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
// (HermeticEnv), and these settings pin what remains. Attributes naming a
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

// HermeticEnv is the environment git runs in, built from nothing rather
// than from os.Environ: GIT_DIR, GIT_INDEX_FILE, GIT_CONFIG_* and their
// kind in warden's own environment (set, perhaps, because warden was
// started from a git hook) must not redirect or reconfigure the
// snapshots. PATH, HOME and TMPDIR are kept; the locale is C, so that
// git's messages are the same everywhere.
func HermeticEnv() []string {
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
// file ("" for none), from root so that paths are relative to it. Without
// workTree, git is given no work tree and reads none of its files: the
// repository is bare then, and git reads attributes only from the
// private info/attributes, never from a .gitattributes (diff-tree).
func (g *gitRepo) command(ctx context.Context, index string, workTree bool, args ...string) *exec.Cmd {
	full := []string{"--git-dir=" + g.dir}
	if workTree {
		full = append(full, "--work-tree="+g.root)
	}
	full = append(full, hermeticConfig()...)
	cmd := exec.CommandContext(ctx, g.bin, append(full, args...)...)
	cmd.Dir = g.root
	if !workTree {
		cmd.Dir = g.dir
	}
	cmd.Env = g.env[:len(g.env):len(g.env)]
	if index != "" {
		cmd.Env = append(cmd.Env, "GIT_INDEX_FILE="+index)
	}
	// Git starts no program of its own here that could hold its output
	// open once it is killed: Close need not wait long.
	cmd.WaitDelay = time.Second
	return cmd
}

// DefaultGitTimeout bounds each git run by default (Options.GitTimeout).
const DefaultGitTimeout = 60 * time.Second

// bound is ctx for one git run: cancelled as well after g.timeout.
func (g *gitRepo) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cmp.Or(g.timeout, DefaultGitTimeout))
}

// errTimeout is a git run stopped by g.timeout.
type errTimeout struct {
	sub string
	d   time.Duration
}

func (e *errTimeout) Error() string {
	return fmt.Sprintf("git %s did not finish reading the work tree in %s s: is a named pipe or a huge file named .gitignore or .gitattributes in it?",
		e.sub, strconv.FormatFloat(e.d.Seconds(), 'f', -1, 64))
}

// failed is the error of a git run that failed: errTimeout if it was
// stopped by bound (bounded) rather than by its caller (ctx).
func (g *gitRepo) failed(ctx, bounded context.Context, sub, stderr string, err error) error {
	if bounded.Err() != nil && ctx.Err() == nil {
		return &errTimeout{sub: sub, d: cmp.Or(g.timeout, DefaultGitTimeout)}
	}
	return &gitError{sub: sub, stderr: stderr, err: err}
}

// maxStderrBytes bounds the part of git's stderr kept for an error, and
// maxLogBytes the part kept to be read (runLog).
const (
	maxStderrBytes = 4 << 10
	maxLogBytes    = 1 << 20
)

// stderrBuffer keeps the first max bytes written to it.
type stderrBuffer struct {
	b   []byte
	max int
}

func (s *stderrBuffer) Write(p []byte) (int, error) {
	if room := cmp.Or(s.max, maxStderrBytes) - len(s.b); room > 0 {
		s.b = append(s.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (s *stderrBuffer) String() string {
	return strings.TrimSpace(string(s.b[:min(len(s.b), maxStderrBytes)]))
}

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

// run runs git on the work tree with stdin and returns its output.
func (g *gitRepo) run(ctx context.Context, index string, stdin []byte, args ...string) ([]byte, error) {
	out, _, err := g.runLog(ctx, index, stdin, args...)
	return out, err
}

// runLog is run, returning as well the first maxLogBytes of git's
// stderr, where it warns of what it could not read.
func (g *gitRepo) runLog(ctx context.Context, index string, stdin []byte, args ...string) ([]byte, []byte, error) {
	return g.exec(ctx, index, true, stdin, args...)
}

// runBare is run without the work tree (see command).
func (g *gitRepo) runBare(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	out, _, err := g.exec(ctx, "", false, stdin, args...)
	return out, err
}

func (g *gitRepo) exec(ctx context.Context, index string, workTree bool, stdin []byte, args ...string) ([]byte, []byte, error) {
	bounded, cancel := g.bound(ctx)
	defer cancel()
	cmd := g.command(bounded, index, workTree, args...)
	var stdout bytes.Buffer
	stderr := stderrBuffer{max: maxLogBytes}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), stderr.b, g.failed(ctx, bounded, subcommand(args), stderr.String(), err)
	}
	return stdout.Bytes(), stderr.b, nil
}

// stream runs git without the work tree and hands its output to read as
// it comes.
func (g *gitRepo) stream(ctx context.Context, read func(io.Reader) error, args ...string) error {
	bounded, cancel := g.bound(ctx)
	defer cancel() // also stops git if read gives up early
	cmd := g.command(bounded, "", false, args...)
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
	if rerr != nil && bounded.Err() == nil {
		return rerr
	}
	if werr != nil || rerr != nil {
		return g.failed(ctx, bounded, subcommand(args), stderr.String(), cmp.Or(werr, rerr))
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
	bounded, cancel := g.bound(ctx)
	defer cancel()
	cmd := exec.CommandContext(bounded, g.bin, append(hermeticConfig(), "init", "--bare", "--quiet", "--template=", g.dir)...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	cmd.WaitDelay = time.Second
	var stderr stderrBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return g.failed(ctx, bounded, "init", stderr.String(), err)
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
	out, err := g.runBare(ctx, []byte{}, "hash-object", "-w", "--stdin")
	if err != nil {
		return err
	}
	if g.emptyBlob = strings.TrimSpace(string(out)); g.emptyBlob == "" {
		return errors.New("git hash-object wrote no object")
	}
	return nil
}
