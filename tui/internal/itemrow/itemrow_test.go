package itemrow

import (
	"slices"
	"testing"
)

func TestJoin(t *testing.T) {
	items := []string{"y yes", "n no", "esc stop", "a much longer item than the width"}
	got := Join(items, 16)
	want := []string{"y yes · n no", "esc stop", "a much longer item than the width"}
	if !slices.Equal(got, want) {
		t.Fatalf("Join = %q, want %q", got, want)
	}
	if got := Join([]string{"\x1b[1my\x1b[m yes", "n no"}, 12); len(got) != 1 {
		t.Fatalf("escape sequences counted as width: %q", got)
	}
}
