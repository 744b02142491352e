package workspace

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"warden/harness/event"
)

// The FileChange kinds, as the patch tool reports them.
const (
	kindAdd    = "add"
	kindDelete = "delete"
	kindUpdate = "update"
)

// maxFileDiffBytes bounds the diff text kept for one file, as the patch
// tool bounds its own: a diff larger than this (a generated file, a data
// dump) is not something anyone reads line by line in a terminal, and
// holding it costs as much memory again in the TUI. Past it the file is
// reported with its counts and no diff.
const maxFileDiffBytes = 4 << 20

// maxTotalDiffBytes bounds the diff text of one Diff, all files together,
// for the same reason: once it is reached, later files get counts only.
const maxTotalDiffBytes = 32 << 20

// diffArgs are the options both diff-tree runs share, so that they see the
// same pairs in the same order: no external diff or textconv program (they
// would be defined nowhere anyway), renames detected.
func diffArgs(format ...string) []string {
	args := []string{"diff-tree", "-r", "-M", "--no-ext-diff", "--no-textconv", "--no-color"}
	return append(args, format...)
}

// rawEntry is one line of `git diff-tree --raw -z`.
type rawEntry struct {
	status   byte   // A, D, M, R, T, …
	src, dst string // dst is "" unless renamed or copied
}

// diffTrees compares two snapshot trees, one FileChange per file.
func (g *gitRepo) diffTrees(ctx context.Context, from, to string) ([]event.FileChange, error) {
	out, err := g.runBare(ctx, nil, append(diffArgs("--raw", "-z"), from, to)...)
	if err != nil {
		return nil, err
	}
	entries, err := parseRaw(out)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, nil
	}
	var chunks []patchChunk
	err = g.stream(ctx, func(r io.Reader) error {
		chunks, err = readPatch(r)
		return err
	}, append(diffArgs("-p", "--src-prefix=a/", "--dst-prefix=b/"), from, to)...)
	if err != nil {
		return nil, err
	}
	// The patch has one chunk per pair, but two for a pair whose type
	// changed (a file become a symlink): git shows it as a deletion and a
	// creation. Should they still not line up, the files are reported
	// without diffs rather than with each other's.
	want := 0
	for _, e := range entries {
		want += chunksOf(e)
	}
	if want != len(chunks) {
		chunks = nil
	}
	changes := make([]event.FileChange, 0, len(entries))
	for _, e := range entries {
		c := fileChange(e)
		if chunks != nil {
			n := chunksOf(e)
			c.Diff, c.Added, c.Removed = joinChunks(chunks[:n])
			chunks = chunks[n:]
		}
		changes = append(changes, c)
	}
	return changes, nil
}

func chunksOf(e rawEntry) int {
	if e.status == 'T' {
		return 2
	}
	return 1
}

// fileChange is the FileChange of an entry, without its diff.
func fileChange(e rawEntry) event.FileChange {
	switch e.status {
	case 'A':
		return event.FileChange{Path: e.src, Kind: kindAdd}
	case 'D':
		return event.FileChange{Path: e.src, Kind: kindDelete}
	case 'R':
		return event.FileChange{Path: e.src, Kind: kindUpdate, MoveTo: e.dst}
	case 'C': // not asked for (no -C), but a copy is a new file
		return event.FileChange{Path: e.dst, Kind: kindAdd}
	default:
		return event.FileChange{Path: e.src, Kind: kindUpdate}
	}
}

// parseRaw reads `git diff-tree --raw -z` output: for each pair,
// ":oldmode newmode oldsha newsha status" NUL path NUL, and a second path
// NUL for a rename or copy.
func parseRaw(out []byte) ([]rawEntry, error) {
	fields := strings.Split(string(out), "\x00")
	var entries []rawEntry
	for i := 0; i < len(fields); i++ {
		head := fields[i]
		if head == "" && i == len(fields)-1 {
			break
		}
		parts := strings.Fields(strings.TrimPrefix(head, ":"))
		if !strings.HasPrefix(head, ":") || len(parts) != 5 || parts[4] == "" || i+1 >= len(fields) {
			return nil, fmt.Errorf("git diff-tree: unexpected output %q", head)
		}
		e := rawEntry{status: parts[4][0], src: fields[i+1]}
		i++
		if e.status == 'R' || e.status == 'C' {
			if i+1 >= len(fields) {
				return nil, fmt.Errorf("git diff-tree: unexpected output %q", head)
			}
			e.dst = fields[i+1]
			i++
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// patchChunk is one "diff --git" section of a patch, its text dropped
// (over) when it was too large to keep.
type patchChunk struct {
	text           []byte
	over           bool
	added, removed int
	inHunk         bool // past its first @@ line
}

// readBufferBytes is the size of the buffer lines of a patch are read
// through. A longer line comes in pieces, only the first of which is
// looked at (a line's kind is in its first bytes).
const readBufferBytes = 64 << 10

var errNotPatch = errors.New("git diff-tree: output does not start with a diff header")

// readPatch splits git's patch output into its "diff --git" sections,
// counting the added and removed lines of each and keeping its text up to
// maxFileDiffBytes (and maxTotalDiffBytes over all). Only a line that
// starts with "diff --git " starts a section: inside a hunk every line
// starts with ' ', '+', '-', '\' or "@@", so file content cannot.
func readPatch(r io.Reader) ([]patchChunk, error) {
	br := bufio.NewReaderSize(r, readBufferBytes)
	var chunks []patchChunk
	total := 0
	lineStart := true
	for {
		piece, err := br.ReadSlice('\n')
		if len(piece) > 0 {
			if lineStart && bytes.HasPrefix(piece, []byte("diff --git ")) {
				chunks = append(chunks, patchChunk{})
			}
			if len(chunks) == 0 {
				return nil, errNotPatch
			}
			c := &chunks[len(chunks)-1]
			if lineStart {
				switch {
				case bytes.HasPrefix(piece, []byte("@@")):
					c.inHunk = true
				case c.inHunk && piece[0] == '+':
					c.added++
				case c.inHunk && piece[0] == '-':
					c.removed++
				}
			}
			if !c.over {
				if len(c.text)+len(piece) > maxFileDiffBytes || total+len(piece) > maxTotalDiffBytes {
					c.over = true
					total -= len(c.text)
					c.text = nil
				} else {
					c.text = append(c.text, piece...)
					total += len(piece)
				}
			}
			lineStart = piece[len(piece)-1] == '\n'
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return chunks, nil
		default:
			return nil, err
		}
	}
}

// joinChunks is the diff of one file from its sections (two for a type
// change): the text, unless a section was too large, and the counts.
func joinChunks(chunks []patchChunk) (diff string, added, removed int) {
	var text []byte
	over := false
	for _, c := range chunks {
		text = append(text, c.text...)
		over = over || c.over
		added += c.added
		removed += c.removed
	}
	if over {
		return "", added, removed
	}
	return string(text), added, removed
}

// mergeOutside adds the files the snapshots hold no content of (too big
// to copy, or unreadable): base those of the baseline, cur those of now.
// A file in both changed if its size, mtime, mode or readability did. A
// file outside on one side only is in the other snapshot, so git reports
// it added or deleted; it is an update. None has counts; the Diff of an
// unreadable one says so, that of one too big is empty.
func mergeOutside(changes []event.FileChange, base, cur map[string]outsideFile) []event.FileChange {
	if len(base) == 0 && len(cur) == 0 {
		return changes
	}
	at := make(map[string]int, len(changes))
	for i, c := range changes {
		if c.MoveTo == "" {
			at[c.Path] = i
		}
	}
	outside := func(p, kind string, f outsideFile, atStart bool) event.FileChange {
		c := event.FileChange{Path: p, Kind: kind}
		if f.unreadable != "" {
			c.Diff = unreadableNote(f.unreadable, atStart)
		}
		return c
	}
	for p, now := range cur {
		if i, ok := at[p]; ok && changes[i].Kind == kindDelete {
			changes[i] = outside(p, kindUpdate, now, false) // grew past the limit, or became unreadable
			continue
		}
		if was, ok := base[p]; !ok {
			changes = append(changes, outside(p, kindAdd, now, false))
		} else if was != now {
			changes = append(changes, outside(p, kindUpdate, now, false))
		}
	}
	for p, was := range base {
		if _, ok := cur[p]; ok {
			continue
		}
		if i, ok := at[p]; ok && changes[i].Kind == kindAdd {
			changes[i] = outside(p, kindUpdate, was, true) // shrank below the limit, or became readable
			continue
		}
		changes = append(changes, outside(p, kindDelete, was, true))
	}
	return changes
}
