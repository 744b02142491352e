package keys

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"

	"warden/tui/internal/keypress"
)

// binding is one key.Binding of the map, named "Group.Field".
type binding struct {
	name string
	b    key.Binding
}

// groups walks the map: every group (a struct field of Map) with its
// bindings, in declaration order. A field that is not a group of
// bindings fails the test, so nothing can hide from the checks below.
func groups(t *testing.T, m Map) map[string][]binding {
	t.Helper()
	out := map[string][]binding{}
	mv := reflect.ValueOf(m)
	bindingType := reflect.TypeFor[key.Binding]()
	for i := range mv.NumField() {
		group := mv.Type().Field(i)
		gv := mv.Field(i)
		if gv.Kind() != reflect.Struct {
			t.Fatalf("Map.%s is a %s, not a group of bindings", group.Name, gv.Type())
		}
		for j := range gv.NumField() {
			f := gv.Type().Field(j)
			if f.Type != bindingType {
				t.Fatalf("%s.%s is a %s, not a key.Binding", group.Name, f.Name, f.Type)
			}
			out[group.Name] = append(out[group.Name], binding{group.Name + "." + f.Name, gv.Field(j).Interface().(key.Binding)})
		}
	}
	return out
}

// Every binding has keys, help text for both the key and what it does,
// is enabled, and lists no key twice.
func TestEveryBindingIsComplete(t *testing.T) {
	gs := groups(t, Default())
	if len(gs) == 0 {
		t.Fatal("no bindings")
	}
	for _, bs := range gs {
		for _, b := range bs {
			if len(b.b.Keys()) == 0 {
				t.Errorf("%s has no keys", b.name)
			}
			h := b.b.Help()
			if strings.TrimSpace(h.Key) == "" || strings.TrimSpace(h.Desc) == "" {
				t.Errorf("%s help is incomplete: key %q, description %q", b.name, h.Key, h.Desc)
			}
			if !b.b.Enabled() {
				t.Errorf("%s is disabled", b.name)
			}
			seen := map[string]bool{}
			for _, k := range b.b.Keys() {
				if seen[k] {
					t.Errorf("%s lists %q twice", b.name, k)
				}
				seen[k] = true
			}
		}
	}
}

// Every key a binding lists is one a key press can match: a binding that
// says "pgdn" or "Ctrl+T" would never fire, since key.Matches compares
// with the press's String().
func TestEveryKeyCanBePressed(t *testing.T) {
	for _, bs := range groups(t, Default()) {
		for _, b := range bs {
			for _, name := range b.b.Keys() {
				k, err := keypress.For(name)
				if err != nil {
					t.Errorf("%s: %v", b.name, err)
					continue
				}
				if got := k.String(); got != name {
					t.Errorf("%s: the press for %q reads %q", b.name, name, got)
				}
				if !key.Matches(k, b.b) {
					t.Errorf("%s: a press of %q does not match it", b.name, name)
				}
			}
		}
	}
}

// activeTogether are the groups whose bindings can fire at the same
// moment: the composer has the keys unless a question is shown, and the
// pager and the picker take every key while they are open.
var activeTogether = [][]string{
	{"Global", "Composer"},
	{"Global", "Approval"},
	{"Pager"},
	{"Picker"},
	{"Trust"}, // asked alone, before the session starts
}

// sharedOnPurpose are the keys two bindings active together share on
// purpose; the root model decides by focus which one a press means.
var sharedOnPurpose = []struct {
	a, b, key string
	why       string
}{
	{"Global.Interrupt", "Composer.Dismiss", "esc", "esc closes an open completion list first, and interrupts otherwise"},
	{"Global.Interrupt", "Approval.Stop", "esc", "while a question waits, esc answers it (deny and stop), which stops the turn too"},
	{"Approval.Back", "Approval.Stop", "esc", "esc closes the rule preview or the reason field of a question first, and answers it (deny and stop) otherwise"},
	{"Approval.Back", "Global.Interrupt", "esc", "while a question waits, esc belongs to the question: it closes what is open in it, or answers it"},
	{"Picker.Cancel", "Picker.Clear", "esc", "esc empties a typed filter first, and closes the picker otherwise"},
	{"Picker.Erase", "Picker.RevokeLetter", "backspace", "backspace erases typed text in a picker that filters, and asks to revoke in one that does not"},
}

// No key is bound twice among bindings that are active together, except
// the overlaps listed in sharedOnPurpose; and every listed overlap still
// exists, so the list cannot go stale.
func TestNoKeyBoundTwiceWhereActiveTogether(t *testing.T) {
	for _, p := range overlapProblems(t, Default()) {
		t.Error(p)
	}
}

// The check above finds a new overlap, and a listed one that went away.
func TestOverlapCheckFindsConflicts(t *testing.T) {
	m := Default()
	m.Composer.Send = key.NewBinding(key.WithKeys("enter", "ctrl+t"), key.WithHelp("enter", "send"))
	m.Approval.Stop = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop"))
	got := strings.Join(overlapProblems(t, m), "\n")
	for _, want := range []string{`Composer.Send and Global.Transcript are both bound to "ctrl+t"`, `lists Approval.Stop and Global.Interrupt on "esc", which no longer overlap`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	m = Default()
	m.Pager.Top = key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "top"))
	if got := overlapProblems(t, m); len(got) != 1 || !strings.Contains(got[0], `Pager.Close and Pager.Top are both bound to "q"`) {
		t.Errorf("a clash inside the pager: %q", got)
	}
}

func overlapProblems(t *testing.T, m Map) []string {
	gs := groups(t, m)
	var problems []string
	covered := map[string]bool{}
	for _, set := range activeTogether {
		for _, g := range set {
			covered[g] = true
		}
	}
	for g := range gs {
		if !covered[g] {
			problems = append(problems, fmt.Sprintf("group %s is in no set of activeTogether: say when its keys are live", g))
		}
	}
	allowed := map[[3]string]bool{}
	for _, s := range sharedOnPurpose {
		a, b := s.a, s.b
		if a > b {
			a, b = b, a
		}
		allowed[[3]string{a, b, s.key}] = true
	}
	used := map[[3]string]bool{}
	for _, set := range activeTogether {
		owners := map[string][]string{} // key → bindings
		for _, g := range set {
			for _, b := range gs[g] {
				for _, k := range b.b.Keys() {
					owners[k] = append(owners[k], b.name)
				}
			}
		}
		for k, names := range owners {
			sort.Strings(names)
			for i := range names {
				for j := i + 1; j < len(names); j++ {
					pair := [3]string{names[i], names[j], k}
					if !allowed[pair] {
						problems = append(problems, fmt.Sprintf("%s and %s are both bound to %q while %s are active: give one another key, or add the overlap to sharedOnPurpose with the reason the root resolves it", names[i], names[j], k, strings.Join(set, "+")))
					}
					used[pair] = true
				}
			}
		}
	}
	for pair := range allowed {
		if !used[pair] {
			problems = append(problems, fmt.Sprintf("sharedOnPurpose lists %s and %s on %q, which no longer overlap: remove it", pair[0], pair[1], pair[2]))
		}
	}
	sort.Strings(problems)
	return problems
}

// Plain printable keys in the composer's groups would be typed as text
// instead: the global bindings use modifiers, named keys, or "?" (which
// the root takes only on an empty composer).
func TestGlobalKeysDoNotStealTyping(t *testing.T) {
	for _, b := range groups(t, Default())["Global"] {
		for _, k := range b.b.Keys() {
			if utf8.RuneCountInString(k) == 1 && !slices.Contains([]string{"?"}, k) {
				t.Errorf("%s is bound to the printable %q, which the composer needs for typing", b.name, k)
			}
		}
	}
}
