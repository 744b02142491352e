package patch

// Red-team round 6: the apply_patch tool's host-side planning.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"warden/sandbox"
)

// Denial of service of warden's own process: Plan reads every file a patch
// names (up to 64 MiB each) into memory, and computes a diff of each, with
// no bound on their total. The names can all be links (hard or symbolic)
// to one sparse file, which costs no disk; the patch is a few lines per
// file. The read-only session with approval policy "never" (warden exec)
// plans before refusing, so this runs even though nothing is ever applied.
func TestRedteam6_PlanTotalMemoryUnbounded(t *testing.T) {
	f := newFixture(t, sandbox.ReadOnly, Config{ApprovalPolicy: "never"})
	const size = 32 << 20
	const n = 16
	big := filepath.Join(f.dir, "big")
	if err := os.WriteFile(big, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, size); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	var patch strings.Builder
	patch.WriteString("*** Begin Patch\n")
	for i := range n {
		name := fmt.Sprintf("l%03d", i)
		if err := os.Link(big, filepath.Join(f.dir, name)); err != nil {
			t.Fatal(err)
		}
		patch.WriteString("*** Delete File: " + name + "\n")
	}
	patch.WriteString("*** End Patch\n")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res := f.apply(patch.String())
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%d-byte patch over %d links to one sparse %d MiB file: %s; warden allocated %d MiB (at 1000 links of 64 MiB: ~%d GiB)",
		len(patch.String()), n, size>>20, strings.SplitN(res.Output, "\n", 2)[0], alloc>>20, (alloc*1000*2/n)>>30)
	if alloc > 512<<20 {
		t.Fatalf("DoS: a %d-byte patch makes warden's own process allocate %d MiB, before refusing it", len(patch.String()), alloc>>20)
	}
}

// In workspace-write, a patch of four text files makes a repository behind
// a gitlink the index already has but whose directory has no .git (an
// uninitialized submodule, or one a command registered before): the
// index does not change, nothing is set aside, and the user's next
// `git status` on the host runs the patch's core.fsmonitor.
func TestRedteam6_PatchPlantsRepoBehindKnownGitlink(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	f := newFixture(t, sandbox.WorkspaceWrite, Config{ApprovalPolicy: "never"})
	marker := filepath.Join(t.TempDir(), "escaped")
	gitHost := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", f.dir, "-c", "user.name=u", "-c", "user.email=u@u"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	gitHost("init", "-q")
	gitHost("commit", "-q", "--allow-empty", "-m", "init")
	os.Mkdir(filepath.Join(f.dir, "sub"), 0o755)
	gitHost("update-index", "--add", "--cacheinfo", "160000,0123456789012345678901234567890123456789,sub")
	res := f.apply("*** Begin Patch\n" +
		"*** Add File: sub/.git/HEAD\n+ref: refs/heads/main\n" +
		"*** Add File: sub/.git/objects/keep\n+x\n" +
		"*** Add File: sub/.git/refs/keep\n+x\n" +
		"*** Add File: sub/.git/config\n+[core]\n+\trepositoryformatversion = 0\n+\tfsmonitor = \"touch " + marker + "; false\"\n" +
		"*** End Patch\n")
	t.Logf("%s", res.Output)
	gitHost("status", "--short")
	if _, err := os.Lstat(marker); err == nil {
		t.Fatal("BYPASS: the user's git status ran the core.fsmonitor of a repository an apply_patch call planted behind a known gitlink")
	}
}
