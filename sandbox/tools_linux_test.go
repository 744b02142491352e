package sandbox

import (
	"os/exec"
	"strings"
	"testing"
)

// Common build and test commands work under workspace-write with the
// network off when what they need is already on the machine: they write
// their outputs in the workspace and their caches in the sandbox's cache
// directory. A tool missing from the machine is skipped, and says so.
func TestBuildToolsWork(t *testing.T) {
	t.Parallel()
	tools := []struct {
		name, tool string
		files      map[string]string
		script     string
		want       string
	}{
		{"go", "go", map[string]string{
			"go.mod":        "module example.com/p\n\ngo 1.22\n",
			"p.go":          "package p\n\nfunc Add(a, b int) int { return a + b }\n",
			"p_test.go":     "package p\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"bad\")\n\t}\n}\n",
			"cmd/x/main.go": "package main\n\nimport \"example.com/p\"\n\nfunc main() { println(p.Add(1, 2)) }\n",
		}, "go build -o x ./cmd/x && go test ./... && go vet ./...", "ok  \texample.com/p"},
		{"make", "make", map[string]string{
			"Makefile": "out.txt: in.txt\n\tcp in.txt out.txt\n",
			"in.txt":   "made\n",
		}, "make && cat out.txt", "made"},
		{"pytest", "pytest", map[string]string{
			"test_add.py": "def test_add():\n    assert 1 + 1 == 2\n",
		}, "pytest -q -p no:cacheprovider && pytest -q", "1 passed"},
		{"npm test", "npm", map[string]string{
			"package.json": `{"name":"t","version":"1.0.0","scripts":{"test":"node test.js"}}`,
			"test.js":      "require('assert').strictEqual(1 + 1, 2); console.log('node ok')\n",
		}, "npm test", "node ok"},
		{"cargo test", "cargo", map[string]string{
			"Cargo.toml": "[package]\nname = \"t\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
			"src/lib.rs": "pub fn add(a: i32, b: i32) -> i32 { a + b }\n#[cfg(test)]\nmod tests { #[test] fn adds() { assert_eq!(super::add(1, 2), 3); } }\n",
		}, "cargo test --quiet", "test result: ok. 1 passed"},
	}
	for _, tt := range tools {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := exec.LookPath(tt.tool); err != nil {
				t.Skipf("%s is not installed on this machine", tt.tool)
			}
			w := tempDir(t)
			for name, content := range tt.files {
				writeFile(t, w+"/"+name, content)
			}
			r := newRunner(t, WorkspaceWrite, w, runnerOpts{})
			res := sh(t, r, tt.script)
			if res.ExitCode != 0 || !strings.Contains(res.Output.Text(), tt.want) {
				t.Errorf("exit %d, want output with %q:\n%s", res.ExitCode, tt.want, res.Output.Text())
			}
			if len(res.Denials) > 0 {
				t.Errorf("denials: %v", res.Denials)
			}
		})
	}
}
