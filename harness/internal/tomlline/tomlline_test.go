package tomlline

import "testing"

func TestOf(t *testing.T) {
	t.Parallel()
	text := "a = 1\n\n[t]\nb = \"x\"\n[t.u]\nc = [1,\n  2]\n"
	for _, c := range []struct {
		key  []string
		want int
	}{
		{[]string{"a"}, 1},
		{[]string{"t", "b"}, 4},
		{[]string{"t", "u", "c"}, 6},
		{[]string{"missing"}, 0},
		{[]string{"a,b"}, 0},
	} {
		if got := Of(text, c.key...); got != c.want {
			t.Errorf("Of(%v) = %d, want %d", c.key, got, c.want)
		}
	}
}
