package harness_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayerBoundaries keeps the front-ends and the harness apart: the
// harness never imports the TUI, and only the model clients (and the tests
// that decode the fake's streams) may import openai-go, so the TUI and
// everything else depend on warden's own types.
func TestLayerBoundaries(t *testing.T) {
	root := ".."
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(rel, "harness/") && strings.HasPrefix(p, "warden/tui") {
				t.Errorf("%s imports %s: the harness must not know the TUI", rel, p)
			}
			if strings.HasPrefix(p, "github.com/openai/openai-go") && !openaiAllowed(rel) {
				t.Errorf("%s imports %s: only harness/modelclient may use openai-go", rel, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func openaiAllowed(rel string) bool {
	if strings.HasPrefix(rel, "harness/modelclient/") {
		return true
	}
	// The fake's tests decode its streams with the real SDK to prove they
	// are what the API sends.
	return strings.HasPrefix(rel, "fakemodel/") && strings.HasSuffix(rel, "_test.go")
}
