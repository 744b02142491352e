package applypatch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfine(t *testing.T) {
	tests := []struct {
		name  string
		patch []string
	}{
		{"dotdot", []string{"*** Add File: ../x", "+x"}},
		{"absolute outside", []string{"*** Update File: /etc/passwd", "@@", "-root", "+evil"}},
		{"nested dotdot", []string{"*** Add File: a/../../x", "+x"}},
		{"move outside", []string{"*** Update File: in.txt", "*** Move to: ../x", "@@", "-in", "+x"}},
		{"symlink file to outside", []string{"*** Update File: outlink", "@@", "-secret", "+x"}},
		{"add through symlink file to outside", []string{"*** Add File: outlink", "+x"}},
		{"symlink parent to outside", []string{"*** Add File: outdir/x", "+x"}},
		{"update under symlink parent to outside", []string{"*** Update File: outdir/secret.txt", "@@", "-secret", "+x"}},
		{"symlink inside pointing outside via dotdot", []string{"*** Update File: sub/up", "@@", "-secret", "+x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "ws")
			outside := filepath.Join(parent, "outside")
			writeFiles(t, dir, map[string]string{"in.txt": "in\n", "sub/keep": "k\n"})
			writeFiles(t, outside, map[string]string{"secret.txt": "secret\n"})
			for link, target := range map[string]string{
				"outlink":  filepath.Join(outside, "secret.txt"),
				"outdir":   outside,
				"sub/up":   "../../outside/secret.txt",
				"x-unused": "in.txt",
			} {
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					t.Fatal(err)
				}
			}
			before, beforeOut := readTree(t, dir), readTree(t, parent)
			_, err := apply(t, dir, patchOf(tt.patch...), true)
			f := mustFailure(t, err)
			if !strings.Contains(err.Error(), "outside the workspace") {
				t.Errorf("failure %+v:\n%v", f, err)
			}
			diffTrees(t, readTree(t, dir), before)
			diffTrees(t, readTree(t, parent), beforeOut)
		})
	}
}

func TestSymlinkInsideFollowed(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"real/f.txt": "old\n"})
	if err := os.Symlink("real/f.txt", filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real", filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	for _, confine := range []bool{true, false} {
		writeFiles(t, dir, map[string]string{"real/f.txt": "old\n"})
		_, err := apply(t, dir, patchOf("*** Update File: link.txt", "@@", "-old", "+new",
			"*** Add File: dirlink/g.txt", "+g", "*** Update File: "+filepath.Join(dir, "link.txt"), "@@", "-new", "+newer"), confine)
		if err != nil {
			t.Fatal(err)
		}
		diffTrees(t, readTree(t, dir), map[string]string{
			"real": "<dir>", "real/f.txt": "newer\n", "real/g.txt": "g\n",
			"link.txt": "<link real/f.txt>", "dirlink": "<link real>",
		})
		if err := os.Remove(filepath.Join(dir, "real/g.txt")); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDeleteSymlinkAndUndo(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"f.txt": "f\n"})
	if err := os.Symlink("f.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)
	// Deleting a link removes the link, not its target; the failing second
	// operation makes Commit restore it.
	p, err := Parse(patchOf("*** Delete File: link", "*** Add File: late/x", "+x"))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Plan(p, Options{Dir: dir, Confine: true})
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{"late": "file\n"})
	_, err = pl.Commit()
	mustFailure(t, err)
	before["late"] = "file\n"
	diffTrees(t, readTree(t, dir), before)

	if _, err := apply(t, dir, patchOf("*** Delete File: link"), true); err != nil {
		t.Fatal(err)
	}
	diffTrees(t, readTree(t, dir), map[string]string{"f.txt": "f\n", "late": "file\n"})
}

func TestUnconfinedAbsolute(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	writeFiles(t, other, map[string]string{"o.txt": "o\n"})
	abs := filepath.Join(other, "o.txt")
	res, err := apply(t, dir, patchOf("*** Update File: "+abs, "@@", "-o", "+O"), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(abs); string(got) != "O\n" || res.Changes[0].AbsPath != abs || res.Changes[0].Path != abs {
		t.Errorf("got %q, %+v", got, res.Changes[0])
	}
}
