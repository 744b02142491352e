package sandbox

import (
	"bytes"
	"strings"
	"testing"
)

func TestCaptureKeepsHeadAndTail(t *testing.T) {
	t.Parallel()
	var chunks int
	c := newCapture(20, func([]byte) { chunks++ })
	var all bytes.Buffer
	for i := range 100 {
		line := []byte(strings.Repeat(string(rune('a'+i%26)), 3) + "\n")
		all.Write(line)
		c.Write(line)
	}
	o := c.output()
	if chunks != 100 {
		t.Errorf("listener saw %d chunks, want 100", chunks)
	}
	if o.Total != 400 || o.Lines != 100 {
		t.Errorf("total %d lines %d, want 400 and 100", o.Total, o.Lines)
	}
	if want := all.Bytes()[:10]; !bytes.Equal(o.Head, want) {
		t.Errorf("head %q, want %q", o.Head, want)
	}
	if want := all.Bytes()[390:]; !bytes.Equal(o.Tail, want) {
		t.Errorf("tail %q, want %q", o.Tail, want)
	}
	if o.Dropped != 380 {
		t.Errorf("dropped %d, want 380", o.Dropped)
	}
	if !strings.Contains(o.Text(), "[… 380 bytes of output dropped …]") {
		t.Errorf("no marker in %q", o.Text())
	}
}

func TestCaptureSmallOutputWhole(t *testing.T) {
	t.Parallel()
	for _, writes := range [][]string{{"hello"}, {"hel", "lo wor", "ld, this is long"}} {
		c := newCapture(20, nil)
		var want string
		for _, w := range writes {
			c.Write([]byte(w))
			want += w
		}
		o := c.output()
		if len(want) <= 20 && (o.Text() != want || o.Dropped != 0) {
			t.Errorf("%q: text %q dropped %d", writes, o.Text(), o.Dropped)
		}
		if o.Lines != 1 {
			t.Errorf("%q: %d lines, want 1 (no trailing newline)", writes, o.Lines)
		}
	}
}

// One huge write and many small ones keep exactly the last tail bytes.
func TestCaptureTailAcrossWriteSizes(t *testing.T) {
	t.Parallel()
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte('a' + i%26)
	}
	for _, size := range []int{1, 7, 64, 999, 10000} {
		c := newCapture(100, nil)
		for i := 0; i < len(data); i += size {
			c.Write(data[i:min(i+size, len(data))])
		}
		o := c.output()
		if !bytes.Equal(o.Tail, data[len(data)-50:]) || !bytes.Equal(o.Head, data[:50]) {
			t.Errorf("write size %d: head %q tail %q", size, o.Head, o.Tail)
		}
		if o.Total != 10000 || o.Dropped != 9900 {
			t.Errorf("write size %d: total %d dropped %d", size, o.Total, o.Dropped)
		}
	}
}
