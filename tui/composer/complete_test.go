package composer

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func itemTexts(m Model) []string {
	var out []string
	for _, it := range m.comp.items {
		out = append(out, it.text)
	}
	return out
}

func TestAtOpensFileCompletionAndTabInsertsThePath(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "look at @compo")
	if !m.Completing() {
		t.Fatalf("typing @compo did not open a list")
	}
	if got := ansi.Strip(m.View()); !strings.Contains(got, "› tui/composer/composer.go") {
		t.Fatalf("list does not show the best match selected:\n%s", got)
	}
	m = press(t, m, tab)
	if m.Value() != "look at tui/composer/composer.go " {
		t.Fatalf("value = %q", m.Value())
	}
	if m.Completing() {
		t.Fatalf("the list stayed open after inserting")
	}
}

func TestEnterInsertsTheSelectedFileWithoutSending(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "@keys")
	m, intent := send(t, m, enter)
	if intent != nil {
		t.Fatalf("Enter on the file list sent %#v", intent)
	}
	if m.Value() != "tui/keys/keys.go " {
		t.Fatalf("value = %q", m.Value())
	}
}

func TestFileCompletionPrefersBasenameMatches(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "@main")
	want := []string{"main.go", "cmd/warden/main.go", "internal/mainframe/x.go"}
	if got := itemTexts(m); !slices.Equal(got, want) {
		t.Fatalf("ranking = %q, want %q", got, want)
	}
}

func TestFileCompletionWithASlashMatchesWholePaths(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "@tui/keys")
	if got := itemTexts(m); len(got) == 0 || got[0] != "tui/keys/keys.go" {
		t.Fatalf("ranking = %q", got)
	}
}

func TestBareAtOffersTheShallowestFiles(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "@")
	want := []string{"README.md", "go.mod", "main.go", "docs/design notes.md", "harness/loop.go", "cmd/warden/main.go", "internal/mainframe/x.go", "tui/composer/complete.go"}
	if got := itemTexts(m); !slices.Equal(got, want) {
		t.Fatalf("bare @ offers %q, want %q", got, want)
	}
}

func TestFileCompletionReplacesTheWholeWordAndQuotesSpaces(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "read @desnot please")
	for range len(" please") {
		m = press(t, m, left)
	}
	m = press(t, m, left, left) // the cursor inside "@desnot"
	if !m.Completing() {
		t.Fatalf("no list with the cursor inside @desnot")
	}
	m = press(t, m, tab)
	if m.Value() != `read "docs/design notes.md" please` {
		t.Fatalf("value = %q", m.Value())
	}
}

func TestUpDownMoveTheSelectionNotTheHistory(t *testing.T) {
	m := submitAll(t, newTest(t, 80, plain), "older message")
	m = typeText(t, m, "@composer")
	first := itemTexts(m)
	m = press(t, m, down)
	if m.comp.selected != 1 {
		t.Fatalf("Down: selected = %d, want 1", m.comp.selected)
	}
	m = press(t, m, up, up)
	if m.comp.selected != len(first)-1 {
		t.Fatalf("Up past the top: selected = %d, want the last (%d)", m.comp.selected, len(first)-1)
	}
	if m.Value() != "@composer" {
		t.Fatalf("Up walked the history while completing: %q", m.Value())
	}
	m = press(t, m, tab)
	if m.Value() != first[len(first)-1]+" " {
		t.Fatalf("value = %q, want the selected entry", m.Value())
	}
}

func TestEscClosesTheListUntilTheQueryChanges(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "@comp")
	m = press(t, m, esc)
	if m.Completing() {
		t.Fatalf("Esc did not close the list")
	}
	if m.Value() != "@comp" {
		t.Fatalf("Esc changed the text: %q", m.Value())
	}
	if strings.Contains(ansi.Strip(m.View()), "composer.go") {
		t.Fatalf("closed list still drawn:\n%s", m.View())
	}
	m = typeText(t, m, "o")
	if !m.Completing() {
		t.Fatalf("typing after Esc did not reopen the list")
	}
	m = press(t, m, esc, tab)
	if !m.Completing() {
		t.Fatalf("Tab did not reopen the list")
	}
}

func TestNoListWithoutMatchesOrFiles(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "@zzzzqqq")
	if m.Completing() {
		t.Fatalf("a list opened without matches: %q", itemTexts(m))
	}
	m = typeText(t, newTest(t, 80, plain), "mail me@example.com")
	if m.Completing() {
		t.Fatalf("an @ inside a word opened a list")
	}
	m = newTest(t, 80, plain)
	m.SetFiles(nil)
	m = typeText(t, m, "@")
	if m.Completing() {
		t.Fatalf("a list opened with no files")
	}
}

func TestSlashListsMatchingCommands(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/co")
	if got, want := itemTexts(m), []string{"/copy", "/compact"}; !slices.Equal(got, want) {
		t.Fatalf("/co lists %q, want %q", got, want)
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "› /copy     copy the last answer") {
		t.Fatalf("list rows not as expected:\n%s", view)
	}
	m = typeText(t, newTest(t, 80, plain), "/")
	if len(m.comp.items) != len(testCommands) {
		t.Fatalf("a bare / lists %d commands, want all %d", len(m.comp.items), len(testCommands))
	}
	m = typeText(t, newTest(t, 80, plain), "/hlp")
	if got := itemTexts(m); !slices.Equal(got, []string{"/help"}) {
		t.Fatalf("/hlp lists %q, want a fuzzy match on /help", got)
	}
}

func TestSlashOnlyAtTheStartOfTheMessage(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "see /co")
	if m.Completing() {
		t.Fatalf("a / in the middle of the text opened the command list")
	}
	m = typeText(t, newTest(t, 80, plain), "x")
	m = press(t, m, ctrlJ)
	m = typeText(t, m, "/co")
	if m.Completing() {
		t.Fatalf("a / on the second line opened the command list")
	}
}

func TestEnterOnTheCommandListRunsTheSelectedCommand(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/co")
	m = press(t, m, down)
	m, intent := send(t, m, enter)
	if want := (RunCommand{Name: "compact"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
	if !m.Empty() {
		t.Fatalf("composer holds %q after running a command", m.Value())
	}
	m = press(t, m, up)
	if m.Value() != "/compact" {
		t.Fatalf("the command did not enter the history: %q", m.Value())
	}
}

func TestTabCompletesACommandThenEnterRunsItWithArguments(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/mo")
	m = press(t, m, tab)
	if m.Value() != "/model " || m.Completing() {
		t.Fatalf("value = %q, completing = %v", m.Value(), m.Completing())
	}
	m = typeText(t, m, "gpt-5 high")
	_, intent := send(t, m, enter)
	if want := (RunCommand{Name: "model", Args: "gpt-5 high"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func TestEnterOnAFullCommandWithArgumentsRunsIt(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/compact keep the test names")
	_, intent := send(t, m, enter)
	if want := (RunCommand{Name: "compact", Args: "keep the test names"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func TestUnknownCommandKeepsTheText(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/frobnicate now")
	m, intent := send(t, m, enter)
	if want := (UnknownCommand{Name: "frobnicate"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
	if m.Value() != "/frobnicate now" {
		t.Fatalf("value = %q, want the text kept", m.Value())
	}
}

func TestAPathIsNotACommand(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/usr/bin/env is missing")
	_, intent := send(t, m, enter)
	if want := (Submit{Text: "/usr/bin/env is missing"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func TestLongCommandListScrollsWithTheSelection(t *testing.T) {
	m := newTest(t, 80, plain)
	var cmds []Command
	for _, n := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"} {
		cmds = append(cmds, Command{Name: n, Description: "command " + n})
	}
	m.SetCommands(cmds)
	m = typeText(t, m, "/a")
	if m.Height() != 3+completionRows {
		t.Fatalf("height = %d, want %d (a list of %d rows)", m.Height(), 3+completionRows, completionRows)
	}
	for range 9 {
		m = press(t, m, down)
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "› /a10") || strings.Contains(view, "/a1 ") {
		t.Fatalf("list did not scroll to the selection:\n%s", view)
	}
}

func TestLongPathsAreCutFromTheLeft(t *testing.T) {
	m := newTest(t, 30, plain)
	m.SetFiles([]string{"very/deeply/nested/directory/structure/widget.go"})
	m = typeText(t, m, "@widget")
	view := ansi.Strip(m.View()) + "\n"
	if !strings.Contains(view, "› …rectory/structure/widget.go\n") {
		t.Fatalf("long path not cut from the left:\n%s", view)
	}
}

func BenchmarkFileMatch20k(b *testing.B) {
	dirs := []string{"internal/server/handlers", "pkg/util", "cmd/tool", "web/src/components/forms", "docs/guide"}
	var paths []string
	for i := range 20000 {
		paths = append(paths, fmt.Sprintf("%s/sub%d/file_%05d.go", dirs[i%len(dirs)], i%37, i))
	}
	f := newFileIndex(paths)
	b.Run("first", func(b *testing.B) {
		for range b.N {
			if got, _ := f.match("hndlr", fileHits{}); len(got) == 0 {
				b.Fatal("no match")
			}
		}
	})
	_, prev := f.match("hndl", fileHits{})
	b.Run("narrowed", func(b *testing.B) {
		for range b.N {
			if got, _ := f.match("hndlr", prev); len(got) == 0 {
				b.Fatal("no match")
			}
		}
	})
}

func TestNarrowedFileMatchesEqualAFullSearch(t *testing.T) {
	f := newFileIndex(testFiles)
	var hits fileHits
	for _, q := range []string{"c", "co", "com", "comp", "compo", "composer", "composer.g"} {
		var narrowed []candidate
		narrowed, hits = f.match(q, hits)
		full, _ := f.match(q, fileHits{})
		if !slices.EqualFunc(narrowed, full, func(a, b candidate) bool { return a.text == b.text && slices.Equal(a.matched, b.matched) }) {
			t.Fatalf("query %q: narrowed %v, full %v", q, narrowed, full)
		}
	}
	if _, h := f.match("x", hits); len(h.idx) == 0 {
		t.Fatalf("a query that does not extend the last one was narrowed to nothing")
	}
}

func TestEnterOnTheCommandListKeepsTheArgumentsAfterTheWord(t *testing.T) {
	m := typeText(t, newTest(t, 80, plain), "/co the tests")
	for range len(" the tests") {
		m = press(t, m, left)
	}
	if !m.Completing() {
		t.Fatalf("no list with the cursor at the end of /co")
	}
	_, intent := send(t, m, enter)
	if want := (RunCommand{Name: "copy", Args: "the tests"}); intent != want {
		t.Fatalf("intent = %#v, want %#v", intent, want)
	}
}

func TestFilesReturnsWhatWasSet(t *testing.T) {
	m := newTest(t, 80, plain)
	if !slices.Equal(m.Files(), testFiles) {
		t.Fatalf("Files() = %q", m.Files())
	}
}
