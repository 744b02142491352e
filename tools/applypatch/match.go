package applypatch

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Matching levels, tried in order over the whole search range before the
// next, so a more faithful match always wins over a looser one elsewhere.
// They mirror Codex's seek_sequence: models copy lines from memory, and the
// usual slips are trailing spaces, indentation, and typographic punctuation
// they "correct" to ASCII (or the reverse).
const (
	levelExact = iota
	levelTrimRight
	levelTrim
	levelPunct
	numLevels
)

// normalize brings a line to the form compared at the given level.
func normalize(s string, level int) string {
	switch level {
	case levelExact:
		return s
	case levelTrimRight:
		return strings.TrimRightFunc(s, unicode.IsSpace)
	case levelTrim:
		return strings.TrimSpace(s)
	default:
		return strings.TrimSpace(normalizePunct(s))
	}
}

// normalizePunct maps the Unicode punctuation models confuse with ASCII to
// ASCII: dashes and minus to '-', curly quotes to straight ones, and the
// non-breaking and fixed-width spaces to ' '.
func normalizePunct(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE58', '\uFE63', '\uFF0D':
			return '-'
		case '\u2018', '\u2019', '\u201A', '\u201B', '\u2032':
			return '\''
		case '\u201C', '\u201D', '\u201E', '\u201F', '\u2033':
			return '"'
		case '\u00A0', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008',
			'\u2009', '\u200A', '\u202F', '\u205F', '\u3000':
			return ' '
		}
		return r
	}, s)
}

// matcher searches one file's lines, caching each level's normalised form of
// the file so a patch with many hunks normalises the file at most once per
// level.
type matcher struct {
	lines []string
	norm  [numLevels][]string
}

func newMatcher(lines []string) *matcher {
	m := &matcher{lines: lines}
	m.norm[levelExact] = lines
	return m
}

func (m *matcher) at(level int) []string {
	if m.norm[level] == nil {
		n := make([]string, len(m.lines))
		for i, l := range m.lines {
			n[i] = normalize(l, level)
		}
		m.norm[level] = n
	}
	return m.norm[level]
}

// seek finds pattern in the file at or after start and returns its index,
// or -1. With eof the pattern must end the file. An empty pattern matches at
// start.
func (m *matcher) seek(pattern []string, start int, eof bool) int {
	idx, _ := m.seekLevel(pattern, start, eof)
	return idx
}

// seekLevel is seek, also returning the level the match was found at.
func (m *matcher) seekLevel(pattern []string, start int, eof bool) (int, int) {
	if len(pattern) == 0 {
		return start, levelExact
	}
	n := len(m.lines)
	if len(pattern) > n {
		return -1, 0
	}
	from, to := start, n-len(pattern)
	if eof {
		from = n - len(pattern)
		if from < start {
			return -1, 0
		}
	}
	pat := make([]string, len(pattern))
	for level := range numLevels {
		for i, p := range pattern {
			pat[i] = normalize(p, level)
		}
		file := m.at(level)
	scan:
		for i := from; i <= to; i++ {
			for k, p := range pat {
				if file[i+k] != p {
					continue scan
				}
			}
			return i, level
		}
	}
	return -1, 0
}

// closest returns the start of the window of len(pattern) file lines that
// has the most lines equal to the pattern's under the loosest comparison,
// and that count. Ties go to the first window at or after start, since that
// is where the hunk was meant to be; score 0 means nothing resembles it.
func (m *matcher) closest(pattern []string, start int) (best, score int) {
	if len(pattern) == 0 || len(m.lines) == 0 {
		return -1, 0
	}
	file := m.at(levelPunct)
	pat := make([]string, len(pattern))
	for i, p := range pattern {
		pat[i] = normalize(p, levelPunct)
	}
	best, score = -1, 0
	bestAfter := false
	last := max(len(m.lines)-len(pattern), 0)
	for i := 0; i <= last; i++ {
		s := 0
		for k, p := range pat {
			if i+k < len(file) && file[i+k] == p {
				s++
			}
		}
		after := i >= start
		if s > score || (s == score && s > 0 && after && !bestAfter) {
			best, score, bestAfter = i, s, after
		}
	}
	return best, score
}
