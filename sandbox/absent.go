package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// checkAfter undoes what a command did that no mount could stop, and says
// so: it removes what appeared where nothing may be (and new submodule git
// directories, and a rebase left to run commands), and puts back the links
// on the way to what git reads. The window in which these existed is the
// command's run, in which nothing outside the sandbox should be acting on
// the workspace. Every change stays beneath the writable roots (see
// hostfs_linux.go).
func checkAfter(prot protection, roots []string) []Denial {
	var ds []Denial
	remove := func(path, why string) {
		reason := why + "; warden removed it"
		if err := removeBeneath(roots, path); err != nil {
			reason = fmt.Sprintf("%s; removing it failed: %v", why, err)
		}
		ds = append(ds, Denial{Op: "create", Target: path, Reason: reason})
	}
	for _, a := range prot.Absent {
		if _, err := os.Lstat(a.Path); err != nil {
			continue
		}
		remove(a.Path, a.Why)
	}
	for _, m := range prot.Modules {
		for _, entry := range moduleEntries(m.Dir) {
			if !slices.Contains(m.Known, entry) && !slices.ContainsFunc(ds, func(d Denial) bool { return within(entry, d.Target) }) {
				remove(entry, newModuleWhy)
			}
		}
	}
	for _, l := range prot.Links {
		if target, err := os.Readlink(l.Path); err == nil && target == l.Target {
			continue
		}
		reason := "protected: this link leads to what git reads or runs; warden put it back"
		if err := linkBeneath(roots, l.Path, l.Target); err != nil {
			reason = fmt.Sprintf("protected: this link leads to what git reads or runs; putting it back failed: %v", err)
		}
		ds = append(ds, Denial{Op: "change link", Target: l.Path, Reason: reason})
	}
	for _, dir := range prot.GitDirs {
		if rebaseRunsCommands(dir) {
			remove(filepath.Join(dir, "rebase-merge"),
				"protected: the rebase left in progress would run commands outside the sandbox on `git rebase --continue` (HEAD stays where the rebase left it)")
		}
	}
	return ds
}

// rebaseRunsCommands reports whether an interactive rebase in progress in
// git directory dir has exec steps still to run.
func rebaseRunsCommands(dir string) bool {
	b, err := readRegular(filepath.Join(dir, "rebase-merge", "git-rebase-todo"), 4<<20)
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == "exec" || f[0] == "x") {
			return true
		}
	}
	return false
}
