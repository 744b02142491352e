package picker

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"warden/tui/internal/golden"
	"warden/tui/keys"
	"warden/tui/styles"
)

// The picker starts on the current item; enter chooses the selected one,
// and the intent carries the caller's item, Value included.
func TestEnterChoosesTheSelectedItem(t *testing.T) {
	m := newPicker(presets(), noColor, approvalOptions)
	_, got := press(t, m, "enter")
	if c, ok := only(t, got).(Chosen); !ok || c.Item.Value != "auto" {
		t.Fatalf("enter on a fresh picker: %#v, want the current preset (auto)", got)
	}
	for _, tc := range []struct {
		keys []string
		want any
	}{
		{[]string{"down"}, "full"},
		{[]string{"up"}, "read-only"},
		{[]string{"j"}, "full"},
		{[]string{"k"}, "read-only"},
		{[]string{"ctrl+n"}, "full"},
		{[]string{"ctrl+p"}, "read-only"},
		{[]string{"up", "up", "up"}, "read-only"}, // no wrapping round
		{[]string{"down", "down", "down"}, "full"},
		{[]string{"end"}, "full"},
		{[]string{"home"}, "read-only"},
	} {
		_, got := press(t, m, append(tc.keys, "enter")...)
		if c, ok := only(t, got).(Chosen); !ok || c.Item.Value != tc.want {
			t.Errorf("%v then enter: %#v, want %v", tc.keys, got, tc.want)
		}
	}
}

func TestEscCancels(t *testing.T) {
	for _, o := range []Options{approvalOptions, modelOptions, permissionOptions} {
		_, got := press(t, newPicker(presets(), noColor, o), "esc")
		if _, ok := only(t, got).(Cancel); !ok {
			t.Errorf("%s: esc returned %#v", o.Title, got)
		}
	}
}

// With text typed, esc clears it and keeps the picker; the next esc
// cancels.
func TestEscClearsTheFilterFirst(t *testing.T) {
	m := typeText(t, newPicker(models(10), noColor, modelOptions), "nano")
	m, got := press(t, m, "esc")
	if len(got) != 0 || m.Query() != "" {
		t.Fatalf("first esc: intents %#v, query %q; want none and an empty query", got, m.Query())
	}
	if it, _ := m.Selected(); it.Title != "gpt-5-nano" {
		t.Errorf("clearing the filter moved the selection to %q, want it kept on gpt-5-nano", it.Title)
	}
	if _, got = press(t, m, "esc"); len(got) != 1 || got[0] != (Cancel{}) {
		t.Errorf("second esc: %#v, want Cancel", got)
	}
}

// Typing narrows the list to the fuzzy matches, best first; enter picks
// the match, not the row that was selected before.
func TestFilterNarrowsAndEnterPicksTheMatch(t *testing.T) {
	m := typeText(t, newPicker(models(10), noColor, modelOptions), "4omin")
	view := plain(m.View(80, 20))
	if !strings.Contains(view, "› gpt-4o-mini") || strings.Contains(view, "gpt-5-codex") {
		t.Fatalf("filtered on 4omin:\n%s", view)
	}
	_, got := press(t, m, "enter")
	if c, ok := only(t, got).(Chosen); !ok || c.Item.Title != "gpt-4o-mini" {
		t.Errorf("enter: %#v, want gpt-4o-mini", got)
	}
	// backspace erases: "4omi" still matches; "" shows everything again.
	m, _ = press(t, m, "backspace")
	if m.Query() != "4omi" {
		t.Errorf("backspace left %q", m.Query())
	}
	m, _ = press(t, m, "backspace", "backspace", "backspace", "backspace", "backspace")
	if m.Query() != "" || len(m.rows) != 10 {
		t.Errorf("erased: query %q, %d rows; want all 10", m.Query(), len(m.rows))
	}
}

// While filtering, letters are text: j, k and x type instead of moving
// or revoking.
func TestLettersTypeWhileFiltering(t *testing.T) {
	o := modelOptions
	o.Revocable = true
	m, got := press(t, newPicker(models(10), noColor, o), "j", "k", "x")
	if len(got) != 0 || m.Query() != "jkx" || m.confirming {
		t.Errorf("j k x: intents %#v, query %q, confirming %v; want them typed", got, m.Query(), m.confirming)
	}
	// ctrl+n is not text: it moves.
	m = newPicker(models(10), noColor, modelOptions)
	m, _ = press(t, m, "ctrl+n")
	if it, _ := m.Selected(); it.Title != "gpt-5-nano" || m.Query() != "" {
		t.Errorf("ctrl+n selected %q with query %q", it.Title, m.Query())
	}
	// A space before any text is not typed; inside text it is.
	m, _ = press(t, m, "space")
	m = typeText(t, m, "o4 mini")
	if m.Query() != "o4 mini" {
		t.Errorf("query %q, want %q", m.Query(), "o4 mini")
	}
}

// A pasted name is typed text, on one line and cleaned.
func TestPasteTypes(t *testing.T) {
	m, _ := newPicker(models(10), noColor, modelOptions).Update(tea.PasteMsg{Content: "my-\x1b[31mmodel\n"})
	if m.Query() != "my-model" {
		t.Fatalf("query %q after the paste", m.Query())
	}
	_, got := press(t, m, "enter")
	if c, ok := only(t, got).(Custom); !ok || c.Text != "my-model" {
		t.Errorf("enter: %#v, want Custom my-model", got)
	}
	// Without a filter a paste changes nothing.
	p, _ := newPicker(presets(), noColor, approvalOptions).Update(tea.PasteMsg{Content: "x"})
	if p.Query() != "" {
		t.Errorf("a picker without a filter took a paste: %q", p.Query())
	}
}

// Text no item is returns Custom, also while the list is still loading;
// an item's exact title returns the item; without FreeText no match
// returns nothing.
func TestFreeText(t *testing.T) {
	m := typeText(t, newPicker(models(10), noColor, modelOptions), "  my-finetune ")
	_, got := press(t, m, "enter")
	if c, ok := only(t, got).(Custom); !ok || c.Text != "my-finetune" {
		t.Errorf("unlisted name: %#v, want Custom my-finetune", got)
	}
	loading := typeText(t, newPicker(nil, noColor, modelOptions), "gpt-6")
	if _, got = press(t, loading, "enter"); len(got) != 1 || got[0] != (Custom{Text: "gpt-6"}) {
		t.Errorf("while loading: %#v, want Custom gpt-6", got)
	}
	exact := typeText(t, newPicker(models(10), noColor, modelOptions), "o3")
	if strings.Contains(plain(exact.View(80, 20)), "Use “o3”") {
		t.Errorf("a listed name is offered as free text:\n%s", plain(exact.View(80, 20)))
	}
	if _, got = press(t, exact, "enter"); len(got) != 1 || got[0].(Chosen).Item.Title != "o3" {
		t.Errorf("exact name: %#v, want Chosen o3", got)
	}
	o := modelOptions
	o.FreeText = false
	none := typeText(t, newPicker(models(10), noColor, o), "zzz")
	if _, got = press(t, none, "enter"); len(got) != 0 {
		t.Errorf("no match, no free text: %#v, want nothing", got)
	}
	if v := plain(none.View(80, 20)); !strings.Contains(v, "No match for “zzz”") || strings.Contains(v, "Use “") {
		t.Errorf("no match, no free text:\n%s", v)
	}
}

// Text that partly matches lists the matches first, best selected, and
// the free-text row last, where end reaches it.
func TestFreeTextRowComesAfterTheMatches(t *testing.T) {
	m := typeText(t, newPicker(models(30), noColor, modelOptions), "gpt-5-c")
	if _, got := press(t, m, "enter"); len(got) != 1 || got[0].(Chosen).Item.Title != "gpt-5-codex" {
		t.Errorf("enter on the best match: %#v", got)
	}
	if _, got := press(t, m, "end", "enter"); len(got) != 1 || got[0] != (Custom{Text: "gpt-5-c"}) {
		t.Errorf("end, enter: %#v, want Custom gpt-5-c", got)
	}
}

// Revoking asks first: y returns Revoke for that row, n or esc keep it
// and keep the picker open; every revoke key asks.
func TestRevokeAsksFirst(t *testing.T) {
	m := newPicker(rules(), noColor, permissionOptions)
	for _, k := range []string{"x", "delete", "backspace"} {
		asked, got := press(t, m, "down", k)
		if len(got) != 0 || !asked.confirming {
			t.Fatalf("%s: intents %#v, confirming %v; want the question", k, got, asked.confirming)
		}
		if line := selectedLine(t, asked.View(120, 20)); !strings.Contains(line, "allow git status") || !strings.Contains(line, "Revoke? y/n") {
			t.Errorf("%s: the selected row reads %q, want the question on it", k, line)
		}
		_, got = press(t, asked, "y")
		if r, ok := only(t, got).(Revoke); !ok || r.Item.Value != 2 {
			t.Errorf("%s then y: %#v, want Revoke of rule 2", k, got)
		}
		for _, no := range []string{"n", "esc", "enter", "j"} {
			kept, got := press(t, asked, no)
			if len(got) != 0 || kept.confirming {
				t.Errorf("%s then %s: intents %#v, confirming %v; want the rule kept, the picker open", k, no, got, kept.confirming)
			}
			if it, _ := kept.Selected(); it.Value != 2 {
				t.Errorf("%s then %s moved the selection to %v", k, no, it.Value)
			}
		}
	}
	// With a filter, only delete asks (x and backspace are text).
	o := permissionOptions
	o.Filter = true
	asked, _ := press(t, newPicker(rules(), noColor, o), "delete")
	if _, got := press(t, asked, "y"); len(got) != 1 {
		t.Errorf("filtering, delete then y: %#v, want Revoke", got)
	}
	// Without Revocable nothing asks.
	plainList, _ := press(t, newPicker(rules(), noColor, approvalOptions), "x", "delete", "y")
	if plainList.confirming {
		t.Error("a picker that is not Revocable asked to revoke")
	}
}

// A row that cannot be revoked says why and is never revoked, whatever
// is pressed next.
func TestNoRevokeSaysWhy(t *testing.T) {
	m := newPicker(rules(), noColor, permissionOptions)
	m, got := press(t, m, "down", "down", "x")
	if len(got) != 0 || m.confirming {
		t.Fatalf("intents %#v, confirming %v", got, m.confirming)
	}
	if line := selectedLine(t, m.View(120, 20)); !strings.Contains(line, "set by the repository: edit .warden/rules.toml") {
		t.Errorf("the row reads %q, want its reason", line)
	}
	for _, keys := range [][]string{{"y"}, {"x", "y"}, {"delete", "y"}, {"backspace", "y"}} {
		if _, got := press(t, m, keys...); len(got) != 0 {
			t.Errorf("%v: %#v, want nothing", keys, got)
		}
	}
	// The reason goes at the next key.
	m, _ = press(t, m, "down")
	if strings.Contains(plain(m.View(120, 20)), "set by the repository") {
		t.Error("the reason stayed after the selection moved")
	}
}

// SetItems keeps the selection on the same title, wherever it moved; on
// the same position when it is gone; on the current item when the list
// was empty.
func TestSelectionAcrossSetItems(t *testing.T) {
	m := newPicker(models(10), noColor, modelOptions)
	m, _ = press(t, m, "down", "down", "down") // o4-mini, row 5
	reordered := models(10)
	reordered[0], reordered[5] = reordered[5], reordered[0]
	reordered = append([]Item{{Title: "new-model"}}, reordered...)
	m = m.SetItems(reordered, "")
	if it, _ := m.Selected(); it.Title != "o4-mini" {
		t.Errorf("after a reorder the selection is %q, want o4-mini", it.Title)
	}
	without := append([]Item(nil), reordered[:1]...)
	without = append(without, reordered[2:]...) // o4-mini gone
	m = m.SetItems(without, "")
	if it, _ := m.Selected(); it.Title != without[1].Title {
		t.Errorf("with o4-mini gone the selection is %q, want %q in its place", it.Title, without[1].Title)
	}
	m = m.SetItems(nil, "")
	if _, ok := m.Selected(); ok || !strings.Contains(plain(m.View(80, 10)), modelOptions.Empty) {
		t.Errorf("emptied: %s", plain(m.View(80, 10)))
	}
	loading := newPicker(nil, noColor, modelOptions)
	if !strings.Contains(plain(loading.View(80, 10)), "Loading models…") {
		t.Errorf("no loading line:\n%s", plain(loading.View(80, 10)))
	}
	loaded := loading.SetItems(models(10), "")
	if it, _ := loaded.Selected(); !it.Current {
		t.Errorf("loaded: selection %q, want the current item", it.Title)
	}
	if strings.Contains(plain(loaded.View(80, 10)), "Loading") {
		t.Error("still loading after SetItems")
	}
	// Typed while loading: the best match is selected.
	typed := typeText(t, newPicker(nil, noColor, modelOptions), "nano").SetItems(models(10), "")
	if it, _ := typed.Selected(); it.Title != "gpt-5-nano" {
		t.Errorf("typed nano while loading: selection %q", it.Title)
	}
}

// A revoke question survives a refresh that keeps its row, and not one
// that removes it.
func TestConfirmationAcrossSetItems(t *testing.T) {
	m, _ := press(t, newPicker(rules(), noColor, permissionOptions), "down", "x")
	if kept := m.SetItems(rules(), ""); !kept.confirming {
		t.Error("a refresh keeping the row dropped the question")
	}
	gone := append([]Item{rules()[0]}, rules()[2:]...)
	after := m.SetItems(gone, "")
	if after.confirming {
		t.Error("the question moved to another rule")
	}
	if _, got := press(t, after, "y"); len(got) != 0 {
		t.Errorf("y after the row went: %#v", got)
	}
}

// The load's error is shown, and the items stay usable.
func TestErrorLine(t *testing.T) {
	m := newPicker(nil, noColor, modelOptions).SetItems(models(3), "list models: 503 \x1b[31mService Unavailable")
	v := plain(m.View(80, 20))
	if !strings.Contains(v, "list models: 503 Service Unavailable") {
		t.Errorf("no error line:\n%s", v)
	}
	if _, got := press(t, m, "enter"); len(got) != 1 {
		t.Errorf("enter with an error shown: %#v", got)
	}
}

// Moving through a long list scrolls it to keep the selection in sight,
// and the "more" lines count what is cut; moving back inside the window
// does not scroll.
func TestScrolling(t *testing.T) {
	const height = 10
	m := newPicker(models(40), noColor, modelOptions)
	m.View(80, height)
	m, _ = press(t, m, "home")
	for i := range 39 {
		m, _ = press(t, m, "down")
		v := m.View(80, height)
		checkWindow(t, fmt.Sprintf("after %d downs", i+1), m, v, 40)
	}
	// Back up to the middle, where the selection sits at the window's
	// top; then down, inside the window, which must not scroll.
	for range 20 {
		m, _ = press(t, m, "up")
		m.View(80, height)
	}
	top := m.frame.top
	if top != m.sel {
		t.Fatalf("moving up: window at %d, selection at %d; want the selection on top", top, m.sel)
	}
	m, _ = press(t, m, "down")
	m.View(80, height)
	if m.frame.top != top {
		t.Errorf("down inside the window scrolled it from %d to %d", top, m.frame.top)
	}
	// pgup moves by what was shown, less one.
	before := m.sel
	page := m.frame.page
	m, _ = press(t, m, "pgup")
	if m.sel != before-(page-1) {
		t.Errorf("pgup: %d → %d, want a move of %d", before, m.sel, page-1)
	}
	m, _ = press(t, m, "pgdown")
	if m.sel != before {
		t.Errorf("pgdown back: %d, want %d", m.sel, before)
	}
}

// checkWindow checks a drawing of m: the selected row is shown, and the
// "more" lines count the rows above and below those shown.
func checkWindow(t *testing.T, what string, m Model, view string, total int) {
	t.Helper()
	it, _ := m.Selected()
	if line := selectedLine(t, view); !strings.HasPrefix(line, "› "+it.Title) {
		t.Fatalf("%s: the selected row reads %q, want %s", what, line, it.Title)
	}
	shown, above, below := 0, 0, 0
	for _, l := range strings.Split(plain(view), "\n") {
		switch {
		case strings.HasPrefix(l, "  ↑ "):
			fmt.Sscanf(l, "  ↑ %d more", &above)
		case strings.HasPrefix(l, "  ↓ "):
			fmt.Sscanf(l, "  ↓ %d more", &below)
		case strings.HasPrefix(l, "› "), strings.HasPrefix(l, "  gpt"), strings.HasPrefix(l, "  o"):
			shown++
		}
	}
	if above+shown+below != total || above != m.frame.top {
		t.Fatalf("%s: %d above, %d shown, %d below, of %d (window at %d):\n%s", what, above, shown, below, total, m.frame.top, plain(view))
	}
}

// The key help is made from the bindings: change a binding and the
// footer says so; it fits the width, whole entries only.
func TestFooterComesFromTheBindings(t *testing.T) {
	km := keys.Default()
	km.Picker.Choose = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "take it"))
	m := New(presets(), km, noColor, approvalOptions)
	v := plain(m.View(80, 20))
	footer := v[strings.LastIndex(v, "\n")+1:]
	if footer != "tab take it · esc cancel · ↑/k up · ↓/j down" {
		t.Errorf("footer %q", footer)
	}
	if _, got := press(t, m, "tab"); len(got) != 1 {
		t.Errorf("the rebound choose key: %#v", got)
	}
	v = plain(m.View(30, 20))
	if footer = v[strings.LastIndex(v, "\n")+1:]; footer != "tab take it · esc cancel" {
		t.Errorf("footer at 30 columns: %q", footer)
	}
}

// Whatever the state, the drawing fits the width and height it is given,
// down to a single cell, and keeps the selection while the height allows.
func TestViewFits(t *testing.T) {
	type named struct {
		name string
		m    func() Model
	}
	st := styles.New(styles.Options{Dark: true})
	cases := []named{
		{"models", func() Model { return newPicker(models(30), st, modelOptions) }},
		{"scrolled", func() Model { m, _ := press(t, newPicker(models(30), st, modelOptions), "pgdown", "pgdown"); return m }},
		{"filtered", func() Model { return typeText(t, newPicker(models(30), st, modelOptions), "mini") }},
		{"free", func() Model {
			return typeText(t, newPicker(models(30), st, modelOptions), "a-very-long-model-name-nobody-has")
		}},
		{"loading", func() Model { return newPicker(nil, st, modelOptions) }},
		{"error", func() Model {
			return newPicker(nil, st, modelOptions).SetItems(models(5), strings.Repeat("a long error ", 20))
		}},
		{"confirm", func() Model { m, _ := press(t, newPicker(rules(), st, permissionOptions), "end", "up", "x"); return m }},
		{"noRevoke", func() Model {
			m, _ := press(t, newPicker(rules(), st, permissionOptions), "down", "down", "x")
			return m
		}},
		{"hostile", func() Model { return newPicker(hostile(), st, Options{Title: "t", Filter: true}) }},
	}
	for _, c := range cases {
		for _, w := range []int{1, 2, 5, 20, 40, 80} {
			for _, h := range []int{1, 2, 3, 4, 8, 20} {
				m := c.m()
				out := m.View(w, h)
				what := fmt.Sprintf("%s at %d×%d", c.name, w, h)
				if !golden.CheckWidth(t, what, out, w) {
					continue
				}
				if n := strings.Count(out, "\n") + 1; n > h {
					t.Errorf("%s: %d lines", what, n)
				}
				if _, ok := m.Selected(); ok && w >= 20 && !strings.Contains(plain(out), marker+" ") {
					t.Errorf("%s: the selection is not shown:\n%s", what, plain(out))
				}
			}
		}
	}
	if got := newPicker(presets(), st, approvalOptions).View(0, 10); got != "" {
		t.Errorf("no width: %q", got)
	}
}

// Text from outside cannot reach the terminal as a control sequence.
func TestOutsideTextIsCleaned(t *testing.T) {
	m := newPicker(hostile(), styles.New(styles.Options{Dark: true}), Options{Title: "Choose \x1b[2Ja model", Hint: "\x07bell", Revocable: true})
	m = m.SetItems(hostile(), "oops\x1b]52;c;Zm9v\x07")
	for _, w := range []int{40, 120} {
		out := m.View(w, 20)
		if strings.ContainsFunc(sgrFree(out), func(r rune) bool { return r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f }) {
			t.Errorf("width %d: a control character other than SGR reached the drawing: %q", w, out)
		}
		for _, bad := range []string{"]0;", "[2J", "]52;", "[31m"} {
			if strings.Contains(out, bad) {
				t.Errorf("width %d: %q reached the drawing", w, bad)
			}
		}
	}
	// The item handed back is the caller's own, untouched.
	_, got := press(t, m, "enter")
	if c := only(t, got).(Chosen); !reflect.DeepEqual(c.Item, hostile()[0]) {
		t.Errorf("chosen %#v, want the item as given", c.Item)
	}
}

// sgrFree is s without its SGR sequences (the styles' own).
func sgrFree(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], 'm')
		if j < 0 || strings.ContainsAny(s[i+2:i+j], "ABCDEFGHJKSTfhlnsu") {
			b.WriteString(s[i:])
			return b.String()
		}
		s = s[i+j+1:]
	}
}
