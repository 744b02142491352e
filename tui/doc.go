// Package tui will hold warden's interactive bubbletea front-end (issue 6),
// a client of the harness's events like `warden exec`. It must never import
// openai-go: everything it knows about the model comes through events.
package tui
