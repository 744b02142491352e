package patch

// Red-team round 7: the repository scan, through apply_patch's sandboxed
// writer.

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"warden/sandbox"
)

// One apply_patch call of four text files gives an ordinary subdirectory
// the layout of a git directory (HEAD, objects/, refs/, config). No file
// is named .git, so the scan sees nothing; git, run by the user anywhere in
// that subdirectory, takes it for the repository (core.worktree makes it a
// non-bare one) and runs its core.fsmonitor on the host.
func TestRedteam7_PatchPlantsGitDirLayoutInSubdirectory(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	f := newFixture(t, sandbox.WorkspaceWrite, Config{ApprovalPolicy: "never"})
	marker := filepath.Join(t.TempDir(), "escaped")
	gitHost := func(dir string, args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=u", "-c", "user.email=u@u"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	gitHost(f.dir, "init", "-q")
	f.write("src/pkg/main.go", "package main\n")
	gitHost(f.dir, "add", ".")
	gitHost(f.dir, "commit", "-q", "-m", "init")
	res := f.apply("*** Begin Patch\n" +
		"*** Add File: src/HEAD\n+ref: refs/heads/main\n" +
		"*** Add File: src/objects/keep\n+x\n" +
		"*** Add File: src/refs/keep\n+x\n" +
		"*** Add File: src/config\n+[core]\n+\trepositoryformatversion = 0\n+\tbare = false\n+\tworktree = ..\n+\tfsmonitor = \"touch " + marker + "; false\"\n" +
		"*** End Patch\n")
	t.Logf("%s %v", res.Output, res.Denials)
	t.Logf("host: %s", gitHost(filepath.Join(f.dir, "src", "pkg"), "status", "--short"))
	if _, err := os.Lstat(marker); err == nil {
		t.Fatal("BYPASS: the user's git status in src/pkg ran the core.fsmonitor of a git-directory layout one apply_patch call planted in src/")
	}
}
