package status

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/golden"
	"warden/tui/styles"
)

var update = flag.Bool("update", false, "rewrite golden files")

var themes = []struct {
	name string
	opts styles.Options
}{
	{"nocolor", styles.Options{NoColor: true}},
	{"dark", styles.Options{Dark: true}},
}

// goldenWidths are the usual widths and a tiny one.
var goldenWidths = []int{40, 80, 120, 160, 14}

func typical() Info {
	return Info{
		Model: "gpt-5-codex", ReasoningEffort: "high",
		SandboxMode: "workspace-write", SandboxWhy: "config",
		ApprovalPolicy: "on-request",
		TokensUsed:     48_213, ContextLeft: 72,
		Cwd: "/home/ada/src/warden", Branch: "main", Home: "/home/ada",
	}
}

func TestStatusGolden(t *testing.T) {
	cases := map[string]func(*Info){
		"typical": func(*Info) {},
		"full_access": func(i *Info) {
			i.SandboxMode, i.SandboxWhy, i.ApprovalPolicy, i.Network = "full-access", "--sandbox", "never", true
		},
		"low_context": func(i *Info) { i.ContextLeft, i.TokensUsed = 9, 1_843_000 },
		"untrusted_queued": func(i *Info) {
			i.SandboxMode, i.SandboxWhy = "read-only", "untrusted project"
			i.Working, i.Queued = true, 2
			i.Cwd, i.Branch = "/tmp/scratch", ""
		},
		"minimal": func(i *Info) { *i = Info{SandboxMode: "read-only", ContextLeft: -1} },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			info := typical()
			change(&info)
			for _, th := range themes {
				st := styles.New(th.opts)
				var b strings.Builder
				for _, w := range goldenWidths {
					out := Render(info, w, st)
					checkLine(t, fmt.Sprintf("%s %s width %d", name, th.name, w), out, w)
					fmt.Fprintf(&b, "%3d │%s\n", w, out)
				}
				golden.Compare(t, filepath.Join("testdata", "status_"+name+"."+th.name+".golden"), b.String(), *update)
			}
		})
	}
}

// checkLine fails unless out is one line no wider than width.
func checkLine(t *testing.T, what, out string, width int) {
	t.Helper()
	if strings.Contains(out, "\n") {
		t.Errorf("%s: more than one line: %q", what, out)
	}
	golden.CheckWidth(t, what, out, max(width, 0))
}

// The sandbox mode is on the line at every width it fits in, and the
// line is never wider than the terminal.
func TestSandboxAlwaysShown(t *testing.T) {
	st := styles.New(styles.Options{NoColor: true})
	for _, mode := range []string{"read-only", "workspace-write", "full-access"} {
		info := typical()
		info.SandboxMode, info.Network, info.Queued, info.Working = mode, true, 3, true
		for w := -1; w <= 200; w++ {
			out := Render(info, w, st)
			checkLine(t, fmt.Sprintf("%s width %d", mode, w), out, w)
			if w >= len(mode) && !strings.Contains(ansi.Strip(out), mode) {
				t.Errorf("width %d: sandbox mode %s missing: %q", w, mode, ansi.Strip(out))
			}
		}
	}
}

// Fields leave in order of importance as the line narrows: tokens before
// the directory, the directory before the approval policy and the
// network, those before the model, the model before the context left.
func TestDropOrder(t *testing.T) {
	st := styles.New(styles.Options{NoColor: true})
	info := typical()
	has := func(w int, s string) bool { return strings.Contains(ansi.Strip(Render(info, w, st)), s) }
	lastWidth := func(s string) int { // the narrowest width that still shows s
		w := 200
		for w > 0 && has(w-1, s) {
			w--
		}
		return w
	}
	tokens, dir, model, context := lastWidth("48.2k tokens"), lastWidth("warden"), lastWidth("gpt-5-codex"), lastWidth("72%")
	approvals, network := lastWidth("on-request"), lastWidth("off")
	if !(tokens > dir && dir > approvals && approvals > network && network > model && model > context) {
		t.Errorf("narrowest widths: tokens %d, directory %d, approvals %d, network %d, model %d, context %d", tokens, dir, approvals, network, model, context)
	}
	if got := ansi.Strip(Render(info, 200, st)); got != "gpt-5-codex high · sandbox workspace-write (config) · approvals on-request · network off · ~/src/warden (main) · 72% context left · 48.2k tokens" {
		t.Errorf("wide line: %q", got)
	}
}

// Full access and a nearly full context are drawn in the alert style.
func TestAlerts(t *testing.T) {
	st := styles.New(styles.Options{Dark: true})
	alert := func(s string) string { return st.StatusAlert.Render(s) }
	info := typical()
	if out := Render(info, 200, st); strings.Contains(out, alert("workspace-write")) || strings.Contains(out, alert("72%")) {
		t.Errorf("alert without reason: %q", out)
	}
	info.SandboxMode, info.ContextLeft = "full-access", 14
	out := Render(info, 200, st)
	if !strings.Contains(out, alert("full-access")) || !strings.Contains(out, alert("14%")) {
		t.Errorf("no alert for full access and 14%% context: %q", out)
	}
}

func TestQueuedOnlyWhileWorking(t *testing.T) {
	st := styles.New(styles.Options{NoColor: true})
	info := typical()
	info.Queued = 2
	if strings.Contains(ansi.Strip(Render(info, 200, st)), "queued") {
		t.Error("queued shown with no turn running")
	}
	info.Working = true
	if !strings.Contains(ansi.Strip(Render(info, 200, st)), "2 queued") {
		t.Error("queued not shown while working")
	}
}

func TestHelpers(t *testing.T) {
	for n, want := range map[int64]string{950: "950", 1000: "1k", 12_345: "12.3k", 999_949: "999.9k", 999_950: "1M", 1_843_000: "1.8M"} {
		if got := formatTokens(n); got != want {
			t.Errorf("formatTokens(%d) = %q, want %q", n, got, want)
		}
	}
	for in, want := range map[string]string{"~/src/warden": "warden", "/": "/", "~": "~", "/a/b/": "b"} {
		if got := lastElement(in); got != want {
			t.Errorf("lastElement(%q) = %q, want %q", in, got, want)
		}
	}
}
