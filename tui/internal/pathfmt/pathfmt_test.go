package pathfmt

import "testing"

func TestTilde(t *testing.T) {
	for _, c := range []struct{ path, home, want string }{
		{"/home/dev/src/app", "/home/dev", "~/src/app"},
		{"/home/dev", "/home/dev", "~"},
		{"/home/dev", "/home/dev/", "~"},
		{"/home/developer/x", "/home/dev", "/home/developer/x"},
		{"/tmp/x", "", "/tmp/x"},
		{"/tmp/x", "/home/dev", "/tmp/x"},
	} {
		if got := Tilde(c.path, c.home); got != c.want {
			t.Errorf("Tilde(%q, %q) = %q, want %q", c.path, c.home, got, c.want)
		}
	}
}
