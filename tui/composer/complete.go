package composer

import (
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"warden/tui/internal/termsafe"
	"warden/tui/styles"
)

// completionRows is how many entries a completion list shows at once, and
// how many files @ offers.
const completionRows = 8

type completionKind int

const (
	noCompletion completionKind = iota
	fileCompletion
	commandCompletion
)

// completionContext is the word under the cursor that a list would
// complete: its kind, where it is (rune columns [start, end) of row) and
// the query typed so far (between its sigil and the cursor).
type completionContext struct {
	kind       completionKind
	row        int
	start, end int
	query      string
}

// candidate is one entry of a completion list.
type candidate struct {
	text    string // the path, or "/name"
	desc    string // a command's description
	matched []int  // byte offsets in text that matched the query
}

// completion is the open list, if any.
type completion struct {
	ctx      completionContext
	items    []candidate
	selected int
	hits     fileHits // what the file query matched, to narrow the next one
	// dismissed is the context Esc closed the list for: it stays closed
	// until the query changes (or Tab asks for it).
	dismissed completionContext
}

func (c completion) open() bool { return c.ctx.kind != noCompletion && len(c.items) > 0 }

func (c completion) rows() int {
	if !c.open() {
		return 0
	}
	return min(len(c.items), completionRows)
}

func (c *completion) reset() { *c = completion{} }

func (c *completion) close() {
	c.ctx = completionContext{}
	c.items = nil
	c.selected = 0
	c.hits = fileHits{}
}

func (c *completion) dismiss() {
	c.dismissed = c.ctx
	c.close()
}

// move steps the selection, wrapping around at either end.
func (c *completion) move(delta int) {
	if n := len(c.items); n > 0 {
		c.selected = ((c.selected+delta)%n + n) % n
	}
}

// contextAt finds what the cursor at col of line (row row) would
// complete: a word starting with @ anywhere, or a /command as the first
// word of the first line.
func contextAt(line []rune, row, col int) completionContext {
	col = min(col, len(line))
	start := col
	for start > 0 && !unicode.IsSpace(line[start-1]) {
		start--
	}
	if start == col {
		return completionContext{}
	}
	end := col
	for end < len(line) && !unicode.IsSpace(line[end]) {
		end++
	}
	query := string(line[start+1 : col])
	switch {
	case line[start] == '@':
		return completionContext{kind: fileCompletion, row: row, start: start, end: end, query: query}
	case line[start] == '/' && row == 0 && start == 0 && isCommandName(query, true):
		return completionContext{kind: commandCompletion, row: row, start: start, end: end, query: query}
	}
	return completionContext{}
}

// isCommandName reports whether s can be a command's name: a letter, then
// letters, digits, - and _ ("/usr/bin/env" is a path, not a command).
// partial allows the empty name of a bare "/" still being typed.
func isCommandName(s string, partial bool) bool {
	if s == "" {
		return partial
	}
	for i, r := range s {
		switch {
		case unicode.IsLetter(r):
		case i > 0 && (unicode.IsDigit(r) || r == '-' || r == '_'):
		default:
			return false
		}
	}
	return true
}

// matchCommands lists the commands for a query: those whose name starts
// with it first, in the order given, then fuzzy matches by score.
func matchCommands(cmds []Command, query string) []candidate {
	var out []candidate
	prefixed := make([]bool, len(cmds))
	lower := strings.ToLower(query)
	for i, c := range cmds {
		if strings.HasPrefix(strings.ToLower(c.Name), lower) {
			prefixed[i] = true
			matched := make([]int, 0, len(query))
			for j := range len(query) {
				matched = append(matched, 1+j)
			}
			out = append(out, candidate{text: "/" + c.Name, desc: c.Description, matched: matched})
		}
	}
	if query == "" {
		return out
	}
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Name
	}
	for _, fm := range fuzzy.Find(query, names) {
		if prefixed[fm.Index] {
			continue
		}
		c := cmds[fm.Index]
		out = append(out, candidate{text: "/" + c.Name, desc: c.Description, matched: shiftIndexes(fm.MatchedIndexes, 1)})
	}
	return out
}

// fileIndex holds the repository's paths, their basenames (matched first)
// and the files a bare "@" offers.
type fileIndex struct {
	paths   []string
	bases   []string
	every   []int // 0..len(paths)-1: the whole index as a subset
	shallow []string
}

// newFileIndex indexes paths, leaving out those that are not printable
// (ListFiles never returns them, but SetFiles may be given anything).
func newFileIndex(paths []string) fileIndex {
	unprintable := func(p string) bool { return !printable(p) }
	if slices.ContainsFunc(paths, unprintable) {
		paths = slices.DeleteFunc(slices.Clone(paths), unprintable)
	}
	f := fileIndex{paths: paths, bases: make([]string, len(paths)), every: make([]int, len(paths))}
	for i, p := range paths {
		f.bases[i] = path.Base(p)
		f.every[i] = i
	}
	// A bare "@" shows the files nearest the root: the top-level README,
	// go.mod and the like are the likeliest references.
	f.shallow = append([]string(nil), paths...)
	slices.SortStableFunc(f.shallow, func(a, b string) int {
		if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
			return da - db
		}
		return strings.Compare(a, b)
	})
	f.shallow = f.shallow[:min(len(f.shallow), completionRows)]
	return f
}

// fileHits remembers which paths a query matched, so the next keystroke,
// which usually extends the query, searches only those: a path that
// matches "abc" also matches "ab".
type fileHits struct {
	query string
	idx   []int // indexes into fileIndex.paths
}

// subset is the paths at some indexes, as a fuzzy.Source.
type subset struct {
	all []string
	idx []int
}

func (s subset) String(i int) string { return s.all[s.idx[i]] }
func (s subset) Len() int            { return len(s.idx) }

// match ranks the files for a query: files whose basename matches come
// first (typing "comp" means composer.go more than cmd/pkg/http.go), then
// those that match only across the path. Ties go to the shorter path.
// prev is what the previous query matched; the hits returned are for the
// next call.
func (f fileIndex) match(query string, prev fileHits) ([]candidate, fileHits) {
	if query == "" {
		out := make([]candidate, len(f.shallow))
		for i, p := range f.shallow {
			out[i] = candidate{text: p}
		}
		return out, fileHits{}
	}
	search := subset{all: f.paths, idx: f.every}
	if prev.query != "" && strings.HasPrefix(query, prev.query) {
		search.idx = prev.idx
	}

	byPath := fuzzy.FindFromNoSort(query, search)
	hits := fileHits{query: query, idx: make([]int, len(byPath))}
	for i, fm := range byPath {
		hits.idx[i] = search.idx[fm.Index]
	}
	var best topFiles
	// A basename match is also a path match, so only the hits need the
	// basename pass.
	inBase := make([]bool, len(hits.idx))
	if !strings.Contains(query, "/") {
		for _, fm := range fuzzy.FindFromNoSort(query, subset{all: f.bases, idx: hits.idx}) {
			i := hits.idx[fm.Index]
			inBase[fm.Index] = true
			best.offer(rankedFile{path: f.paths[i], tier: 0, score: fm.Score, matched: fm.MatchedIndexes, shift: len(f.paths[i]) - len(f.bases[i])})
		}
	}
	for n, fm := range byPath {
		if !inBase[n] {
			best.offer(rankedFile{path: fm.Str, tier: 1, score: fm.Score, matched: fm.MatchedIndexes})
		}
	}
	out := make([]candidate, len(best))
	for i, r := range best {
		out[i] = candidate{text: r.path, matched: shiftIndexes(r.matched, r.shift)}
	}
	return out, hits
}

// rankedFile is a file match before it becomes a candidate; matched is
// fuzzy's own slice (offsets into the basename when shift > 0), copied only
// for the few that are shown.
type rankedFile struct {
	path        string
	tier, score int
	matched     []int
	shift       int
}

// before orders matches: basename matches first, then by score, then
// shorter and alphabetically earlier paths.
func (a rankedFile) before(b rankedFile) bool {
	switch {
	case a.tier != b.tier:
		return a.tier < b.tier
	case a.score != b.score:
		return a.score > b.score
	case len(a.path) != len(b.path):
		return len(a.path) < len(b.path)
	}
	return a.path < b.path
}

// topFiles keeps the best completionRows matches, in order, without
// sorting the thousands a short query matches.
type topFiles []rankedFile

func (t *topFiles) offer(r rankedFile) {
	if len(*t) == completionRows && !r.before((*t)[completionRows-1]) {
		return
	}
	i := len(*t)
	for i > 0 && r.before((*t)[i-1]) {
		i--
	}
	*t = slices.Insert(*t, i, r)
	if len(*t) > completionRows {
		*t = (*t)[:completionRows]
	}
}

func shiftIndexes(idx []int, by int) []int {
	out := make([]int, len(idx))
	for i, x := range idx {
		out[i] = x + by
	}
	return out
}

// quotePath quotes a path with spaces, so the model (and the user) can
// tell where it ends.
func quotePath(p string) string {
	if strings.ContainsFunc(p, unicode.IsSpace) {
		return `"` + p + `"`
	}
	return p
}

// view draws the list under the composer: a window of completionRows
// entries around the selection, the selected one marked and reversed,
// the characters that matched emphasised.
func (c completion) view(st *styles.Styles, width int) string {
	if !c.open() {
		return ""
	}
	rows := c.rows()
	top := max(0, c.selected-rows+1)
	nameWidth := 0
	for _, it := range c.items {
		nameWidth = max(nameWidth, ansi.StringWidth(it.shown().text))
	}
	avail := width - promptWidth
	var b strings.Builder
	for i := top; i < top+rows; i++ {
		it := c.items[i].shown()
		if i > top {
			b.WriteByte('\n')
		}
		if i == c.selected {
			b.WriteString(st.Accent.Render("›") + " ")
		} else {
			b.WriteString("  ")
		}
		if c.ctx.kind == commandCompletion {
			b.WriteString(commandRow(st, it, i == c.selected, nameWidth, avail))
		} else {
			b.WriteString(fileRow(st, it, i == c.selected, avail))
		}
	}
	return b.String()
}

// shown is the candidate as the list may draw it. The file index holds
// only printable paths, but whatever a list is given must not reach the
// terminal with escape sequences or line breaks: anything else is
// cleaned, and its match offsets, which no longer fit, dropped.
func (c candidate) shown() candidate {
	if printable(c.text) && printable(c.desc) {
		return c
	}
	return candidate{text: printableLine(c.text), desc: printableLine(c.desc)}
}

// printableLine is s without escape sequences and control characters, on
// one line.
func printableLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, termsafe.Strip(s))
}

// commandRow draws "/name   description", the description cut to fit.
func commandRow(st *styles.Styles, it candidate, selected bool, nameWidth, avail int) string {
	nameWidth = min(nameWidth, avail)
	name := ansi.Truncate(it.text, nameWidth, "…")
	pad := strings.Repeat(" ", nameWidth-ansi.StringWidth(name))
	var out string
	if selected {
		out = st.Selected.Render(name) + pad
	} else {
		out = emphasise(name, it.matched, st.Text, st.Bold) + pad
	}
	if rest := avail - nameWidth - 2; rest > 0 && it.desc != "" {
		out += "  " + st.Dim.Render(ansi.Truncate(it.desc, rest, "…"))
	}
	return out
}

// fileRow draws a path, cut from the left when too long: the file's name
// is the part worth keeping.
func fileRow(st *styles.Styles, it candidate, selected bool, avail int) string {
	text, matched := it.text, it.matched
	if ansi.StringWidth(text) > avail {
		const ellipsis = "…"
		cut := 0
		for cut < len(text) && ansi.StringWidth(ellipsis+text[cut:]) > avail {
			_, size := utf8.DecodeRuneInString(text[cut:])
			cut += size
		}
		var kept []int
		for _, x := range matched {
			if x >= cut {
				kept = append(kept, x-cut+len(ellipsis))
			}
		}
		text, matched = ellipsis+text[cut:], kept
	}
	if selected {
		return st.Selected.Render(text)
	}
	return emphasise(text, matched, st.Text, st.Bold)
}

// emphasise renders text with the bytes at the matched offsets (each the
// start of a rune) in strong and the rest in plain.
func emphasise(text string, matched []int, plain, strong lipgloss.Style) string {
	if len(matched) == 0 {
		return plain.Render(text)
	}
	isMatched := make(map[int]bool, len(matched))
	for _, x := range matched {
		isMatched[x] = true
	}
	var b strings.Builder
	runStart, runMatched := 0, isMatched[0]
	flush := func(end int) {
		if end > runStart {
			if runMatched {
				b.WriteString(strong.Render(text[runStart:end]))
			} else {
				b.WriteString(plain.Render(text[runStart:end]))
			}
		}
	}
	for i := range text {
		if m := isMatched[i]; m != runMatched {
			flush(i)
			runStart, runMatched = i, m
		}
	}
	flush(len(text))
	return b.String()
}
