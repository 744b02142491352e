// Package transcript records every session as an append-only JSONL file.
//
// The file is the durable record of a session: a header line saying where
// and how it ran, then each conversation item as it completes, usage and turn
// boundaries. It holds enough to rebuild the model history (for resume) and
// is synced at every turn end so a crash loses at most the turn in flight.
// Nothing secret is written: the header takes only what it is given, and no
// API key is ever passed in.
package transcript

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"warden/harness/model"
)

// Header is the first line of a transcript.
type Header struct {
	SessionID      string    `json:"session_id"`
	Created        time.Time `json:"created"`
	Cwd            string    `json:"cwd"`
	Model          string    `json:"model"`
	Provider       string    `json:"provider"`
	BaseURL        string    `json:"base_url"`
	Wire           string    `json:"wire"`
	SandboxMode    string    `json:"sandbox_mode"`
	ApprovalPolicy string    `json:"approval_policy"`
	Version        string    `json:"version"`
	Instructions   string    `json:"instructions"`
}

// Settings are what a user may change mid-session; the header has them as
// the session started.
type Settings struct {
	Model            string `json:"model"`
	ReasoningEffort  string `json:"reasoning_effort,omitempty"`
	ReasoningSummary string `json:"reasoning_summary,omitempty"`
	SandboxMode      string `json:"sandbox_mode"`
	ApprovalPolicy   string `json:"approval_policy"`
	// Instructions are the system instructions from here on.
	Instructions string `json:"instructions"`
}

// Line is one record of a transcript. Kind says which fields are set.
type Line struct {
	Kind   string    `json:"kind"` // session, item, usage, turn_start, turn_end, settings
	Time   time.Time `json:"time"`
	Header *Header   `json:"header,omitempty"`
	// Settings are those in force from this line on, when the user
	// changed them mid-session (/model, /approvals).
	Settings *Settings    `json:"settings,omitempty"`
	Turn     int          `json:"turn,omitempty"`
	Item     *model.Item  `json:"item,omitempty"`
	Usage    *model.Usage `json:"usage,omitempty"`
	Status   string       `json:"status,omitempty"`
}

// Writer appends to one transcript file. It is safe for concurrent use.
type Writer struct {
	mu   sync.Mutex
	path string
	file *os.File
	buf  *bufio.Writer
	err  error
}

// Dir returns the sessions directory: $XDG_STATE_HOME/warden/sessions, or
// ~/.local/state/warden/sessions. A relative XDG_STATE_HOME is ignored, as
// the XDG spec asks, so transcripts never land inside whatever directory
// warden happened to start in.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "warden", "sessions"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot place transcripts: neither XDG_STATE_HOME nor HOME is set")
	}
	return filepath.Join(home, ".local", "state", "warden", "sessions"), nil
}

// Create starts a transcript under dir (in a YYYY/MM/DD subdirectory) and
// writes its header line. The file is private to the user: transcripts hold
// the user's code and commands.
func Create(dir string, h Header) (*Writer, error) {
	day := filepath.Join(dir, h.Created.Format("2006"), h.Created.Format("01"), h.Created.Format("02"))
	if err := os.MkdirAll(day, 0o700); err != nil {
		return nil, fmt.Errorf("create transcript directory %s: %w", day, err)
	}
	name := fmt.Sprintf("session-%s-%s.jsonl", h.Created.UTC().Format("20060102T150405Z"), h.SessionID)
	path := filepath.Join(day, name)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create transcript %s: %w", path, err)
	}
	w := &Writer{path: path, file: f, buf: bufio.NewWriterSize(f, 64<<10)}
	w.write(Line{Kind: "session", Time: h.Created, Header: &h})
	if err := w.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// Path is the transcript's file path.
func (w *Writer) Path() string { return w.path }

// Item appends a completed conversation item.
func (w *Writer) Item(turn int, it model.Item) {
	w.write(Line{Kind: "item", Time: time.Now(), Turn: turn, Item: &it})
}

// Usage appends the usage of one model reply.
func (w *Writer) Usage(turn int, u model.Usage) {
	w.write(Line{Kind: "usage", Time: time.Now(), Turn: turn, Usage: &u})
}

// SettingsChanged records settings the user changed between turns.
func (w *Writer) SettingsChanged(turn int, st Settings) {
	w.write(Line{Kind: "settings", Time: time.Now(), Turn: turn, Settings: &st})
}

// TurnStart marks the start of a turn.
func (w *Writer) TurnStart(turn int) {
	w.write(Line{Kind: "turn_start", Time: time.Now(), Turn: turn})
}

// TurnEnd marks the end of a turn and syncs the file to disk.
func (w *Writer) TurnEnd(turn int, status string) error {
	w.write(Line{Kind: "turn_end", Time: time.Now(), Turn: turn, Status: status})
	return w.Sync()
}

// write buffers one line. The first failure is kept and reported by Sync and
// Close, so a full disk does not interrupt the agent mid-step but is not
// silently lost either.
func (w *Writer) write(l Line) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return
	}
	b, err := json.Marshal(l)
	if err != nil {
		w.err = fmt.Errorf("encode transcript line: %w", err)
		return
	}
	b = append(b, '\n')
	if _, err := w.buf.Write(b); err != nil {
		w.err = fmt.Errorf("write transcript %s: %w", w.path, err)
	}
}

// Sync flushes buffered lines and fsyncs the file.
func (w *Writer) Sync() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if err := w.buf.Flush(); err != nil {
		w.err = fmt.Errorf("write transcript %s: %w", w.path, err)
		return w.err
	}
	if err := w.file.Sync(); err != nil {
		w.err = fmt.Errorf("sync transcript %s: %w", w.path, err)
	}
	return w.err
}

// Close syncs and closes the file.
func (w *Writer) Close() error {
	err := w.Sync()
	if cerr := w.file.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close transcript %s: %w", w.path, cerr)
	}
	return err
}

// Read loads a transcript: its header and the items in order. It is what a
// resume will rebuild the history from, and what tests check.
func Read(path string) (Header, []model.Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, nil, fmt.Errorf("read transcript: %w", err)
	}
	defer f.Close()
	var h Header
	var items []model.Item
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for n := 1; sc.Scan(); n++ {
		var l Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return h, items, fmt.Errorf("read transcript %s: line %d: %w", path, n, err)
		}
		switch {
		case l.Kind == "session" && l.Header != nil:
			h = *l.Header
		case l.Kind == "item" && l.Item != nil:
			items = append(items, *l.Item)
		}
	}
	if err := sc.Err(); err != nil {
		return h, items, fmt.Errorf("read transcript %s: %w", path, err)
	}
	return h, items, nil
}
