package sandbox

import (
	"os"
	"testing"
)

// Warden's own changes in the roots never follow a link out of them.
func TestHostChangesStayBeneathTheRoots(t *testing.T) {
	t.Parallel()
	root, outside := tempDir(t), tempDir(t)
	writeFile(t, outside+"/victim", "precious\n")
	os.Chmod(outside+"/victim", 0o644)
	os.Mkdir(outside+"/dir", 0o755)
	roots := []string{root}
	before := snapshot(t, outside)

	// A tree holding links out, and a directory its command made
	// unreadable, is removed without touching what the links lead to.
	writeFile(t, root+"/tree/a/f", "x")
	os.Symlink(outside+"/victim", root+"/tree/a/link")
	os.Symlink(outside+"/dir", root+"/tree/dirlink")
	os.Chmod(root+"/tree/a", 0)
	if err := removeBeneath(roots, root+"/tree"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(root + "/tree"); err == nil {
		t.Error("the tree is still there")
	}
	// A path through a link out is refused, for every change.
	os.Symlink(outside, root+"/out")
	for name, err := range map[string]error{
		"remove": removeBeneath(roots, root+"/out/victim"),
		"create": createBeneath(roots, root+"/out/new", false),
		"mkdir":  createBeneath(roots, root+"/out/newdir", true),
		"inode":  unshareInodeBeneath(roots, root+"/out/victim"),
		"link":   linkBeneath(roots, root+"/out/victim", "/etc/passwd"),
	} {
		if err == nil && name != "inode" {
			t.Errorf("%s through a link out of the root: no error", name)
		}
	}
	if err := removeBeneath(roots, "/etc/hostname"); err == nil {
		t.Error("a path outside the roots was accepted")
	}
	if d := diffSnapshots(before, snapshot(t, outside)); d != "" {
		t.Fatalf("changed what is outside:\n%s", d)
	}
	// Removing the link itself is fine.
	if err := removeBeneath(roots, root+"/out"); err != nil {
		t.Error(err)
	}
}
