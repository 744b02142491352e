package shellcmd

import (
	"path"
	"strings"
)

// Dangerous reports whether argv is destructive enough that the user must
// be asked even under on-request approval, with a short reason. It looks at
// the base name, so /bin/rm counts as rm. It judges argv only: arguments
// xargs appends from its input, or that a glob expands to, are not seen.
func Dangerous(argv []string) (bool, string) {
	if len(argv) == 0 {
		return false, ""
	}
	name, args := path.Base(argv[0]), argv[1:]
	if strings.HasPrefix(name, "mkfs") {
		return true, name + " formats a file system"
	}
	switch name {
	case "rm":
		for _, a := range options(args) {
			if a == "--recursive" || a == "--no-preserve-root" || shortHas(a, "rR") {
				return true, "rm " + a + " deletes recursively"
			}
		}
	case "git":
		return dangerousGit(args)
	case "dd":
		for _, a := range args {
			if strings.HasPrefix(a, "of=") {
				return true, "dd of= overwrites its target"
			}
		}
	case "mke2fs", "mkswap", "wipefs", "fdisk", "sfdisk", "parted", "shred":
		return true, name + " destroys data"
	case "truncate":
		return true, "truncate cuts files"
	case "chmod", "chown", "chgrp":
		for _, a := range options(args) {
			if a == "--recursive" || shortHas(a, "R") {
				return true, name + " -R changes a whole tree"
			}
		}
	case "find":
		for _, a := range args {
			if a == "-delete" {
				return true, "find -delete deletes files"
			}
		}
	case "rsync":
		for _, a := range options(args) {
			if strings.HasPrefix(a, "--delete") || strings.HasPrefix(a, "--remove-source-files") {
				return true, "rsync " + a + " deletes files"
			}
		}
	case "tee":
		for _, a := range args {
			if strings.HasPrefix(a, "/dev/") && !harmlessSink(a) && a != "/dev/tty" {
				return true, "tee writes to a device"
			}
		}
	case "crontab":
		for _, a := range options(args) {
			if shortHas(a, "r") {
				return true, "crontab -r deletes the crontab"
			}
		}
	case "reboot", "shutdown", "halt", "poweroff":
		return true, name + " stops the machine"
	case "kubectl":
		if len(args) > 0 && args[0] == "delete" {
			return true, "kubectl delete"
		}
	case "terraform", "tofu":
		if len(args) > 0 && args[0] == "destroy" {
			return true, name + " destroy"
		}
	case "docker", "podman":
		if len(args) > 1 && args[1] == "prune" {
			return true, name + " " + args[0] + " prune"
		}
	}
	return false, ""
}

// options are the arguments before --.
func options(args []string) []string {
	for i, a := range args {
		if a == "--" {
			return args[:i]
		}
	}
	return args
}

// shortHas reports a cluster of short options (-rf) containing one of the
// letters.
func shortHas(a, letters string) bool {
	return len(a) > 1 && a[0] == '-' && a[1] != '-' && strings.ContainsAny(a[1:], letters)
}

// gitOptArg are git options before the subcommand that take a value.
var gitOptArg = map[string]bool{"-C": true, "-c": true, "--git-dir": true, "--work-tree": true, "--namespace": true, "--config-env": true}

// gitSub splits git's argv into the subcommand and its arguments.
func gitSub(args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a, args[i+1:]
		}
		if gitOptArg[a] {
			i++
		}
	}
	return "", nil
}

func dangerousGit(args []string) (bool, string) {
	sub, rest := gitSub(args)
	opts := options(rest)
	has := func(names ...string) string {
		for _, a := range opts {
			for _, n := range names {
				if a == n || (strings.HasPrefix(n, "--") && strings.HasPrefix(a, n+"=")) {
					return a
				}
			}
		}
		return ""
	}
	switch sub {
	case "push":
		if a := has("--force", "-f", "--force-with-lease", "--force-if-includes", "--mirror", "--delete", "-d", "--prune"); a != "" {
			return true, "git push " + a + " rewrites or deletes remote history"
		}
		for _, a := range opts {
			if shortHas(a, "fd") {
				return true, "git push " + a + " rewrites or deletes remote history"
			}
			if strings.HasPrefix(a, "+") || (strings.HasPrefix(a, ":") && len(a) > 1) {
				return true, "git push " + a + " rewrites or deletes a remote branch"
			}
		}
	case "reset":
		if a := has("--hard", "--merge", "--keep"); a != "" {
			return true, "git reset " + a + " discards changes"
		}
	case "clean":
		for _, a := range opts {
			if a == "--force" || shortHas(a, "f") {
				return true, "git clean " + a + " deletes untracked files"
			}
		}
	case "checkout", "switch":
		if len(opts) < len(rest) && sub == "checkout" {
			return true, "git checkout -- discards changes to paths"
		}
		if a := has("-f", "--force", "--discard-changes"); a != "" {
			return true, "git " + sub + " " + a + " discards changes"
		}
		if sub == "checkout" && len(opts) == 1 && opts[0] == "." {
			return true, "git checkout . discards changes"
		}
	case "restore":
		staged, worktree := has("--staged", "-S") != "", has("--worktree", "-W") != ""
		if !staged || worktree {
			return true, "git restore discards changes to paths"
		}
	case "branch":
		if a := has("-D"); a != "" {
			return true, "git branch -D deletes an unmerged branch"
		}
		if has("-d", "--delete") != "" && has("-f", "--force") != "" {
			return true, "git branch --delete --force deletes an unmerged branch"
		}
	case "rebase":
		return true, "git rebase rewrites history"
	case "filter-branch", "filter-repo":
		return true, "git " + sub + " rewrites history"
	case "stash":
		if len(rest) > 0 && (rest[0] == "drop" || rest[0] == "clear") {
			return true, "git stash " + rest[0] + " deletes stashed changes"
		}
	case "reflog":
		if len(rest) > 0 && (rest[0] == "expire" || rest[0] == "delete") {
			return true, "git reflog " + rest[0] + " deletes recovery points"
		}
	case "update-ref":
		if has("-d") != "" {
			return true, "git update-ref -d deletes a ref"
		}
	}
	return false, ""
}
