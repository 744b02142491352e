package sandbox

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// readSockets lists the pathname Unix sockets bound in the network
// namespace whose /proc/net/unix f is (the runner's: the helper may already
// be in a namespace of its own). Abstract sockets (@name) are not files and
// are left to the network namespace and Landlock's scoping. f may be nil.
func readSockets(f *os.File) []string {
	if f == nil {
		return nil
	}
	defer f.Close()
	return parseUnixSockets(f)
}

// parseUnixSockets reads /proc/net/unix: after a header line, one socket
// per line, its path (if any) in the eighth column to the end of the line.
func parseUnixSockets(r io.Reader) []string {
	var paths []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	first := true
	for sc.Scan() {
		if first {
			first = false
			continue
		}
		line := sc.Text()
		fields := 0
		i := 0
		for fields < 7 && i < len(line) {
			for i < len(line) && line[i] == ' ' {
				i++
			}
			for i < len(line) && line[i] != ' ' {
				i++
			}
			fields++
		}
		path := strings.TrimLeft(line[i:], " ")
		if !strings.HasPrefix(path, "/") || seen[path] {
			continue
		}
		seen[path] = true
		paths = append(paths, path)
	}
	return paths
}
