package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestApplyPatchCommand(t *testing.T) {
	c := newCLI(t)
	c.file("a.txt", "one\ntwo\n")
	patch := "*** Begin Patch\n*** Update File: a.txt\n@@\n one\n-two\n+2\n*** Add File: sub/b.txt\n+bee\n*** End Patch\n"
	r := c.run(patch, "apply-patch")
	if r.code != 0 || r.stdout != "Success. Updated the following files:\nM a.txt\nA sub/b.txt\n" {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", r.code, r.stdout, r.stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(c.dir, "a.txt")); string(b) != "one\n2\n" {
		t.Errorf("a.txt = %q", b)
	}

	// From a file, in another directory, as JSON.
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "x.txt"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pf := filepath.Join(t.TempDir(), "p.patch")
	os.WriteFile(pf, []byte("*** Begin Patch\n*** Update File: x.txt\n@@\n-x\n+y\n*** End Patch\n"), 0o644)
	r = c.run("", "apply-patch", "-C", other, "--json", pf)
	var out struct {
		Changes []struct {
			Path    string `json:"path"`
			Diff    string `json:"diff"`
			Added   int    `json:"added"`
			Removed int    `json:"removed"`
		} `json:"changes"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &out) != nil || len(out.Changes) != 1 || out.Changes[0].Added != 1 || !strings.Contains(out.Changes[0].Diff, "-x\n+y\n") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

func TestApplyPatchCommandFailsWholeAndStaysInside(t *testing.T) {
	c := newCLI(t)
	c.file("a.txt", "one\n")
	outside := filepath.Join(t.TempDir(), "evil.txt")
	for name, patch := range map[string]string{
		"missing context": "*** Begin Patch\n*** Add File: new.txt\n+n\n*** Update File: a.txt\n@@\n-nope\n+x\n*** End Patch\n",
		"outside":         "*** Begin Patch\n*** Add File: new.txt\n+n\n*** Add File: " + outside + "\n+x\n*** End Patch\n",
		"dot-dot":         "*** Begin Patch\n*** Add File: new.txt\n+n\n*** Add File: ../../../../../../../../" + outside + "\n+x\n*** End Patch\n",
	} {
		r := c.run(patch, "apply-patch")
		if r.code != 1 || !strings.Contains(r.stderr, "no file was changed") {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
		if _, err := os.Stat(filepath.Join(c.dir, "new.txt")); err == nil {
			t.Errorf("%s: new.txt was created", name)
		}
		if _, err := os.Stat(outside); err == nil {
			t.Fatalf("%s: wrote outside -C", name)
		}
	}
	if r := c.run("*** Begin Patch\n*** End Patch\n", "apply-patch"); r.code != 1 || !strings.Contains(r.stderr, "invalid patch") {
		t.Errorf("empty patch: exit %d, %q", r.code, r.stderr)
	}
}
