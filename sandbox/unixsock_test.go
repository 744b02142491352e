package sandbox

import (
	"slices"
	"strings"
	"testing"
)

func TestParseUnixSockets(t *testing.T) {
	t.Parallel()
	text := `Num       RefCount Protocol Flags    Type St Inode Path
ffff8a0c: 00000002 00000000 00010000 0001 01 17717 /run/systemd/private
ffff8a0d: 00000002 00000000 00010000 0001 01 17718 @/tmp/.X11-unix/X0
ffff8a0e: 00000003 00000000 00000000 0001 03 17719
ffff8a0f: 00000002 00000000 00010000 0005 01 17720 /run/user/1000/my socket
ffff8a10: 00000002 00000000 00000000 0002 01 17721 /run/systemd/private
ffff8a11: 00000002 00000000 00010000 0001 01 17722 relative.sock
`
	got := parseUnixSockets(strings.NewReader(text))
	want := []string{"/run/systemd/private", "/run/user/1000/my socket"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
