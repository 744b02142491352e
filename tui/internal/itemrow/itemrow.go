// Package itemrow lays out short items (key hints, choices) in rows no
// wider than the terminal, for the components that list them the same way.
package itemrow

import "github.com/charmbracelet/x/ansi"

// Join lays items out in lines at most width wide, separated by " · ",
// never breaking an item: one wider than width stands alone on its line,
// for the caller to cut.
func Join(items []string, width int) []string {
	const sep = " · "
	var out []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case ansi.StringWidth(line)+ansi.StringWidth(sep)+ansi.StringWidth(it) <= width:
			line += sep + it
		default:
			out = append(out, line)
			line = it
		}
	}
	return append(out, line)
}
