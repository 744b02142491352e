// Package status draws warden's status line: the model, what the agent is
// allowed to do (sandbox, approvals, network), where it works, and how
// much context is left.
//
// The line is drawn every frame at whatever width the terminal has, so
// Render is a pure function that degrades in a fixed order as the width
// shrinks: labels go first, then the least important fields. The sandbox
// mode is never dropped: what the agent may do to the machine must always
// be on screen.
package status

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/tui/internal/pathfmt"
	"warden/tui/internal/termsafe"
	"warden/tui/styles"
)

// Info is what the status line shows.
type Info struct {
	Model, ReasoningEffort string
	SandboxMode            string // read-only, workspace-write, full-access
	SandboxWhy             string // why this mode is in force: "untrusted project", "trusted project", "chosen"
	ApprovalPolicy         string
	Network                bool
	TokensUsed             int64
	ContextLeft            int    // percent; -1 unknown
	Cwd, Branch            string // Cwd is shown with ~ for Home; Branch may be empty
	Home                   string
	Queued                 int  // messages waiting to be sent
	Working                bool // a turn is running: queued messages are shown only then, since they wait for its next step
}

// lowContext is the share of the context window under which the user is
// warned: the conversation will soon have to be compacted or restarted.
const lowContext = 15

const separator = " · "

// piece is a run of text in one style.
type piece struct {
	text  string
	style lipgloss.Style
}

// field is one part of the line, with its forms from longest to
// shortest.
type field struct {
	forms  [][]piece
	form   int
	hidden bool
}

func (f *field) width() int {
	if f.hidden || len(f.forms) == 0 {
		return 0
	}
	w := 0
	for _, p := range f.forms[f.form] {
		w += ansi.StringWidth(p.text)
	}
	return w
}

func (f *field) render() string {
	var b strings.Builder
	for _, p := range f.forms[f.form] {
		if p.text != "" {
			b.WriteString(p.style.Render(p.text))
		}
	}
	return b.String()
}

// The fields, in the order they are drawn.
const (
	fModel = iota
	fSandbox
	fApprovals
	fNetwork
	fDir
	fContext
	fTokens
	fQueued
	nFields
)

// Render draws the status line, never wider than width.
func Render(info Info, width int, st *styles.Styles) string {
	fs := fields(info, st)
	// shrink lists, in order, how the line gives up room: each step
	// shortens a field to its form or hides it.
	shrink := []struct{ field, form int }{
		{fSandbox, 1},    // "sandbox " label
		{fTokens, -1},    // token count
		{fDir, 1},        // directory: its last element
		{fApprovals, 1},  // "approvals " label
		{fNetwork, 1},    // "network off" → "offline"
		{fContext, 1},    // "72% left"
		{fModel, 1},      // reasoning effort
		{fDir, -1},       // directory
		{fApprovals, -1}, // approval policy
		{fNetwork, -1},   // network
		{fSandbox, 2},    // why this sandbox
		{fModel, -1},     // model
		{fQueued, -1},    // queued count
		{fContext, -1},   // context left
	}
	for _, s := range shrink {
		if total(fs) <= width {
			break
		}
		f := &fs[s.field]
		switch {
		case f.hidden || len(f.forms) == 0:
		case s.form < 0:
			f.hidden = true
		case s.form < len(f.forms) && s.form > f.form:
			f.form = s.form
		}
	}
	line := join(fs, st)
	if ansi.StringWidth(line) > width {
		line = ansi.Truncate(line, max(width, 0), "…")
	}
	return line
}

// fields builds every field in its longest form; a field with nothing to
// say has no forms.
func fields(info Info, st *styles.Styles) []field {
	// The directory comes from the filesystem, the model and the branch
	// may come from a server or the repository.
	clean := func(v string) string { return termsafe.Reveal(termsafe.Strip(v)) }
	info.Model, info.Cwd, info.Home, info.Branch = clean(info.Model), clean(info.Cwd), clean(info.Home), clean(info.Branch)
	fs := make([]field, nFields)
	val, dim := st.StatusValue, st.Status

	if info.Model != "" {
		full := []piece{{info.Model, val}}
		if info.ReasoningEffort != "" {
			full = append(full, piece{" " + info.ReasoningEffort, val})
		}
		fs[fModel].forms = [][]piece{full, {{info.Model, val}}}
	}

	mode := info.SandboxMode
	if mode == "" {
		mode = "sandbox unknown"
	}
	modeStyle := val
	if info.SandboxMode == "full-access" || info.SandboxMode == "" {
		modeStyle = st.StatusAlert
	}
	why := []piece{}
	if info.SandboxWhy != "" {
		why = []piece{{" (" + info.SandboxWhy + ")", dim}}
	}
	fs[fSandbox].forms = [][]piece{
		append([]piece{{"sandbox ", dim}, {mode, modeStyle}}, why...),
		append([]piece{{mode, modeStyle}}, why...),
		{{mode, modeStyle}},
	}

	if info.ApprovalPolicy != "" {
		fs[fApprovals].forms = [][]piece{{{"approvals ", dim}, {info.ApprovalPolicy, val}}, {{info.ApprovalPolicy, val}}}
	}

	network := "off"
	if info.Network {
		network = "on"
	}
	short := "offline"
	if info.Network {
		short = "online"
	}
	fs[fNetwork].forms = [][]piece{{{"network ", dim}, {network, val}}, {{short, val}}}

	if info.Cwd != "" {
		dir := pathfmt.Tilde(info.Cwd, info.Home)
		base := lastElement(dir)
		branch := []piece{}
		if info.Branch != "" {
			branch = []piece{{" (" + info.Branch + ")", dim}}
		}
		fs[fDir].forms = [][]piece{
			append([]piece{{dir, val}}, branch...),
			append([]piece{{base, val}}, branch...),
		}
	}

	if info.ContextLeft >= 0 {
		s := val
		if info.ContextLeft < lowContext {
			s = st.StatusAlert
		}
		pct := fmt.Sprintf("%d%%", info.ContextLeft)
		fs[fContext].forms = [][]piece{
			{{pct, s}, {" context left", dim}},
			{{pct, s}, {" left", dim}},
		}
	}

	if info.TokensUsed > 0 {
		fs[fTokens].forms = [][]piece{{{formatTokens(info.TokensUsed), val}, {" tokens", dim}}}
	}

	if info.Working && info.Queued > 0 {
		fs[fQueued].forms = [][]piece{{{fmt.Sprintf("%d queued", info.Queued), st.Warning}}}
	}
	return fs
}

// total is the width of the line as the fields now stand.
func total(fs []field) int {
	w, n := 0, 0
	for i := range fs {
		if fw := fs[i].width(); fw > 0 {
			w += fw
			n++
		}
	}
	if n > 1 {
		w += (n - 1) * ansi.StringWidth(separator)
	}
	return w
}

func join(fs []field, st *styles.Styles) string {
	var parts []string
	for i := range fs {
		if fs[i].width() > 0 {
			parts = append(parts, fs[i].render())
		}
	}
	return strings.Join(parts, st.Status.Render(separator))
}

func lastElement(path string) string {
	trimmed := strings.TrimRight(path, "/")
	if trimmed == "" {
		return path
	}
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		return trimmed[i+1:]
	}
	return trimmed
}

// formatTokens is a count read at a glance: 950, 12.3k, 1.2M.
func formatTokens(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d", n)
	case n < 999_950: // rounds to 1000.0k
		return trimZero(fmt.Sprintf("%.1f", float64(n)/1000)) + "k"
	}
	return trimZero(fmt.Sprintf("%.1f", float64(n)/1_000_000)) + "M"
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }
