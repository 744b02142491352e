// Package pathfmt formats paths for display, so every part of the TUI
// shows the same path the same way.
package pathfmt

import "strings"

// Tilde shows a path under home with ~ ("~/src/app"); other paths, and
// any path when home is empty, are left as they are.
func Tilde(path, home string) string {
	home = strings.TrimRight(home, "/")
	switch {
	case home == "":
		return path
	case path == home:
		return "~"
	case strings.HasPrefix(path, home+"/"):
		return "~" + path[len(home):]
	}
	return path
}
