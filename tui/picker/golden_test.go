package picker

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

type theme struct {
	name string
	opts styles.Options
}

var (
	nocolorTheme = theme{"nocolor", styles.Options{NoColor: true}}
	darkTheme    = theme{"dark", styles.Options{Dark: true}}
	lightTheme   = theme{"light", styles.Options{}}
)

var goldenWidths = []int{40, 80, 120}

// goldenCase is a picker in some state, drawn at every width in height
// lines.
type goldenCase struct {
	name   string
	height int
	themes []theme // nocolor and dark when nil
	// build is the picker in its state. It is drawn once at w×h before
	// the keys are pressed, as the root would have.
	build func(t *testing.T, st *styles.Styles, w, h int) Model
}

// state is a picker over items after the keys named and the text typed.
func state(items func() []Item, o Options, keys []string, typed string) func(*testing.T, *styles.Styles, int, int) Model {
	return func(t *testing.T, st *styles.Styles, w, h int) Model {
		m := newPicker(items(), st, o)
		m.View(w, h)
		m, _ = press(t, m, keys...)
		return typeText(t, m, typed)
	}
}

func manyModels() []Item { return models(30) }

func hostile() []Item {
	return []Item{
		{Title: "gpt-5\x1b]0;owned\x07", Detail: "red \x1b[31malert\x1b[0m\nsecond line", Current: true},
		{Title: "模型-大型-预览版-二〇二五年十二月-长名字", Detail: "wide characters: 全角の説明文がここに入ります"},
		{Title: "a model whose name goes on and on well past any sensible width for a picker row", Detail: "tab\there"},
	}
}

func goldenCases() []goldenCase {
	down := func(n int) []string {
		keys := make([]string, n)
		for i := range keys {
			keys[i] = "down"
		}
		return keys
	}
	return []goldenCase{
		{"models_scrolled", 14, nil, state(manyModels, modelOptions, down(13), "")},
		{"models_filtered", 14, nil, state(manyModels, modelOptions, nil, "mini")},
		{"models_free_text", 14, nil, state(manyModels, modelOptions, nil, "my-finetune")},
		{"models_free_text_after_matches", 14, nil, state(manyModels, modelOptions, []string{"end"}, "gpt-5-c")},
		{"models_loading", 14, nil, state(func() []Item { return nil }, modelOptions, nil, "")},
		{"models_error", 14, nil, func(t *testing.T, st *styles.Styles, w, h int) Model {
			m := newPicker(nil, st, modelOptions)
			m.View(w, h)
			return m.SetItems(models(4), "could not list models: GET https://api.example.com/v1/models: 401 Unauthorized: the API key was revoked; showing the models warden knows")
		}},
		{"models_short", 3, nil, state(manyModels, modelOptions, down(5), "")},
		{"approvals", 14, []theme{nocolorTheme, darkTheme, lightTheme}, state(presets, approvalOptions, nil, "")},
		{"permissions_confirm", 14, nil, state(rules, permissionOptions, []string{"down", "x"}, "")},
		{"permissions_no_revoke", 14, nil, state(rules, permissionOptions, []string{"down", "down", "x"}, "")},
		{"permissions_short", 7, nil, state(rules, permissionOptions, []string{"end", "up", "x"}, "")},
		{"hostile", 14, nil, state(hostile, Options{Title: "Choose \x1b[2Ja model"}, nil, "")},
	}
}

// Every state at every width, per theme, against
// testdata/<case>.<theme>.golden.
func TestGolden(t *testing.T) {
	for _, c := range goldenCases() {
		t.Run(c.name, func(t *testing.T) {
			themes := c.themes
			if themes == nil {
				themes = []theme{nocolorTheme, darkTheme}
			}
			for _, th := range themes {
				var b strings.Builder
				for _, w := range goldenWidths {
					m := c.build(t, styles.New(th.opts), w, c.height)
					out := m.View(w, c.height)
					what := fmt.Sprintf("%s %s width %d", c.name, th.name, w)
					golden.CheckWidth(t, what, out, w)
					if n := strings.Count(out, "\n") + 1; n > c.height {
						t.Errorf("%s: %d lines, more than %d", what, n, c.height)
					}
					fmt.Fprintf(&b, "──── width %d ────\n%s\n", w, out)
				}
				golden.Compare(t, filepath.Join("testdata", c.name+"."+th.name+".golden"), b.String(), *update)
			}
		})
	}
}
