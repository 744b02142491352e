package workspace

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"warden/harness/event"
)

// A nested repository (a directory with a .git of its own, below the
// root) is a directory git does not go into: `git ls-files --others`
// lists it as "dir/", and `git add` would record it as a gitlink, after
// which every `git add -A` on that index runs `git status` inside it, with
// its own .git/config, whose fsmonitor and filter drivers are programs
// this process must never run.
//
// Yet git goes into any directory its index holds files under, .git or
// not (dir.c: a directory "in the index" is recursed into before any
// check for a nested repository). So each nested repository found is
// seeded: an entry for a file that does not exist (sentinelName, the
// empty blob) is put under it in the index, the listing is run again
// inside it, and the `git add -A` that follows records its files like any
// others and takes the sentinel out again, its file being missing (or
// records that file, should there be one). Git skips every entry named
// .git: of a nested repository's .git, it only ever looks at what tells
// it is a repository (HEAD, objects and refs, or the path a .git file
// names), while listing it before it is seeded; never its config, its
// index or its info/exclude. Its files are under the same ignore rules as
// the rest of the work tree: the .gitignore files of its directories and
// of those above it. Nested repositories inside nested repositories are
// found by the listing inside it, and seeded in turn, to any depth.
//
// A nested repository recorded in the baseline is a directory the
// baseline's index holds files under, which every Diff starts from: it is
// compared like any other (its files deleted, if it is removed). One that
// appears later is seeded by the Diff that finds it, so its files show as
// added.
//
// At most maxNestedRepos are seeded per snapshot (for a Diff, those the
// baseline did not already hold), since each level of nesting costs a
// listing, and each one a pathspec in it. The rest are left out: excluded from `git add`, and reported
// by Diff as one FileChange each whose Diff says so (leftOutChanges). A
// work tree with more than maxLeftOutRepos past that fails the snapshot:
// each one left out costs an exclude pathspec, which git matches against
// every path.

// maxNestedRepos bounds the nested repositories seeded per snapshot.
const maxNestedRepos = 100

// maxLeftOutRepos bounds the nested repositories left out of a snapshot.
const maxLeftOutRepos = 1000

// sentinelName is the file a nested repository is seeded with.
const sentinelName = ".warden-nested-repository-sentinel"

// listing is what one pass of `git ls-files --others` found.
type listing struct {
	// files, by slash-separated path from the root, the sentinels put
	// into the index included: a file of that name, which is no longer
	// "other" once seeded, would otherwise be missed, and one that does
	// not exist must be taken out of the index again.
	files  []string
	seeded map[string]bool // the sentinels
}

// list runs `git ls-files -z --others` with args on the snapshot's index,
// then again inside each nested repository it lists, once it is seeded,
// until no new one turns up.
func (r *snapshotRun) list(ctx context.Context, args ...string) (listing, error) {
	base := append([]string{"ls-files", "-z", "--others"}, args...)
	out, err := r.g.run(ctx, r.index, nil, base...)
	var l listing
	for {
		if err != nil {
			return l, err
		}
		var dirs []string
		for p := range strings.SplitSeq(string(out), "\x00") {
			switch {
			case p == "":
			case !strings.HasSuffix(p, "/"):
				l.files = append(l.files, p)
			case r.leftOut[p]:
			case r.baseLeftOut[p] || r.nested >= maxNestedRepos:
				if len(r.leftOut) >= maxLeftOutRepos {
					return l, fmt.Errorf("more than %d nested git repositories: more than warden compares for /diff", maxNestedRepos+maxLeftOutRepos)
				}
				r.leftOut[p] = true
			default:
				r.nested++
				dirs = append(dirs, p)
			}
		}
		if len(dirs) == 0 {
			break
		}
		if l.seeded == nil {
			l.seeded = make(map[string]bool)
		}
		var info []byte
		again := slices.Concat(base, []string{"--"})
		for _, d := range dirs {
			s := d + sentinelName
			info = fmt.Appendf(info, "100644 %s\t%s\x00", r.g.emptyBlob, s)
			l.seeded[s] = true
			again = append(again, ":(literal)"+d)
		}
		if _, err := r.g.run(ctx, r.index, info, "update-index", "-z", "--index-info"); err != nil {
			return l, err
		}
		out, err = r.g.run(ctx, r.index, nil, again...)
	}
	if len(l.seeded) > 0 {
		// With --modified, the sentinels are listed already (deleted, or
		// changed); without, never.
		listed := make(map[string]bool)
		for _, p := range l.files {
			if l.seeded[p] {
				listed[p] = true
			}
		}
		for _, s := range slices.Sorted(maps.Keys(l.seeded)) {
			if !listed[s] {
				l.files = append(l.files, s)
			}
		}
	}
	return l, nil
}

// leftOutChanges reports the nested repositories left out of the
// snapshots, base the baseline's and cur those of now ("dir/"): one
// FileChange each, whose Diff says why it is not compared.
func leftOutChanges(base, cur []string) []event.FileChange {
	var changes []event.FileChange
	note := func(p, kind string) {
		changes = append(changes, event.FileChange{Path: p, Kind: kind, Diff: fmt.Sprintf(
			"Not compared: a nested git repository past the first %d, which are all /diff looks into; whether its files changed is not known.\n", maxNestedRepos)})
	}
	for _, p := range cur {
		if _, found := slices.BinarySearch(base, p); found {
			note(p, kindUpdate)
		} else {
			note(p, kindAdd)
		}
	}
	for _, p := range base {
		if _, found := slices.BinarySearch(cur, p); !found {
			note(p, kindDelete)
		}
	}
	return changes
}
