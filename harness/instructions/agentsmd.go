package instructions

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"warden/harness/internal/repofile"
)

// DocFile is the name of the instruction files warden reads.
const DocFile = "AGENTS.md"

// Doc is one AGENTS.md file as given to the model, or one that was
// refused.
type Doc struct {
	Path    string
	Content string
	// Truncated is set when Content was cut to fit the size cap.
	Truncated bool
	// Global marks the user's own file from the config directory, which
	// applies everywhere rather than to the directory it sits in.
	Global bool
	// Refused, when set, is why the file was not read ("a named pipe, not
	// a file", "a link to a file outside the project"; see repofile);
	// Content is then empty, and FormatProjectDocs leaves the file out.
	// It is for the user to be told.
	Refused string
}

// FindProjectDocs gathers the AGENTS.md files that apply in cwd: the global
// one in configDir (skipped if configDir is ""), then one per directory from
// the repository root — the nearest ancestor of cwd holding a .git
// directory or file, else cwd itself — down to cwd, most general first so
// the most specific is read last.
//
// The project files share a budget of maxBytes: the one that crosses it is
// cut at a character boundary and marked Truncated, and the rest are
// dropped. The global file has a budget of its own. maxBytes <= 0 gives no
// files. Missing and empty files and directories named AGENTS.md are
// skipped; a file that exists but cannot be read is an error.
//
// The project's files come with the repository, which is untrusted input:
// each is read only if it is, links followed, a regular file inside the
// repository root (a link to /proc/self/environ or ~/.ssh/id_rsa would
// otherwise go to the model provider and into the transcript; a named pipe
// would block). One that is not is listed with Refused set, takes none of
// the budget, and the search goes on. The global file may link anywhere
// but must be a regular file too.
func FindProjectDocs(configDir, cwd string, maxBytes int) ([]Doc, error) {
	if maxBytes <= 0 {
		return nil, nil
	}
	var docs []Doc
	globalPath := ""
	if configDir != "" {
		globalPath = filepath.Join(configDir, DocFile)
		d, ok, err := readDoc(globalPath, repofile.OpenOwn, maxBytes)
		if err != nil {
			return nil, err
		}
		if ok {
			d.Global = true
			docs = append(docs, d)
		}
	}

	cwd, err := filepath.Abs(cwd)
	if err != nil {
		return nil, fmt.Errorf("find %s files: %w", DocFile, err)
	}
	dirs := dirsFromRoot(cwd)
	root := dirs[0] // the repository's root, or cwd outside any
	open := func(path string) (*os.File, error) { return repofile.Open(path, root) }
	left := maxBytes
	for _, dir := range dirs {
		path := filepath.Join(dir, DocFile)
		if path == globalPath {
			continue // the config directory is inside the repository
		}
		d, ok, err := readDoc(path, open, left)
		if err != nil {
			return nil, err
		}
		if ok {
			docs = append(docs, d)
			left -= len(d.Content) // none for a refused file
		}
		// Even a file cut to nothing ends the list: a later, smaller file
		// must not slip in ahead of the one that did not fit.
		if d.Truncated || left <= 0 {
			break
		}
	}
	return docs, nil
}

// dirsFromRoot lists the directories from the repository root containing
// cwd down to cwd; just cwd if it is in no repository.
func dirsFromRoot(cwd string) []string {
	dirs := []string{cwd}
	for dir := cwd; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			// dirs runs from cwd up to here; the caller wants root first.
			for i, j := 0, len(dirs)-1; i < j; i, j = i+1, j-1 {
				dirs[i], dirs[j] = dirs[j], dirs[i]
			}
			return dirs
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return []string{cwd}
		}
		dir = parent
		dirs = append(dirs, dir)
	}
}

// readDoc reads at most limit bytes of the file at path, opened by open
// (repofile.Open or OpenOwn). ok is false when there is nothing to include;
// Truncated is still reported then. A file open refuses is a Doc with only
// Path and Refused.
func readDoc(path string, open func(string) (*os.File, error), limit int) (d Doc, ok bool, err error) {
	f, err := open(path)
	if errors.Is(err, fs.ErrNotExist) || repofile.IsDir(err) {
		return Doc{}, false, nil
	}
	if why, refused := repofile.Reason(err); refused {
		return Doc{Path: path, Refused: why}, true, nil
	}
	if err != nil {
		return Doc{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	// One byte past the cap tells whether the file is longer, and whether
	// the cut falls inside a character.
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return Doc{}, false, fmt.Errorf("read %s: %w", path, err)
	}
	d = Doc{Path: path}
	if len(b) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		b = b[:cut]
		d.Truncated = true
	}
	d.Content = string(b)
	if strings.TrimSpace(d.Content) == "" {
		return Doc{Truncated: d.Truncated}, false, nil
	}
	return d, true, nil
}

// FormatProjectDocs renders docs as one user message, each file headed by
// the directory it governs so the model knows its scope. Refused files are
// left out; "" if nothing is left.
func FormatProjectDocs(docs []Doc) string {
	var b strings.Builder
	for _, d := range docs {
		if d.Refused != "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		if d.Global {
			fmt.Fprintf(&b, "# Global %s instructions\n\nFrom %s; they apply in every project.\n\n", DocFile, d.Path)
		} else {
			dir := filepath.Dir(d.Path)
			fmt.Fprintf(&b, "# %s instructions for %s\n\nFrom %s; they apply to files under %s.\n\n", DocFile, dir, d.Path, dir)
		}
		b.WriteString("<INSTRUCTIONS>\n")
		b.WriteString(strings.TrimSpace(d.Content))
		if d.Truncated {
			b.WriteString("\n[… truncated: the AGENTS.md files exceed the size limit]")
		}
		b.WriteString("\n</INSTRUCTIONS>")
	}
	return b.String()
}
