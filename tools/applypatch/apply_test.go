package applypatch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplyUpdate(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		patch []string // lines between Begin and End, for f.txt
		want  string
	}{
		{"exact", "a\nb\nc\n", []string{"@@", " a", "-b", "+B"}, "a\nB\nc\n"},
		{"trailing whitespace in file", "a  \nb\t\nc\n", []string{"@@", " a", "-b", "+B"}, "a  \nB\nc\n"},
		{"loose match keeps the file's context lines", "x\n  a\u00a0b\n\tc\n  d \n", []string{"@@", " a b", "-c", "+C", " d"}, "x\n  a\u00a0b\nC\n  d \n"},
		{"trailing whitespace in patch", "a\nb\nc\n", []string{"@@", " a   ", "-b ", "+B"}, "a\nB\nc\n"},
		{"surrounding whitespace", "\tif x {\n\t\treturn\n\t}\n", []string{"@@", " if x {", "-  return", "+\t\treturn nil"}, "\tif x {\n\t\treturn nil\n\t}\n"},
		{"unicode in file, ascii in patch", "say “hi” – it\u2019s\u00a0ok\nz\n", []string{"@@", `-say "hi" - it's ok`, "+done"}, "done\nz\n"},
		{"ascii in file, unicode in patch", "say \"hi\" - it's ok\nz\n", []string{"@@", "-say “hi” — it’s\u202fok", "+done"}, "done\nz\n"},
		{"exact beats loose later", "x \ny\nx\ny\n", []string{"@@", "-x", "+X"}, "x \ny\nX\ny\n"},
		{"context header", "func a() {\n\treturn 1\n}\nfunc b() {\n\treturn 1\n}\n", []string{"@@ func b() {", "-\treturn 1", "+\treturn 2"},
			"func a() {\n\treturn 1\n}\nfunc b() {\n\treturn 2\n}\n"},
		{"context header leniently", "func  b()  {   \n\treturn 1\n", []string{"@@   func  b()  {", "-\treturn 1", "+\treturn 2"}, "func  b()  {   \n\treturn 2\n"},
		{"end of file", "x\ny\nx\ny\n", []string{"@@", "-x", " y", "+z", "*** End of File"}, "x\ny\ny\nz\n"},
		{"two chunks in order", "1\n2\n3\n4\n5\n", []string{"@@", "-2", "+two", "@@", " 4", "-5", "+five"}, "1\ntwo\n3\n4\nfive\n"},
		{"chunk after previous one", "x\nsep\nx\n", []string{"@@", " x", "-sep", "+SEP", "@@", "-x", "+X"}, "x\nSEP\nX\n"},
		{"pure addition appends", "a\nb\n", []string{"@@", "+c"}, "a\nb\nc\n"},
		{"pure addition before final blank line", "a\n\n", []string{"@@", "+c"}, "a\nc\n\n"},
		{"pure addition after context header", "func a() {\n}\nz\n", []string{"@@ func a() {", "+\tbody()"}, "func a() {\n\tbody()\n}\nz\n"},
		{"no trailing newline gets one", "a\nb", []string{"@@", "-a", "+A"}, "A\nb\n"},
		{"crlf kept for all lines", "a\r\nb\r\nc\r\n", []string{"@@", " a", "-b", "+B", "+new"}, "a\r\nB\r\nnew\r\nc\r\n"},
		{"crlf without final newline", "a\r\nb", []string{"@@", "-a", "+A"}, "A\r\nb\r\n"},
		{"mixed endings: untouched lines kept", "a\r\nb\nc\r\n", []string{"@@", "-c", "+C"}, "a\r\nb\nC\r\n"},
		{"empty file pure addition", "", []string{"@@", "+x"}, "x\n"},
		{"blank line between chunks is not context", "a\nb\nc\n", []string{"@@", "-a", "+A", "", "@@", "-c", "+C"}, "A\nb\nC\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"f.txt": tt.file})
			res, err := apply(t, dir, patchOf(append([]string{"*** Update File: f.txt"}, tt.patch...)...), true)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "f.txt"))
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if s := res.Summary(); s != "Success. Updated the following files:\nM f.txt\n" {
				t.Errorf("summary %q", s)
			}
		})
	}
}

func TestApplyFileOps(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		patch   []string
		want    map[string]string
		summary string
	}{
		{
			name:  "move to new dir",
			files: map[string]string{"a/x.txt": "1\n"},
			patch: []string{"*** Update File: a/x.txt", "*** Move to: b/c/y.txt", "@@", "-1", "+2"},
			want:  map[string]string{"a": "<dir>", "b": "<dir>", "b/c": "<dir>", "b/c/y.txt": "2\n"}, summary: "M b/c/y.txt\n",
		},
		{
			name:  "move overwriting",
			files: map[string]string{"x": "1\n", "y": "old\n"},
			patch: []string{"*** Update File: x", "*** Move to: y", "@@", "-1", "+2"},
			want:  map[string]string{"y": "2\n"}, summary: "M y\n",
		},
		{
			name:  "delete",
			files: map[string]string{"x": "1\n", "keep": "k\n"},
			patch: []string{"*** Delete File: x"},
			want:  map[string]string{"keep": "k\n"}, summary: "D x\n",
		},
		{
			name:  "add overwriting and add nested",
			files: map[string]string{"x": "old\n"},
			patch: []string{"*** Add File: x", "+new", "*** Add File: d/e/f", "+f"},
			want:  map[string]string{"x": "new\n", "d": "<dir>", "d/e": "<dir>", "d/e/f": "f\n"}, summary: "A x\nA d/e/f\n",
		},
		{
			name:  "same file twice",
			files: map[string]string{"x": "a\nb\n"},
			patch: []string{"*** Update File: x", "@@", "-a", "+A", "*** Update File: x", "@@", " A", "-b", "+B"},
			want:  map[string]string{"x": "A\nB\n"}, summary: "M x\nM x\n",
		},
		{
			name:  "add then update then delete other, then re-add deleted",
			files: map[string]string{"old": "o\n"},
			patch: []string{"*** Add File: n", "+1", "*** Update File: n", "@@", "-1", "+2", "*** Delete File: old", "*** Add File: old", "+again"},
			want:  map[string]string{"n": "2\n", "old": "again\n"}, summary: "A n\nM n\nD old\nA old\n",
		},
		{
			name:  "delete a file then create a directory in its place",
			files: map[string]string{"a": "file\n"},
			patch: []string{"*** Delete File: a", "*** Add File: a/b", "+x"},
			want:  map[string]string{"a": "<dir>", "a/b": "x\n"}, summary: "D a\nA a/b\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			res, err := apply(t, dir, patchOf(tt.patch...), true)
			if err != nil {
				t.Fatal(err)
			}
			diffTrees(t, readTree(t, dir), tt.want)
			if s := res.Summary(); s != "Success. Updated the following files:\n"+tt.summary {
				t.Errorf("summary %q", s)
			}
		})
	}
}

func TestModes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"run.sh": "echo 1\n", "mv.sh": "x\n"})
	for _, f := range []string{"run.sh", "mv.sh"} {
		if err := os.Chmod(filepath.Join(dir, f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	p, err := Parse(patchOf("*** Update File: run.sh", "@@", "-echo 1", "+echo 2", "*** Add File: new.txt", "+n",
		"*** Update File: mv.sh", "*** Move to: bin/mv.sh", "@@", "-x", "+y"))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Plan(p, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ch := pl.Changes()
	if ch[0].OldMode != 0o755 || ch[0].NewMode != 0o755 || ch[1].OldMode != 0 || ch[1].NewMode != 0o644 {
		t.Errorf("modes %v→%v, %v→%v", ch[0].OldMode, ch[0].NewMode, ch[1].OldMode, ch[1].NewMode)
	}
	if _, err := pl.Commit(); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]os.FileMode{"run.sh": 0o755, "new.txt": 0o644, "bin/mv.sh": 0o755} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", f, fi.Mode().Perm(), want)
		}
	}
	if _, err := pl.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
}

func TestChangesDiff(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"m.txt": "1\n2\n3\n4\n5\n6\n7\n8\n", "d.txt": "gone\n", "mv.txt": "a\n"})
	p, err := Parse(patchOf("*** Update File: m.txt", "@@", "-7", "+seven", "+7b",
		"*** Add File: n.txt", "+hello", "*** Delete File: d.txt",
		"*** Update File: mv.txt", "*** Move to: sub/mv.txt", "@@", "-a", "+b"))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Plan(p, Options{Dir: dir, Confine: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []FileChange{
		{Path: "m.txt", Kind: OpUpdate, Added: 2, Removed: 1, OldMode: 0o644, NewMode: 0o644,
			Diff: "--- a/m.txt\n+++ b/m.txt\n@@ -4,5 +4,6 @@\n 4\n 5\n 6\n-7\n+seven\n+7b\n 8\n"},
		{Path: "n.txt", Kind: OpAdd, Added: 1, NewMode: 0o644, Diff: "--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1 @@\n+hello\n"},
		{Path: "d.txt", Kind: OpDelete, Removed: 1, OldMode: 0o644, Diff: "--- a/d.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n"},
		{Path: "mv.txt", MoveTo: "sub/mv.txt", Kind: OpUpdate, Added: 1, Removed: 1, OldMode: 0o644, NewMode: 0o644,
			Diff: "--- a/mv.txt\n+++ b/sub/mv.txt\n@@ -1 +1 @@\n-a\n+b\n"},
	}
	got := pl.Changes()
	for i := range want {
		want[i].AbsPath = filepath.Join(dir, want[i].Path)
		if got[i] != want[i] {
			t.Errorf("change %d:\n got %#v\nwant %#v", i, got[i], want[i])
		}
	}
	if tree := readTree(t, dir); tree["d.txt"] != "gone\n" || tree["n.txt"] != "" {
		t.Error("Plan wrote to disk")
	}
}

func TestDiffUnterminatedLastLine(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f": "1\n2\n3\n4\n5\n6\n7\n8\n9"})
	p, _ := Parse(patchOf("*** Update File: f", "@@", "-1", "+one"))
	pl, err := Plan(p, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n@@ -6,4 +6,4 @@\n 6\n 7\n 8\n-9\n\\ No newline at end of file\n+9\n"
	if c := pl.Changes()[0]; c.Diff != want || c.Added != 2 || c.Removed != 2 {
		t.Errorf("diff %q (+%d -%d), want %q", c.Diff, c.Added, c.Removed, want)
	}
}

func TestFailures(t *testing.T) {
	base := map[string]string{
		"main.go": "package main\n\nfunc main() {\n\tfmt.Println(\"hello\")\n\tos.Exit(0)\n}\n",
		"bin.dat": "ab\x00cd\n",
		"bad.txt": "caf\xe9\n",
		"d/x":     "x\n",
	}
	tests := []struct {
		name  string
		patch []string
		check func(t *testing.T, f *Failure, msg string)
	}{
		{"missing lines with closest match", []string{"*** Add File: ok.txt", "+fine",
			"*** Update File: main.go", "@@", "-package main", "+package main // x", "@@", " func main() {", "-\tfmt.Println(\"hi\")", " \tos.Exit(0)", "+\tz()"},
			func(t *testing.T, f *Failure, msg string) {
				if f.Path != "main.go" || f.Hunk != 2 || f.PatchLine != 8 || f.ClosestLine != 3 {
					t.Errorf("failure %+v", f)
				}
				for _, want := range []string{
					"apply_patch failed; no file was changed.\n",
					"'*** Update File: main.go', hunk 2 (patch line 8): the lines to replace were not found",
					"Not found in main.go:\n  func main() {\n  \tfmt.Println(\"hi\")\n  \tos.Exit(0)\n",
					"Closest match in main.go (line 3):\n  3: func main() {\n  4: \tfmt.Println(\"hello\")\n  5: \tos.Exit(0)\n",
					"Re-read main.go",
				} {
					if !strings.Contains(msg, want) {
						t.Errorf("message lacks %q:\n%s", want, msg)
					}
				}
			}},
		{"context header missing", []string{"*** Update File: main.go", "@@ func other() {", "-x", "+y"},
			func(t *testing.T, f *Failure, msg string) {
				if f.Hunk != 1 || !strings.Contains(msg, "the '@@ func other() {' context line was not found") {
					t.Errorf("failure %+v\n%s", f, msg)
				}
			}},
		{"hunks out of order", []string{"*** Update File: main.go", "@@", "-\tos.Exit(0)", "+\tos.Exit(1)", "@@", "-package main", "+package x"},
			func(t *testing.T, f *Failure, msg string) {
				if f.Hunk != 2 || !strings.Contains(msg, "they occur at line 1 — hunks must be in file order") {
					t.Errorf("failure %+v\n%s", f, msg)
				}
			}},
		{"end of file not at end", []string{"*** Update File: main.go", "@@", "-package main", "+package x", "*** End of File"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "at the end of the file") || f.ClosestLine != 1 {
					t.Errorf("failure %+v\n%s", f, msg)
				}
			}},
		{"update missing file", []string{"*** Update File: nope.go", "@@", "-x"},
			func(t *testing.T, f *Failure, msg string) {
				if f.Op != OpUpdate || !strings.Contains(msg, "nope.go' (patch line 2): the file does not exist") {
					t.Error(msg)
				}
			}},
		{"binary NUL", []string{"*** Update File: bin.dat", "@@", "-ab"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "binary file") {
					t.Error(msg)
				}
			}},
		{"binary invalid utf8", []string{"*** Update File: bad.txt", "@@", "-x"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "binary file") {
					t.Error(msg)
				}
			}},
		{"add onto directory", []string{"*** Add File: d", "+x"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "a directory exists at this path") {
					t.Error(msg)
				}
			}},
		{"update a directory", []string{"*** Update File: d", "@@", "-x"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "it is a directory") {
					t.Error(msg)
				}
			}},
		{"move onto directory", []string{"*** Update File: main.go", "*** Move to: d", "@@", "-package main", "+package x"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "destination d is a directory") {
					t.Error(msg)
				}
			}},
		{"parent is a file", []string{"*** Add File: main.go/x", "+x"},
			func(t *testing.T, f *Failure, msg string) {
				if !strings.Contains(msg, "its parent main.go is a file") {
					t.Error(msg)
				}
			}},
		{"delete twice", []string{"*** Delete File: d/x", "*** Delete File: d/x"},
			func(t *testing.T, f *Failure, msg string) {
				if f.PatchLine != 3 || !strings.Contains(msg, "does not exist") {
					t.Error(msg)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, base)
			before := readTree(t, dir)
			_, err := apply(t, dir, patchOf(tt.patch...), true)
			f := mustFailure(t, err)
			tt.check(t, f, err.Error())
			diffTrees(t, readTree(t, dir), before)
		})
	}
}

func TestFailureCapsLines(t *testing.T) {
	var lines []string
	var file strings.Builder
	for i := range 50 {
		lines = append(lines, "-line")
		file.WriteString("line\n")
		_ = i
	}
	lines = append(lines, "-absent")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f": file.String()})
	_, err := apply(t, dir, patchOf(append([]string{"*** Update File: f", "@@"}, lines...)...), true)
	msg := err.Error()
	if !strings.Contains(msg, "... (31 more lines)") || strings.Count(msg, "\n") > 60 {
		t.Errorf("message not capped:\n%s", msg)
	}
}

// TestAllOrNothing: nothing on disk changes when the third operation fails,
// whether Plan catches it or Commit fails part-way.
func TestAllOrNothing(t *testing.T) {
	files := map[string]string{"a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n"}
	good := []string{"*** Update File: a.txt", "@@", "-a", "+A", "*** Add File: new/dir/n.txt", "+n", "*** Delete File: b.txt"}

	t.Run("third op fails in Plan", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		before := readTree(t, dir)
		_, err := apply(t, dir, patchOf(append(good[:5:5], "*** Update File: c.txt", "@@", "-nope", "+x")...), true)
		if f := mustFailure(t, err); f.Path != "c.txt" || f.Hunk != 1 {
			t.Errorf("failure %+v", f)
		}
		diffTrees(t, readTree(t, dir), before)
	})

	t.Run("file changed between Plan and Commit", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		p, err := Parse(patchOf(good...))
		if err != nil {
			t.Fatal(err)
		}
		pl, err := Plan(p, Options{Dir: dir, Confine: true})
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{"b.txt": "edited meanwhile\n"})
		before := readTree(t, dir)
		_, err = pl.Commit()
		f := mustFailure(t, err)
		if f.Path != "b.txt" || !strings.Contains(err.Error(), "changed on disk after the patch was checked") {
			t.Errorf("failure %+v: %v", f, err)
		}
		diffTrees(t, readTree(t, dir), before)
	})

	t.Run("parent became a file between Plan and Commit", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, files)
		p, err := Parse(patchOf(append(good, "*** Add File: late/x.txt", "+x")...))
		if err != nil {
			t.Fatal(err)
		}
		pl, err := Plan(p, Options{Dir: dir, Confine: true})
		if err != nil {
			t.Fatal(err)
		}
		// Steps 1-3 succeed; the fourth cannot create its directory.
		writeFiles(t, dir, map[string]string{"late": "a file now\n"})
		before := readTree(t, dir)
		_, err = pl.Commit()
		f := mustFailure(t, err)
		if f.Path != "late/x.txt" || !strings.HasPrefix(err.Error(), "apply_patch failed; no file was changed.") {
			t.Errorf("failure %+v: %v", f, err)
		}
		diffTrees(t, readTree(t, dir), before)
	})

	for _, confine := range []bool{true, false} {
		t.Run("failure injected at each commit step", func(t *testing.T) {
			for failAt := range 4 {
				dir := t.TempDir()
				writeFiles(t, dir, files)
				if err := os.Chmod(filepath.Join(dir, "a.txt"), 0o750); err != nil {
					t.Fatal(err)
				}
				before := readTree(t, dir)
				p, err := Parse(patchOf(append(good, "*** Update File: c.txt", "*** Move to: new/c.txt", "@@", "-c", "+C")...))
				if err != nil {
					t.Fatal(err)
				}
				pl, err := Plan(p, Options{Dir: dir, Confine: confine})
				if err != nil {
					t.Fatal(err)
				}
				injected := errors.New("injected")
				pl.beforeStep = func(i int) error {
					if i == failAt {
						return injected
					}
					return nil
				}
				_, err = pl.Commit()
				if !errors.Is(err, injected) {
					t.Fatalf("step %d: got %v", failAt, err)
				}
				diffTrees(t, readTree(t, dir), before)
				if fi, _ := os.Stat(filepath.Join(dir, "a.txt")); fi.Mode().Perm() != 0o750 {
					t.Errorf("a.txt mode %v after undo", fi.Mode().Perm())
				}
			}
		})
	}
}

func TestOptionsDir(t *testing.T) {
	p, _ := Parse(patchOf("*** Add File: x", "+x"))
	if _, err := Plan(p, Options{Dir: "relative"}); err == nil {
		t.Error("relative Dir accepted")
	}
}
