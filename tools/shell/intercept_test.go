package shell

import (
	"errors"
	"testing"
)

func TestFindPatchCall(t *testing.T) {
	t.Parallel()
	const body = "*** Begin Patch\n*** Add File: a.txt\n+$HOME is `here`\n*** End Patch\n"
	cases := []struct {
		name    string
		script  string
		isPatch bool
		wantErr bool
		patch   string
		dir     string
	}{
		{"quoted heredoc", "apply_patch <<'EOF'\n" + body + "EOF\n", true, false, body, ""},
		{"plain heredoc", "apply_patch <<EOF\n" + body + "EOF", true, false, body, ""},
		{"double-quoted delimiter", "applypatch <<\"PATCH\"\n" + body + "PATCH\n", true, false, body, ""},
		{"after cd", "cd sub/dir && apply_patch <<'EOF'\n" + body + "EOF\n", true, false, body, "sub/dir"},
		{"quoted cd", "cd 'my dir' && apply_patch <<'EOF'\n" + body + "EOF\n", true, false, body, "my dir"},
		{"escaped cd", "cd my\\ dir && apply_patch <<'EOF'\n" + body + "EOF\n", true, false, body, "my dir"},
		{"argument", "apply_patch '" + "*** Begin Patch\n*** Delete File: x\n*** End Patch" + "'", true, false, "*** Begin Patch\n*** Delete File: x\n*** End Patch", ""},
		{"in a pipeline", "cat p | apply_patch", true, true, "", ""},
		{"through bash -lc", "bash -lc \"apply_patch <<'EOF'\n*** Begin Patch\n*** Delete File: x\n*** End Patch\nEOF\n\"", true, false, "*** Begin Patch\n*** Delete File: x\n*** End Patch\n", ""},
		{"through sh -c, wrong form", "sh -c 'ls; apply_patch x'", true, true, "", ""},
		{"tab-stripping heredoc", "apply_patch <<-EOF\n\t*** Begin Patch\n\t*** Delete File: x\n\t*** End Patch\n\tEOF\n", true, false, "*** Begin Patch\n*** Delete File: x\n*** End Patch\n", ""},
		{"after another command", "ls; apply_patch <<'EOF'\n" + body + "EOF\n", true, true, "", ""},
		{"or-chained", "cd x || apply_patch <<'EOF'\n" + body + "EOF\n", true, true, "", ""},
		{"cd to an expansion", "cd $DIR && apply_patch <<'EOF'\n" + body + "EOF\n", true, true, "", ""},
		{"in a subshell", "(apply_patch <<'EOF'\n" + body + "EOF\n)", true, true, "", ""},
		{"here-string", "apply_patch <<< \"$P\"", true, true, "", ""},
		{"not a call: grep", "grep -rn apply_patch .", false, false, "", ""},
		{"not a call: echo", "echo apply_patch", false, false, "", ""},
		{"unrelated", "go test ./...", false, false, "", ""},
		{"does not parse", "apply_patch <<'EOF' (", false, false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, isPatch, err := findPatchCall(c.script)
			if isPatch != c.isPatch {
				t.Fatalf("isPatch = %v, want %v", isPatch, c.isPatch)
			}
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if err != nil && !errors.Is(err, errPatchForm) {
				t.Fatalf("err = %v", err)
			}
			if err == nil && isPatch && (got.Patch != c.patch || got.Dir != c.dir) {
				t.Errorf("got patch %q dir %q, want %q %q", got.Patch, got.Dir, c.patch, c.dir)
			}
		})
	}
}
