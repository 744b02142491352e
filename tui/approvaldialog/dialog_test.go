package approvaldialog

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"warden/harness/approval"
	"warden/harness/event"
	"warden/tui/diffview"
	"warden/tui/internal/golden"
	"warden/tui/keys"
	"warden/tui/styles"
)

var noColor = styles.New(styles.Options{NoColor: true})

// Each choice answers with its decision, for a command and for a patch.
func TestEveryChoiceAnswers(t *testing.T) {
	goTest := []string{"go", "test"}
	tests := []struct {
		name  string
		req   event.ApprovalRequested
		keys  []string
		typed string
		want  event.Decision
	}{
		{"once", commandRequest(), []string{"y"}, "", event.Decision{Approved: true}},
		{"session", commandRequest(), []string{"a"}, "", event.Decision{Approved: true, Remember: event.RememberSession}},
		{"project", commandRequest(), []string{"p", "enter"}, "", event.Decision{Approved: true, Remember: event.RememberProject, Prefix: goTest}},
		{"everywhere", commandRequest(), []string{"e", "enter"}, "", event.Decision{Approved: true, Remember: event.RememberUser, Prefix: goTest}},
		{"deny", commandRequest(), []string{"n"}, "", event.Decision{}},
		{"stop", commandRequest(), []string{"esc"}, "", event.Decision{Stop: true}},
		{"say why", commandRequest(), []string{"d"}, "  use `make test`, it sets the tags ", event.Decision{Message: "use `make test`, it sets the tags"}},
		{"say nothing", commandRequest(), []string{"d"}, "", event.Decision{}},
		{"patch once", patchRequest(), []string{"y"}, "", event.Decision{Approved: true}},
		{"patch session", patchRequest(), []string{"a"}, "", event.Decision{Approved: true, Remember: event.RememberSession}},
		{"patch deny", patchRequest(), []string{"n"}, "", event.Decision{}},
		{"patch stop", patchRequest(), []string{"esc"}, "", event.Decision{Stop: true}},
		{"patch say why", patchRequest(), []string{"d"}, "not /etc/hosts", event.Decision{Message: "not /etc/hosts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := dialog(t, tt.req, noColor, "workspace-write")
			m.View(80, 40)
			m, d := press(t, m, tt.keys...)
			if tt.keys[0] == "d" {
				if d != nil {
					t.Fatalf("d answered at once: %+v", d)
				}
				m = typeText(m, tt.typed)
				m, d = press(t, m, "enter")
			}
			if d == nil {
				t.Fatalf("%v did not answer", tt.keys)
			}
			if !reflect.DeepEqual(*d, tt.want) {
				t.Errorf("decision %+v, want %+v", *d, tt.want)
			}
			if _, again := press(t, m, "y"); again != nil {
				t.Errorf("an answered dialog answered again: %+v", again)
			}
		})
	}
}

// A patch offers no rule: p and e do nothing.
func TestPatchOffersNoRule(t *testing.T) {
	m := dialog(t, patchRequest(), noColor, "workspace-write")
	m, d := press(t, m, "p", "enter", "e", "enter")
	if d != nil || m.mode != asking {
		t.Errorf("p/e on a patch: decision %+v, mode %v", d, m.mode)
	}
	if v := plain(m.View(80, 40)); strings.Contains(v, "always allow") {
		t.Errorf("a patch offers a rule:\n%s", v)
	}
}

// Without a proposed prefix, or without a file to save a rule to, no rule
// is offered and p and e do nothing.
func TestNoRuleWithoutPrefixOrFile(t *testing.T) {
	noPrefix := commandRequest()
	noPrefix.ProposedPrefix, noPrefix.PrefixOf, noPrefix.MinPrefix = nil, nil, 0
	noFiles := commandRequest()
	noFiles.RuleFiles = nil
	onlyUser := commandRequest()
	onlyUser.RuleFiles = map[string]string{event.RememberUser: ruleFiles[event.RememberUser]}
	for name, req := range map[string]event.ApprovalRequested{"no prefix": noPrefix, "no files": noFiles} {
		m := dialog(t, req, noColor, "workspace-write")
		if v := plain(m.View(80, 40)); strings.Contains(v, "always allow") {
			t.Errorf("%s: a rule is offered:\n%s", name, v)
		}
		if m, d := press(t, m, "p", "enter", "e", "enter"); d != nil || m.mode != asking {
			t.Errorf("%s: p/e answered %+v, mode %v", name, d, m.mode)
		}
	}
	m := dialog(t, onlyUser, noColor, "workspace-write")
	v := plain(m.View(80, 40))
	if strings.Contains(v, "in this project") || !strings.Contains(v, "everywhere") {
		t.Errorf("only the user file given: want only the everywhere choice:\n%s", v)
	}
	if _, d := press(t, m, "p", "enter"); d != nil {
		t.Errorf("p answered without a project file: %+v", d)
	}
}

// ← and → shorten and lengthen the prefix a word at a time, never below
// MinPrefix words nor past the whole command.
func TestPrefixStaysWithinBounds(t *testing.T) {
	req := commandRequest()
	req.ProposedPrefix = []string{"go", "test", "-run"}
	req.MinPrefix = 2
	whole := req.PrefixOf
	tests := []struct {
		keys []string
		want []string
	}{
		{[]string{"left"}, whole[:2]},
		{[]string{"left", "left", "left"}, whole[:2]},
		{[]string{"right"}, whole[:4]},
		{[]string{"right", "right", "right", "right"}, whole},
		{[]string{"right", "right", "right", "left"}, whole[:4]},
		{nil, whole[:3]},
	}
	for _, tt := range tests {
		for _, scope := range []string{"p", "e"} {
			m := dialog(t, req, noColor, "workspace-write")
			keys := append(append([]string{scope}, tt.keys...), "enter")
			_, d := press(t, m, keys...)
			if d == nil || !slices.Equal(d.Prefix, tt.want) {
				t.Errorf("%v: decision %+v, want prefix %q", keys, d, tt.want)
			}
		}
	}
}

// A prefix that is not the start of PrefixOf cannot be lengthened; a
// missing MinPrefix means it cannot be shortened.
func TestPrefixBoundsFromAnOddRequest(t *testing.T) {
	req := commandRequest()
	req.ProposedPrefix = []string{"make", "test"}
	req.MinPrefix = 0
	_, d := press(t, dialog(t, req, noColor, ""), "p", "right", "right", "enter")
	if d == nil || !slices.Equal(d.Prefix, []string{"make", "test"}) {
		t.Errorf("lengthened along another command: %+v", d)
	}
	_, d = press(t, dialog(t, req, noColor, ""), "p", "left", "enter")
	if d == nil || !slices.Equal(d.Prefix, []string{"make", "test"}) {
		t.Errorf("shortened without a lower bound: %+v", d)
	}
}

// ruleRE finds the previewed rule: the lines under "Adds this rule to
// FILE:" up to the keys.
var ruleRE = regexp.MustCompile(`(?s)Adds this rule to (\S+):\n(.*?)\n(?:What it allows|enter )`)

// The preview shows, before anything is saved, the very rule the harness
// would write for the prefix as chosen, and the file it goes to.
func TestPreviewShowsTheExactRuleAndFile(t *testing.T) {
	for _, escalation := range []bool{false, true} {
		for _, tt := range []struct {
			key, file string
		}{
			{"p", "~/.config/warden/projects/5f3a9c/rules.toml"},
			{"e", "~/.config/warden/rules.toml"},
		} {
			req := commandRequest()
			req.Escalation = escalation
			m := dialog(t, req, noColor, "workspace-write")
			for _, moves := range [][]string{nil, {"right"}, {"right", "right", "right"}, {"right", "left"}} {
				m, d := press(t, m, append([]string{tt.key}, moves...)...)
				if d != nil {
					t.Fatalf("%s %v answered before enter: %+v", tt.key, moves, d)
				}
				got := ruleRE.FindStringSubmatch(plain(m.View(200, 60)))
				if got == nil {
					t.Fatalf("%s %v: no rule previewed:\n%s", tt.key, moves, plain(m.View(200, 60)))
				}
				if got[1] != tt.file {
					t.Errorf("%s: the rule goes to %q, want %q", tt.key, got[1], tt.file)
				}
				var rule []string
				for line := range strings.SplitSeq(got[2], "\n") {
					rule = append(rule, strings.TrimPrefix(line, "  "))
				}
				_, d = press(t, m, "enter")
				want := approval.RuleFor(d.Prefix, escalation).String()
				if strings.Join(rule, "\n")+"\n" != want {
					t.Errorf("%s %v escalation %v: previewed\n%s\nwant\n%s", tt.key, moves, escalation, strings.Join(rule, "\n"), want)
				}
				if escalation != strings.Contains(want, `sandbox = "outside"`) {
					t.Errorf("escalation %v, rule %q", escalation, want)
				}
			}
		}
	}
}

// Esc closes the preview and the reason field without answering; only
// then does it answer (deny and stop). Keys typed into the field are
// text, not answers.
func TestEscBacksOut(t *testing.T) {
	m := dialog(t, commandRequest(), noColor, "workspace-write")
	m, d := press(t, m, "p", "esc")
	if d != nil || m.mode != asking {
		t.Fatalf("esc in the preview: decision %+v, mode %v", d, m.mode)
	}
	m, d = press(t, m, "e", "esc")
	if d != nil || m.mode != asking {
		t.Fatalf("esc in the preview: decision %+v, mode %v", d, m.mode)
	}
	m, d = press(t, m, "d")
	m = typeText(m, "yanp")
	if d != nil || m.mode != explaining || m.reason.Value() != "yanp" {
		t.Fatalf("typing y, a, n, p in the field: decision %+v, mode %v, text %q", d, m.mode, m.reason.Value())
	}
	m, d = press(t, m, "esc")
	if d != nil || m.mode != asking {
		t.Fatalf("esc in the field: decision %+v, mode %v", d, m.mode)
	}
	if v := plain(m.View(80, 40)); strings.Contains(v, "yanp") || !strings.Contains(v, "yes, run it once") {
		t.Errorf("after esc the field still shows, or the choices do not:\n%s", v)
	}
	// Opening the field again starts it empty.
	m, _ = press(t, m, "d")
	if m.reason.Value() != "" {
		t.Errorf("the field kept %q", m.reason.Value())
	}
	m, _ = press(t, m, "esc")
	_, d = press(t, m, "esc")
	if d == nil || !reflect.DeepEqual(*d, event.Decision{Stop: true}) {
		t.Errorf("esc with nothing open: %+v", d)
	}
}

// A paste goes into the open field.
func TestPasteIntoTheField(t *testing.T) {
	m := dialog(t, commandRequest(), noColor, "")
	m, _ = press(t, m, "d")
	m, _, _ = m.Update(tea.PasteMsg{Content: "run the linter first"})
	_, d := press(t, m, "enter")
	if d == nil || d.Message != "run the linter first" {
		t.Errorf("decision %+v", d)
	}
}

// Keys pressed in the first 400ms are ignored, whatever they are.
func TestGracePeriod(t *testing.T) {
	c := &clock{now: t0}
	m := New(commandRequest(), keys.Default(), noColor, Options{Now: c.Now})
	for _, after := range []time.Duration{0, 100 * time.Millisecond, Grace - time.Millisecond} {
		c.now = t0.Add(after)
		for _, k := range []string{"y", "a", "n", "esc", "d", "p", "e", "enter"} {
			var d *event.Decision
			m, d = press(t, m, k)
			if d != nil || m.mode != asking {
				t.Fatalf("%q %v after the dialog appeared: decision %+v, mode %v", k, after, d, m.mode)
			}
		}
	}
	c.now = t0.Add(Grace)
	if _, d := press(t, m, "y"); d == nil || !d.Approved {
		t.Errorf("y after the grace period: %+v", d)
	}
}

// A nil clock is time.Now: right after New, keys are ignored.
func TestDefaultClock(t *testing.T) {
	m := New(commandRequest(), keys.Default(), noColor, Options{})
	if _, d := press(t, m, "y"); d != nil {
		t.Errorf("y right after New answered: %+v", d)
	}
}

// longScript is a script of n numbered lines.
func longScript(n int) event.ApprovalRequested {
	req := commandRequest()
	var b strings.Builder
	b.WriteString("set -e\n")
	for i := 2; i <= n; i++ {
		fmt.Fprintf(&b, "echo step %d\n", i)
	}
	req.Script = b.String()
	req.ProposedPrefix, req.PrefixOf, req.MinPrefix = nil, nil, 0
	return req
}

// A script taller than the room scrolls with ↑/↓/pgup/pgdn, within its
// lines, and the choices stay on screen.
func TestLongScriptScrolls(t *testing.T) {
	m := dialog(t, longScript(40), noColor, "workspace-write")
	const height = 24
	first := func(m Model) string {
		v := plain(m.View(80, height))
		if n := strings.Count(v, "\n") + 1; n > height {
			t.Fatalf("%d lines, more than %d", n, height)
		}
		if !strings.Contains(v, "no, and stop the turn") {
			t.Fatalf("the choices are not shown:\n%s", v)
		}
		return strings.Split(v, "\n")[1]
	}
	if got := first(m); got != " 1 set -e" {
		t.Fatalf("first line %q", got)
	}
	m, _ = press(t, m, "down", "down")
	if got := first(m); got != " 3 echo step 3" {
		t.Errorf("after two downs: %q", got)
	}
	m, _ = press(t, m, "up", "up", "up")
	if got := first(m); got != " 1 set -e" {
		t.Errorf("scrolled above the top: %q", got)
	}
	m, _ = press(t, m, "pgdown")
	page := m.frame.bodyHeight - 1
	if got, want := first(m), fmt.Sprintf("%2d ", 1+page); !strings.HasPrefix(got, want) {
		t.Errorf("after a page down (%d lines): %q", page, got)
	}
	for range 10 {
		m, _ = press(t, m, "pgdown")
	}
	v := plain(m.View(80, height))
	if !strings.Contains(v, "40 echo step 40") || !strings.Contains(v, "of 40") {
		t.Errorf("the end of the script is not shown:\n%s", v)
	}
	m, _ = press(t, m, "up")
	if got, want := first(m), fmt.Sprintf("%2d ", 40-page); !strings.HasPrefix(got, want) {
		t.Errorf("one up from the end: %q, want line %s (scrolled past the end?)", got, want)
	}
}

// The drawing is never wider nor taller than asked, in any state, down to
// tiny sizes.
func TestViewFits(t *testing.T) {
	for _, c := range goldenCases() {
		for _, th := range themes[:2] {
			for _, w := range []int{1, 5, 11, 12, 20, 33, 57, 99, 160} {
				for _, h := range []int{1, 2, 3, 5, 8, 13, 40} {
					m := c.build(t, styles.New(th.opts), w, h)
					out := m.View(w, h)
					if !golden.CheckWidth(t, c.name+" "+th.name, out, w) {
						return
					}
					if n := strings.Count(out, "\n") + 1; n > h {
						t.Errorf("%s %s %dx%d: %d lines", c.name, th.name, w, h, n)
						return
					}
				}
			}
		}
	}
	m := dialog(t, commandRequest(), noColor, "")
	if m.View(0, 10) != "" || m.View(10, 0) != "" {
		t.Error("a dialog drawn in no room drew something")
	}
}

// hostile is a request whose every string tries to act on the terminal.
func hostile() event.ApprovalRequested {
	const evil = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[m\u009b1;1H\x07\r\u202egnp.exe\u200b"
	req := commandRequest()
	req.Script = "echo hi" + evil + "\nrm -rf ~" + evil
	req.Cwd = home + "/src" + evil
	req.Justification = "tidy up" + evil
	req.Reason = "destructive" + evil
	req.ProposedPrefix = []string{"echo", "hi" + evil}
	req.MinPrefix = 1
	req.PrefixOf = []string{"echo", "hi" + evil, "more" + evil}
	req.RuleFiles = map[string]string{event.RememberProject: home + "/p" + evil + ".toml", event.RememberUser: home + "/u" + evil}
	return req
}

func hostilePatch() event.ApprovalRequested {
	const evil = "\x1b]52;c;ZXZpbA==\x07\x1b[?1049h\u009d0;x\u009c"
	req := patchRequest()
	req.Reason += evil
	req.Cwd += evil
	req.Changes[0].Path += evil
	req.Changes[0].MoveTo = "moved" + evil
	req.Changes[0].Diff += "+" + evil + "\n"
	return req
}

// sgr is a style sequence; anything else from escape or control
// characters must not reach the terminal.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// No escape sequence or control character from the request reaches the
// drawing, in any state; what cannot be seen is shown as a marker.
func TestNoControlSequenceFromTheRequest(t *testing.T) {
	states := map[string][]string{"asking": nil, "project": {"p"}, "user": {"e", "right"}, "reason": {"d"}}
	for _, th := range themes {
		st := styles.New(th.opts)
		for _, req := range []event.ApprovalRequested{hostile(), hostilePatch()} {
			for name, keys := range states {
				m, _ := press(t, dialog(t, req, st, "read-only"), keys...)
				if name == "reason" {
					m, _, _ = m.Update(tea.PasteMsg{Content: "pasted\x1b]0;x\x07 \x1b[2J"})
				}
				for _, w := range []int{40, 80, 120} {
					out := m.View(w, 60)
					rest := sgr.ReplaceAllString(out, "")
					for _, r := range rest {
						if r < 0x20 && r != '\n' || r >= 0x7f && r <= 0x9f || r == '\u202e' || r == '\u200b' {
							t.Fatalf("%s %s %s width %d: control %U reached the drawing:\n%q", th.name, req.Kind, name, w, r, out)
						}
					}
					// A previewed rule shows the prefix as TOML escapes
					// (\u001B]0;pwned…), as it would be saved: text, not
					// a sequence.
					if name != "project" && name != "user" && (strings.Contains(out, "pwned") || strings.Contains(out, "ZXZpbA")) {
						t.Errorf("%s %s: the text of a sequence was drawn:\n%s", th.name, name, plain(out))
					}
					if req.Kind == "command" && name == "asking" && !strings.Contains(plain(out), "<U+202E>") {
						t.Errorf("%s: the direction override is not shown as a marker:\n%s", th.name, plain(out))
					}
				}
			}
		}
	}
}

// The prefix saved is the model's own words, not the cleaned ones drawn:
// the rule must match the command that runs.
func TestDecisionCarriesTheRawPrefix(t *testing.T) {
	req := hostile()
	_, d := press(t, dialog(t, req, noColor, ""), "p", "right", "enter")
	if d == nil || !slices.Equal(d.Prefix, req.PrefixOf) {
		t.Errorf("decision %+v, want prefix %q", d, req.PrefixOf)
	}
}

// The split key shows the diff side by side where it fits, and back.
func TestSplitToggle(t *testing.T) {
	wide := 200
	for !diffview.CanSplit(wide - len([]rune(gutter))) {
		wide += 50
		if wide > 2000 {
			t.Fatal("diffview.CanSplit is false at every width")
		}
	}
	req := patchRequest()
	st := noColor
	m := dialog(t, req, st, "")
	inner := wide - len([]rune(gutter))
	body := func(split bool) string {
		return diffview.Render(req.Changes, diffview.Options{Width: inner, Split: split, Styles: st})
	}
	unified, split := body(false), body(true)
	if unified == split {
		t.Fatal("diffview draws the same both ways: nothing to test")
	}
	if out := m.View(wide, 200); !strings.Contains(out, indentAll(unified)) {
		t.Fatalf("the unified diff is not shown:\n%s", out)
	}
	m, _ = press(t, m, "s")
	if out := m.View(wide, 200); !strings.Contains(out, indentAll(split)) {
		t.Errorf("after s the side-by-side diff is not shown:\n%s", out)
	}
	m, _ = press(t, m, "s")
	if out := m.View(wide, 200); !strings.Contains(out, indentAll(unified)) {
		t.Errorf("after s again the unified diff is not shown:\n%s", out)
	}
	// Where it does not fit, s does nothing and is not offered.
	narrow := 40
	m = dialog(t, req, st, "")
	before := m.View(narrow, 200)
	m, _ = press(t, m, "s")
	if after := m.View(narrow, 200); after != before || strings.Contains(plain(after), "side by side") {
		t.Errorf("s at width %d changed the drawing or is offered:\n%s", narrow, plain(after))
	}
}

// indentAll is s as the dialog draws it: each line after the gutter.
func indentAll(s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		if i > 0 {
			lines[i] = gutterFor(noColor) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}

func gutterFor(st *styles.Styles) string { return st.Accent.Render(gutter) }

// The sandbox line says what a yes lets the command do.
func TestSandboxLine(t *testing.T) {
	tests := []struct {
		mode       string
		escalation bool
		want       string
	}{
		{"read-only", false, "runs inside it (read-only): it cannot change files"},
		{"workspace-write", false, "runs inside it (workspace-write)"},
		{"full-access", false, "none: this session runs with full access"},
		{"read-only", true, "outside it: the command can change any of your files"},
		{"workspace-write", true, "outside it"},
	}
	for _, tt := range tests {
		req := commandRequest()
		req.Escalation = tt.escalation
		v := plain(dialog(t, req, noColor, tt.mode).View(120, 40))
		if !strings.Contains(v, "sandbox  "+tt.want) {
			t.Errorf("%s escalation %v: want %q:\n%s", tt.mode, tt.escalation, tt.want, v)
		}
		if tt.escalation != strings.Contains(v, "Run this command outside the sandbox?") {
			t.Errorf("%s escalation %v: title:\n%s", tt.mode, tt.escalation, v)
		}
	}
	if v := plain(dialog(t, commandRequest(), noColor, "").View(120, 40)); strings.Contains(v, "sandbox ") {
		t.Errorf("an unknown mode is described:\n%s", v)
	}
}

// Request returns the request, Respond and all.
func TestRequest(t *testing.T) {
	req := commandRequest()
	called := false
	req.Respond = func(event.Decision) { called = true }
	got := dialog(t, req, noColor, "").Request()
	if got.ID != req.ID || got.Script != req.Script || got.Respond == nil {
		t.Fatalf("Request() = %+v", got)
	}
	got.Respond(event.Decision{})
	if !called {
		t.Error("Request().Respond is not the request's")
	}
}

// An argv without a script is shown quoted as a shell would need it.
func TestArgvShownQuoted(t *testing.T) {
	req := commandRequest()
	req.Script = ""
	req.Command = []string{"grep", "-r", "it's here", "src/"}
	v := plain(dialog(t, req, noColor, "").View(120, 40))
	if !strings.Contains(v, `$ grep -r 'it'\''s here' src/`) {
		t.Errorf("argv not quoted:\n%s", v)
	}
}
