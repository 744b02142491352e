package applypatch

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConformance runs the Codex scenarios: apply patch.txt to a copy of
// input/ and compare the whole tree with expected/.
func TestConformance(t *testing.T) {
	root := filepath.Join("testdata", "conformance")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	// Scenarios where applying must fail; the tree must then be unchanged.
	failing := map[string]bool{
		"005_rejects_empty_patch":                          true,
		"006_rejects_missing_context":                      true,
		"007_rejects_missing_file_delete":                  true,
		"008_rejects_empty_update_hunk":                    true,
		"009_requires_existing_file_for_update":            true,
		"012_delete_directory_fails":                       true,
		"013_rejects_invalid_hunk_header":                  true,
		"015_failure_after_partial_success_leaves_changes": true,
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			scenario := filepath.Join(root, name)
			copyTree(t, filepath.Join(scenario, "input"), dir)
			patch, err := os.ReadFile(filepath.Join(scenario, "patch.txt"))
			if err != nil {
				t.Fatal(err)
			}
			before := readTree(t, dir)
			_, err = apply(t, dir, string(patch), true)
			got := readTree(t, dir)
			if failing[name] {
				if err == nil {
					t.Fatal("applied, want an error")
				}
				t.Logf("error: %v", err)
				// All-or-nothing: 015's expected/ shows Codex's partial
				// application; here the tree must be untouched.
				diffTrees(t, got, before)
			} else if err != nil {
				t.Fatalf("apply: %v", err)
			}
			if name == "015_failure_after_partial_success_leaves_changes" {
				f := mustFailure(t, err)
				if f.Path != "missing.txt" || f.Op != OpUpdate || !strings.Contains(err.Error(), "missing.txt") {
					t.Errorf("failure %+v does not name missing.txt", f)
				}
				return
			}
			diffTrees(t, got, readTree(t, filepath.Join(scenario, "expected")))
		})
	}
	if n != 23 {
		t.Errorf("ran %d scenarios, want 23", n)
	}
}

func TestConformanceErrorKinds(t *testing.T) {
	root := filepath.Join("testdata", "conformance")
	for name, wantParse := range map[string]bool{
		"005_rejects_empty_patch":               true,
		"008_rejects_empty_update_hunk":         true,
		"013_rejects_invalid_hunk_header":       true,
		"006_rejects_missing_context":           false,
		"007_rejects_missing_file_delete":       false,
		"009_requires_existing_file_for_update": false,
		"012_delete_directory_fails":            false,
	} {
		patch, err := os.ReadFile(filepath.Join(root, name, "patch.txt"))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		copyTree(t, filepath.Join(root, name, "input"), dir)
		_, err = apply(t, dir, string(patch), true)
		var pe *ParseError
		var f *Failure
		if wantParse && !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a *ParseError", name, err)
		}
		if !wantParse && !errors.As(err, &f) {
			t.Errorf("%s: got %v, want a *Failure", name, err)
		}
	}
}
