package composer

// entry is a message as the composer holds it: the textarea's text (with
// placeholder tokens and tab stand-ins) and the pastes behind its tokens,
// so a recalled message looks as it did and still expands on send.
type entry struct {
	raw    string
	pastes pastes
}

// history is the messages sent in this session, oldest first, and where
// Up/Down have walked to. It lives only as long as the process.
type history struct {
	entries  []entry
	browsing bool  // showing entries[pos] instead of the draft
	pos      int   // valid while browsing
	draft    entry // what was being typed when the walk began
}

// add records a sent message, unless it repeats the one sent just before.
func (h *history) add(e entry) {
	h.stopBrowsing()
	if n := len(h.entries); n > 0 {
		last := h.entries[n-1]
		if last.pastes.expand(last.raw) == e.pastes.expand(e.raw) {
			return
		}
	}
	h.entries = append(h.entries, entry{raw: e.raw, pastes: e.pastes.clone()})
}

// back steps to the previous message, saving current as the draft when
// the walk begins; false when there is nothing further back.
func (h *history) back(current entry) (entry, bool) {
	switch {
	case !h.browsing && len(h.entries) == 0:
		return entry{}, false
	case !h.browsing:
		h.draft = entry{raw: current.raw, pastes: current.pastes.clone()}
		h.browsing = true
		h.pos = len(h.entries) - 1
	case h.pos == 0:
		return entry{}, false
	default:
		h.pos--
	}
	return h.entries[h.pos], true
}

// forward steps to the next message, and from the newest back to the
// draft; false when not walking the history.
func (h *history) forward() (entry, bool) {
	if !h.browsing {
		return entry{}, false
	}
	if h.pos == len(h.entries)-1 {
		h.browsing = false
		d := h.draft
		h.draft = entry{}
		return d, true
	}
	h.pos++
	return h.entries[h.pos], true
}

// stopBrowsing ends a walk (the message was sent, or the composer reset);
// the draft it kept is no longer wanted.
func (h *history) stopBrowsing() {
	h.browsing = false
	h.draft = entry{}
}
