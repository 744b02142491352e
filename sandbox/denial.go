package sandbox

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Denial is something the sandbox stopped a command from doing.
type Denial struct {
	// Op is what was tried: "write", "delete", "rename", "create
	// directory", "link", "change permissions", "change owner", "change
	// times", "truncate", "connect", "resolve host" or "open socket".
	Op string `json:"op"`
	// Target is the path or network address, when the output names it.
	Target string `json:"target,omitempty"`
	// Reason says which rule stopped it.
	Reason string `json:"reason"`
}

func (d Denial) String() string {
	if d.Target == "" {
		return fmt.Sprintf("%s: %s", d.Op, d.Reason)
	}
	return fmt.Sprintf("%s %s: %s", d.Op, d.Target, d.Reason)
}

// denialContext is what findDenials needs to tell a sandbox denial from an
// ordinary failure.
type denialContext struct {
	dir       string
	mode      Mode
	network   bool
	writable  []string
	protected []protectedMount
	// hidden are Unix sockets the helper hid from the command.
	hidden []string
	// hostAllows reports whether, outside the sandbox, the user could
	// change path: if not, the failure is ordinary. Nil: assume so.
	hostAllows func(path string) bool
	// hostListens reports whether something outside the sandbox listens
	// on a TCP port. Nil: assume nothing does.
	hostListens func(port int) bool
	// hostOwns reports whether the user may change path's mode outside
	// the sandbox (owns it, or is root). Nil: assume not.
	hostOwns func(path string) bool
}

// maxDenials bounds the list: a command that tries a thousand files gets
// the first few named.
const maxDenials = 8

// findDenials reads a command's output for the errors the sandbox causes
// (a read-only file system, a busy mount point, a refused socket or
// permission change, no network) and keeps those that the sandbox
// explains: a path outside the writable roots or a protected one, which
// the user could change outside the sandbox; a host or address while the
// network is off; a service on the machine's loopback; a hidden socket.
// Programs do not report to warden what the kernel refused them, but they
// do tell the user, and what they name is checked against the policy, so an
// ordinary failure (a file the user cannot write either) is not called a
// denial. Permission denied (EACCES) is never the sandbox's answer to a
// write: its read-only mounts answer first, with EROFS.
func findDenials(output string, c denialContext) []Denial {
	var out []Denial
	seen := map[string]bool{}
	add := func(d Denial) {
		key := d.Op + "\x00" + d.Target
		if seen[key] || len(out) >= maxDenials {
			return
		}
		seen[key] = true
		out = append(out, d)
	}
	npmEROFS := strings.Contains(output, "EROFS")
	for line := range strings.Lines(output) {
		lower := strings.ToLower(line)
		if d, ok := c.fileDenial(line, lower); ok {
			add(d)
		}
		if m := npmPath.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil && npmEROFS {
			if d, ok := c.pathDenial("write", strings.TrimSpace(m[1]), false); ok {
				add(d)
			}
		}
		if d, ok := c.socketDenial(line, lower); ok {
			add(d)
		}
		if !c.network {
			if d, ok := networkDenial(line, lower); ok {
				add(d)
			}
		}
	}
	return out
}

// npm reports a failed write over several lines, the path on its own.
var npmPath = regexp.MustCompile(`^npm (?:ERR!|error) path (.+)$`)

// The errors the sandbox causes on files: EROFS from the read-only mounts,
// EBUSY when a pinned directory or a writable root is moved or removed,
// EPERM from seccomp (sockets, setuid bits).
const (
	errROFS = "read-only file system"
	errPERM = "operation not permitted"
	errBUSY = "device or resource busy"
)

func (c denialContext) fileDenial(line, lower string) (Denial, bool) {
	at, kind := -1, ""
	for _, e := range []string{errROFS, errBUSY, errPERM} {
		if i := strings.Index(lower, e); i >= 0 {
			at, kind = i, e
			break
		}
	}
	if at < 0 {
		return Denial{}, false
	}
	op := fileOp(lower)
	path := pathIn(line, at, kind == errROFS)
	switch {
	case kind == errPERM && path == "" && strings.Contains(lower, "socket"):
		return Denial{Op: "open socket", Reason: "the sandbox allows only Unix, IPv4, IPv6 and netlink sockets"}, true
	case kind == errPERM && op == "change permissions" && path != "":
		// chmod of one's own file fails here only for the setuid and
		// setgid bits the seccomp filter refuses.
		p := c.abs(path)
		if c.hostOwns != nil && c.hostOwns(p) {
			return Denial{Op: op, Target: p, Reason: "the sandbox does not let commands set setuid or setgid bits"}, true
		}
		return Denial{}, false
	case kind == errPERM || path == "":
		return Denial{}, false
	}
	return c.pathDenial(op, path, kind == errBUSY)
}

func (c denialContext) abs(path string) string {
	if !filepath.IsAbs(path) {
		path = filepath.Join(c.dir, path)
	}
	return filepath.Clean(path)
}

// pathDenial decides whether a failed change of path was the sandbox's
// doing; busy says the error was EBUSY (a mount point).
func (c denialContext) pathDenial(op, path string, busy bool) (Denial, bool) {
	path = c.abs(path)
	for _, p := range c.protected {
		switch {
		case p.ReadOnly && within(path, p.Path):
			return Denial{Op: op, Target: path, Reason: protectedReason(p.Path)}, true
		case path == p.Path && (filepath.Base(path) == ".git" || strings.Contains(path, "/.git/")):
			return Denial{Op: op, Target: path, Reason: protectedReason(p.Path)}, true
		case path == p.Path:
			return Denial{Op: op, Target: path, Reason: "protected: it leads to a protected path, so it cannot be moved or removed"}, true
		}
	}
	if busy {
		if slices.Contains(c.writable, path) {
			return Denial{Op: op, Target: path, Reason: "a writable root itself cannot be moved or removed"}, true
		}
		return Denial{}, false
	}
	if withinAny(path, c.writable) {
		return Denial{}, false
	}
	if c.hostAllows != nil && !c.hostAllows(path) {
		return Denial{}, false // it would fail outside the sandbox too
	}
	reason := "outside the writable roots"
	if c.mode == ReadOnly {
		reason = "the sandbox is read-only"
	}
	return Denial{Op: op, Target: path, Reason: reason}, true
}

func protectedReason(path string) string {
	switch base := filepath.Base(path); {
	case base == ".warden":
		return "protected: .warden holds warden's own rules"
	case base == "hooks" || base == "config" || base == ".git" || strings.Contains(path, "/.git"):
		return "protected: git runs what is here outside the sandbox"
	}
	return "protected path"
}

// fileOps map words of the common tools' messages (coreutils, shells,
// Python, Go, Node) to the operation.
var fileOps = []struct{ word, op string }{
	{"changing permissions", "change permissions"},
	{"chmod", "change permissions"},
	{"changing ownership", "change owner"},
	{"changing group", "change owner"},
	{"chown", "change owner"},
	{"setting times", "change times"},
	{"utime", "change times"},
	{"xattr", "change attributes"},
	{"cannot remove", "delete"},
	{"unlink", "delete"},
	{"rmdir", "delete"},
	{"cannot move", "rename"},
	{"rename", "rename"},
	{"cannot create directory", "create directory"},
	{"mkdir", "create directory"},
	{"symlink", "link"},
	{"cannot create hard link", "link"},
	{"cannot create symbolic link", "link"},
	{"truncate", "truncate"},
}

func fileOp(lower string) string {
	for _, f := range fileOps {
		if strings.Contains(lower, f.word) {
			return f.op
		}
	}
	return "write"
}

var quoted = regexp.MustCompile("'([^']+)'|‘([^’]+)’|\"([^\"]+)\"|`([^'`]+)'")

// pathIn finds the path an error message is about, given where its error
// text begins: the first quoted string (coreutils, Python, Node: touch:
// cannot touch '/etc/x': …), or else the last word before the error text
// (shells, Go: sh: 1: cannot create .git/x: …, open /etc/x: …). A word
// without a slash counts as a path only when bare names are expected (a
// read-only file system is about a file; "git@host: Operation not
// permitted" is not).
func pathIn(line string, errAt int, bareNames bool) string {
	for _, m := range quoted.FindAllStringSubmatch(line, -1) {
		for _, g := range m[1:] {
			if g != "" && !strings.Contains(strings.ToLower(g), "file system") {
				return g
			}
		}
	}
	before := strings.TrimRight(line[:errAt], " :,")
	if i := strings.LastIndexAny(before, " \t:"); i >= 0 {
		before = before[i+1:]
	}
	switch {
	case before == "" || strings.HasPrefix(before, "[") || strings.ContainsAny(before, "@="):
		return "" // "[Errno 30]", user@host: no path here
	case strings.Contains(before, "/"):
		return before
	case bareNames && strings.Contains(before, "."):
		return before
	}
	return ""
}

var (
	// curl: Could not resolve host: example.com
	resolveHost = regexp.MustCompile(`(?i)(?:could not resolve host:?|resolve host:?|getaddrinfo (?:enotfound|eai_again)|lookup)\s+([A-Za-z0-9._-]+)`)
	// Go: dial tcp 1.2.3.4:443: …; curl: Failed to connect to 1.2.3.4 port 80
	dialAddr    = regexp.MustCompile(`(?i)dial (?:tcp|udp)6?\s+([\[\]A-Za-z0-9.:_-]+?):\s`)
	connectPort = regexp.MustCompile(`(?i)connect to ([\[\]A-Za-z0-9.:_-]+) port (\d+)`)
)

var resolveErrors = []string{"could not resolve host", "temporary failure in name resolution", "name or service not known", "no such host", "getaddrinfo enotfound", "getaddrinfo eai_again", "nodename nor servname"}
var connectErrors = []string{"network is unreachable", "failed to establish a new connection", "enetunreach", "no route to host"}

// refusedAt finds host and port in the "connection refused" messages of
// curl, Go, Node, Python, wget and libpq.
var refusedAt = []*regexp.Regexp{
	regexp.MustCompile(`(?i)connect to (\S+) port (\d+)`),
	regexp.MustCompile(`(?i)dial (?:tcp|udp)[46]? (\[[^\]]+\]|[^\s:]+):(\d+)`),
	regexp.MustCompile(`(?i)ECONNREFUSED (\[[^\]]+\]|[^\s:]+):(\d+)`),
	regexp.MustCompile(`host='([^']+)', port=(\d+)`),
	regexp.MustCompile(`\|([0-9a-fA-F.:]+)\|:(\d+)`),
	regexp.MustCompile(`at "([^"]+)" \([^)]*\), port (\d+)`),
}

// socketDenial explains a connection refused by a hidden Unix socket, or,
// with the network off, by the sandbox's own loopback where a service on the
// machine's loopback listens.
func (c denialContext) socketDenial(line, lower string) (Denial, bool) {
	if !strings.Contains(lower, "refused") && !strings.Contains(lower, "connect") {
		return Denial{}, false
	}
	for _, h := range c.hidden {
		if strings.Contains(line, h) {
			return Denial{Op: "connect", Target: h, Reason: "the sockets of processes outside the sandbox are hidden from it"}, true
		}
	}
	if c.network || c.hostListens == nil || !(strings.Contains(lower, "refused") || strings.Contains(lower, "couldn't connect to server")) {
		return Denial{}, false
	}
	for _, re := range refusedAt {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		host := strings.Trim(m[1], "[]")
		port, err := strconv.Atoi(m[2])
		if err != nil || !isLoopback(host) || !c.hostListens(port) {
			return Denial{}, false
		}
		return Denial{Op: "connect", Target: net.JoinHostPort(host, m[2]),
			Reason: "the sandbox has a loopback of its own: services listening on this machine are out of reach while the network is off"}, true
	}
	return Denial{}, false
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func networkDenial(line, lower string) (Denial, bool) {
	const reason = "the network is off in this sandbox"
	resolve := containsAny(lower, resolveErrors) || (strings.Contains(lower, "lookup ") && strings.Contains(lower, "connection refused"))
	if resolve {
		d := Denial{Op: "resolve host", Reason: reason}
		if m := resolveHost.FindStringSubmatch(line); m != nil {
			d.Target = m[1]
		}
		return d, true
	}
	if containsAny(lower, connectErrors) {
		d := Denial{Op: "connect", Reason: reason}
		if m := connectPort.FindStringSubmatch(line); m != nil {
			d.Target = m[1] + ":" + m[2]
		} else if m := dialAddr.FindStringSubmatch(line); m != nil {
			d.Target = m[1]
		}
		return d, true
	}
	return Denial{}, false
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// FormatDenials explains denials to the model and the user, one per line.
func FormatDenials(ds []Denial) string {
	if len(ds) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("The sandbox blocked:")
	for _, d := range ds {
		b.WriteString("\n- ")
		b.WriteString(d.String())
	}
	return b.String()
}
