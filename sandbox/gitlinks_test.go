package sandbox

import (
	"encoding/binary"
	"testing"
)

// indexWith builds an index of one entry, as a command could write it.
func indexWith(version uint32, flags uint16, rest []byte) []byte {
	b := []byte("DIRC")
	b = binary.BigEndian.AppendUint32(b, version)
	b = binary.BigEndian.AppendUint32(b, 1)
	entry := make([]byte, 40+20)
	binary.BigEndian.PutUint32(entry[24:], gitlinkMode)
	entry = binary.BigEndian.AppendUint16(entry, flags)
	b = append(b, entry...)
	b = append(b, rest...)
	return append(b, make([]byte, 20)...) // the checksum
}

func TestParseIndexRefusesWhatWouldReadOutOfBounds(t *testing.T) {
	t.Parallel()
	for name, b := range map[string][]byte{
		"extended flags at the end":  indexWith(3, 0x4000, nil),
		"huge path compression":      indexWith(4, 0, append(binary.AppendUvarint(nil, 1<<63), 'a', 0)),
		"compression past the name":  indexWith(4, 0, append(binary.AppendUvarint(nil, 5), 'a', 0)),
		"unterminated path":          indexWith(2, 0, []byte("abc")),
		"extension larger than file": indexWith(2, 0, []byte("sub\x00\x00\x00\x00\x00\x00\x00link\xff\xff\xff\xf0")),
	} {
		if _, _, err := parseIndexData(b, 20); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	links, _, err := parseIndexData(indexWith(2, 0, []byte("sub\x00\x00\x00\x00\x00\x00\x00")), 20)
	if err != nil || len(links) != 1 || links[0] != "sub" {
		t.Errorf("a good index: %v %v", links, err)
	}
}

// Whatever a command writes as the index, reading it never panics.
func FuzzParseIndex(f *testing.F) {
	f.Add(indexWith(2, 0, []byte("sub\x00\x00\x00\x00\x00\x00\x00")))
	f.Add(indexWith(3, 0x4000, []byte("\x00\x00sub\x00")))
	f.Add(indexWith(4, 0, []byte("\x00sub\x00")))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseIndexData(b, 20)
		parseIndexData(b, 32)
	})
}
