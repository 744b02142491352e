package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// These look at the machine from outside the sandbox, where the runner
// is, to tell a denial from an ordinary failure (see denialContext).

// hostCanChange reports whether the user, outside the sandbox, could change
// path (or create it): its file system is writable and the path, or the
// directory that holds it, grants write access.
func hostCanChange(path string) bool {
	existing := path
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return false
		}
		existing = parent
	}
	var fs unix.Statfs_t
	if unix.Statfs(existing, &fs) == nil && fs.Flags&unix.ST_RDONLY != 0 {
		return false // read-only for everyone, not just the sandbox
	}
	writable := func(p string) bool { return unix.Faccessat(unix.AT_FDCWD, p, unix.W_OK, unix.AT_EACCESS) == nil }
	if existing != path {
		return writable(existing)
	}
	return writable(path) || writable(filepath.Dir(path))
}

// hostOwns reports whether the user could chmod path outside the sandbox.
func hostOwns(path string) bool {
	var st unix.Stat_t
	if unix.Lstat(path, &st) != nil {
		return false
	}
	return os.Geteuid() == 0 || int(st.Uid) == os.Geteuid()
}

// hostListening reports whether a TCP socket listens on port in the
// runner's network namespace (the machine's, outside the sandbox).
func hostListening(port int) bool {
	want := fmt.Sprintf(":%04X", port)
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			f := strings.Fields(line)
			// local_address (ADDR:PORT in hex) is field 1, the state
			// field 3; 0A is LISTEN.
			if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1], want) {
				return true
			}
		}
	}
	return false
}
