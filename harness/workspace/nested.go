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
// which git would run `git status` inside it on every index refresh,
// with its own .git/config, whose fsmonitor and filter drivers are
// programs this process must never run.
//
// Yet git goes into any directory its index holds files under, .git or
// not (dir.c: a directory "in the index" is recursed into before any
// check for a nested repository). So each nested repository found is
// seeded: an entry for a file that does not exist (sentinelName, the
// empty blob) is put under it in the index, the listing is run again
// inside it, and the `git update-index` that follows records its files
// like any others and takes the sentinel out again, its file being
// missing (or records that file, should there be one). Git skips every entry named
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
// listing, and each one a pathspec in it. The rest are left out (never
// recorded), and reported by Diff as one FileChange each whose Diff says
// so (leftOutChanges), up to maxLeftOutRepos, past which one more
// FileChange counts the others. A baseline with more than
// maxLeftOutRepos left out fails, as one past the bounds on files does
// (budget.go); a Diff does not, which would let the model blind /diff by
// making fake repositories.

// maxNestedRepos bounds the nested repositories seeded per snapshot.
const maxNestedRepos = 100

// maxLeftOutRepos bounds the nested repositories left out of a snapshot.
const maxLeftOutRepos = 1000

// sentinelName is the file a nested repository is seeded with.
const sentinelName = ".warden-nested-repository-sentinel"

// listing is what `git ls-files --others --modified` found.
type listing struct {
	// entries, by slash-separated path from the root, the sentinels put
	// into the index included: a file of that name, which is no longer
	// "other" once seeded, would otherwise be missed, and one that does
	// not exist must be taken out of the index again.
	entries []entry
}

// list runs `git ls-files -z -t --others` with args and the exclude
// pathspecs excludes on the snapshot's index, then again inside each nested
// repository it lists, once it is seeded, until no new one turns up. The
// directories git warns it could not open are noted (unreadableDirs).
func (r *snapshotRun) list(ctx context.Context, args, excludes []string) (listing, error) {
	base := slices.Concat([]string{"ls-files", "-z", "-t", "--others"}, args, []string{"--"})
	out, log, err := r.g.runLog(ctx, r.index, nil, append(slices.Clone(base), excludes...)...)
	var l listing
	seeded := make(map[string]bool)
	listed := make(map[string]bool)
	for {
		if err != nil {
			return l, err
		}
		r.noteUnopened(log)
		var dirs []string
		for rec := range strings.SplitSeq(string(out), "\x00") {
			tag, p, ok := strings.Cut(rec, " ")
			switch {
			case !ok || p == "" || len(tag) != 1:
			case !strings.HasSuffix(p, "/"):
				if !listed[p] {
					listed[p] = true
					l.entries = append(l.entries, entry{path: p, tracked: tag != "?"})
				}
			case r.leftOut[p]:
			case r.baseLeftOut[p] || r.nested >= maxNestedRepos:
				if len(r.leftOut) >= maxLeftOutRepos && r.base == nil {
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
		var info []byte
		again := slices.Clone(base)
		for _, d := range dirs {
			s := d + sentinelName
			info = fmt.Appendf(info, "100644 %s\t%s\x00", r.g.emptyBlob, s)
			seeded[s] = true
			again = append(again, ":(literal)"+d)
		}
		again = append(again, excludes...)
		if _, err := r.g.run(ctx, r.index, info, "update-index", "-z", "--index-info"); err != nil {
			return l, err
		}
		out, log, err = r.g.runLog(ctx, r.index, nil, again...)
	}
	// The sentinels are listed already (deleted, or changed), unless one
	// is a file unchanged since it was seeded.
	for _, s := range slices.Sorted(maps.Keys(seeded)) {
		if !listed[s] {
			l.entries = append(l.entries, entry{path: s, tracked: true})
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
	if len(changes) > maxLeftOutRepos {
		slices.SortFunc(changes, func(a, b event.FileChange) int { return strings.Compare(a.Path, b.Path) })
		more := len(changes) - maxLeftOutRepos
		changes = append(changes[:maxLeftOutRepos], event.FileChange{Path: "./", Kind: kindUpdate, Diff: fmt.Sprintf(
			"Not compared: %d more nested git repositories, added, changed or removed, past the first %d, which are all /diff looks into; whether their files changed is not known.\n", more, maxNestedRepos)})
	}
	return changes
}
