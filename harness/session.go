// Package harness runs warden's agent loop: it holds a session's
// conversation, sends it to the model, runs the tool calls the model asks
// for, and repeats until the model answers without calling a tool.
//
// The harness knows nothing of any front-end. It reports everything it does
// as typed events (package event) and takes answers back through plain
// method calls and the Respond function of an approval request, so the TUI,
// `warden exec` and tests are all just clients of it.
package harness

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
	"warden/harness/transcript"
)

// Defaults for the loop's guards.
const (
	DefaultMaxSteps    = 200
	DefaultRepeatLimit = 5
)

// Options configure a Session. Client and Model are required.
type Options struct {
	Client model.Client
	Model  string
	// Provider and Wire are reported in SessionStarted.
	Provider string
	Wire     string

	// Instructions are the system instructions sent with every request.
	Instructions string
	// Context items open the conversation: the environment block and the
	// AGENTS.md files, as user messages.
	Context []model.Item
	Tools   *tool.Registry

	ReasoningEffort  string
	ReasoningSummary string
	// IncludeReasoning carries encrypted reasoning from one request to the
	// next; set it for reasoning models.
	IncludeReasoning bool
	ContextWindow    int64

	// MaxSteps caps model requests in one turn (DefaultMaxSteps if 0).
	MaxSteps int
	// RepeatLimit stops a turn when the model makes the same call this many
	// times in a row (DefaultRepeatLimit if 0).
	RepeatLimit int
	Retry       RetryPolicy

	// Sink receives every event. Nil discards them, and approval requests
	// are then refused, since nobody could answer.
	Sink event.Sink

	// Transcript, if set, records the session. The Session does not close it.
	Transcript *transcript.Writer

	SessionID      string
	Cwd            string
	SandboxMode    string
	ApprovalPolicy string
}

// Session is one conversation with the model. Its methods are safe for
// concurrent use; only one turn runs at a time.
type Session struct {
	opts Options

	emitMu sync.Mutex // serialises Sink calls so front-ends see one ordered stream

	mu           sync.Mutex
	history      []model.Item
	pending      []string
	running      bool
	closed       bool           // Shutdown was called: no turn may start
	turns        sync.WaitGroup // the turn running, if any
	cancelTurn   context.CancelFunc
	turnID       int
	sessionUsage model.Usage
	approvalSeq  int
}

// ErrShutdown is returned by RunTurn once Shutdown was called.
var ErrShutdown = errors.New("the session was shut down")

// ErrTurnRunning is returned by RunTurn while another turn is in progress.
var ErrTurnRunning = errors.New("a turn is already running: queue the input instead")

// New creates a session. It emits SessionStarted.
func New(opts Options) (*Session, error) {
	if opts.Client == nil {
		return nil, errors.New("new session: no model client")
	}
	if opts.Model == "" {
		return nil, errors.New("new session: no model given")
	}
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = DefaultMaxSteps
	}
	if opts.RepeatLimit <= 0 {
		opts.RepeatLimit = DefaultRepeatLimit
	}
	opts.Retry = opts.Retry.withDefaults()
	if opts.SessionID == "" {
		opts.SessionID = NewSessionID()
	}
	s := &Session{opts: opts}
	s.record(0, opts.Context...)
	path := ""
	if opts.Transcript != nil {
		path = opts.Transcript.Path()
	}
	s.emit(event.SessionStarted{
		SessionID:      opts.SessionID,
		Model:          opts.Model,
		Provider:       opts.Provider,
		Wire:           opts.Wire,
		Cwd:            opts.Cwd,
		SandboxMode:    opts.SandboxMode,
		ApprovalPolicy: opts.ApprovalPolicy,
		ContextWindow:  opts.ContextWindow,
		TranscriptPath: path,
	})
	return s, nil
}

// ID is the session id.
func (s *Session) ID() string { return s.opts.SessionID }

// History returns a copy of the conversation so far.
func (s *Session) History() []model.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]model.Item(nil), s.history...)
}

// Usage is the session's token usage so far.
func (s *Session) Usage() model.Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionUsage
}

// Queue adds user input to send at the next step of the running turn (or at
// the start of the next turn if none is running).
func (s *Session) Queue(input string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, input)
}

// TakeQueued removes and returns the input queued but not yet sent, so a
// front-end can send it as the next turn or give it back to the user when a
// turn ends before reaching a step boundary.
func (s *Session) TakeQueued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	pending := s.pending
	s.pending = nil
	return pending
}

// Shutdown stops the session for good: a running turn is interrupted and
// has recorded how it ended when Shutdown returns, and RunTurn refuses to
// start another (ErrShutdown), so whatever the session writes can then be
// closed. A front-end calls it when the user quits, even while a turn it
// asked for has not started yet.
func (s *Session) Shutdown() {
	s.mu.Lock()
	s.closed = true
	cancel := s.cancelTurn
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	s.turns.Wait()
}

// Interrupt cancels the running turn, if any: the stream stops, running
// tools are cancelled, and the turn ends with status "interrupted".
func (s *Session) Interrupt() {
	s.mu.Lock()
	cancel := s.cancelTurn
	s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

func (s *Session) emit(e event.Event) {
	if s.opts.Sink == nil {
		return
	}
	s.emitMu.Lock()
	defer s.emitMu.Unlock()
	s.opts.Sink(e)
}

// record appends items to the history and the transcript.
func (s *Session) record(turn int, items ...model.Item) {
	s.mu.Lock()
	s.history = append(s.history, items...)
	s.mu.Unlock()
	if s.opts.Transcript != nil {
		for _, it := range items {
			s.opts.Transcript.Item(turn, it)
		}
	}
}

// NewSessionID returns a random UUID (version 7, so ids sort by time).
func NewSessionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	ms := uint64(time.Now().UnixMilli())
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
