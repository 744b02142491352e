package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fsAttacks each try to change the directory O (its file V, its
// subdirectory O/sub) from a command whose workspace is W, by one route.
// Outside the writable roots every one must fail; aimed inside the
// workspace, under workspace-write, every one must work, so that the
// sandbox is shown to stop the route, not the tool.
var fsAttacks = []struct{ name, script string }{
	{"overwrite", "echo attack > {V}"},
	{"append", "echo attack >> {V}"},
	{"truncate", "truncate -s 0 {V}"},
	{"dd in place", "dd if=/dev/zero of={V} bs=1 count=1 conv=notrunc"},
	{"cp over", "cp /etc/hostname {V}"},
	{"delete", "rm -f {V}"},
	{"rename within", "mv {V} {O}/moved"},
	{"rename into the workspace", "mv {V} {W}/stolen"},
	{"rename a directory", "mv {O}/sub {O}/sub2"},
	{"remove a directory", "rm -rf {O}/sub"},
	{"create a file", "touch {O}/new"},
	{"create a directory", "mkdir {O}/newdir"},
	{"create a fifo", "mkfifo {O}/fifo"},
	{"create a symlink", "ln -s /etc/passwd {O}/link"},
	{"hard link into the workspace", "ln {V} {W}/hard && echo attack >> {W}/hard"},
	{"symlink from the workspace", "ln -sf {V} {W}/sym && echo attack > {W}/sym"},
	{"planted symlink", "echo attack > {W}/planted/victim"},
	{"chmod", "chmod 777 {V}"},
	{"chown", "chown $(id -u):$(id -g) {V}"},
	{"touch an old date", "touch -d 2001-01-01 {V}"},
	{"touch now", "touch {V}"},
	{"through /proc/self/root", "echo attack > /proc/self/root{V}"},
	{"through /proc/self/cwd", "cd {O} && echo attack > /proc/self/cwd/victim"},
	{"cd and write", "cd {O} && echo attack > victim"},
	{"perl", "perl -e 'open(F, \">>\", \"{V}\") or die \"$!\"; print F \"attack\"; close(F) or die \"$!\"'"},
	{"python", "python3 -c 'open(\"{V}\", \"a\").write(\"attack\")'"},
}

func expandAttack(s, w, o, v string) string {
	return strings.NewReplacer("{W}", w, "{O}", o, "{V}", v).Replace(s)
}

// fixture makes O with V and O/sub, and W with "planted", a symlink to O
// that a repository could ship.
func fixture(t *testing.T, w, o string) (v string) {
	t.Helper()
	v = filepath.Join(o, "victim")
	writeFile(t, v, "precious\n")
	writeFile(t, filepath.Join(o, "sub", "file"), "also precious\n")
	if err := os.Symlink(o, filepath.Join(w, "planted")); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFilesystemEscapes(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"perl", "python3", "mkfifo", "truncate"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Logf("%s is missing: its attack fails for that reason alone", tool)
		}
	}
	for _, mode := range []Mode{ReadOnly, WorkspaceWrite} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			w, o := tempDir(t), tempDir(t)
			v := fixture(t, w, o)
			r := newRunner(t, mode, w, runnerOpts{})
			before := snapshot(t, o)
			for _, a := range fsAttacks {
				res := sh(t, r, expandAttack(a.script, w, o, v))
				after := snapshot(t, o)
				if d := diffSnapshots(before, after); d != "" {
					t.Errorf("%s: changed what is outside the writable roots:\n%s\noutput: %s", a.name, d, res.Output.Text())
					before = after
				}
				if res.ExitCode == 0 {
					t.Errorf("%s: exit 0, want a failure: %s", a.name, res.Output.Text())
				}
			}
			clientAttacks := [][]string{
				{"write", v},
				{"fchmod", v}, {"fchown", v}, {"futimes", v}, {"fsetxattr", v},
				{"setxattr", v}, {"utimensat", v},
				{"mknod", o + "/node"},
				{"link", v, w + "/hardlink"},
				{"exchange", w + "/mine", v},
				{"open-by-handle", v},
				{"umount", o}, {"remount-rw", o}, {"mount-tmpfs", o},
			}
			writeFile(t, w+"/mine", "mine\n") // under read-only, the test writes it
			before = snapshot(t, o)
			for _, a := range clientAttacks {
				if worked, out := attackRun(t, r, a...); worked {
					t.Errorf("attack %q worked: %s", a, out)
				}
				if d := diffSnapshots(before, snapshot(t, o)); d != "" {
					t.Fatalf("attack %q changed the outside:\n%s", a, d)
				}
			}
		})
	}
}

// The same routes aimed inside the workspace work under workspace-write:
// the sandbox stops where a file is, not what a tool does.
func TestFilesystemRoutesWorkInside(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
	for _, a := range fsAttacks {
		if a.name == "planted symlink" {
			continue // it points outside by design
		}
		tool := strings.Fields(a.script)[0]
		if _, err := exec.LookPath(tool); err != nil && tool != "echo" && tool != "cd" {
			t.Logf("%s: %s is missing", a.name, tool)
			continue
		}
		o := filepath.Join(w, "in-"+strings.ReplaceAll(a.name, " ", "-"))
		v := filepath.Join(o, "victim")
		writeFile(t, v, "mine\n")
		writeFile(t, filepath.Join(o, "sub", "file"), "mine too\n")
		before := snapshot(t, o)
		res := sh(t, r, expandAttack(a.script, w, o, v))
		if res.ExitCode != 0 {
			t.Errorf("%s inside the workspace failed (exit %d): %s", a.name, res.ExitCode, res.Output.Text())
		}
		if diffSnapshots(before, snapshot(t, o)) == "" && a.name != "rename into the workspace" {
			t.Errorf("%s inside the workspace changed nothing", a.name)
		}
		if len(res.Denials) > 0 {
			t.Errorf("%s inside the workspace reported denials: %v", a.name, res.Denials)
		}
	}
}

// Read-only mode writes nothing, not even in the workspace; writes that
// the sandbox stops are reported as denials naming the path.
func TestReadOnlyWritesNothing(t *testing.T) {
	t.Parallel()
	w := tempDir(t)
	writeFile(t, w+"/file", "x\n")
	r := newRunner(t, ReadOnly, w, runnerOpts{})
	before := snapshot(t, w)
	res := sh(t, r, "cat file >/dev/null && echo ok > /dev/null && echo new > out.txt")
	if d := diffSnapshots(before, snapshot(t, w)); d != "" {
		t.Fatalf("read-only changed the workspace:\n%s", d)
	}
	if res.ExitCode == 0 {
		t.Error("writing out.txt succeeded")
	}
	if !hasDenial(res.Denials, "write", "/out.txt") {
		t.Errorf("denials %v lack the write of out.txt; output %q", res.Denials, res.Output.Text())
	}
	if got := sh(t, r, "cat file; ls; head -c 4 /dev/urandom > /dev/null"); got.ExitCode != 0 {
		t.Errorf("reading failed in read-only mode: %s", got.Output.Text())
	}
}

// Extra writable roots are writable, given through a symbolic link too;
// their siblings are not.
func TestExtraWritableRoots(t *testing.T) {
	t.Parallel()
	w, extra, sibling := tempDir(t), tempDir(t), tempDir(t)
	link := filepath.Join(tempDir(t), "link")
	if err := os.Symlink(extra, link); err != nil {
		t.Fatal(err)
	}
	r := newRunner(t, WorkspaceWrite, w, runnerOpts{roots: []string{link}})
	res := sh(t, r, "echo a > "+link+"/via-link && echo b > "+extra+"/direct && echo c > $TMPDIR/tmp && echo d > "+sibling+"/no")
	if _, err := os.Stat(extra + "/via-link"); err != nil {
		t.Errorf("write through the link to the extra root: %v (%s)", err, res.Output.Text())
	}
	if _, err := os.Stat(extra + "/direct"); err != nil {
		t.Errorf("write to the extra root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.TempDir(), "tmp")); err != nil {
		t.Errorf("write to TMPDIR: %v", err)
	}
	if _, err := os.Stat(sibling + "/no"); err == nil {
		t.Error("wrote outside the writable roots")
	}
	if !hasDenial(res.Denials, "write", sibling+"/no") {
		t.Errorf("denials %v", res.Denials)
	}
}
