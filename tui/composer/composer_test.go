package composer

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var plain = styles.Options{NoColor: true}

func TestEnterSubmitsTheTextAndEmpties(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "fix the bug")
	m, intent := send(t, m, enter)
	if want := (Submit{Text: "fix the bug"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
	if !m.Empty() || m.Value() != "" {
		t.Fatalf("after Submit the composer holds %q", m.Value())
	}
}

func TestEnterOnBlankTextDoesNothing(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "   ")
	m = press(t, m, ctrlJ)
	m, intent := send(t, m, enter)
	if intent != nil {
		t.Fatalf("blank text gave %#v", intent)
	}
	if m.Value() != "   \n" {
		t.Fatalf("blank text was changed to %q", m.Value())
	}
}

func TestSubmitTrimsBlankEdgesButKeepsIndentation(t *testing.T) {
	m := newTest(t, 80, plain)
	m, _ = send(t, m, tea.PasteMsg{Content: "\n\n    indented()\n  more  \n\n"})
	_, intent := send(t, m, enter)
	if want := (Submit{Text: "    indented()\n  more"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func TestNewlineKeysBreakTheLine(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{shiftEnter, ctrlJ, altEnter} {
		t.Run(k.String(), func(t *testing.T) {
			m := typeText(t, newTest(t, 80, plain), "one")
			m = press(t, m, k)
			m = typeText(t, m, "two")
			if m.Value() != "one\ntwo" {
				t.Fatalf("value = %q", m.Value())
			}
			_, intent := send(t, m, enter)
			if want := (Submit{Text: "one\ntwo"}); intent != want {
				t.Fatalf("intent = %#v, want %#v", intent, want)
			}
		})
	}
}

func TestBackslashEnterBreaksTheLine(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), `first\`)
	m, intent := send(t, m, enter)
	if intent != nil {
		t.Fatalf(`Enter after \ gave %#v`, intent)
	}
	if m.Value() != "first\n" {
		t.Fatalf("value = %q, want the backslash replaced by a newline", m.Value())
	}
	m = typeText(t, m, "second")
	_, intent = send(t, m, enter)
	if want := (Submit{Text: "first\nsecond"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func submitAll(t *testing.T, m Model, texts ...string) Model {
	t.Helper()
	for _, s := range texts {
		m = typeText(t, m, s)
		var intent Intent
		m, intent = send(t, m, enter)
		if intent != (Submit{Text: s}) {
			t.Fatalf("submitting %q gave %#v", s, intent)
		}
	}
	return m
}

func TestHistoryWalksBackAndReturnsToTheDraft(t *testing.T) {
	m := submitAll(t, newTest(t, 80, plain), "one", "two", "two")
	m = typeText(t, m, "draft")

	steps := []struct {
		key  tea.KeyPressMsg
		want string
	}{
		{up, "two"}, // the repeated "two" was recorded once
		{up, "one"},
		{up, "one"}, // nothing older
		{down, "two"},
		{down, "draft"},
		{down, "draft"}, // nothing newer
	}
	for i, s := range steps {
		m = press(t, m, s.key)
		if m.Value() != s.want {
			t.Fatalf("step %d (%s): value = %q, want %q", i, s.key, m.Value(), s.want)
		}
	}
}

func TestHistoryUpMovesWithinMultilineTextFirst(t *testing.T) {
	m := submitAll(t, newTest(t, 80, plain), "older")
	m = typeText(t, m, "line one")
	m = press(t, m, ctrlJ)
	m = typeText(t, m, "line two")

	m = press(t, m, up)
	if m.Value() != "line one\nline two" {
		t.Fatalf("Up on the second line recalled history: %q", m.Value())
	}
	m = press(t, m, up)
	if m.Value() != "older" {
		t.Fatalf("Up on the first line: value = %q, want the previous message", m.Value())
	}
	m = press(t, m, down)
	if m.Value() != "line one\nline two" {
		t.Fatalf("Down did not bring the multi-line draft back: %q", m.Value())
	}
}

func TestHistoryRecallCanBeSentAgain(t *testing.T) {
	m := submitAll(t, newTest(t, 80, plain), "run the tests")
	m = press(t, m, up)
	_, intent := send(t, m, enter)
	if want := (Submit{Text: "run the tests"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func TestLargePasteFoldsIntoAPlaceholderAndExpandsOnSubmit(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "look: ")
	big := strings.Repeat("abcdefghij", 234) + "abcde" // 2,345 chars
	m, _ = send(t, m, tea.PasteMsg{Content: big})
	token := "[Pasted text #1 · 2,345 chars · 1 line]"
	if !strings.Contains(ansi.Strip(m.View()), "look: "+token) {
		t.Fatalf("view does not show the placeholder:\n%s", m.View())
	}
	m = typeText(t, m, " and ")
	lines := strings.Repeat("row\r\n", 47) + "last"
	m, _ = send(t, m, tea.PasteMsg{Content: lines})
	if !strings.Contains(m.ta.Value(), "[Pasted text #2 · 192 chars · 48 lines]") {
		t.Fatalf("a 48-line paste was not folded: %q", m.ta.Value())
	}
	want := "look: " + big + " and " + strings.ReplaceAll(lines, "\r\n", "\n")
	if m.Value() != want {
		t.Fatalf("Value does not expand the placeholders")
	}
	_, intent := send(t, m, enter)
	if intent != (Submit{Text: want}) {
		t.Fatalf("Submit does not carry the pasted text: %.80q", intent)
	}
}

func TestRecalledMessageStillExpandsItsPaste(t *testing.T) {
	m := newTest(t, 80, plain)
	big := strings.Repeat("x", 1500)
	m, _ = send(t, m, tea.PasteMsg{Content: big})
	m, _ = send(t, m, enter)
	m = press(t, m, up)
	if !strings.Contains(m.ta.Value(), "[Pasted text #1") {
		t.Fatalf("the recalled message lost its placeholder: %.80q", m.ta.Value())
	}
	_, intent := send(t, m, enter)
	if intent != (Submit{Text: big}) {
		t.Fatalf("the recalled placeholder does not expand: %.80q", intent)
	}
}

func TestSmallPasteGoesInAsIs(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "code: ")
	m, _ = send(t, m, tea.PasteMsg{Content: "func f() {\r\n\treturn\r\n}"})
	want := "code: func f() {\n\treturn\n}"
	if m.Value() != want {
		t.Fatalf("value = %q, want %q (CRLF normalised, tab kept)", m.Value(), want)
	}
	if strings.Contains(m.View(), "Pasted") {
		t.Fatalf("a small paste was folded:\n%s", m.View())
	}
	_, intent := send(t, m, enter)
	if intent != (Submit{Text: want}) {
		t.Fatalf("intent = %#v", intent)
	}
}

func TestPasteContainingTheTabStandInIsFolded(t *testing.T) {
	m := newTest(t, 80, plain)
	text := "a" + string(tabStandIn) + "b"
	m, _ = send(t, m, tea.PasteMsg{Content: text})
	if m.Value() != text {
		t.Fatalf("value = %q, want %q unchanged", m.Value(), text)
	}
}

func TestBackspaceDeletesAWholePlaceholder(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "see ")
	m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("y", 5000)})
	m = press(t, m, backspace)
	if m.ta.Value() != "see " {
		t.Fatalf("after Backspace: %q, want the whole placeholder gone", m.ta.Value())
	}
	if len(m.pastes.list) != 0 {
		t.Fatalf("the deleted paste is still held")
	}
	_, intent := send(t, m, enter)
	if intent != (Submit{Text: "see"}) {
		t.Fatalf("intent = %#v", intent)
	}
}

func TestDeleteForwardAndDeleteWordRemovePlaceholders(t *testing.T) {
	m := newTest(t, 80, plain)
	m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("y", 5000)})
	m = typeText(t, m, " tail")
	m = press(t, m, home, del)
	if m.ta.Value() != " tail" {
		t.Fatalf("Delete before the placeholder left %q", m.ta.Value())
	}

	m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("z", 5000)})
	m = press(t, m, ctrlW)
	if m.ta.Value() != " tail" {
		t.Fatalf("Ctrl+W after the placeholder left %q", m.ta.Value())
	}
}

func TestABrokenPlaceholderIsNoLongerExpanded(t *testing.T) {
	m := newTest(t, 80, plain)
	m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("y", 5000)})
	m = press(t, m, left, backspace) // deletes the "s" of "lines]"
	want := "[Pasted text #1 · 5,000 chars · 1 lin]"
	if m.ta.Value() != want {
		t.Fatalf("value = %q", m.ta.Value())
	}
	_, intent := send(t, m, enter)
	if intent != (Submit{Text: want}) {
		t.Fatalf("a broken placeholder still expands: %.80q", intent)
	}
}

func TestPasteNumbersRestartAfterSubmit(t *testing.T) {
	m := newTest(t, 80, plain)
	m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("y", 2000)})
	m, _ = send(t, m, enter)
	m, _ = send(t, m, tea.PasteMsg{Content: strings.Repeat("y", 2000)})
	if !strings.HasPrefix(m.ta.Value(), "[Pasted text #1 ") {
		t.Fatalf("second message's first paste: %q", m.ta.Value())
	}
}

func TestSetValueFoldsLargeText(t *testing.T) {
	m := newTest(t, 80, plain)
	text := strings.Repeat("line\n", 30)
	m.SetValue(text)
	if m.Value() != text || !strings.HasPrefix(m.ta.Value(), "[Pasted text #1 · 150 chars · 30 lines]") {
		t.Fatalf("SetValue: textarea %q, value %q", m.ta.Value(), m.Value())
	}
	m.SetValue("short\ttext")
	if m.Value() != "short\ttext" || len(m.pastes.list) != 0 {
		t.Fatalf("SetValue(short) = %q with %d pastes", m.Value(), len(m.pastes.list))
	}
}

func TestRootKeysAreNotConsumed(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "keep")
	m = press(t, m, home, ctrlD, ctrlC, esc)
	if m.Value() != "keep" {
		t.Fatalf("ctrl+d / ctrl+c / esc edited the text: %q", m.Value())
	}
}

func TestBlurredComposerIgnoresInput(t *testing.T) {
	m := newTest(t, 80, plain)
	m.Blur()
	m = typeText(t, m, "x")
	m, _ = send(t, m, tea.PasteMsg{Content: "y"})
	if !m.Empty() {
		t.Fatalf("a blurred composer took input: %q", m.Value())
	}
	if m.Cursor() != nil {
		t.Fatalf("a blurred composer shows a cursor")
	}
	m.Focus()
	if c := m.Cursor(); c == nil || c.Position.X != 2 || c.Position.Y != 1 {
		t.Fatalf("cursor = %+v, want just after the prompt on the row under the rule", c)
	}
}

func TestCursorFollowsTheText(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "ab")
	m = press(t, m, ctrlJ)
	m = typeText(t, m, "日本")
	c := m.Cursor()
	if c == nil || c.Position.X != 2+4 || c.Position.Y != 2 {
		t.Fatalf("cursor = %+v, want {X:6 Y:2} after two wide characters on the second row", c)
	}
}

func TestTheBoxGrowsUpToItsLimitThenScrolls(t *testing.T) {
	m := newTest(t, 80, plain)
	if m.Height() != 3 {
		t.Fatalf("empty composer is %d rows, want 3 (rules and one line)", m.Height())
	}
	for i := range 15 {
		if i > 0 {
			m = press(t, m, ctrlJ)
		}
		m = typeText(t, m, "line")
	}
	if m.Height() != defaultHeightLimit+2 {
		t.Fatalf("15 lines take %d rows, want %d", m.Height(), defaultHeightLimit+2)
	}
	if got := strings.Count(m.View(), "\n") + 1; got != m.Height() {
		t.Fatalf("View has %d rows, Height says %d", got, m.Height())
	}
	m.SetHeightLimit(4)
	if m.Height() != 6 {
		t.Fatalf("with a limit of 4 the composer is %d rows, want 6", m.Height())
	}
	if c := m.Cursor(); c == nil || c.Position.Y != 4 {
		t.Fatalf("cursor = %+v, want on the last visible row (4)", c)
	}
	m.Reset()
	if m.Height() != 3 {
		t.Fatalf("reset composer is %d rows, want 3", m.Height())
	}
}

func TestLongLinesWrapAndRewrapOnResize(t *testing.T) {
	m := typeText(t, newTest(t, 120, plain), strings.Repeat("word ", 20))
	if m.Height() != 3 {
		t.Fatalf("100 characters at width 120 take %d rows, want 3", m.Height())
	}
	m.SetWidth(40)
	if m.Height() != 3+2 {
		t.Fatalf("100 characters at width 40 take %d rows, want 5", m.Height())
	}
}

func TestViewNeverExceedsTheWidth(t *testing.T) {
	texts := []string{
		strings.Repeat("word ", 40),
		strings.Repeat("x", 300),
		strings.Repeat("日本語のテキスト", 20),
		strings.Repeat("emoji 👍🏽 🎉 👨‍👩‍👧 ", 15),
		"mixed 日本 and ascii " + strings.Repeat("長", 50),
	}
	for _, w := range []int{6, 10, 13, 21, 40, 57, 80, 120} {
		for _, text := range texts {
			m := newTest(t, w, plain)
			m, _ = send(t, m, tea.PasteMsg{Content: text})
			m = typeText(t, m, " @")
			if !golden.CheckWidth(t, fmt.Sprintf("width %d, text %.20q", w, text), m.View(), w) {
				return
			}
		}
	}
}

func TestPlaceholders(t *testing.T) {
	m := newTest(t, 120, plain)
	view := func() string { return ansi.Strip(m.View()) }
	if !strings.Contains(view(), DefaultPlaceholder) {
		t.Fatalf("empty composer does not show the hint:\n%s", m.View())
	}
	m.SetPlaceholder("Queue a message for the next step · esc to interrupt")
	if !strings.Contains(view(), "Queue a message for the next step · esc to interrupt") {
		t.Fatalf("SetPlaceholder not shown:\n%s", m.View())
	}
	m.SetWidth(40)
	if v := view(); !strings.Contains(v, "› Queue a message for the next step   ") {
		t.Fatalf("narrow hint did not drop its last part:\n%s", v)
	}
	m.SetPlaceholder("")
	m = typeText(t, m, "x")
	if strings.Contains(view(), "Ask warden") {
		t.Fatalf("hint shown over text:\n%s", m.View())
	}
}

func TestFitHint(t *testing.T) {
	cases := []struct {
		width int
		want  string
	}{
		{100, DefaultPlaceholder},
		{50, "Ask warden to do anything · @ files · / commands"},
		{37, "Ask warden to do anything · @ files"},
		{30, "Ask warden to do anything"},
		{10, "Ask warde…"},
	}
	for _, c := range cases {
		if got := fitHint(DefaultPlaceholder, c.width); got != c.want {
			t.Errorf("fitHint(%d) = %q, want %q", c.width, got, c.want)
		}
	}
}

func TestSetStylesKeepsTextAndHistory(t *testing.T) {
	m := submitAll(t, newTest(t, 80, plain), "earlier")
	m = typeText(t, m, "now")
	m.SetStyles(styles.New(styles.Options{Dark: true}))
	if m.Value() != "now" {
		t.Fatalf("value = %q after SetStyles", m.Value())
	}
	m = press(t, m, up)
	if m.Value() != "earlier" {
		t.Fatalf("history lost after SetStyles: %q", m.Value())
	}
	if !strings.Contains(m.View(), "\x1b[") {
		t.Fatalf("dark styles not applied:\n%q", m.View())
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func BenchmarkPaste1MB(b *testing.B) {
	line := strings.Repeat("0123456789abcdef", 4) + "\r\n" // 66 bytes
	big := strings.Repeat(line, 1<<20/len(line))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		// A fresh composer each time: the textarea's rows are shared
		// between copies of a model, so reusing one would grow its line.
		b.StopTimer()
		m := typeText(b, newTest(b, 120, styles.Options{Dark: true}), "explain this log: ")
		b.StartTimer()
		m, _, _ = m.Update(tea.PasteMsg{Content: big})
		if len(m.View()) > 10_000 {
			b.Fatal("the paste was not folded")
		}
	}
}

func TestNormalizeNewlines(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"a\nb":          "a\nb",
		"a\r\nb\r\n":    "a\nb\n",
		"a\rb\r":        "a\nb\n",
		"\r\n\r\r\n\n":  "\n\n\n\n",
		"x\r\r\ny\r\nz": "x\n\ny\nz",
	} {
		if got := normalizeNewlines(in); got != want {
			t.Errorf("normalizeNewlines(%q) = %q, want %q", in, got, want)
		}
	}
}
