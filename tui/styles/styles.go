// Package styles is the one place the TUI's look is decided: semantic
// styles (what a thing is, not what colour it has) for dark and light
// terminals, and none of the colour when the user set NO_COLOR.
//
// Colours are the terminal's own 16 ANSI colours wherever that reads well,
// so the user's theme decides the exact shades. Components take a *Styles
// and never build their own lipgloss styles.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Options choose the palette.
type Options struct {
	// Dark: the terminal's background is dark (the default until the
	// terminal says otherwise).
	Dark bool
	// NoColor drops every colour but keeps bold, faint, italic and
	// underline, as https://no-color.org asks.
	NoColor bool
}

// Styles are the semantic styles. Add a field here, never a style inside a
// component.
type Styles struct {
	Options Options

	Text   lipgloss.Style // ordinary text
	Dim    lipgloss.Style // secondary text: reasoning, hints, durations
	Bold   lipgloss.Style
	Accent lipgloss.Style // the agent's own marks: bullets, spinners, titles
	Code   lipgloss.Style // inline commands and paths

	User       lipgloss.Style // the user's messages
	UserMarker lipgloss.Style // the "›" before a user message

	Success lipgloss.Style // exit 0, completed steps
	Error   lipgloss.Style // failures, errors
	Warning lipgloss.Style // retries, sandbox denials, queued input
	Info    lipgloss.Style // neutral notices

	Added   lipgloss.Style // + lines and counts
	Removed lipgloss.Style // - lines and counts

	DiffHeader     lipgloss.Style // a diff's file line: "M path"
	DiffHunk       lipgloss.Style // the mark between two hunks of a diff
	DiffLineNumber lipgloss.Style // a diff's line numbers and wrap marks
	DiffAdd        lipgloss.Style // behind the code of an added line: a green tint, none without colour
	DiffRemove     lipgloss.Style // behind the code of a removed line: a red tint, none without colour

	StepDone   lipgloss.Style // a completed plan step: faint and struck through, so what is left stands out
	StepActive lipgloss.Style // the plan step in progress

	Border   lipgloss.Style // rules and frames around the composer
	Key      lipgloss.Style // a key in help text
	KeyHelp  lipgloss.Style // what that key does
	Selected lipgloss.Style // the selected entry of a completion list
	Cursor   lipgloss.Style // a cursor drawn into text (a picker's filter), where the terminal's own is not shown

	Status      lipgloss.Style // the status line
	StatusValue lipgloss.Style // values inside the status line
	StatusAlert lipgloss.Style // a status value that needs attention (full access, low context)

	// Shell syntax, for a script shown whole (the approval dialog): the
	// terminal's own colours, so the user's theme decides the shades.
	ShellKeyword  lipgloss.Style // if, for, do; builtins; $( )
	ShellString   lipgloss.Style // quoted strings, here-documents
	ShellVariable lipgloss.Style // $HOME, ${X}, the name of an assignment
	ShellComment  lipgloss.Style
	ShellOperator lipgloss.Style // | && ; & and the like: where one command ends and another begins
	Invisible     lipgloss.Style // a marker standing for an invisible or direction-changing character from outside
}

// New builds the styles for the given options.
func New(o Options) *Styles {
	c := func(light, dark color.Color) color.Color {
		if o.NoColor {
			return lipgloss.NoColor{}
		}
		if o.Dark {
			return dark
		}
		return light
	}
	ansi := func(n int) color.Color { return c(lipgloss.ANSIColor(n), lipgloss.ANSIColor(n)) }
	base := lipgloss.NewStyle()
	s := &Styles{Options: o}
	s.Text = base
	s.Dim = base.Faint(true)
	s.Bold = base.Bold(true)
	s.Accent = base.Foreground(c(lipgloss.ANSIColor(4), lipgloss.ANSIColor(6)))
	s.Code = base.Foreground(c(lipgloss.ANSIColor(5), lipgloss.ANSIColor(13)))
	s.User = base.Foreground(c(lipgloss.ANSIColor(0), lipgloss.ANSIColor(15)))
	s.UserMarker = base.Foreground(ansi(6)).Bold(true)
	s.Success = base.Foreground(ansi(2))
	s.Error = base.Foreground(ansi(1))
	s.Warning = base.Foreground(c(lipgloss.ANSIColor(3), lipgloss.ANSIColor(11)))
	s.Info = base.Foreground(ansi(4))
	s.Added = base.Foreground(ansi(2))
	s.Removed = base.Foreground(ansi(1))
	s.DiffHeader = base.Bold(true)
	s.DiffHunk = base.Foreground(c(lipgloss.ANSIColor(4), lipgloss.ANSIColor(6)))
	s.DiffLineNumber = base.Faint(true)
	// Tints from the fixed 256-colour palette: the 16 theme colours as a
	// background drown the code's own colours.
	s.DiffAdd = base.Background(c(lipgloss.ANSIColor(194), lipgloss.ANSIColor(22)))
	s.DiffRemove = base.Background(c(lipgloss.ANSIColor(224), lipgloss.ANSIColor(52)))
	s.StepDone = base.Faint(true).Strikethrough(true)
	s.StepActive = base.Foreground(c(lipgloss.ANSIColor(4), lipgloss.ANSIColor(6))).Bold(true)
	s.Border = base.Foreground(c(lipgloss.ANSIColor(7), lipgloss.ANSIColor(8)))
	s.Key = base.Bold(true)
	s.KeyHelp = base.Faint(true)
	s.Selected = base.Reverse(true)
	s.Cursor = base.Reverse(true)
	s.Status = base.Faint(true)
	s.StatusValue = base
	s.StatusAlert = base.Foreground(ansi(1)).Bold(true)
	s.ShellKeyword = base.Foreground(c(lipgloss.ANSIColor(5), lipgloss.ANSIColor(13)))
	s.ShellString = base.Foreground(ansi(2))
	s.ShellVariable = base.Foreground(c(lipgloss.ANSIColor(4), lipgloss.ANSIColor(6)))
	s.ShellComment = base.Faint(true).Italic(true)
	s.ShellOperator = base.Bold(true)
	s.Invisible = base.Foreground(ansi(1)).Reverse(true)
	if o.NoColor {
		// Without colour, emphasis has to carry what colour would.
		s.UserMarker = base.Bold(true)
		s.Error = base.Bold(true)
		s.Warning = base.Bold(true)
		s.DiffHunk = base.Faint(true)
	}
	return s
}
