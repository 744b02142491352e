package sandbox

import (
	"slices"
	"strings"
	"testing"
)

func TestFindDenials(t *testing.T) {
	t.Parallel()
	ws := "/home/ada/proj"
	c := denialContext{
		dir:      ws,
		mode:     WorkspaceWrite,
		writable: []string{ws, "/tmp/warden-tmp-1"},
		protected: []protectedMount{
			{Path: ws + "/.warden", ReadOnly: true},
			{Path: ws + "/.git"},
			{Path: ws + "/.git/config", ReadOnly: true},
			{Path: ws + "/.git/hooks", ReadOnly: true},
		},
		hostAllows: func(p string) bool { return !strings.HasPrefix(p, "/root") },
		hostOwns:   func(p string) bool { return strings.HasSuffix(p, "/mine") },
	}
	tests := []struct {
		line string
		want []Denial // nil: an ordinary failure
	}{
		// coreutils, shells, interpreters, Go
		{"touch: cannot touch '/etc/x': Read-only file system", []Denial{{"write", "/etc/x", "outside the writable roots"}}},
		{"touch: cannot touch ‘/etc/y’: Read-only file system", []Denial{{"write", "/etc/y", "outside the writable roots"}}},
		{"rm: cannot remove '/usr/lib/z': Read-only file system", []Denial{{"delete", "/usr/lib/z", "outside the writable roots"}}},
		{"mv: cannot move 'a' to '/opt/b': Read-only file system", nil}, // a is in the workspace: says nothing of /opt/b
		{"chmod: changing permissions of '/etc/hostname': Read-only file system", []Denial{{"change permissions", "/etc/hostname", "outside the writable roots"}}},
		{"chown: changing ownership of '/srv/f': Read-only file system", []Denial{{"change owner", "/srv/f", "outside the writable roots"}}},
		{"mkdir: cannot create directory '/opt/d': Read-only file system", []Denial{{"create directory", "/opt/d", "outside the writable roots"}}},
		{"sh: 1: cannot create /etc/motd: Read-only file system", []Denial{{"write", "/etc/motd", "outside the writable roots"}}},
		{"bash: /var/log/x: Read-only file system", []Denial{{"write", "/var/log/x", "outside the writable roots"}}},
		{"open /etc/go.conf: read-only file system", []Denial{{"write", "/etc/go.conf", "outside the writable roots"}}},
		{"OSError: [Errno 30] Read-only file system: '/etc/py'", []Denial{{"write", "/etc/py", "outside the writable roots"}}},
		{"Error: EROFS: read-only file system, open '/etc/node'", []Denial{{"write", "/etc/node", "outside the writable roots"}}},
		{"truncate: cannot open '/etc/t' for writing: Read-only file system", []Denial{{"truncate", "/etc/t", "outside the writable roots"}}},
		// protected paths, relative to the command's directory
		{"sh: 1: cannot create .git/hooks/pre-commit: Read-only file system", []Denial{{"write", ws + "/.git/hooks/pre-commit", "protected: git runs what is here outside the sandbox"}}},
		{"error: could not lock config file .git/config: Read-only file system", []Denial{{"write", ws + "/.git/config", "protected: git runs what is here outside the sandbox"}}},
		{"sh: 1: cannot create .warden/rules.toml: Read-only file system", []Denial{{"write", ws + "/.warden/rules.toml", "protected: .warden holds warden's own rules"}}},
		{"mv: cannot move '.git' to '.git2': Device or resource busy", []Denial{{"rename", ws + "/.git", "protected: git runs what is here outside the sandbox"}}},
		{"rm: cannot remove '/home/ada/proj': Device or resource busy", []Denial{{"delete", ws, "a writable root itself cannot be moved or removed"}}},
		// ordinary failures
		{"touch: cannot touch '/root/x': Permission denied", nil},           // the user cannot write there anyway
		{"cat: /home/ada/proj/secret: Permission denied", nil},              // inside the workspace: not the sandbox
		{"rm: cannot remove '/tmp/warden-tmp-1/x': Permission denied", nil}, // writable root
		{"umount: /mnt: Device or resource busy", nil},
		{"make: *** [Makefile:3: all] Error 1", nil},
		{"Permission denied (publickey).", nil},
		{"OSError: [Errno 13] Permission denied", nil},
		{"git@github.com: Permission denied (publickey).", nil},
		{"git@github.com: Operation not permitted", nil},
		{"sh: 1: ./build.sh: Permission denied", nil}, // not executable
		{"cat: /etc/shadow: Permission denied", nil},
		{"chmod: changing permissions of 'theirs': Operation not permitted", nil}, // not the user's file
		// socket families, setuid bits
		{"socket: Operation not permitted", []Denial{{"open socket", "", "the sandbox allows only Unix, IPv4, IPv6 and netlink sockets"}}},
		{"chmod: changing permissions of 'mine': Operation not permitted", []Denial{{"change permissions", ws + "/mine", "the sandbox does not let commands set setuid or setgid bits"}}},
	}
	for _, tt := range tests {
		got := findDenials(tt.line+"\n", c)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q:\n got %v\nwant %v", tt.line, got, tt.want)
		}
	}
}

func TestFindDenialsReadOnly(t *testing.T) {
	t.Parallel()
	c := denialContext{dir: "/w", mode: ReadOnly, hostAllows: func(string) bool { return true }}
	got := findDenials("sh: 1: cannot create out.txt: Read-only file system\n", c)
	want := []Denial{{"write", "/w/out.txt", "the sandbox is read-only"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFindNetworkDenials(t *testing.T) {
	t.Parallel()
	off := denialContext{dir: "/w", mode: ReadOnly}
	const reason = "the network is off in this sandbox"
	tests := []struct {
		line string
		want []Denial
	}{
		{"curl: (6) Could not resolve host: example.com", []Denial{{"resolve host", "example.com", reason}}},
		{"curl: (7) Failed to connect to 93.184.216.34 port 80 after 0 ms: Network is unreachable", []Denial{{"connect", "93.184.216.34:80", reason}}},
		{`Get "https://proxy.golang.org/x": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: read udp 127.0.0.1:4->127.0.0.53:53: read: connection refused`, []Denial{{"resolve host", "proxy.golang.org", reason}}},
		{"dial tcp 10.0.0.1:443: connect: network is unreachable", []Denial{{"connect", "10.0.0.1:443", reason}}},
		{"ping: example.org: Temporary failure in name resolution", []Denial{{"resolve host", "", reason}}},
		{"npm error getaddrinfo ENOTFOUND registry.npmjs.org", []Denial{{"resolve host", "registry.npmjs.org", reason}}},
		{"urllib3.exceptions.NewConnectionError: Failed to establish a new connection: [Errno 101] Network is unreachable", []Denial{{"connect", "", reason}}},
		{"connection refused", nil},
		{"all tests passed", nil},
	}
	for _, tt := range tests {
		if got := findDenials(tt.line+"\n", off); !slices.Equal(got, tt.want) {
			t.Errorf("%q:\n got %v\nwant %v", tt.line, got, tt.want)
		}
	}
	on := off
	on.network = true
	if got := findDenials("curl: (6) Could not resolve host: example.com\n", on); got != nil {
		t.Errorf("with the network on, a failed lookup is not the sandbox's doing: %v", got)
	}
}

func TestFindDenialsBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := range 1000 {
		b.WriteString("rm: cannot remove '/etc/f" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + "': Read-only file system\n")
	}
	got := findDenials(b.String(), denialContext{dir: "/w", mode: ReadOnly})
	if len(got) != maxDenials {
		t.Errorf("%d denials, want %d", len(got), maxDenials)
	}
	if s := FormatDenials(got[:2]); s != "The sandbox blocked:\n- delete /etc/fa: the sandbox is read-only\n- delete /etc/fb: the sandbox is read-only" {
		t.Errorf("FormatDenials: %q", s)
	}
}

func TestFindSocketDenials(t *testing.T) {
	t.Parallel()
	const own = "the sandbox has a loopback of its own: services listening on this machine are out of reach while the network is off"
	c := denialContext{
		dir:         "/w",
		mode:        WorkspaceWrite,
		hidden:      []string{"/run/docker.sock"},
		hostListens: func(port int) bool { return port == 8080 || port == 5432 },
	}
	tests := []struct {
		line string
		want []Denial
	}{
		{"curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn't connect to server", []Denial{{"connect", "localhost:8080", own}}},
		{"dial tcp 127.0.0.1:8080: connect: connection refused", []Denial{{"connect", "127.0.0.1:8080", own}}},
		{"dial tcp [::1]:8080: connect: connection refused", []Denial{{"connect", "[::1]:8080", own}}},
		{"Error: connect ECONNREFUSED 127.0.0.1:8080", []Denial{{"connect", "127.0.0.1:8080", own}}},
		{"HTTPConnectionPool(host='localhost', port=8080): Max retries exceeded ([Errno 111] Connection refused)", []Denial{{"connect", "localhost:8080", own}}},
		{`psql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused`, []Denial{{"connect", "localhost:5432", own}}},
		{"dial tcp 127.0.0.1:9999: connect: connection refused", nil}, // nothing listens there outside either
		{"dial tcp 10.1.2.3:8080: connect: connection refused", nil},  // not loopback
		{"Cannot connect to the Docker daemon at unix:///run/docker.sock. Is the docker daemon running?", []Denial{{"connect", "/run/docker.sock", "the sockets of processes outside the sandbox are hidden from it"}}},
	}
	for _, tt := range tests {
		if got := findDenials(tt.line+"\n", c); !slices.Equal(got, tt.want) {
			t.Errorf("%q:\n got %v\nwant %v", tt.line, got, tt.want)
		}
	}
	on := c
	on.network = true
	if got := findDenials("dial tcp 127.0.0.1:8080: connect: connection refused\n", on); got != nil {
		t.Errorf("with the network on the host's loopback is reachable: %v", got)
	}
}

func TestFindNpmDenial(t *testing.T) {
	t.Parallel()
	out := "npm error code EROFS\nnpm error syscall mkdir\nnpm error path /usr/lib/node_modules/left-pad\nnpm error errno -30\n"
	got := findDenials(out, denialContext{dir: "/w", mode: WorkspaceWrite, writable: []string{"/w"}})
	want := []Denial{{"write", "/usr/lib/node_modules/left-pad", "outside the writable roots"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
