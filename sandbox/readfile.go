package sandbox

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// readRegular reads a file a sandboxed command may have made (a git file
// in the workspace), up to max bytes: only a regular file, opened without
// blocking, so that a named pipe put in its place cannot hang warden and
// /dev/zero cannot fill its memory. The check is on the opened file, so
// nothing can be swapped in after it.
func readRegular(path string, max int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}
