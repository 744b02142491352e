package applypatch

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseLenient(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []Op
	}{
		{
			name: "padded markers and headers, CRLF patch",
			text: " *** Begin Patch \r\n  *** Update File: a.txt  \r\n@@\r\n-x\r\n+y\r\n*** End Patch \r\n",
			want: []Op{{Kind: OpUpdate, Path: "a.txt", Line: 2, Chunks: []Chunk{{Old: []string{"x"}, New: []string{"y"}, Line: 3}}}},
		},
		{
			name: "heredoc wrapper",
			text: "<<'EOF'\n*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\nEOF\n",
			want: []Op{{Kind: OpDelete, Path: "gone.txt", Line: 3}},
		},
		{
			name: "shell heredoc line",
			text: "apply_patch <<\"EOF\"\n*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\nEOF",
			want: []Op{{Kind: OpDelete, Path: "gone.txt", Line: 3}},
		},
		{
			name: "first chunk without @@, empty line is context, blank separator dropped",
			text: patchOf("*** Update File: f", " a", "", "-b", "+c", "", "@@ func main() {", "-d", "+e", "*** End of File"),
			want: []Op{{Kind: OpUpdate, Path: "f", Line: 2, Chunks: []Chunk{
				{Old: []string{"a", "", "b"}, New: []string{"a", "", "c"}, Line: 3},
				{Context: "func main() {", Old: []string{"d"}, New: []string{"e"}, EOF: true, Line: 8},
			}}},
		},
		{
			name: "move, add with blank line, unified-diff numbers dropped",
			text: patchOf("*** Update File: old.go", "*** Move to: new/new.go", "@@ -3,2 +3,2 @@ func f() {", "-x", "+y",
				"*** Add File: n.txt", "+one", "", "+three", "", "*** Add File: empty.txt"),
			want: []Op{
				{Kind: OpUpdate, Path: "old.go", MoveTo: "new/new.go", Line: 2,
					Chunks: []Chunk{{Context: "func f() {", Old: []string{"x"}, New: []string{"y"}, Line: 4}}},
				{Kind: OpAdd, Path: "n.txt", Contents: "one\n\nthree\n", Line: 7},
				{Kind: OpAdd, Path: "empty.txt", Line: 12},
			},
		},
		{
			name: "indented header ends a chunk",
			text: patchOf("*** Update File: a", "@@", "-x", "+y", "  *** Delete File: b"),
			want: []Op{
				{Kind: OpUpdate, Path: "a", Line: 2, Chunks: []Chunk{{Old: []string{"x"}, New: []string{"y"}, Line: 3}}},
				{Kind: OpDelete, Path: "b", Line: 6},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Ops, tt.want) {
				t.Errorf("got  %#v\nwant %#v", p.Ops, tt.want)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		text string
		line int
		msg  string // substring of Error()
	}{
		{"empty text", "  \n", 0, "invalid patch: the patch is empty"},
		{"no operations", "*** Begin Patch\n*** End Patch", 0, "no file operations"},
		{"missing begin", "*** Update File: a\n@@\n-x\n*** End Patch", 1, "line 1: the first line of the patch must be '*** Begin Patch'"},
		{"missing end", "*** Begin Patch\n*** Delete File: a\n", 2, "line 2: the last line of the patch must be '*** End Patch'"},
		{"unknown header", patchOf("*** Frobnicate File: foo"), 2,
			"line 2: '*** Frobnicate File: foo' is not a valid file header; valid headers are '*** Add File: PATH', '*** Delete File: PATH', '*** Update File: PATH'"},
		{"stray line", patchOf("*** Delete File: a", "oops"), 3, "'oops' is not a valid file header"},
		{"update without chunks", patchOf("*** Update File: a", "*** Delete File: b"), 2, "'*** Update File: a' has no hunks"},
		{"chunk without lines", patchOf("*** Update File: a", "@@", "@@", "-x"), 3, "hunk 1 of 'a' has no lines"},
		{"eof without lines", patchOf("*** Update File: a", "@@", "*** End of File"), 3, "hunk 1 of 'a' has no lines"},
		{"bad first chunk line", patchOf("*** Update File: a", "@@", "x"), 4, "unexpected line in hunk 1 of 'a': 'x'"},
		{"second chunk without @@", patchOf("*** Update File: a", "@@", "-x", "*** Update File: b", "-y", "@@ c", "x"), 8, "unexpected line in hunk 2 of 'b': 'x'"},
		{"header right after @@", patchOf("*** Update File: a", "@@", "*** Delete File: b"), 3, "hunk 1 of 'a' has no lines"},
		{"empty add path", patchOf("*** Add File: ", "+x"), 2, "empty path"},
		{"empty delete path", patchOf("*** Delete File:"), 2, "empty path"},
		{"empty move path", patchOf("*** Update File: a", "*** Move to:  ", "@@", "-x"), 3, "empty path"},
		{"move not after update", patchOf("*** Delete File: a", "*** Move to: b"), 3, "'*** Move to: b' is not a valid file header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
			if pe.Line != tt.line {
				t.Errorf("line %d, want %d (%v)", pe.Line, tt.line, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not contain %q", err, tt.msg)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	p, err := Parse(patchOf("*** Add File: a", "+x", "*** Update File: b", "*** Move to: c", "@@", "-x", "*** Delete File: a"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Paths(), []string{"a", "b", "c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Paths() = %v, want %v", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(patchOf("*** Add File: a", "+x"))
	f.Add(patchOf("*** Update File: a", "*** Move to: b", "@@ ctx", " c", "-x", "+y", "", "@@", "-z", "*** End of File"))
	f.Add("<<'EOF'\n*** Begin Patch\n*** Delete File: a\n*** End Patch\nEOF")
	f.Add("*** Begin Patch\n@@\n*** End Patch")
	f.Add(patchOf("*** Update File: a", "@@ -1,2 +1,2 @@", "\r", "-", "+"))
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			return
		}
		if len(p.Ops) == 0 {
			t.Fatal("no ops without an error")
		}
		for _, op := range p.Ops {
			if op.Path == "" || op.Line <= 0 {
				t.Fatalf("bad op %+v", op)
			}
			if op.Kind == OpUpdate && len(op.Chunks) == 0 {
				t.Fatalf("update without chunks %+v", op)
			}
		}
		_ = p.Paths()
	})
}
