package sandbox

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// removeAbsent deletes what a command created where nothing may be, and
// says so. The window in which it existed is the command's run, in which
// nothing outside the sandbox should be acting on the workspace.
func removeAbsent(paths []absentPath) []Denial {
	var ds []Denial
	for _, a := range paths {
		if _, err := os.Lstat(a.Path); err != nil {
			continue
		}
		if a.GitDir != "" && !isGitDir(a.GitDir) {
			continue
		}
		why := a.Why + "; warden removed it"
		if err := forceRemove(a.Path); err != nil {
			why = fmt.Sprintf("%s; removing it failed: %v", a.Why, err)
		}
		ds = append(ds, Denial{Op: "create", Target: a.Path, Reason: why})
	}
	return ds
}

// forceRemove removes path even where the command took away the write
// permission that removing needs (chmod 555 on the directory holding it,
// or on directories inside it): it was the user's to give, so it is given
// back for the removal, and the parent's mode restored after.
func forceRemove(path string) error {
	if os.RemoveAll(path) == nil {
		return nil
	}
	parent := filepath.Dir(path)
	if fi, err := os.Stat(parent); err == nil {
		defer os.Chmod(parent, fi.Mode().Perm())
		os.Chmod(parent, fi.Mode().Perm()|0o700)
	}
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(path)
}
