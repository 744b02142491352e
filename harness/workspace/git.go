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
// filter or diff driver are then inert: the drivers are defined nowhere.
// The work tree's .gitignore files do apply, which is what we want:
// build output stays out of the snapshots.
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

// init makes the private repository: bare, and without the template
// directory's sample hooks and description.
func (g *gitRepo) init(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, g.bin, append(hermeticConfig(), "init", "--bare", "--quiet", "--template=", g.dir)...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	var stderr stderrBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return &gitError{sub: "init", stderr: stderr.String(), err: err}
	}
	return nil
}

// maxSnapshotFileBytes: a file larger than this is left out of a snapshot
// rather than read and stored. Hashing a file costs a read of it and a
// compressed copy in the private directory, for a diff no one would read
// (a file that size is data, a build artifact or a disk image), and the
// work tree may hold many such files that no .gitignore mentions. Such
// files are still compared, by size, mtime and mode (bigFile), and shown
// without a diff.
const maxSnapshotFileBytes = 50 << 20

// bigFile is what is known of a file left out of a snapshot for its size.
type bigFile struct {
	size  int64
	mtime int64 // UnixNano
	mode  os.FileMode
}

// snapshot records the work tree into index, which is empty or a copy of
// the baseline's, and writes its tree. It returns the tree and the files
// left out for their size (by slash-separated path from root).
//
// The files to hash are found by `git ls-files --others --modified`:
// untracked files (all of them, for an empty index) and tracked ones whose
// stat changed, with the same ignore rules `git add` uses: one walk and a
// stat of each file (and a read of one git finds "racily clean", which is
// rare). Each listed file is stat'ed once more here to find those too big
// to hash, which is cheap next to hashing. The big ones are dropped from
// the index if they were in it and kept out of `git add` by exclude
// pathspecs.
//
// `git add --ignore-errors` adds what it can: a file that vanishes while
// it is read, or a file it may not read, is left out rather than failing
// the snapshot. Nested repositories (listed as "dir/") are left out whole:
// changes inside them do not show.
func (g *gitRepo) snapshot(ctx context.Context, index string) (string, map[string]bigFile, error) {
	listed, err := g.run(ctx, index, nil, "ls-files", "-z", "--others", "--modified", "--exclude-standard")
	if err != nil {
		return "", nil, g.snapshotErr(err)
	}
	big, files, bytes := findBig(g.root, listed)
	if files > g.maxFiles || bytes > g.maxBytes {
		return "", nil, fmt.Errorf("snapshot %s: %d files (%d MB) that no .gitignore leaves out: more than warden copies for /diff (%d files, %d MB); start warden in the project's own directory", g.root, files, bytes>>20, g.maxFiles, g.maxBytes>>20)
	}
	pathspecs := []byte(".\x00")
	// Nested repositories stay out: as gitlinks in the index, every later
	// `git add` would run git inside them, with their own .git/config and
	// its filter drivers, which this process must never do.
	for p := range strings.SplitSeq(string(listed), "\x00") {
		if strings.HasSuffix(p, "/") {
			pathspecs = append(pathspecs, ":(exclude,literal)"+strings.TrimSuffix(p, "/")+"\x00"...)
		}
	}
	if len(big) > 0 {
		var paths []byte
		for p := range big {
			paths = append(paths, p+"\x00"...)
			pathspecs = append(pathspecs, ":(exclude,literal)"+p+"\x00"...)
		}
		if _, err := g.run(ctx, index, paths, "update-index", "-z", "--force-remove", "--stdin"); err != nil {
			return "", nil, g.snapshotErr(err)
		}
	}
	// Files larger than core.bigFileThreshold are streamed into one pack
	// per run rather than written as a loose object each: on a tree of
	// 2,000 small files that is several times faster (one file written
	// instead of 2,000, and as many fewer directory entries). Only `git
	// add` gets the setting, since diff takes files past it for binary.
	_, err = g.run(ctx, index, pathspecs, "-c", "core.bigFileThreshold=1", "add", "--all", "--ignore-errors", "--pathspec-from-file=-", "--pathspec-file-nul")
	var gerr *gitError
	if errors.As(err, &gerr) && gerr.exitCode() == 1 && !strings.Contains(gerr.stderr, "fatal:") {
		err = nil // some files could not be added; see above
	}
	if err != nil {
		return "", nil, g.snapshotErr(err)
	}
	out, err := g.run(ctx, index, nil, "write-tree")
	if err != nil {
		return "", nil, g.snapshotErr(err)
	}
	tree := strings.TrimSpace(string(out))
	if tree == "" {
		return "", nil, fmt.Errorf("snapshot %s: git write-tree wrote no tree", g.root)
	}
	return tree, big, nil
}

func (g *gitRepo) snapshotErr(err error) error {
	return fmt.Errorf("snapshot %s: %w", g.root, err)
}

// findBig returns the regular files among the NUL-separated paths listed
// that are larger than maxSnapshotFileBytes, and how many files of what
// total size are left to hash. A path ending in "/" is a nested
// repository; one that is gone was deleted.
func findBig(root string, listed []byte) (big map[string]bigFile, files int, bytes int64) {
	for p := range strings.SplitSeq(string(listed), "\x00") {
		if p == "" || strings.HasSuffix(p, "/") {
			continue
		}
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			continue
		}
		if !fi.Mode().IsRegular() || fi.Size() <= maxSnapshotFileBytes {
			files++
			if fi.Mode().IsRegular() {
				bytes += fi.Size()
			}
			continue
		}
		if big == nil {
			big = make(map[string]bigFile)
		}
		big[p] = bigFile{size: fi.Size(), mtime: fi.ModTime().UnixNano(), mode: fi.Mode()}
	}
	return big, files, bytes
}
