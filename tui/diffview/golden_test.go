package diffview

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"

	"warden/harness/event"
	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

type theme struct {
	name string
	opts styles.Options
}

var themes = []theme{
	{"nocolor", styles.Options{NoColor: true}},
	{"dark", styles.Options{Dark: true}},
	{"light", styles.Options{}},
}

var goldenWidths = []int{40, 80, 120, 160}

// change makes a FileChange the way tools/applypatch does: a go-udiff
// unified diff with three lines of context, and its counts.
func change(kind, path, moveTo, old, new string) event.FileChange {
	from, to := "a/"+path, "b/"+path
	if moveTo != "" {
		to = "b/" + moveTo
	}
	if kind == "add" {
		from = "/dev/null"
	}
	if kind == "delete" {
		to = "/dev/null"
	}
	c := event.FileChange{Path: path, Kind: kind, MoveTo: moveTo}
	if old == new {
		return c
	}
	edits := udiff.Lines(old, new)
	u, err := udiff.ToUnifiedDiff(from, to, old, edits, 3)
	if err != nil {
		panic(err)
	}
	for _, h := range u.Hunks {
		for _, l := range h.Lines {
			switch l.Kind {
			case udiff.Insert:
				c.Added++
			case udiff.Delete:
				c.Removed++
			}
		}
	}
	c.Diff = u.String()
	return c
}

const goOld = `package server

import (
	"fmt"
	"net/http"
)

// Server answers requests.
type Server struct {
	addr string
}

func (s *Server) Start() error {
	fmt.Println("listening on", s.addr)
	return http.ListenAndServe(s.addr, nil)
}

func helper() {}

func other() {}

func more() {}

// Stop is not done yet.
func (s *Server) Stop() error {
	return nil
}
`

const goNew = `package server

import (
	"fmt"
	"log"
	"net/http"
)

// Server answers requests.
type Server struct {
	addr string
}

func (s *Server) Start() error {
	fmt.Println("listening on", s.addr)
	return http.ListenAndServe(s.addr, nil)
}

func helper() {}

func other() {}

func more() {}

// Stop closes the server.
func (s *Server) Stop() error {
	log.Printf("stopping %s", s.addr)
	return fmt.Errorf("stop %s: %w", s.addr, errNotDone)
}
`

const pyNew = `"""Count words."""
import sys


def count(path: str) -> int:
    with open(path) as f:
        return sum(len(line.split()) for line in f)


if __name__ == "__main__":
    print(count(sys.argv[1]))  # one file
`

const longOld = "package long\n\nvar table = map[string]int{\n\t\"a\":\t1,\n}\n"

const longNew = "package long\n\nvar table = map[string]int{\n\t\"a\":\t1,\n\t\"b\":\t2, // a comment long enough to wrap at every width but the widest: it goes on and on, past the edge of any terminal narrower than this one\n\t\"日本語\":\t3, // wide characters: 日本語のテキストは一文字が二列を占めるので、折り返しの位置がずれやすい\n}\n"

// fixtures are the drawings every golden is made of.
func fixtures() map[string][]event.FileChange {
	return map[string][]event.FileChange{
		"update_go":  {change("update", "server/server.go", "", goOld, goNew)},
		"add_python": {change("add", "tools/count.py", "", "", pyNew)},
		"delete":     {change("delete", "old/notes.txt", "", "first line\nsecond line\nthird\n", "")},
		"move": {
			change("update", "internal/storage/engine/compaction/a.go", "internal/storage/engine/compaction/levels/a.go", "package a\n\nconst N = 1\n", "package a\n\nconst N = 2\n"),
			change("update", "x.go", "y.go", "same\n", "same\n"),
		},
		"long_lines":    {change("update", "long/table.go", "", longOld, longNew)},
		"malformed":     {{Path: "broken.go", Kind: "update", Added: 1, Diff: "this is not a diff\n@@ nor is this @@\n+\tonly looks like one\n"}},
		"multiple_file": {change("update", "x.txt", "", "a\nb\n", "a\nc\n"), change("add", "y.txt", "", "", "y\n")},
	}
}

// A golden file holds one fixture drawn at every golden width, in one
// theme, unified or split.
func TestGolden(t *testing.T) {
	for name, changes := range fixtures() {
		for _, split := range []bool{false, true} {
			mode := "unified"
			if split {
				mode = "split"
			}
			for _, th := range themes {
				t.Run(name+"/"+mode+"/"+th.name, func(t *testing.T) {
					var b strings.Builder
					for _, w := range goldenWidths {
						out := Render(changes, Options{Width: w, Split: split, Styles: styles.New(th.opts)})
						golden.CheckWidth(t, fmt.Sprintf("%s %s %s width %d", name, mode, th.name, w), out, w)
						fmt.Fprintf(&b, "──── width %d ────\n%s\n", w, out)
					}
					golden.Compare(t, filepath.Join("testdata", name+"."+mode+"."+th.name+".golden"), b.String(), *update)
				})
			}
		}
	}
}
