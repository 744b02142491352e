// Package cells draws the entries of warden's transcript: the user's
// messages, the assistant's answer, reasoning, commands and their output,
// exploration, patches, plans and notices.
//
// The TUI runs inline: a finished cell is printed once into the terminal's
// own scrollback and never drawn again, and only the live cells are redrawn
// each frame. So every cell is a small state machine fed by the root model
// from harness events, and Render is a function of that state and a
// Context alone: no clock, no terminal queries. What a cell keeps between
// frames to stay cheap (Reasoning's wrapped lines) is keyed by all its
// drawing depends on, so it never shows. That keeps a frame's cost
// bounded by the live cells alone and makes every look testable with
// golden files.
package cells

import (
	"time"

	"warden/tui/markdown"
	"warden/tui/styles"
)

// Context is what a cell is drawn with.
type Context struct {
	Width    int // full terminal width; no line is ever wider
	Styles   *styles.Styles
	Markdown *markdown.Renderer
	Now      time.Time // for the elapsed time of running cells (fixed in tests)
	Spinner  string    // the current spinner frame, drawn by running cells
	// Full: the pager view. Everything, uncollapsed, including what a
	// Flusher already gave to the scrollback.
	Full bool
	// PagerKey names the key that opens the full transcript, for the
	// "… +N lines (ctrl+t to view)" hint; empty: the default binding's.
	PagerKey string
}

// Cell is one entry of the transcript.
type Cell interface {
	// Render draws the cell, without a trailing newline.
	Render(ctx Context) string
	// Done: the cell will never change again and may be printed into
	// the scrollback.
	Done() bool
}

// Flusher is implemented by cells that stream (the assistant's message).
// Flush returns the rendered lines that are final now, for the
// scrollback, before the cell is Done ("" when there are none); Render
// with Full false then draws only what Flush has not returned. Printed one
// after the other, the flushed chunks and the last Render read as the
// whole cell; each chunk carries the blank line that separates it from
// the previous one, when it needs one.
type Flusher interface {
	Flush(ctx Context) string
}
