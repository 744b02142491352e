package workspace

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"warden/harness/event"
)

// Git opens every .gitignore in the directories it walks, and every
// .gitattributes above the files it hashes, and reads them whole: a named
// pipe of that name makes it wait forever for a writer, and a 1 GB
// (sparse) file costs it 1 GB of memory. The model can make either, and
// would so stop /diff. Every git run is bounded in time (Options.
// GitTimeout), but a /diff that fails after a minute is little better;
// so such a file is looked for first, and its directory left out of the
// snapshot and reported, rather than git run into it.
//
// Where git reads them:
//
//   - .gitignore files only when the baseline is taken: a Diff lists the
//     work tree with the baseline's rules, from the private directory
//     (ignore.go). So the baseline walks the directories git will walk
//     first (scanRuleFiles): those the ignore rules do not ignore, which
//     `git check-ignore` decides level by level, once the rule files it
//     will read for them have been looked at. A walk costs a readdir per
//     directory (git's own listing reads every file's stat, and the
//     baseline hashes every file) and one more git run: 4 ms of the 160
//     the baseline snapshot takes on a tree of 2,000 files in 40
//     directories, 4 ms too with an ignored node_modules of 50,000 files
//     beside them, which neither git nor the walk goes into.
//   - .gitattributes files whenever git hashes a file, or compares one
//     "racily clean" with the index (at any index write): so in every
//     directory the baseline holds files in, and in those of the new
//     files a Diff lists. A Diff looks at each (badAttributes, a stat
//     per directory), before git does. diff-tree runs without the work
//     tree, and reads none.
//
// A directory so left out is reported as one FileChange for the rule
// file, whose Diff says why (ruleNotes). One found when the session
// started stays out for the whole session, since the baseline could not
// record it. A rule file replaced in the instant between the look and
// git's read can still stop git; the bound on git's time is for that.

// maxRuleFileBytes: a rule file larger than this is not let to git. A real
// one is a few lines.
const maxRuleFileBytes = 1 << 20

// badRuleFile says why git must not read the rule file at full, "" when
// it may (or when there is none). Git 2.32 and later do not follow a
// symbolic link there, but earlier ones do, so its target counts.
func badRuleFile(full string) string {
	fi, err := os.Lstat(full)
	if err == nil && fi.Mode()&os.ModeSymlink != 0 {
		fi, err = os.Stat(full)
	}
	switch {
	case err != nil, fi.IsDir(): // reading a directory fails at once
		return ""
	case fi.Mode()&os.ModeNamedPipe != 0:
		return "is a named pipe, which git would wait on forever"
	case !fi.Mode().IsRegular():
		return "is not a regular file"
	case fi.Size() > maxRuleFileBytes:
		return fmt.Sprintf("is %s, more than the 1 MiB warden lets git read", sizeText(fi.Size()))
	}
	return ""
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// scanRuleFiles walks the directories the baseline's listing will walk,
// and returns the rule files in them that git must not read (path → why).
// Their directories are not gone into.
func (g *gitRepo) scanRuleFiles(ctx context.Context) (map[string]string, error) {
	bad := make(map[string]string)
	var q *ignoreQuery
	defer func() {
		if q != nil {
			q.close()
		}
	}()
	for level := []string{""}; len(level) > 0; {
		var next []string
		for _, d := range level {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			subs, ok := g.scanDir(d, bad)
			if ok {
				next = append(next, subs...)
			}
		}
		if len(next) == 0 {
			break
		}
		if q == nil {
			var err error
			if q, err = g.checkIgnore(ctx); err != nil {
				return nil, err
			}
		}
		ignored, err := q.ignored(next)
		if err != nil {
			return nil, err
		}
		level = level[:0]
		for i, d := range next {
			if !ignored[i] {
				level = append(level, d)
			}
		}
	}
	return bad, nil
}

// scanDir looks at the rule files of the directory d and returns its
// subdirectories, and whether git may go into d.
func (g *gitRepo) scanDir(d string, bad map[string]string) ([]string, bool) {
	f, err := os.Open(filepath.Join(g.root, filepath.FromSlash(d)))
	if err != nil {
		return nil, false // nor can git (readable.go)
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return nil, false
	}
	ok := true
	var subs []string
	for _, e := range ents {
		p := path.Join(d, e.Name())
		switch e.Name() {
		case ".git":
		case ".gitignore", ".gitattributes":
			if why := badRuleFile(filepath.Join(g.root, filepath.FromSlash(p))); why != "" {
				bad[p] = why
				ok = false
			}
		default:
			if e.IsDir() {
				subs = append(subs, p)
			}
		}
	}
	return subs, ok
}

// ignoreQuery is a `git check-ignore --stdin` asked about directories as
// the walk finds them.
type ignoreQuery struct {
	g       *gitRepo
	ctx     context.Context
	bounded context.Context
	cancel  context.CancelFunc
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	stderr  *stderrBuffer
}

func (g *gitRepo) checkIgnore(ctx context.Context) (*ignoreQuery, error) {
	q := &ignoreQuery{g: g, ctx: ctx, stderr: &stderrBuffer{}}
	q.bounded, q.cancel = g.bound(ctx)
	q.cmd = g.command(q.bounded, "", true, "check-ignore", "--stdin", "-z", "--verbose", "--non-matching", "--no-index")
	q.cmd.Stderr = q.stderr
	q.cmd.Env = append(q.cmd.Env, "GIT_FLUSH=1") // an answer per path, as it comes
	in, err := q.cmd.StdinPipe()
	if err == nil {
		var out io.ReadCloser
		if out, err = q.cmd.StdoutPipe(); err == nil {
			q.in, q.out = in, bufio.NewReader(out)
			err = q.cmd.Start()
		}
	}
	if err != nil {
		q.cancel()
		return nil, &gitError{sub: "check-ignore", err: err}
	}
	return q, nil
}

// ignored says of each path whether the ignore rules ignore it. For each,
// git writes source, line number, pattern and path, the first three
// empty when no pattern matches; a matching pattern that starts with "!"
// is a negation, and the path is not ignored.
func (q *ignoreQuery) ignored(paths []string) ([]bool, error) {
	werr := make(chan error, 1)
	go func() {
		_, err := q.in.Write(nulJoin(paths))
		werr <- err
	}()
	res := make([]bool, len(paths))
	var err error
	for i := 0; i < len(paths) && err == nil; i++ {
		var f [4]string
		for j := range f {
			if f[j], err = q.out.ReadString(0); err != nil {
				break
			}
		}
		switch {
		case err != nil:
		case strings.TrimSuffix(f[3], "\x00") != paths[i]:
			err = fmt.Errorf("unexpected output for %q", paths[i])
		default:
			pattern := strings.TrimSuffix(f[2], "\x00")
			res[i] = pattern != "" && !strings.HasPrefix(pattern, "!")
		}
	}
	if err != nil {
		q.cancel()
		<-werr
		q.cmd.Wait()
		return nil, q.g.failed(q.ctx, q.bounded, "check-ignore", q.stderr.String(), err)
	}
	return res, <-werr
}

func (q *ignoreQuery) close() {
	q.in.Close()
	q.cmd.Wait()
	q.cancel()
}

// badAttributes looks at the .gitattributes of each of dirs ("" the
// root) and returns those git must not read (path → why).
func badAttributes(root string, dirs []string) map[string]string {
	bad := make(map[string]string)
	for _, d := range dirs {
		p := path.Join(d, ".gitattributes")
		if why := badRuleFile(filepath.Join(root, filepath.FromSlash(p))); why != "" {
			bad[p] = why
		}
	}
	return bad
}

// guardNewDirs looks at the .gitattributes of the directories of the new
// files listed that the baseline holds no file in, before git hashes
// them, and drops the new files under those it must not read.
func (r *snapshotRun) guardNewDirs(entries []entry) []entry {
	seen := make(map[string]bool)
	var dirs []string
	for _, e := range entries {
		if e.tracked {
			continue
		}
		for d := path.Dir(e.path); d != "." && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			if _, found := slices.BinarySearch(r.base.dirs, d); !found {
				dirs = append(dirs, d)
			}
		}
	}
	bad := badAttributes(r.g.root, dirs)
	if len(bad) == 0 {
		return entries
	}
	for p, why := range bad {
		r.excluded[p] = why
	}
	return slices.DeleteFunc(entries, func(e entry) bool { return !e.tracked && r.inExcluded(e.path) })
}

// excludedDirs are the directories left out for their rule files
// ("" for the root).
func excludedDirs(excluded map[string]string) []string {
	var dirs []string
	for p := range excluded {
		d := path.Dir(p)
		if d == "." {
			d = ""
		}
		dirs = append(dirs, d)
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// excludePathspecs keeps git out of the directories left out.
func excludePathspecs(excluded map[string]string) []string {
	var specs []string
	for _, d := range excludedDirs(excluded) {
		specs = append(specs, ":(exclude,literal)"+d)
	}
	return specs
}

func rootExcluded(excluded map[string]string) bool {
	dirs := excludedDirs(excluded)
	return len(dirs) > 0 && dirs[0] == ""
}

// inExcluded: p is in a directory left out.
func (r *snapshotRun) inExcluded(p string) bool {
	if len(r.excluded) == 0 {
		return false
	}
	// Called once per file: the map is walked as it is, with no sorted
	// copy of its directories made each time.
	for f := range r.excluded {
		d := path.Dir(f)
		if d == "." || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// ruleNotes reports the rule files whose directories were left out.
func (r *snapshotRun) ruleNotes() []event.FileChange {
	var notes []event.FileChange
	for _, p := range slices.Sorted(maps.Keys(r.excluded)) {
		where := "under " + path.Dir(p) + "/"
		if path.Dir(p) == "." {
			where = "of the work tree"
		}
		c := event.FileChange{Path: p, Kind: kindUpdate}
		if r.base == nil || r.base.excluded[p] != "" {
			c.Diff = fmt.Sprintf("Not compared: when the session started, %s %s: /diff compares no file %s in this session.\n", p, r.excluded[p], where)
		} else {
			if !r.base.ruleFiles[p] {
				c.Kind = kindAdd
			}
			c.Diff = fmt.Sprintf("Not compared: %s %s. While it is there, /diff compares no file %s.\n", p, r.excluded[p], where)
		}
		notes = append(notes, c)
	}
	return notes
}
