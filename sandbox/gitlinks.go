package sandbox

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// A gitlink is an index entry that makes a directory of the work tree a
// submodule. `git status` looks into each one with a git of its own, which
// reads that directory's .git and its config, and so runs whatever
// core.fsmonitor or hooks it names, outside the sandbox. So the git
// directories of a repository's gitlinks are protected like the
// repository's own, and one registered during a command, whose config the
// command was free to write, is set aside when the command ends.

// gitlinkWatch is a repository's index and the gitlinks it held before a
// command.
type gitlinkWatch struct {
	Index, WorkTree, GitDir string
	Known                   []string
	// Unreadable: the index could not be read before the command.
	Unreadable bool
	// Stamp identifies the index file as it was: unchanged, it need not
	// be read again.
	Stamp fileStamp
}

// fileStamp is what changes whenever a file is written: its inode, size
// and status-change time, which (unlike the modification time) no command
// can set back.
type fileStamp struct {
	Ino, Size, Ctime int64
}

func stampOf(path string) (fileStamp, bool) {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return fileStamp{}, false
	}
	return fileStamp{Ino: int64(st.Ino), Size: st.Size, Ctime: st.Ctim.Nano()}, true
}

// gitlinkMode is the file mode git records for a gitlink.
const gitlinkMode = 0o160000

// quarantineSuffix is added to the name of a git directory set aside.
const quarantineSuffix = ".warden-quarantine"

// gitlinks protects the git directories of the gitlinks in gitDir's index
// and watches the index for new ones.
func (p *protector) gitlinks(gitDir, workTree string) error {
	index := filepath.Join(gitDir, "index")
	stamp, ok := stampOf(index)
	if !ok {
		p.out.Gitlinks = append(p.out.Gitlinks, gitlinkWatch{Index: index, WorkTree: workTree, GitDir: gitDir})
		return nil
	}
	links, err := indexGitlinks(gitDir)
	p.out.Gitlinks = append(p.out.Gitlinks, gitlinkWatch{Index: index, WorkTree: workTree, GitDir: gitDir, Known: links, Unreadable: err != nil, Stamp: stamp})
	for _, l := range links {
		if !filepath.IsLocal(l) {
			continue
		}
		sub := filepath.Join(workTree, l)
		dotGit := filepath.Join(sub, ".git")
		fi, err := os.Lstat(dotGit)
		switch {
		case err != nil || p.rootOf(dotGit) == "":
		case fi.IsDir():
			if err := p.gitDir(dotGit, sub); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			if err := p.gitFile(dotGit); err != nil {
				return err
			}
			if target := readGitFile(dotGit); target != "" {
				if err := p.gitDir(resolveConfigPath(target, sub, p.home), sub); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkGitlinks sets aside the .git of every gitlink a command registered:
// renamed, git no longer finds a repository there, and nothing is lost.
func checkGitlinks(watches []gitlinkWatch, roots []string) []Denial {
	var ds []Denial
	for _, w := range watches {
		if stamp, ok := stampOf(w.Index); ok && stamp == w.Stamp {
			continue // not written by the command (a shared index is never rewritten in place)
		}
		links, err := indexGitlinks(w.GitDir)
		if err != nil {
			if _, serr := os.Lstat(w.Index); serr == nil && !w.Unreadable {
				ds = append(ds, Denial{Op: "write", Target: w.Index, Reason: fmt.Sprintf("warden cannot read the index the command left (%v), so it cannot tell whether a submodule was added; check `git status` output before trusting it", err)})
			}
			continue
		}
		for _, l := range links {
			if slices.Contains(w.Known, l) || !filepath.IsLocal(l) {
				continue // git itself refuses a path that leaves the work tree
			}
			dotGit := filepath.Join(w.WorkTree, l, ".git")
			if _, err := os.Lstat(dotGit); err != nil {
				continue // nothing for git to look into
			}
			ds = append(ds, quarantine(dotGit, roots))
		}
	}
	return ds
}

func quarantine(dotGit string, roots []string) Denial {
	const why = "protected: a repository registered as a submodule during the command, whose config it could write; git would run that config outside the sandbox on the next `git status`"
	to := dotGit + quarantineSuffix
	for n := 2; ; n++ {
		if _, err := os.Lstat(to); err != nil {
			break
		}
		to = fmt.Sprintf("%s%s-%d", dotGit, quarantineSuffix, n)
	}
	reason := fmt.Sprintf("%s; warden renamed it to %s (check its config before renaming it back)", why, filepath.Base(to))
	if err := renameBeneath(roots, dotGit, filepath.Base(to)); err != nil {
		reason = fmt.Sprintf("%s; renaming it aside failed: %v", why, err)
	}
	return Denial{Op: "create", Target: dotGit, Reason: reason}
}

// indexGitlinks lists the gitlinks of a git directory's index, the shared
// index of a split index included.
func indexGitlinks(gitDir string) ([]string, error) {
	hashLen := 20
	if strings.EqualFold(configValueOf(filepath.Join(gitDir, "config"), "extensions", "objectformat"), "sha256") {
		hashLen = 32
	}
	links, shared, err := parseIndex(filepath.Join(gitDir, "index"), hashLen)
	if err != nil {
		return nil, err
	}
	if shared != "" {
		more, _, err := parseIndex(filepath.Join(gitDir, "sharedindex."+shared), hashLen)
		if err != nil {
			return nil, fmt.Errorf("shared index: %w", err)
		}
		links = append(links, more...)
	}
	slices.Sort(links)
	return slices.Compact(links), nil
}

// maxIndexSize bounds the index read: a repository of a million files has
// an index of about 100 MB.
const maxIndexSize = 256 << 20

// parseIndex reads the gitlinks of one index file (versions 2 to 4) and the
// name of its shared index, if it is split.
func parseIndex(path string, hashLen int) (links []string, shared string, err error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, "", err
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxIndexSize {
		return nil, "", errors.New("not a regular file of a plausible size")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", err
	}
	return parseIndexData(b, hashLen)
}

// parseIndexData parses an index file's bytes. A command may have written
// them: nothing in them may make it read out of bounds.
func parseIndexData(b []byte, hashLen int) (links []string, shared string, err error) {
	if len(b) < 12+hashLen || string(b[:4]) != "DIRC" {
		return nil, "", errors.New("not a git index")
	}
	version := binary.BigEndian.Uint32(b[4:8])
	if version < 2 || version > 4 {
		return nil, "", fmt.Errorf("index version %d", version)
	}
	count := binary.BigEndian.Uint32(b[8:12])
	body := b[:len(b)-hashLen]
	off := 12
	var prev []byte
	for i := uint32(0); i < count; i++ {
		// Stat data and mode (40 bytes), the object name, the flags.
		fixed := 40 + hashLen + 2
		if off+fixed > len(body) {
			return nil, "", errors.New("truncated entry")
		}
		mode := binary.BigEndian.Uint32(body[off+24 : off+28])
		flags := binary.BigEndian.Uint16(body[off+40+hashLen:])
		start := off
		off += fixed
		if flags&0x4000 != 0 { // extended flags (version 3 and later)
			off += 2
		}
		if off >= len(body) {
			return nil, "", errors.New("truncated entry")
		}
		end := bytes.IndexByte(body[off:], 0)
		var name []byte
		if version == 4 {
			strip, n := binary.Uvarint(body[off:])
			if n <= 0 || strip > uint64(len(prev)) {
				return nil, "", errors.New("bad path compression")
			}
			off += n
			if end = bytes.IndexByte(body[off:], 0); end < 0 {
				return nil, "", errors.New("unterminated path")
			}
			name = append(append([]byte(nil), prev[:len(prev)-int(strip)]...), body[off:off+end]...)
			off += end + 1
		} else {
			if end < 0 {
				return nil, "", errors.New("unterminated path")
			}
			name = body[off : off+end]
			off += end + 1
			// Entries are padded with NULs to a multiple of 8 bytes.
			off += (8 - (off-start)%8) % 8
		}
		prev = name
		if mode&0o170000 == gitlinkMode {
			links = append(links, string(name))
		}
	}
	// Extensions follow: a split index names its shared index in "link".
	for off >= 0 && off+8 <= len(body) {
		sig := string(body[off : off+4])
		size := int(binary.BigEndian.Uint32(body[off+4 : off+8]))
		off += 8
		if size < 0 || size > len(body)-off {
			return nil, "", errors.New("truncated extension")
		}
		if sig == "link" && size >= hashLen {
			if h := body[off : off+hashLen]; !bytes.Equal(h, make([]byte, hashLen)) {
				shared = hex.EncodeToString(h)
			}
		}
		off += size
	}
	return links, shared, nil
}
