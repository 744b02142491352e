package styles

import (
	"image/color"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// styleField is one lipgloss.Style field of Styles.
type styleField struct {
	name  string
	style lipgloss.Style
}

// fields lists every lipgloss.Style field of s, in declaration order.
func fields(s *Styles) []styleField {
	var out []styleField
	v := reflect.ValueOf(s).Elem()
	styleType := reflect.TypeFor[lipgloss.Style]()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if f.Type == styleType {
			out = append(out, styleField{f.Name, v.Field(i).Interface().(lipgloss.Style)})
		}
	}
	return out
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// attributes are the SGR parameters a style's rendering uses, colours
// apart: colour parameters (with their 5;n and 2;r;g;b arguments) are
// returned separately, as written.
func attributes(rendered string) (attrs []int, colours []string) {
	for _, m := range sgr.FindAllStringSubmatch(rendered, -1) {
		params := strings.Split(m[1], ";")
		for i := 0; i < len(params); i++ {
			head, _, _ := strings.Cut(params[i], ":")
			n, err := strconv.Atoi(head)
			if err != nil {
				continue // an empty parameter is a reset
			}
			switch {
			case n == 38 || n == 48 || n == 58:
				// Extended colour: 5;n or 2;r;g;b follow (unless given
				// with colons inside this parameter).
				c := params[i]
				if !strings.Contains(params[i], ":") && i+1 < len(params) {
					extra := 2
					if params[i+1] == "2" {
						extra = 4
					}
					end := min(len(params), i+extra+1)
					c = strings.Join(params[i:end], ";")
					i = end - 1
				}
				colours = append(colours, c)
			case isColour(n):
				colours = append(colours, strconv.Itoa(n))
			case n != 0:
				attrs = append(attrs, n)
			}
		}
	}
	slices.Sort(attrs)
	return slices.Compact(attrs), colours
}

// isColour: n sets a foreground or background colour (basic, bright or
// extended); 39 and 49 only restore the terminal's own.
func isColour(n int) bool {
	return (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) || n == 58
}

func TestAttributesParser(t *testing.T) {
	attrs, colours := attributes("\x1b[1;38;5;13m a \x1b[m\x1b[2;48;2;1;2;3;4:3m b \x1b[91;9m")
	if !slices.Equal(attrs, []int{1, 2, 4, 9}) {
		t.Errorf("attributes %v", attrs)
	}
	if !slices.Equal(colours, []string{"38;5;13", "48;2;1;2;3", "91"}) {
		t.Errorf("colours %q", colours)
	}
}

// NO_COLOR drops every colour, and keeps the emphasis: whatever bold,
// faint, italic, underline, reverse or strike a field has with colour, it
// keeps without.
func TestNoColorHasNoColourButKeepsEmphasis(t *testing.T) {
	for _, dark := range []bool{true, false} {
		plain := fields(New(Options{NoColor: true, Dark: dark}))
		coloured := fields(New(Options{Dark: dark}))
		if _, colours := attributes(coloured[0].style.Render("x") + New(Options{Dark: dark}).Accent.Render("x")); len(colours) == 0 {
			t.Fatal("the coloured palette renders no colour: the check below would prove nothing")
		}
		for i, f := range plain {
			attrs, colours := attributes(f.style.Render("x"))
			if len(colours) > 0 {
				t.Errorf("NoColor %s renders colours %q", f.name, colours)
			}
			want, _ := attributes(coloured[i].style.Render("x"))
			for _, a := range want {
				if !slices.Contains(attrs, a) {
					t.Errorf("NoColor %s drops SGR %d (has %v, the coloured one %v)", f.name, a, attrs, want)
				}
			}
		}
	}
	// Where colour alone told things apart, emphasis has to.
	st := New(Options{NoColor: true})
	for _, f := range []struct {
		name  string
		style lipgloss.Style
		attr  int
	}{
		{"Bold", st.Bold, 1}, {"Dim", st.Dim, 2}, {"Key", st.Key, 1}, {"KeyHelp", st.KeyHelp, 2},
		{"Error", st.Error, 1}, {"Warning", st.Warning, 1}, {"UserMarker", st.UserMarker, 1},
		{"StatusAlert", st.StatusAlert, 1}, {"Selected", st.Selected, 7}, {"StepDone", st.StepDone, 9},
	} {
		attrs, _ := attributes(f.style.Render("x"))
		if !slices.Contains(attrs, f.attr) {
			t.Errorf("NoColor %s lacks SGR %d: %v", f.name, f.attr, attrs)
		}
	}
}

// ansiIndex is the ANSI palette index of a style's foreground, or -1.
func ansiIndex(s lipgloss.Style) int {
	if c, ok := s.GetForeground().(lipgloss.ANSIColor); ok {
		return int(c)
	}
	return -1
}

// The dark and light palettes differ exactly where a colour must change
// with the background, and nowhere in emphasis.
func TestDarkAndLightDiffer(t *testing.T) {
	dark, light := fields(New(Options{Dark: true})), fields(New(Options{Dark: false}))
	// These carry a colour picked per background; the rest use colours
	// that read on both.
	differ := []string{"Accent", "Code", "User", "Warning", "StepActive", "Border", "ShellKeyword", "ShellVariable", "DiffHunk", "DiffAdd", "DiffRemove"}
	for i := range dark {
		name := dark[i].name
		d, l := dark[i].style, light[i].style
		da, _ := attributes(d.Render("x"))
		la, _ := attributes(l.Render("x"))
		if !slices.Equal(da, la) {
			t.Errorf("%s: emphasis differs between dark %v and light %v", name, da, la)
		}
		same := colourEqual(d.GetForeground(), l.GetForeground()) && colourEqual(d.GetBackground(), l.GetBackground())
		if want := !slices.Contains(differ, name); same != want {
			t.Errorf("%s: dark and light colours the same: %v, want %v (dark %v, light %v)", name, same, want, d.GetForeground(), l.GetForeground())
		}
		// Text must stay readable: no white text on a light background,
		// no black on a dark one. The border is a faint rule on purpose.
		if ansiIndex(l) == 15 || (ansiIndex(l) == 7 && name != "Border") {
			t.Errorf("%s: light palette uses white (%d)", name, ansiIndex(l))
		}
		if ansiIndex(d) == 0 {
			t.Errorf("%s: dark palette uses black", name)
		}
	}
}

func colourEqual(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	return ar == br && ag == bg && ab == bb && aa == ba
}

// Every field of Styles is set by New: a zero style is one somebody added
// and forgot, which would render as plain text without anyone noticing.
func TestEveryStyleIsSet(t *testing.T) {
	// Plain on purpose: ordinary text, and the status line's values,
	// which stand out as plain against its faint labels.
	plain := []string{"Text", "StatusValue"}
	for _, o := range []Options{{Dark: true}, {Dark: false}} {
		fs := fields(New(o))
		if len(fs) == 0 {
			t.Fatal("Styles has no style fields")
		}
		for _, f := range fs {
			zero := reflect.ValueOf(f.style).IsZero()
			if isPlain := slices.Contains(plain, f.name); zero != isPlain {
				t.Errorf("%+v: %s zero %v, want %v", o, f.name, zero, isPlain)
			}
		}
	}
}

// New records the options it was built with: the root model compares
// them to decide whether a background report needs new styles.
func TestOptionsAreKept(t *testing.T) {
	for _, o := range []Options{{Dark: true}, {Dark: false}, {NoColor: true}, {Dark: true, NoColor: true}} {
		if got := New(o).Options; got != o {
			t.Errorf("New(%+v).Options = %+v", o, got)
		}
	}
}
