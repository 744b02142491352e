package applypatch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

// Options says where and how a patch is applied.
type Options struct {
	// Dir is the absolute directory relative paths resolve against.
	Dir string
	// Confine: every path must resolve inside Dir; all file access goes
	// through an os.Root opened on Dir, so no "..", absolute path or symlink
	// can lead outside. Without Confine, absolute paths are used as given
	// (the caller confines, e.g. with a kernel sandbox).
	Confine bool
}

// newFileMode is the mode of files the patch creates.
const newFileMode fs.FileMode = 0o644

// maxFileSize bounds the files a patch reads: source files are far
// smaller, and reading a multi-gigabyte file (or a link to one) whole
// would only exhaust memory.
const maxFileSize = 64 << 20

// maxPatchRead bounds the bytes of all the files one patch reads.
const maxPatchRead = 128 << 20

// maxLinkHops bounds symlink chains, as the kernel does (ELOOP).
const maxLinkHops = 40

// fileState is what is (or, during planning, will be) at a name.
type fileState struct {
	exists bool
	dir    bool
	isLink bool
	link   string // symlink target, when isLink
	data   []byte
	mode   fs.FileMode // permission bits
}

func (s *fileState) same(o *fileState) bool {
	return s.exists == o.exists && s.dir == o.dir && s.isLink == o.isLink &&
		s.link == o.link && s.mode == o.mode && bytes.Equal(s.data, o.data)
}

// step is one change Commit makes, in patch order.
type step struct {
	name   string
	path   string // as written, for messages
	op     OpKind
	line   int
	remove bool
	data   []byte
	mode   fs.FileMode
}

// original is a name's state on disk when planned: what Commit checks is
// still there and what it restores on failure.
type original struct {
	name  string
	path  string
	op    OpKind
	line  int
	state fileState
}

// Planned is a patch checked against the files, ready to Commit.
type Planned struct {
	opts    Options
	changes []FileChange
	steps   []step
	origs   []original
	done    bool
	// beforeStep lets tests make a commit step fail part-way through, which
	// no file system trick reliably does when tests run as root.
	beforeStep func(i int) error
}

// Targets are the absolute paths Commit writes or removes: the patch's
// paths with a symbolic link at the end followed to what it names, as
// written. Checks of where a patch lands must look at these.
func (pl *Planned) Targets() []string {
	n := newNames(pl.opts.Dir, pl.opts.Confine)
	var out []string
	seen := map[string]bool{}
	for _, st := range pl.steps {
		if abs := n.abs(st.name); !seen[abs] {
			seen[abs] = true
			out = append(out, abs)
		}
	}
	return out
}

// Changes are the per-file changes the plan would make, in patch order.
func (pl *Planned) Changes() []FileChange {
	return append([]FileChange(nil), pl.changes...)
}

// Apply checks and writes a patch: Plan followed by Commit.
func Apply(p *Patch, opts Options) (*Result, error) {
	pl, err := Plan(p, opts)
	if err != nil {
		return nil, err
	}
	return pl.Commit()
}

// Plan checks every operation against the files as they are now and
// computes the new contents and diffs, writing nothing. Operations see the
// effect of the ones before them, so a file may be touched twice.
func Plan(p *Patch, opts Options) (*Planned, error) {
	f, err := openFS(opts)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pp := &planner{
		fs:     f,
		n:      newNames(opts.Dir, opts.Confine),
		cur:    map[string]*fileState{},
		disk:   map[string]*fileState{},
		origOf: map[string]bool{},
		pl:     &Planned{opts: opts},
	}
	var first *Failure
	failed, skipped := map[string]bool{}, map[int]bool{}
	for i := range p.Ops {
		op := &p.Ops[i]
		if skipped[i] {
			continue
		}
		var err error
		switch op.Kind {
		case OpAdd:
			err = pp.add(op)
		case OpDelete:
			err = pp.delete(op)
		case OpUpdate:
			err = pp.update(op)
		default:
			err = failure(op, op.Path, fmt.Sprintf("unknown operation %q", op.Kind), nil)
		}
		if err == nil {
			continue
		}
		// The rest is still checked, so that one answer names every
		// problem; operations on a path that failed are skipped, since
		// they would be checked against a state that never came to be.
		var f *Failure
		if !errors.As(err, &f) {
			return nil, err
		}
		if first == nil {
			first = f
		} else {
			first.Others = append(first.Others, f)
			first.Others = append(first.Others, f.Others...)
			f.Others = nil
		}
		if pp.overBudget {
			break
		}
		failed[op.Path] = true
		for j := i + 1; j < len(p.Ops); j++ {
			if next := &p.Ops[j]; failed[next.Path] || (next.MoveTo != "" && failed[next.MoveTo]) {
				skipped[j] = true
			}
		}
	}
	if first != nil {
		return nil, first
	}
	return pp.pl, nil
}

type planner struct {
	fs     fsys
	n      names
	cur    map[string]*fileState // state after the operations planned so far
	disk   map[string]*fileState // state on disk when first looked at
	origOf map[string]bool       // names already in pl.origs
	pl     *Planned
	read   int64 // bytes of files read so far
	// overBudget: the patch reads too much; nothing more is checked.
	overBudget bool
}

// resolve maps a path to its name, following a symlink at the final
// component when follow is set so the link's target is what gets edited,
// not the link replaced by a regular file.
func (pp *planner) resolve(op *Op, path string, follow bool) (name, abs string, err error) {
	name, abs, err = pp.n.name(path)
	if err != nil {
		return "", "", pp.pathFailure(op, path, err)
	}
	for hops := 0; follow; hops++ {
		if _, planned := pp.cur[name]; planned {
			break
		}
		fi, err := pp.fs.Lstat(name)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			break // readState reports any error
		}
		if hops == maxLinkHops {
			return "", "", failure(op, path, "too many levels of symbolic links", nil)
		}
		target, err := pp.fs.Readlink(name)
		if err != nil {
			return "", "", pp.pathFailure(op, path, err)
		}
		if name, err = pp.n.link(name, target); err != nil {
			return "", "", pp.pathFailure(op, path, fmt.Errorf("symlink to %s: %w", target, err))
		}
	}
	return name, abs, nil
}

func (pp *planner) pathFailure(op *Op, path string, err error) *Failure {
	if errors.Is(err, errOutside) || isEscape(err) {
		f := failure(op, path, "the path is outside the workspace ("+pp.n.dir+")", err)
		if err != errOutside {
			f.Reason += ": " + err.Error()
		}
		f.hint = "Only files inside the workspace can be changed; use a path relative to it."
		return f
	}
	return failure(op, path, err.Error(), err)
}

// state returns the planned state at name, reading the disk the first time.
func (pp *planner) state(op *Op, path, name string) (*fileState, error) {
	if s, ok := pp.cur[name]; ok {
		return s, nil
	}
	// The files of one patch share a budget too: many names (hard links,
	// say) for one large file would otherwise each be read whole.
	s, err := readState(pp.fs, name, maxPatchRead-pp.read)
	if errors.Is(err, errBudget) {
		pp.overBudget = true
		return nil, failure(op, path, fmt.Sprintf("the patch touches more than %d MiB of files; split it into smaller patches", maxPatchRead>>20), nil)
	}
	if err != nil {
		return nil, pp.pathFailure(op, path, err)
	}
	pp.read += int64(len(s.data))
	disk := *s
	pp.disk[name] = &disk
	pp.cur[name] = s
	return s, nil
}

// errBudget: reading the file would take the patch past its budget.
var errBudget = errors.New("over the patch's budget")

// readState reads what is at name; a regular file only if it holds at most
// budget bytes.
func readState(f fsys, name string, budget int64) (*fileState, error) {
	fi, err := f.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return &fileState{}, nil
	}
	if err != nil {
		return nil, err
	}
	s := &fileState{exists: true, mode: fi.Mode().Perm()}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		s.isLink = true
		s.link, err = f.Readlink(name)
		return s, err
	case fi.IsDir():
		s.dir = true
		return s, nil
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	case fi.Size() > maxFileSize:
		return nil, fmt.Errorf("the file is too large to patch (%d MiB; the limit is %d MiB)", fi.Size()>>20, maxFileSize>>20)
	}
	if fi.Size() > budget {
		return nil, errBudget
	}
	s.data, err = readRegular(f, name, min(budget, maxFileSize))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// readRegular reads a regular file through a descriptor that is checked
// first: a kernel file system's files (/proc, /sys) call themselves regular
// but may block, never end, or hold what only warden's own process should
// see (its environment, its memory), so they are refused; the rest is read
// to at most maxFileSize, whatever the file grows to meanwhile.
func readRegular(f fsys, name string, limit int64) ([]byte, error) {
	file, err := f.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var st unix.Statfs_t
	if err := unix.Fstatfs(int(file.Fd()), &st); err != nil {
		return nil, &fs.PathError{Op: "statfs", Path: name, Err: err}
	}
	if isKernelFS(int64(st.Type)) {
		return nil, errors.New("it is in a kernel file system (/proc, /sys and the like), which no patch may read or change")
	}
	fi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	// Read into a buffer of the size stat gave (and a byte to spare, to
	// see growth), not one that doubles as it goes.
	data := make([]byte, min(fi.Size(), limit)+1)
	n, err := io.ReadFull(file, data)
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return data[:n], nil // it shrank, or was exactly its size
	case err != nil:
		return nil, err
	}
	if int64(n) > limit {
		if limit < maxFileSize {
			return nil, errBudget
		}
		return nil, fmt.Errorf("the file is too large to patch (over %d MiB)", maxFileSize>>20)
	}
	// It grew by more than a byte: read what there is up to the limit.
	rest, err := io.ReadAll(io.LimitReader(file, limit+1-int64(n)))
	if err != nil {
		return nil, err
	}
	data = append(data[:n], rest...)
	if int64(len(data)) > limit {
		if limit < maxFileSize {
			return nil, errBudget
		}
		return nil, fmt.Errorf("the file is too large to patch (over %d MiB)", maxFileSize>>20)
	}
	return data, nil
}

// File system magics x/sys/unix does not name (linux/magic.h).
const (
	configfsMagic = 0x62656570
	fusectlMagic  = 0x65735543
	mqueueMagic   = 0x19800202
)

// isKernelFS reports whether a file system (its statfs magic) holds the
// kernel's views rather than data.
func isKernelFS(magic int64) bool {
	switch magic {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC,
		unix.SECURITYFS_MAGIC, unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC,
		unix.BPF_FS_MAGIC, unix.EFIVARFS_MAGIC, unix.PSTOREFS_MAGIC, unix.BINFMTFS_MAGIC,
		unix.NSFS_MAGIC, unix.HUGETLBFS_MAGIC, unix.DEVPTS_SUPER_MAGIC,
		configfsMagic, fusectlMagic, mqueueMagic:
		return true
	}
	return false
}

// checkParents makes sure name's directory exists or can be created, taking
// earlier operations into account.
func (pp *planner) checkParents(op *Op, path, name string) error {
	for d := pp.n.parent(name); d != ""; d = pp.n.parent(d) {
		if s, ok := pp.cur[d]; ok && (!s.exists || !s.dir) {
			if s.exists {
				return failure(op, path, fmt.Sprintf("its parent %s is a file, not a directory", d), nil)
			}
			continue // deleted earlier in the patch; Commit recreates it
		}
		fi, err := pp.fs.Stat(d)
		switch {
		case err == nil && fi.IsDir():
			return nil
		case err == nil:
			return failure(op, path, fmt.Sprintf("its parent %s is a file, not a directory", d), nil)
		case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
			continue
		default:
			return pp.pathFailure(op, path, err)
		}
	}
	return nil
}

// record queues a step, remembering the name's original state the first
// time it is changed.
func (pp *planner) record(op *Op, path, name string, next fileState) {
	if !pp.origOf[name] {
		pp.origOf[name] = true
		pp.pl.origs = append(pp.pl.origs, original{name: name, path: path, op: op.Kind, line: op.Line, state: *pp.disk[name]})
	}
	*pp.cur[name] = next
	st := step{name: name, path: path, op: op.Kind, line: op.Line, remove: !next.exists, data: next.data, mode: next.mode}
	pp.pl.steps = append(pp.pl.steps, st)
}

func (pp *planner) add(op *Op) error {
	name, abs, err := pp.resolve(op, op.Path, true)
	if err != nil {
		return err
	}
	if err := pp.checkParents(op, op.Path, name); err != nil {
		return err
	}
	s, err := pp.state(op, op.Path, name)
	if err != nil {
		return err
	}
	if s.dir {
		return failure(op, op.Path, "a directory exists at this path", nil)
	}
	old, mode := *s, newFileMode
	if s.exists && !s.isLink {
		mode = s.mode
	}
	pp.record(op, op.Path, name, fileState{exists: true, data: []byte(op.Contents), mode: mode})
	pp.pl.changes = append(pp.pl.changes, change(op, abs, &old, pp.cur[name], nil))
	return nil
}

func (pp *planner) delete(op *Op) error {
	// A symlink is deleted itself, never its target, like rm.
	name, abs, err := pp.resolve(op, op.Path, false)
	if err != nil {
		return err
	}
	s, err := pp.state(op, op.Path, name)
	if err != nil {
		return err
	}
	switch {
	case !s.exists:
		f := failure(op, op.Path, "the file does not exist", nil)
		f.hint = "Check the path (list the directory); a file that is already gone needs no Delete."
		return f
	case s.dir:
		f := failure(op, op.Path, "it is a directory; Delete File only deletes files", nil)
		f.hint = "Delete the files inside it one by one, or use a shell command to remove the directory."
		return f
	}
	old := *s
	pp.record(op, op.Path, name, fileState{})
	pp.pl.changes = append(pp.pl.changes, change(op, abs, &old, pp.cur[name], nil))
	return nil
}

func (pp *planner) update(op *Op) error {
	name, abs, err := pp.resolve(op, op.Path, true)
	if err != nil {
		return err
	}
	s, err := pp.state(op, op.Path, name)
	if err != nil {
		return err
	}
	switch {
	case !s.exists:
		f := failure(op, op.Path, "the file does not exist", nil)
		f.hint = "Check the path; to create a new file use '*** Add File: " + op.Path + "' with every line prefixed by '+'."
		return f
	case s.dir:
		return failure(op, op.Path, "it is a directory, not a file", nil)
	case s.isLink:
		return failure(op, op.Path, "it is a symbolic link that could not be followed", nil)
	case bytes.IndexByte(s.data, 0) >= 0 || !utf8.Valid(s.data):
		f := failure(op, op.Path, "it is a binary file (it contains NUL bytes or invalid UTF-8); patches can only change text files", nil)
		f.hint = "Binary files cannot be patched; use Delete File and Add File, or a shell command, if it must change."
		return f
	}
	content, edits, herrs := applyChunks(string(s.data), op.Chunks)
	if len(herrs) > 0 {
		var first *Failure
		for _, herr := range herrs {
			c := op.Chunks[herr.hunk-1]
			f := &Failure{
				Path: op.Path, Op: op.Kind, Hunk: herr.hunk, PatchLine: c.Line, Reason: herr.reason,
				Missing: herr.missing, Closest: herr.closest, ClosestLine: herr.closestLine,
				hint: fmt.Sprintf(rereadHint, op.Path),
			}
			if first == nil {
				first = f
			} else {
				first.Others = append(first.Others, f)
			}
		}
		return first
	}
	old := *s
	next := fileState{exists: true, data: []byte(content), mode: s.mode}
	if op.MoveTo == "" {
		pp.record(op, op.Path, name, next)
		pp.pl.changes = append(pp.pl.changes, change(op, abs, &old, pp.cur[name], edits))
		return nil
	}
	dest, _, err := pp.resolve(op, op.MoveTo, true)
	if err != nil {
		return err
	}
	if err := pp.checkParents(op, op.MoveTo, dest); err != nil {
		return err
	}
	ds, err := pp.state(op, op.MoveTo, dest)
	if err != nil {
		return err
	}
	if ds.dir {
		return failure(op, op.Path, "the Move to destination "+op.MoveTo+" is a directory", nil)
	}
	pp.record(op, op.MoveTo, dest, next)
	if dest != name {
		pp.record(op, op.Path, name, fileState{})
	}
	pp.pl.changes = append(pp.pl.changes, change(op, abs, &old, &next, edits))
	return nil
}
