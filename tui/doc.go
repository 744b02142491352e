// Package tui is warden's interactive front-end: a bubbletea program that
// shows the agent loop as it streams and takes the user's messages and
// decisions back. It is a client of the harness's events like `warden exec`,
// and must never import openai-go: everything it knows about the model
// comes through events.
//
// It runs inline, not in the alternate screen. Each finished cell of the
// transcript is rendered once and printed into the terminal's own
// scrollback (tea.Println), where the terminal's search, selection and
// scrolling work on it as on any other output and where it stays after
// warden exits. Only the live area (the unfinished tail of a streaming
// answer, running commands, an approval question, the composer and the
// status line) is redrawn each frame, so drawing a frame costs the same in
// the first minute of a session and after ten thousand cells. The price is
// that what is already in the scrollback cannot be re-wrapped on resize or
// expanded in place; the full-transcript pager (Ctrl+T) renders every cell
// expanded at the current width.
//
// The root model (Model) routes messages to focused components (composer,
// pager), turns harness events into cells (package cells), and does no I/O
// in Update: turns, interrupts, approvals answers, file listings and the
// git branch all run as tea.Cmds.
package tui
