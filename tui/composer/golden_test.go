package composer

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

// goldenScenes are the states of the composer worth seeing, each built
// through Update as a user would get there.
var goldenScenes = []struct {
	name  string
	build func(t *testing.T, m Model) Model
}{
	{"empty", func(t *testing.T, m Model) Model { return m }},
	{"running", func(t *testing.T, m Model) Model {
		m.SetPlaceholder("Queue a message for the next step · esc to interrupt")
		return m
	}},
	{"multiline", func(t *testing.T, m Model) Model {
		m = typeText(t, m, "Refactor the loader so that retries back off exponentially, and keep the 日本語 comments intact.")
		m = press(t, m, ctrlJ, ctrlJ)
		return typeText(t, m, "Then run the tests 🎉")
	}},
	{"paste", func(t *testing.T, m Model) Model {
		m = typeText(t, m, "why does this fail? ")
		m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("panic: runtime error: index out of range\n", 48)})
		return m
	}},
	{"files", func(t *testing.T, m Model) Model {
		return typeText(t, m, "compare @comp")
	}},
	{"commands", func(t *testing.T, m Model) Model {
		m = typeText(t, m, "/")
		return press(t, m, down)
	}},
	{"blurred", func(t *testing.T, m Model) Model {
		m = typeText(t, m, "half-written message")
		m.Blur()
		return m
	}},
}

var goldenPalettes = []struct {
	name string
	opts styles.Options
}{
	{"nocolor", styles.Options{NoColor: true}},
	{"dark", styles.Options{Dark: true}},
}

func TestGoldenViews(t *testing.T) {
	for _, scene := range goldenScenes {
		for _, width := range []int{40, 80, 120} {
			for _, pal := range goldenPalettes {
				name := fmt.Sprintf("%s_%d_%s", scene.name, width, pal.name)
				t.Run(name, func(t *testing.T) {
					m := scene.build(t, newTest(t, width, pal.opts))
					got := m.View()
					if c := m.Cursor(); c != nil {
						got += fmt.Sprintf("\n-- cursor at column %d, row %d", c.Position.X, c.Position.Y)
					} else {
						got += "\n-- no cursor"
					}
					golden.Compare(t, filepath.Join("testdata", name+".golden"), got+"\n", *update)
				})
			}
		}
	}
}
