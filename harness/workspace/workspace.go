// Package workspace records what the working directory looked like when a
// session started, so that the TUI's /diff can show everything that has
// changed since, file by file, whoever changed it: the patch tool, a
// shell command the model ran, or the user in another terminal.
//
// A snapshot is a git tree, written into a private git directory made in
// a temporary directory, never into the user's repository. The work tree
// need not be a repository at all, and when it is, warden must leave it
// as it found it: no objects, no refs, no change to what the user staged,
// and none of its configuration read (see hermeticConfig for why). Git is
// used because it already does what a snapshot needs, quickly: it honours
// .gitignore, skips .git, hashes only files whose stat changed since the
// baseline's index (each Diff starts from a copy of it), and writes
// unified diffs with rename detection.
//
// The changes /diff shows may be a prompt-injected model's, so nothing in
// the work tree may decide what it hides, nor stop it:
//
//   - ignore rules written after the baseline (a .gitignore, the global
//     ignore file, .git/info/exclude) hide nothing: a Diff lists the work
//     tree with the baseline's rules (ignore.go);
//   - .gitattributes can neither change the bytes a snapshot records nor
//     make a text file's diff "Binary files differ" (privateAttributes);
//   - the files of nested repositories are compared like any others,
//     without git ever running inside one (nested.go);
//   - a named pipe or a huge file named .gitignore or .gitattributes
//     cannot make git hang or fill memory: git is kept out of its
//     directory, which is reported, and every git run is bounded in time
//     (guard.go);
//   - a file warden may not read is reported as such, not left out
//     (readable.go);
//   - past the bounds on what a snapshot copies, a Diff still compares
//     every file the baseline holds, and reports the new files it does
//     not copy (budget.go).
//
// Files the repository tracks are compared whatever its ignore rules say,
// as git compares them (tracked.go). What the baseline's rules ignore
// (and the repository does not track) stays out of /diff; files a
// snapshot leaves out for their size are compared by size and mtime
// only, and nested repositories past maxNestedRepos are reported, not
// compared.
package workspace

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"warden/harness/event"
)

// ErrNoGit is what Diff returns, wrapped, when there is no git to run.
var ErrNoGit = errors.New("/diff needs git, which is not installed")

// errClosed: Diff after (or during) Close.
var errClosed = errors.New("workspace baseline: closed")

// Options configure Start.
type Options struct {
	// Git is the git binary: a path, or a name looked up in PATH. ""
	// looks up "git".
	Git string
	// Dir is where the private git directory is made; "" is the
	// system's temporary directory.
	Dir string
	// MaxFiles and MaxBytes bound what a snapshot copies (files not
	// ignored, and their total size): DefaultMaxFiles and DefaultMaxBytes
	// when 0. Past them the baseline is refused rather than copying, say,
	// a whole home directory in which warden was started; a Diff copies
	// the new files that fit, and reports the others (budget.go).
	MaxFiles int
	MaxBytes int64
	// GitTimeout bounds each git run: DefaultGitTimeout when 0. Past it
	// git is stopped, and the snapshot fails saying so.
	GitTimeout time.Duration
}

// Bounds of a snapshot by default: far above any source tree, far below
// a home directory.
const (
	DefaultMaxFiles = 100_000
	DefaultMaxBytes = 2 << 30
)

// Baseline is the work tree as it was when Start was called, and the
// means to compare the work tree with it. It is safe for concurrent use.
type Baseline struct {
	root string
	git  *gitRepo // nil when git could not be found or the directory made

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	ready  chan struct{}

	// Written by the baseline snapshot before ready is closed, read-only
	// after.
	base    *snapshot
	index   string // the baseline's index file
	rules   string // the baseline's ignore rules (ignore.go)
	baseErr error

	mu     sync.Mutex
	closed bool
	users  sync.WaitGroup // Diffs in progress

	closeOnce sync.Once
	closeErr  error
}

// Start begins recording root as it is now. The snapshot runs in the
// background (Ready says when it is done); Start itself only looks up git
// and makes the private directory. A failure is not returned here but by
// Diff, so that a session starts whether or not /diff will work. The
// caller must Close the Baseline to remove the private directory.
func Start(root string, o Options) *Baseline {
	b := &Baseline{root: root, ready: make(chan struct{})}
	if abs, err := filepath.Abs(root); err == nil {
		b.root = abs
	}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	bin, err := findGit(o.Git)
	if err != nil {
		b.baseErr = err
		close(b.ready)
		return b
	}
	parent := cmp.Or(o.Dir, os.TempDir())
	dir, err := os.MkdirTemp(parent, fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		b.baseErr = fmt.Errorf("workspace baseline of %s: %w", b.root, err)
		close(b.ready)
		return b
	}
	b.git = &gitRepo{bin: bin, dir: dir, root: b.root, env: HermeticEnv(), timeout: o.GitTimeout,
		maxFiles: cmp.Or(o.MaxFiles, DefaultMaxFiles), maxBytes: cmp.Or(o.MaxBytes, DefaultMaxBytes)}
	b.index = filepath.Join(dir, "baseline.index")
	go func() {
		defer close(b.ready)
		// Off the caller's path: a left-over baseline can hold a copy of a
		// whole work tree.
		removeStale(parent)
		b.base, b.rules, b.baseErr = b.snapshotBaseline()
	}()
	return b
}

// findGit resolves the git binary. exec.LookPath refuses a git found
// through a relative PATH entry (exec.ErrDot), which is what we want: a
// repository must not be able to supply its own "git".
func findGit(name string) (string, error) {
	if name == "" {
		name = "git"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%w (looked for %q)", ErrNoGit, name)
	}
	return path, nil
}

// snapshotBaseline makes the private repository, records the work tree
// into the baseline index, and writes down the ignore rules it was
// recorded with.
func (b *Baseline) snapshotBaseline() (*snapshot, string, error) {
	if err := b.git.init(b.ctx); err != nil {
		return nil, "", fmt.Errorf("workspace baseline of %s: %w", b.root, err)
	}
	base, err := b.git.snapshot(b.ctx, b.index, nil, "", b.git.readTracked(b.ctx))
	if err != nil {
		return nil, "", fmt.Errorf("workspace baseline: %w", err)
	}
	rules, err := b.git.writeBaselineRules(b.ctx, b.index, base.excluded)
	if err != nil {
		return nil, "", fmt.Errorf("workspace baseline of %s: %w", b.root, err)
	}
	return base, rules, nil
}

// Root is the directory the Baseline records, made absolute.
func (b *Baseline) Root() string { return b.root }

// Ready is closed when the baseline snapshot has finished, whether or not
// it succeeded.
func (b *Baseline) Ready() <-chan struct{} { return b.ready }

// Diff compares the work tree as it is now with the baseline: one
// FileChange per changed file, sorted by path, nil when nothing changed.
// It waits for the baseline snapshot first (or for ctx).
//
// Kind is "add", "delete" or "update"; a file renamed is an "update" from
// Path with MoveTo set. Diff is git's unified diff for the file, with its
// extended headers: a file whose mode alone changed has only the "old
// mode"/"new mode" lines, a binary file git's "Binary files … differ"
// line (and no counts). Diff is "" for a file whose diff is too large to
// show (Added and Removed still count its lines) and for a file too large
// to snapshot (see maxSnapshotFileBytes).
func (b *Baseline) Diff(ctx context.Context) ([]event.FileChange, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errClosed
	}
	b.users.Add(1)
	b.mu.Unlock()
	defer b.users.Done()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(b.ctx, cancel)()
	select {
	case <-b.ready:
	case <-ctx.Done():
		return nil, b.ctxErr(ctx)
	}
	if b.baseErr != nil {
		return nil, b.baseErr
	}
	changes, err := b.diff(ctx)
	if err != nil && ctx.Err() != nil {
		return nil, b.ctxErr(ctx)
	}
	return changes, err
}

// ctxErr says why ctx ended: Close, or the caller.
func (b *Baseline) ctxErr(ctx context.Context) error {
	if b.ctx.Err() != nil {
		return errClosed
	}
	return ctx.Err()
}

func (b *Baseline) diff(ctx context.Context) ([]event.FileChange, error) {
	index, err := b.copyIndex()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", b.root, err)
	}
	defer os.Remove(index)
	defer os.Remove(index + ".lock") // left behind if git was killed
	now, err := b.git.snapshot(ctx, index, b.base, b.rules, nil)
	if err != nil {
		return nil, err
	}
	var changes []event.FileChange
	if now.tree != b.base.tree {
		if changes, err = b.git.diffTrees(ctx, b.base.tree, now.tree); err != nil {
			return nil, fmt.Errorf("diff %s: %w", b.root, err)
		}
	}
	changes = mergeOutside(changes, b.base.outside, now.outside)
	changes = append(changes, leftOutChanges(b.base.leftOut, now.leftOut)...)
	changes = append(changes, now.notes...)
	if len(changes) == 0 {
		return nil, nil
	}
	slices.SortFunc(changes, func(x, y event.FileChange) int {
		if c := strings.Compare(x.Path, y.Path); c != 0 {
			return c
		}
		return strings.Compare(x.MoveTo, y.MoveTo)
	})
	return changes, nil
}

// copyIndex copies the baseline's index to a new file for one Diff, so
// that git rehashes only the files whose stat changed since the baseline.
// The copy keeps the original's mtime: git trusts an entry's stat data
// only when the file's mtime is older than the index's (a file changed
// in the same instant the index was written is "racily clean" and
// compared by content), so a fresh mtime would hide such a change.
func (b *Baseline) copyIndex() (string, error) {
	f, err := os.CreateTemp(b.git.dir, "diff-*.index")
	if err != nil {
		return "", err
	}
	name := f.Name()
	data, err := os.ReadFile(b.index)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// An empty work tree leaves no index; neither must the copy,
		// since git refuses an empty file as an index.
		f.Close()
		os.Remove(name)
		return name, nil
	case err != nil:
		f.Close()
		os.Remove(name)
		return "", err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		var fi os.FileInfo
		if fi, err = os.Stat(b.index); err == nil {
			err = os.Chtimes(name, fi.ModTime(), fi.ModTime())
		}
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// Close stops the baseline snapshot if it still runs, waits for it and
// for Diffs in progress (which it interrupts), and removes the private
// directory. Calling it again returns the first call's result.
func (b *Baseline) Close() error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		b.mu.Unlock()
		b.cancel()
		<-b.ready
		b.users.Wait()
		if b.git != nil {
			b.closeErr = os.RemoveAll(b.git.dir)
		}
	})
	return b.closeErr
}

// dirPrefix names the private directories, followed by the pid of the
// warden that made them, so one left by a warden that was killed can be
// told apart from one in use and removed.
const dirPrefix = "warden-baseline-"

// removeStale removes the private directories under parent whose warden is
// gone: they hold a copy of a work tree nobody will read again.
func removeStale(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, dirPrefix+"*-*"))
	for _, d := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), dirPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // not ours, or its warden may live
		}
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() && ownedByMe(fi) {
			os.RemoveAll(d)
		}
	}
}

// ownedByMe: the file belongs to this process's user, so removing it
// cannot be a way to delete someone else's files.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
