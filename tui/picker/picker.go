// Package picker is the keyboard-driven list chooser the TUI shows in place
// of the composer when a slash command asks the user to pick one thing:
// a model and its reasoning effort (/model), an approval preset
// (/approvals), a rule to revoke (/permissions). It exists so that those
// commands share one way to move, filter, choose, type a name that is not
// in the list, and revoke with a confirmation, drawn the same way and
// bounded to the room the live area gives it.
//
// It is a component: Update turns keys into intents (Chosen, Custom,
// Revoke, Cancel) and does no I/O. The root loads the items (perhaps
// asynchronously, then calls SetItems), acts on the intent, and closes
// the picker or refreshes its items.
package picker

import (
	"strings"

	"github.com/sahilm/fuzzy"

	"warden/tui/internal/termsafe"
	"warden/tui/keys"
	"warden/tui/styles"
)

// Item is one entry of the list. Its text may come from outside (a
// server's model names, a rules file) and is cleaned before it is drawn.
type Item struct {
	Title  string // the main text; also what the filter matches
	Detail string // dimmed text after the title, or under it when narrow: a description, a source
	Value  any    // the caller's own, handed back with the item
	// Current marks the one in force; the picker starts on it.
	Current bool
	// NoRevoke, when non-empty, says why this item cannot be revoked; it
	// is shown on the item's row when the user tries. Only used with
	// Options.Revocable. Keep it short: it gets one line.
	NoRevoke string
}

// Options say what the picker is for and what it allows.
type Options struct {
	Title string // the heading, e.g. "Choose a model"
	Hint  string // an optional line under the title
	// Filter: typed text narrows the list (fuzzy, on the titles, best
	// match first). Printable keys then type, so the letter bindings
	// (k, j, x) do nothing.
	Filter bool
	// FreeText, with Filter: once the typed text is not exactly an
	// item's title, a last row "Use “<typed>”" returns it as Custom.
	FreeText bool
	// Revocable: the revoke keys ask, on the selected row, whether to
	// revoke it; y returns Revoke.
	Revocable bool
	// ListOnly: the items are there to be read (and revoked), not
	// chosen: enter does nothing and is not offered.
	ListOnly bool
	// Loading is shown while there are no items and SetItems has not
	// been called yet, e.g. "Loading models…".
	Loading string
	// Empty is shown when there are no items; "Nothing to choose from."
	// if empty.
	Empty string
}

// Intents Update returns.
type (
	// Chosen: the user chose Item.
	Chosen struct{ Item Item }
	// Custom: the user chose the typed text, trimmed, which is no item's
	// title (Options.FreeText).
	Custom struct{ Text string }
	// Revoke: the user confirmed revoking Item. The picker stays open;
	// the root revokes and calls SetItems with what is left.
	Revoke struct{ Item Item }
	// Cancel: the user closed the picker without choosing.
	Cancel struct{}
)

const defaultEmpty = "Nothing to choose from."

// Model is a picker. Update and SetItems return the copy to keep.
type Model struct {
	keys  keys.Picker
	st    *styles.Styles
	opts  Options // its text cleaned
	items []Item  // as given: intents hand these back
	shown []shown // items' text, cleaned, parallel to items

	loaded  bool   // SetItems was called: Loading no longer applies
	errText string // the last load's error, cleaned
	query   string // typed text, cleaned, one line

	rows []row // what the list shows now, in order
	sel  int   // index into rows

	confirming bool   // "Revoke?" is asked on the selected row
	notice     string // why the selected row cannot be revoked, until the next key

	// frame remembers what the last View drew: where the list's window
	// starts, so that it does not jump while the selection moves inside
	// it, and how many items it held, for paging.
	frame *frame
}

// shown is an item's text as the picker may draw it: one line, nothing
// that could drive the terminal.
type shown struct {
	title, detail, noRevoke string
}

// row is one line of choice: an item, or the free-text row.
type row struct {
	item    int   // index into items; freeRow for "Use “<typed>”"
	matched []int // byte offsets into the shown title of the runes the filter matched
}

const freeRow = -1

type frame struct {
	top  int // the first row the list showed
	page int // rows shown, for pgup/pgdn
}

// New is a picker over items; with none yet, it shows o.Loading until
// SetItems.
func New(items []Item, km keys.Map, st *styles.Styles, o Options) Model {
	o.Title, o.Hint = oneLine(o.Title), oneLine(o.Hint)
	o.Loading, o.Empty = oneLine(o.Loading), oneLine(o.Empty)
	if o.Empty == "" {
		o.Empty = defaultEmpty
	}
	if !o.Filter {
		o.FreeText = false // there is no typed text to use
	}
	m := Model{keys: km.Picker, st: st, opts: o, frame: &frame{}}
	m.setItems(items)
	m.selectCurrent()
	return m
}

// SetItems replaces the items, after an asynchronous load or a revoke.
// errText, if any, is shown as a warning over the list, which stays
// usable. The selection stays on the same title if it is still there,
// else on the same position; a picker that had no items starts on the
// current one.
func (m Model) SetItems(items []Item, errText string) Model {
	prevTitle, hadItem := m.selectedTitle()
	prevItem, _ := m.Selected()
	prevSel, wasEmpty := m.sel, len(m.items) == 0
	m.setItems(items)
	m.loaded = true
	m.errText = oneLine(errText)
	m.notice = ""
	switch {
	case hadItem && m.selectTitle(prevTitle):
	case wasEmpty && m.query == "":
		m.selectCurrent()
	default:
		m.sel = min(max(prevSel, 0), max(len(m.rows)-1, 0))
	}
	// A question asked about one rule must not end up about another, not
	// even one reading the same from another file.
	if it, ok := m.Selected(); !ok || it.Title != prevItem.Title || it.Detail != prevItem.Detail || it.NoRevoke != "" {
		m.confirming = false
	}
	return m
}

func (m *Model) setItems(items []Item) {
	m.items = append([]Item(nil), items...)
	m.shown = make([]shown, len(items))
	for i, it := range items {
		m.shown[i] = shown{oneLine(it.Title), oneLine(it.Detail), oneLine(it.NoRevoke)}
	}
	m.refilter()
}

// Query is the typed text.
func (m Model) Query() string { return m.query }

// Selected is the selected item; false when nothing or the free-text row
// is selected.
func (m Model) Selected() (Item, bool) {
	if m.sel >= len(m.rows) || m.rows[m.sel].item == freeRow {
		return Item{}, false
	}
	return m.items[m.rows[m.sel].item], true
}

func (m Model) selectedTitle() (string, bool) {
	it, ok := m.Selected()
	return it.Title, ok
}

// selectTitle selects the first row whose item has title t.
func (m *Model) selectTitle(t string) bool {
	for i, r := range m.rows {
		if r.item != freeRow && m.items[r.item].Title == t {
			m.sel = i
			return true
		}
	}
	return false
}

// selectCurrent selects the current item, or the first row.
func (m *Model) selectCurrent() {
	m.sel = 0
	for i, r := range m.rows {
		if r.item != freeRow && m.items[r.item].Current {
			m.sel = i
			return
		}
	}
}

// setQuery changes the typed text: the best match is selected, and with
// the text cleared the item that was selected stays so.
func (m *Model) setQuery(q string) {
	prev, ok := m.selectedTitle()
	m.query = q
	m.refilter()
	if q != "" || !ok || !m.selectTitle(prev) {
		m.sel = 0
		if q == "" {
			m.selectCurrent()
		}
	}
}

// refilter rebuilds the rows for the items and the typed text.
func (m *Model) refilter() {
	m.rows = m.rows[:0:0]
	if m.query == "" {
		for i := range m.items {
			m.rows = append(m.rows, row{item: i})
		}
	} else {
		titles := make([]string, len(m.shown))
		for i, s := range m.shown {
			titles[i] = s.title
		}
		for _, fm := range fuzzy.Find(m.query, titles) {
			m.rows = append(m.rows, row{item: fm.Index, matched: fm.MatchedIndexes})
		}
	}
	if m.freeText() != "" {
		m.rows = append(m.rows, row{item: freeRow})
	}
}

// freeText is the typed text the free-text row would return: empty when
// free text is not allowed, nothing is typed, or the text is exactly an
// item's title (which the list offers already).
func (m Model) freeText() string {
	t := strings.TrimSpace(m.query)
	if !m.opts.FreeText || t == "" {
		return ""
	}
	for _, s := range m.shown {
		if s.title == t {
			return ""
		}
	}
	return t
}

// itemRows counts the rows that are items.
func (m Model) itemRows() int {
	n := len(m.rows)
	if n > 0 && m.rows[n-1].item == freeRow {
		n--
	}
	return n
}

// oneLine is text from outside made safe to draw on one line: escape
// sequences and control characters removed, line breaks and tabs made
// spaces, the ends trimmed.
func oneLine(s string) string {
	return strings.TrimSpace(flat(s))
}

// flat is oneLine without the trimming, for text typed a key at a time.
func flat(s string) string {
	return termsafe.Reveal(strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, termsafe.Strip(s)))
}
