package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MinLandlockABI is the oldest Landlock the sandbox runs on: ABI 3 (Linux
// 6.2) is the first to restrict every way of changing a file's contents,
// truncate(2) included.
const MinLandlockABI = 3

// Config configures a Runner.
type Config struct {
	Policy Policy
	Env    EnvPolicy
	// Environ is the environment commands start from, before filtering;
	// os.Environ() if nil.
	Environ []string
	// DefaultTimeout applies to commands that set none; 0 means none.
	DefaultTimeout time.Duration
	// MaxTimeout caps what a command may ask for; 0 means no cap.
	MaxTimeout time.Duration
	// OutputLimit bounds the output kept of a command (DefaultOutputLimit
	// if 0).
	OutputLimit int
	// HelperPath is the binary started as the helper: this one by default,
	// which must then call HelperMain when IsHelper (see cmd/warden).
	HelperPath string
	// CacheDir is where build tools write their caches under
	// WorkspaceWrite (GOCACHE, XDG_CACHE_HOME, npm's cache). Default:
	// $XDG_CACHE_HOME/warden/sandbox/NAME-HASH, one per workspace.
	CacheDir string
	// Protect are files and directories warden itself relies on (its
	// config directory, its state, its binary): kept read-only, or kept
	// from appearing, where a writable root holds them.
	Protect []string
}

// Command is one command to run.
type Command struct {
	// Args is the program and its arguments; the program is looked up in
	// the command's PATH.
	Args []string
	// Dir is where it runs: absolute, or relative to the workspace; the
	// workspace if empty.
	Dir   string
	Stdin io.Reader
	// Stdout and Stderr receive the output as it comes, instead of its
	// being captured in Result.Output. Stderr is still captured besides,
	// so that denials can be explained.
	Stdout, Stderr io.Writer
	// Timeout limits how long it may run: 0 takes the runner's default,
	// and more than the runner's MaxTimeout is cut down to it.
	Timeout time.Duration
	// OnOutput receives captured output as it comes, from another
	// goroutine; it must not block for long.
	OnOutput func([]byte)
	// Signals are passed on to the command's process group while it runs.
	Signals <-chan os.Signal
}

// Result is how a command ended. A command that ran and failed is a Result,
// not an error.
type Result struct {
	// ExitCode is the command's exit status; 128+N when signal N killed
	// it, 127 when it was not found and 126 when it could not be executed.
	// -1 when warden killed it (TimedOut, Interrupted).
	ExitCode int
	// Signal names the signal that ended it, if one did.
	Signal      string
	TimedOut    bool
	Interrupted bool
	// NotStarted: the program was not found or could not be executed.
	NotStarted bool
	Duration   time.Duration
	// Timeout is the limit that applied (0: none).
	Timeout time.Duration
	Output  Output
	// Denials are what the sandbox stopped the command from doing, as far
	// as its output tells.
	Denials []Denial

	setup         *setupReport // what a probe run of the helper set up
	hiddenSockets []string     // the Unix sockets the helper hid
}

// SetupError means the sandbox was not set up, so the command did not run.
type SetupError struct {
	Stage string // "probe", "namespaces", "mount", "landlock", …
	Err   error
}

func (e *SetupError) Error() string {
	return fmt.Sprintf("sandbox not set up (%s): %v", e.Stage, e.Err)
}
func (e *SetupError) Unwrap() error { return e.Err }

// Runner runs a session's commands under its policy.
type Runner struct {
	cfg      Config
	pol      resolved
	tmpDir   string // private TMPDIR under WorkspaceWrite
	cacheDir string

	probeOnce sync.Once
	probe     Probe

	// baseEnv is the users' environment as commands may see it, before
	// what each command adds.
	baseEnv []string

	// repos records the .git entries under the roots (repos.go).
	repos repoScan

	mu         sync.Mutex
	ready      *helperProc // started in advance for the next command
	starting   bool        // a prestart is under way
	closed     bool
	noPrestart bool // a one-off runner, such as the probe's
}

// NewRunner checks the policy and prepares the directories it writes to.
// It does not probe the kernel yet: the first command (or Probe) does.
func NewRunner(cfg Config) (*Runner, error) {
	pol, err := resolvePolicy(cfg.Policy)
	if err != nil {
		return nil, err
	}
	if err := CheckEnvPatterns(cfg.Env.Exclude); err != nil {
		return nil, fmt.Errorf("sandbox env exclude: %w", err)
	}
	if err := CheckEnvPatterns(cfg.Env.Include); err != nil {
		return nil, fmt.Errorf("sandbox env include: %w", err)
	}
	if cfg.HelperPath == "" {
		cfg.HelperPath = "/proc/self/exe"
	}
	if cfg.Environ == nil {
		cfg.Environ = os.Environ()
	}
	r := &Runner{cfg: cfg, pol: pol}
	r.baseEnv, _ = cfg.Env.filter(cfg.Environ)
	if pol.Mode == WorkspaceWrite {
		removeStaleTempDirs()
		if r.tmpDir, err = os.MkdirTemp("", fmt.Sprintf("%s%d-", tempPrefix, os.Getpid())); err != nil {
			return nil, fmt.Errorf("sandbox temporary directory: %w", err)
		}
		if r.tmpDir, err = filepath.EvalSymlinks(r.tmpDir); err != nil {
			return nil, fmt.Errorf("sandbox temporary directory: %w", err)
		}
		r.cacheDir = cfg.CacheDir
		if r.cacheDir == "" {
			r.cacheDir = defaultCacheDir(pol.workspace, cfg.Environ, r.tmpDir)
		}
		if err := r.checkOwnDirs(); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// checkOwnDirs makes sure the cache directory is one of the user's own,
// and that neither it nor the temporary directory is reached through a
// link a command could replace: either would make its real place the
// command's choice.
func (r *Runner) checkOwnDirs() error {
	for _, d := range []string{r.cacheDir, r.tmpDir} {
		if link := swappableLink(d, r.pol.roots); link != "" {
			return fmt.Errorf("sandbox directory %s is reached through the symbolic link %s, which commands can replace", d, link)
		}
	}
	if err := r.makeCacheDir(); err != nil {
		return fmt.Errorf("sandbox cache directory: %w", err)
	}
	for _, d := range []*string{&r.cacheDir, &r.tmpDir} {
		real, err := filepath.EvalSymlinks(*d)
		if err != nil {
			return fmt.Errorf("sandbox directory: %w", err)
		}
		*d = real
	}
	if fi, err := os.Lstat(r.cacheDir); err != nil || !fi.IsDir() || !ownedByMe(fi) {
		return fmt.Errorf("sandbox cache directory %s is not a directory of yours", r.cacheDir)
	}
	return nil
}

// gitConfigs are the user's global and the system git config files, whose
// includes and hooks directory git follows in every repository; found as
// git finds them.
func (r *Runner) gitConfigs() []string {
	env := func(name string) string { return lookupEnv(r.cfg.Environ, name) }
	var files []string
	switch sys := env("GIT_CONFIG_SYSTEM"); {
	case env("GIT_CONFIG_NOSYSTEM") != "":
	case sys != "":
		files = append(files, sys)
	default:
		files = append(files, "/etc/gitconfig")
	}
	if global := env("GIT_CONFIG_GLOBAL"); global != "" {
		return append(files, global)
	}
	home, xdg := env("HOME"), env("XDG_CONFIG_HOME")
	if !filepath.IsAbs(xdg) && filepath.IsAbs(home) {
		xdg = filepath.Join(home, ".config")
	}
	if filepath.IsAbs(xdg) {
		files = append(files, filepath.Join(xdg, "git", "config"))
	}
	if filepath.IsAbs(home) {
		files = append(files, filepath.Join(home, ".gitconfig"))
	}
	return files
}

// makeCacheDir creates the cache directory. Below warden's own cache
// directory it follows no link: one there was planted, and would lead the
// cache, and what commands may write, elsewhere.
func (r *Runner) makeCacheDir() error {
	if r.cfg.CacheDir != "" {
		return os.MkdirAll(r.cacheDir, 0o700)
	}
	base := r.cacheDir
	for filepath.Base(base) != "warden" && filepath.Dir(base) != base {
		base = filepath.Dir(base)
	}
	if err := os.MkdirAll(filepath.Dir(base), 0o700); err != nil {
		return err
	}
	rel, _ := filepath.Rel(filepath.Dir(base), r.cacheDir)
	dir := filepath.Dir(base)
	for _, part := range strings.Split(rel, "/") {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		switch {
		case os.IsNotExist(err):
			if err := os.Mkdir(dir, 0o700); err != nil {
				return err
			}
		case err != nil:
			return err
		case !fi.IsDir() || !ownedByMe(fi):
			return fmt.Errorf("%s is not a directory of yours (a link planted there would lead elsewhere)", dir)
		}
	}
	return nil
}

// writable are the directories a command may write: the roots, and the
// temporary and cache directories unless a root holds them already (a
// separate mount inside a root could be redirected by moving its parent).
func (r *Runner) writable() []string {
	w := append([]string(nil), r.pol.roots...)
	for _, d := range []string{r.tmpDir, r.cacheDir} {
		if !withinAny(d, r.pol.roots) {
			w = append(w, d)
		}
	}
	return w
}

// defaultCacheDir is one cache directory per workspace, so that one
// project's commands cannot plant build outputs another project's will use.
// Without a home to keep it in, it lives in the session's private
// temporary directory, and goes with it.
func defaultCacheDir(workspace string, environ []string, tmpDir string) string {
	base := lookupEnv(environ, "XDG_CACHE_HOME")
	if !filepath.IsAbs(base) {
		home := lookupEnv(environ, "HOME")
		if !filepath.IsAbs(home) {
			return filepath.Join(tmpDir, "cache")
		}
		base = filepath.Join(home, ".cache")
	}
	sum := sha256.Sum256([]byte(workspace))
	return filepath.Join(base, "warden", "sandbox", filepath.Base(workspace)+"-"+hex.EncodeToString(sum[:6]))
}

// lookupEnv is name's value in environ (the last one, as getenv gives).
func lookupEnv(environ []string, name string) string {
	v := ""
	for _, kv := range environ {
		if n, val, ok := strings.Cut(kv, "="); ok && n == name {
			v = val
		}
	}
	return v
}

// tempPrefix starts the names of the private temporary directories, which
// carry the runner's process id: a runner killed before Close leaves one
// behind, and the next runner removes it.
const tempPrefix = "warden-tmp-"

func removeStaleTempDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*-*"))
	for _, d := range dirs {
		pidText, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(d), tempPrefix), "-")
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // not ours, or its runner may live
		}
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() && ownedByMe(fi) {
			os.RemoveAll(d)
		}
	}
}

// Policy is the runner's policy, with its paths resolved.
func (r *Runner) Policy() Policy {
	p := r.pol.Policy
	p.Workspace = r.pol.workspace
	p.WritableRoots = nil
	for _, dir := range r.pol.repos {
		if dir != r.pol.workspace {
			p.WritableRoots = append(p.WritableRoots, dir)
		}
	}
	return p
}

// Writable reports whether commands may write at path (absolute, with its
// symbolic links resolved): under WorkspaceWrite, inside a writable root,
// the private temporary directory or the cache directory; never in the
// other modes. Protected paths inside the roots are not told apart: the
// sandbox itself refuses them.
func (r *Runner) Writable(path string) bool {
	return r.pol.Mode == WorkspaceWrite && withinAny(path, r.writable())
}

// Getenv is a variable of the environment commands start from (after the
// filter), "" if they do not get it.
func (r *Runner) Getenv(name string) string { return lookupEnv(r.baseEnv, name) }

// TempDir is the private temporary directory of WorkspaceWrite, "" in other
// modes; CacheDir likewise the build tools' cache directory.
func (r *Runner) TempDir() string  { return r.tmpDir }
func (r *Runner) CacheDir() string { return r.cacheDir }

// Probe reports what the kernel supports, probing it on first use.
func (r *Runner) Probe() Probe {
	r.probeOnce.Do(func() { r.probe = RunProbe(r.cfg.HelperPath) })
	return r.probe
}

// Close ends the helper started in advance and removes the private
// temporary directory.
func (r *Runner) Close() error {
	r.mu.Lock()
	r.closed = true
	h := r.ready
	r.ready = nil
	r.mu.Unlock()
	if h != nil {
		h.kill()
		h.release()
	}
	if r.tmpDir == "" {
		return nil
	}
	err := os.RemoveAll(r.tmpDir)
	r.tmpDir = ""
	return err
}

// Run runs one command and waits for it, its timeout, or ctx. When ctx is
// done or the timeout passes, every process the command started is killed.
func (r *Runner) Run(ctx context.Context, c Command) (Result, error) {
	if len(c.Args) == 0 || c.Args[0] == "" {
		return Result{}, errors.New("sandbox: no command to run")
	}
	dir := c.Dir
	if dir == "" {
		dir = r.pol.workspace
	} else if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.pol.workspace, dir)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return Result{}, fmt.Errorf("sandbox: working directory %s: not a directory", dir)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = r.cfg.DefaultTimeout
	}
	if r.cfg.MaxTimeout > 0 && (timeout <= 0 || timeout > r.cfg.MaxTimeout) {
		timeout = r.cfg.MaxTimeout
	}

	var spec *helperSpec
	var prot protection
	if r.pol.Mode != FullAccess {
		if err := r.Probe().Check(r.pol.Policy); err != nil {
			return Result{}, &SetupError{Stage: "probe", Err: err}
		}
		s := helperSpec{Network: r.pol.Network, Dir: dir, MinLandlockABI: MinLandlockABI}
		if r.pol.Mode == WorkspaceWrite {
			// Found anew each time: a command may have created a
			// repository since the last.
			var err error
			if prot, err = protectedPaths(protectIn{
				roots: r.pol.roots, repos: r.pol.repos,
				gitConfigs: r.gitConfigs(), environ: r.cfg.Environ, home: lookupEnv(r.cfg.Environ, "HOME"),
				own: r.cfg.Protect, nested: r.repos.knownRepos(r.pol.roots),
			}); err != nil {
				return Result{}, &SetupError{Stage: "protect", Err: err}
			}
			s.Writable = r.writable()
			s.Protected = prot.Mounts
			s.WritableShm = true
		}
		spec = &s
	}
	res, err := r.run(ctx, c, dir, timeout, spec)
	if err != nil {
		return res, err
	}
	if spec != nil {
		res.Denials = checkAfter(prot, r.pol.roots)
		if r.pol.Mode == WorkspaceWrite {
			for _, repo := range r.repos.newRepos(r.pol.roots) {
				if harmlessRepo(repo) {
					r.repos.adopt(repo)
					continue
				}
				res.Denials = append(res.Denials, quarantine(repo, r.pol.roots))
			}
		}
		res.Denials = append(res.Denials, findDenials(res.Output.Text(), denialContext{
			dir:         dir,
			mode:        r.pol.Mode,
			network:     r.pol.Network,
			writable:    spec.Writable,
			protected:   spec.Protected,
			hidden:      res.hiddenSockets,
			hostAllows:  hostCanChange,
			hostListens: hostListening,
			hostOwns:    hostOwns,
		})...)
	}
	return res, nil
}

// environ is the environment of a command: the user's, filtered, plus what
// tells scripts about the sandbox and where to write temporary files and
// caches.
func (r *Runner) environ(dir string) []string {
	env := setEnv(append([]string(nil), r.baseEnv...), "WARDEN_SANDBOX", string(r.pol.Mode))
	if !r.pol.NetworkAllowed() {
		env = setEnv(env, "WARDEN_NETWORK_DISABLED", "1")
	}
	env = setEnv(env, "PWD", dir)
	if r.pol.Mode == WorkspaceWrite {
		env = setEnv(env, "TMPDIR", r.tmpDir)
		env = setEnv(env, "XDG_CACHE_HOME", r.cacheDir)
		env = setEnv(env, "GOCACHE", filepath.Join(r.cacheDir, "go-build"))
		env = setEnv(env, "npm_config_cache", filepath.Join(r.cacheDir, "npm"))
	}
	return env
}
