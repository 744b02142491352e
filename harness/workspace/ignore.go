package workspace

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// Ignore rules decide what a snapshot leaves out, and the model can change
// them: a .gitignore written next to a new file (`printf '*\n' >
// tools/.gitignore`) or appended to, would keep the file out of every
// snapshot taken after, and out of /diff. So a Diff lists the work tree
// with the rules of the baseline alone: `git ls-files --others
// --exclude-from=<baseline rules>` (snapshot.go), which reads no
// .gitignore of the work tree (nor can one there stop git: guard.go).
// What the baseline ignored stays out (build output, node_modules, a
// .venv, also when it is made anew after the baseline, and when the rule
// that ignored it is taken out), and nothing else can be made to.
//
// The rules of the baseline are one exclude file, written once the
// baseline is recorded (writeBaselineRules): the global ignore file and
// .git/info/exclude as Start found them (writeExcludes), then every
// .gitignore git read, its patterns rewritten to mean, from the root, what
// they meant in their directory (translateIgnore). The global ignore and
// info/exclude of the snapshots are those copies, in the private
// repository, so that writing them later changes nothing either.
//
// A file the baseline holds that a rule ignores is compared all the same:
// `git ls-files --modified` lists the files an index holds whatever the
// ignore rules say, and every Diff starts from the baseline's index. So
// is a file the repository tracks, which the baseline holds whatever the
// rules say (tracked.go).

// maxExcludeBytes bounds each exclude file read: the user's, a .gitignore.
// A real one is a few lines.
const maxExcludeBytes = 1 << 20

// maxRulesBytes bounds the baseline's rules, all files together. Past it
// the remaining .gitignore files are left out of them, which errs on the
// side of showing: what only they ignored is snapshotted if it changes.
const maxRulesBytes = 16 << 20

// readSmallFile reads the regular file at name if it is at most max bytes,
// and reports whether it did. It is opened without following a final
// symlink (unless follow) and without blocking, then checked, so that a
// FIFO put in its place cannot hang the baseline.
func readSmallFile(name string, max int64, follow bool) ([]byte, bool) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if !follow {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(name, flags, 0)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > max {
		return nil, false
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil || int64(len(data)) > max {
		return nil, false
	}
	return data, true
}

// writeExcludes writes the private repository's info/exclude (into the
// directory info): the user's global ignore file, which git reads by
// default ($XDG_CONFIG_HOME/git/ignore or ~/.config/git/ignore), then
// root's .git/info/exclude, when root is a repository that has one; the
// latter after, as it takes precedence. So what the user excludes there
// stays out of the snapshots as it stays out of git status, and as it was
// when the session started. A .git that is a file (a linked worktree or a
// submodule) is skipped: following it would mean trusting the path it
// names. An exclude file that cannot be read is done without.
func writeExcludes(root, info string) error {
	var out []byte
	if dir, err := os.UserConfigDir(); err == nil {
		if data, ok := readSmallFile(filepath.Join(dir, "git", "ignore"), maxExcludeBytes, true); ok {
			out = append(out, translateIgnore("", data)...)
		}
	}
	if fi, err := os.Lstat(filepath.Join(root, ".git")); err == nil && fi.IsDir() {
		if data, ok := readSmallFile(filepath.Join(root, ".git", "info", "exclude"), maxExcludeBytes, false); ok {
			out = append(out, translateIgnore("", data)...)
		}
	}
	return os.WriteFile(filepath.Join(info, "exclude"), out, 0o600)
}

// writeBaselineRules writes the ignore rules the baseline snapshot (in
// index) was taken with as one exclude file in the private repository,
// and returns its path. The .gitignore files git read are those the
// baseline holds and those it ignored, as `git ls-files --others --ignored
// --directory` lists them: it goes into every directory that is not
// itself ignored (a .venv whose own .gitignore says "*" included) and
// stops at one that is, whose .gitignore files never applied.
func (g *gitRepo) writeBaselineRules(ctx context.Context, index string, excluded map[string]string) (string, error) {
	tracked, err := g.run(ctx, index, nil, "ls-files", "-z", "--cached", "--", ":(glob)**/.gitignore")
	if err != nil {
		return "", err
	}
	// The directories left out for their rule files (guard.go) stay out.
	var ignored []byte
	if !rootExcluded(excluded) {
		args := append([]string{"ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--"}, excludePathspecs(excluded)...)
		if ignored, err = g.run(ctx, index, nil, args...); err != nil {
			return "", err
		}
	}
	seen := make(map[string]bool)
	var files []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			files = append(files, p)
		}
	}
	for p := range strings.SplitSeq(string(tracked)+"\x00"+string(ignored), "\x00") {
		switch {
		case p == ".gitignore" || strings.HasSuffix(p, "/.gitignore"):
			add(p)
		case strings.HasSuffix(p, "/"):
			add(p + ".gitignore")
		}
	}
	// Shallower first: of the patterns that match a path, git takes the
	// last, and a deeper .gitignore overrides a shallower one.
	slices.SortFunc(files, func(a, b string) int {
		return cmp.Or(cmp.Compare(strings.Count(a, "/"), strings.Count(b, "/")), strings.Compare(a, b))
	})
	rules, err := os.ReadFile(filepath.Join(g.dir, "info", "exclude"))
	if err != nil {
		return "", err
	}
	for _, p := range files {
		data, ok := readSmallFile(filepath.Join(g.root, filepath.FromSlash(p)), maxExcludeBytes, false)
		if !ok {
			continue
		}
		dir := path.Dir(p)
		if dir == "." {
			dir = ""
		}
		more := translateIgnore(dir, data)
		if len(rules)+len(more) > maxRulesBytes {
			break
		}
		rules = append(rules, more...)
	}
	name := filepath.Join(g.dir, "baseline.exclude")
	if err := os.WriteFile(name, rules, 0o600); err != nil {
		return "", fmt.Errorf("baseline ignore rules: %w", err)
	}
	return name, nil
}

// translateIgnore rewrites the .gitignore data of the directory dir
// (slash-separated, "" for the root) as lines of an exclude file read from
// the root, each matching what it matched there. It reads the lines as
// git does (dir.c, add_patterns_from_buffer): a UTF-8 BOM skipped, blank
// lines and "#" comments dropped, a CR before the LF and unescaped
// trailing spaces removed, a line cut at a NUL. Then, for a directory
// other than the root, where a pattern is relative to the directory:
//
//   - one with no slash but a trailing one matches a name at any depth
//     below dir: "foo" becomes "/dir/**/foo";
//   - any other is relative to dir: "a/b" and "/a/b" become "/dir/a/b";
//
// with dir's own glob characters escaped, "!" and the trailing "/" kept.
// A pattern left empty matches nothing and is dropped. A dir whose name
// holds a line break cannot be written, and its rules are dropped: that
// errs on the side of showing.
func translateIgnore(dir string, data []byte) []byte {
	if strings.ContainsAny(dir, "\n\r") {
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	prefix := "/" + escapeGlob(dir) + "/"
	var out []byte
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if i := bytes.IndexByte(line, 0); i >= 0 {
			line = line[:i]
		}
		p := trimTrailingSpaces(string(line))
		if dir == "" {
			if p != "" {
				out = append(out, p+"\n"...)
			}
			continue
		}
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		mustBeDir := strings.HasSuffix(p, "/")
		p = strings.TrimSuffix(p, "/")
		if p == "" {
			continue
		}
		if strings.Contains(p, "/") {
			p = prefix + strings.TrimPrefix(p, "/")
		} else {
			p = prefix + "**/" + p
		}
		if mustBeDir {
			p += "/"
		}
		if neg {
			p = "!" + p
		}
		out = append(out, p+"\n"...)
	}
	return out
}

// trimTrailingSpaces removes trailing spaces that no backslash escapes, as
// git's trim_trailing_spaces does.
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i == len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

// escapeGlob escapes the characters wildmatch gives a meaning.
func escapeGlob(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\', '*', '?', '[':
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
