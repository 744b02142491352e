package markdown

import "strings"

// Stream is one assistant message arriving in deltas.
//
// The completed blocks are taken (rendered and handed out) once, to be
// printed into the scrollback; the rest is the tail, redrawn in the live
// area. Printed one after the other, each on its own lines, the taken chunks
// followed by the final tail read exactly as Render of the whole message at
// the same width: each chunk starts with the blank line that separates it
// from the previous one when it needs one, so the caller prints chunks as
// they are.
type Stream struct {
	source   strings.Builder
	split    splitter
	finished bool
	// layout is where the chunks taken so far left off.
	layout layout
	// version counts the changes that can change the tail.
	version uint64
	tail    tailCache
}

// tailCache is the last tail rendered, for frames where nothing changed.
type tailCache struct {
	renderer *Renderer
	width    int
	version  uint64
	out      string
}

// NewStream returns an empty stream.
func NewStream() *Stream {
	return &Stream{split: newSplitter()}
}

// Append adds a delta of the message. Deltas may split the text anywhere,
// even inside a UTF-8 sequence. Appending after Finish does nothing.
func (s *Stream) Append(delta string) {
	if s.finished || delta == "" {
		return
	}
	s.source.WriteString(delta)
	s.split.write(delta)
	s.version++
}

// Finish marks the message complete: the unfinished tail becomes a
// completed block (an unclosed code fence is closed).
func (s *Stream) Finish() {
	if s.finished {
		return
	}
	s.finished = true
	s.split.finish()
	s.version++
}

// Source is everything appended so far.
func (s *Stream) Source() string {
	return s.source.String()
}

// Finished tells whether Finish was called.
func (s *Stream) Finished() bool {
	return s.finished
}

// TakeCompleted renders the blocks completed since the last call, at width,
// and marks them taken; the caller prints them into the scrollback once, so
// they never change afterwards. "" when nothing new completed, or when width
// is below 1 (the blocks wait for a real width).
func (s *Stream) TakeCompleted(r *Renderer, width int) string {
	if width < 1 || len(s.split.done) == 0 {
		return ""
	}
	var b strings.Builder
	for _, blk := range s.split.take() {
		s.layout.add(&b, blk, r.block(blk, width))
	}
	s.version++
	return b.String()
}

// Tail renders what is not taken yet, for the live area: the completed
// blocks not taken yet and the unfinished last block, starting, like a
// chunk, with the blank line that separates it from what was taken. Its
// cost depends on their size only, which the cutting of long blocks bounds;
// an unchanged tail at the same width costs nothing. "" when there is
// nothing or width is below 1.
func (s *Stream) Tail(r *Renderer, width int) string {
	if width < 1 {
		return ""
	}
	c := &s.tail
	if c.renderer == r && c.width == width && c.version == s.version {
		return c.out
	}
	l := s.layout
	var b strings.Builder
	for _, blk := range s.split.done {
		l.add(&b, blk, r.block(blk, width))
	}
	if blk, ok := s.split.pending(); ok {
		l.add(&b, blk, r.block(blk, width))
	}
	*c = tailCache{renderer: r, width: width, version: s.version, out: b.String()}
	return c.out
}
