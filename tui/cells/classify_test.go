package cells

import (
	"strings"
	"testing"
)

// describe writes an action the way the table below expects it.
func describe(a Action) string {
	var parts []string
	for _, op := range a.Ops {
		switch op.Kind {
		case OpRead:
			parts = append(parts, "Read "+strings.Join(op.Files, ", "))
		case OpList:
			parts = append(parts, strings.TrimSpace("List "+strings.Join(op.Paths, ", ")))
		case OpSearch:
			s := "Search " + op.Query
			if len(op.Paths) > 0 {
				s += " in " + strings.Join(op.Paths, ", ")
			}
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}

func TestClassify(t *testing.T) {
	cases := []struct {
		script string
		want   string // "" : not exploration
	}{
		// Reading files.
		{"cat main.go", "Read main.go"},
		{"cat main.go util.go", "Read main.go, util.go"},
		{"head -n 50 main.go", "Read main.go"},
		{"tail -20 log.txt", "Read log.txt"},
		{"nl -ba main.go", "Read main.go"},
		{"sed -n '1,120p' tui/cells/exec.go", "Read tui/cells/exec.go"},
		{"sed -n -e 5p a.go b.go", "Read a.go, b.go"},
		{"cat a.go 2>/dev/null", "Read a.go"},
		{"cat *.go", "Read *.go"},
		{"head -n 5 a.go && tail -n 5 b.go", "Read a.go; Read b.go"},
		// Listing.
		{"ls", "List"},
		{"ls -la tools/", "List tools/"},
		{"ls -I '*.o' src", "List src"},
		{"tree -L 2 tui", "List tui"},
		{"find src -type f", "List src"},
		{"git ls-files tui", "List tui"},
		{"rg --files", "List"},
		{"pwd && ls", "List"},
		// Searching.
		{"grep -rn TODO src/", "Search TODO in src/"},
		{"rg TODO", "Search TODO"},
		{"rg -n 'func New' tui/ harness/", "Search func New in tui/, harness/"},
		{"rg -e foo -e bar src", "Search foo, bar in src"},
		{"rg -g '*.go' -t go -C 3 Render tui", "Search Render in tui"},
		{"git grep -n foo -- '*.go'", "Search foo in *.go"},
		{"find . -name '*.go'", "Search *.go in ."},
		{"fd '\\.go$' tui", "Search \\.go$ in tui"},
		// cd, pipes into filters, quiet commands.
		{"cd tui && ls", "List tui"},
		{"cd tui && cat cells/exec.go", "Read tui/cells/exec.go"},
		{"cd /work/main && rg foo", "Search foo in /work/main"},
		{"cd tui && cd cells && cat /etc/hosts", "Read /etc/hosts"},
		{"rg foo | head -20", "Search foo"},
		{"cat a.go | grep -n foo", "Read a.go"},
		{"ls | wc -l", "List"},
		{"find . -type f | sort | head", "List ."},
		{"cat a.go | tr a-z A-Z", "Read a.go"},
		{"cat package.json | jq .name", "Read package.json"},
		{"echo --- && cat a.go", "Read a.go"},
		// Writes, side effects, and what cannot be judged.
		{"cat a > b", ""},
		{"cat a >> b", ""},
		{"find . -delete", ""},
		{"find . -name x -exec rm {} \\;", ""},
		{"find . -fprint out.txt", ""},
		{"grep x $(rm -rf /)", ""},
		{"grep x `rm -rf /`", ""},
		{"cat $HOME/.ssh/id_rsa", ""},
		{"sed -i 's/a/b/' a.go", ""},
		{"sed 's/a/b/w out' a.go", ""},
		{"ls; rm x", ""},
		{"ls && touch x", ""},
		{"cat <<EOF\nhi\nEOF", ""},
		{"cat <<EOF > notes.txt\nhi\nEOF", ""},
		{"tee out.txt < a.go", ""},
		{"rg --pre ./evil.sh foo", ""},
		{"FOO=1 cat a", ""},
		{"sudo cat /etc/shadow", ""},
		{"cat a.go &", ""},
		{"ls && (cat a)", ""},
		{"rg foo | xargs cat", ""},
		{"sh -c 'cat a'", ""},
		{"git status", ""},
		{"git log --oneline", ""},
		{"wc -l a.go", ""},
		{"jq . package.json", ""},
		{"echo hi", ""},
		{"cd ~ && ls", ""},
		{"cd -", ""},
		{"cd src* && ls", ""},
		{"ag foo", ""},    // not on shellcmd's read-only list
		{"less a.go", ""}, // nor is less
		{"./cat a.go", ""},
		{"cat a.go | sh", ""},
		{"", ""},
		{"if true; then cat a; fi", ""},
	}
	for _, c := range cases {
		a, ok := Classify(c.script)
		got := ""
		if ok {
			got = describe(a)
			if got == "" {
				t.Errorf("Classify(%q) is exploration with no ops", c.script)
			}
		}
		if got != c.want {
			t.Errorf("Classify(%q) = %q, want %q", c.script, got, c.want)
		}
	}
}

// A search's exit status 1 means it found nothing; the status of a
// pipeline is its last command's.
func TestClassifySearchStatus(t *testing.T) {
	for script, want := range map[string]bool{
		"rg TODO":                true,
		"cat a.go | grep foo":    true,
		"git grep foo":           true,
		"rg TODO | head":         false,
		"cat a.go":               false,
		"grep -c foo a.go && ls": false,
	} {
		a, ok := Classify(script)
		if !ok {
			t.Fatalf("Classify(%q) is not exploration", script)
		}
		if a.searchStatus != want {
			t.Errorf("Classify(%q).searchStatus = %v, want %v", script, a.searchStatus, want)
		}
	}
}

// The argument readers take less and bat too, for when shellcmd lists
// them as read-only.
func TestExploreReaders(t *testing.T) {
	for argv, want := range map[string]string{
		"less -p TODO README.md":    "Read README.md",
		"bat -l go --style=plain x": "Read x",
		"batcat -r 1:20 a.go b.go":  "Read a.go, b.go",
		"ag -G go foo src":          "Search foo in src",
	} {
		op, r := explore(strings.Fields(argv), false)
		if r != roleOp {
			t.Errorf("explore(%q) is not an op", argv)
			continue
		}
		if got := describe(Action{Ops: []Op{op}}); got != want {
			t.Errorf("explore(%q) = %q, want %q", argv, got, want)
		}
	}
}
