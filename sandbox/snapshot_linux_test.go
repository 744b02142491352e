package sandbox

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// snapshot records everything about the files under the given paths that
// a command could change: names, contents, symlink targets, mode, owner,
// size, link count, times (ctime too, which every metadata change moves)
// and extended attributes.
func snapshot(t testing.TB, roots ...string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				m[p] = "error: " + err.Error()
				return nil
			}
			var st unix.Stat_t
			if err := unix.Lstat(p, &st); err != nil {
				m[p] = "error: " + err.Error()
				return nil
			}
			desc := fmt.Sprintf("mode=%o uid=%d gid=%d size=%d nlink=%d mtime=%d.%d ctime=%d.%d",
				st.Mode, st.Uid, st.Gid, st.Size, st.Nlink, st.Mtim.Sec, st.Mtim.Nsec, st.Ctim.Sec, st.Ctim.Nsec)
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				target, _ := os.Readlink(p)
				desc += " -> " + target
			case d.Type().IsRegular():
				b, _ := os.ReadFile(p)
				desc += fmt.Sprintf(" sha=%x", sha256.Sum256(b))
			}
			if names := xattrs(p); names != "" {
				desc += " xattrs=" + names
			}
			m[p] = desc
			return nil
		})
	}
	return m
}

func xattrs(p string) string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n <= 0 {
		return ""
	}
	names := strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00")
	slices.Sort(names)
	return strings.Join(names, ",")
}

// diffSnapshots says what changed between two snapshots, "" if nothing.
func diffSnapshots(before, after map[string]string) string {
	var out []string
	for p, b := range before {
		a, ok := after[p]
		switch {
		case !ok:
			out = append(out, "removed "+p)
		case a != b:
			out = append(out, fmt.Sprintf("changed %s:\n    %s\n -> %s", p, b, a))
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, "created "+p)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
