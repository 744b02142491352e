package harness

import (
	"errors"

	"warden/harness/event"
	"warden/harness/model"
	"warden/harness/tool"
	"warden/harness/transcript"
)

// Settings are what a user may change between turns: the model and its
// reasoning, and the sandbox and approval settings (with the tools that
// carry them out and the instructions that describe them to the model).
type Settings struct {
	Model            string
	ReasoningEffort  string
	ReasoningSummary string
	IncludeReasoning bool
	ContextWindow    int64
	Instructions     string
	Tools            *tool.Registry
	SandboxMode      string
	ApprovalPolicy   string
}

// Settings returns the settings in force.
func (s *Session) Settings() Settings {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Settings{
		Model:            s.opts.Model,
		ReasoningEffort:  s.opts.ReasoningEffort,
		ReasoningSummary: s.opts.ReasoningSummary,
		IncludeReasoning: s.opts.IncludeReasoning,
		ContextWindow:    s.opts.ContextWindow,
		Instructions:     s.opts.Instructions,
		Tools:            s.opts.Tools,
		SandboxMode:      s.opts.SandboxMode,
		ApprovalPolicy:   s.opts.ApprovalPolicy,
	}
}

// Reconfigure puts new settings in force for the turns to come, and tells
// the model note (when not empty) as a user message, so that it knows, for
// instance, that it may now write files. It refuses while a turn runs: a
// turn reads its settings without locking, and a command approved under
// one policy must not finish under another. It emits SessionUpdated while
// it still holds the session, so the Sink must not call back into it
// (no Sink does: they record or forward).
func (s *Session) Reconfigure(next Settings, note string) error {
	if next.Model == "" {
		return errors.New("reconfigure: no model given")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrShutdown
	}
	if s.running {
		s.mu.Unlock()
		return ErrTurnRunning
	}
	s.opts.Model = next.Model
	s.opts.ReasoningEffort = next.ReasoningEffort
	s.opts.ReasoningSummary = next.ReasoningSummary
	s.opts.IncludeReasoning = next.IncludeReasoning
	s.opts.ContextWindow = next.ContextWindow
	s.opts.Instructions = next.Instructions
	s.opts.Tools = next.Tools
	s.opts.SandboxMode = next.SandboxMode
	s.opts.ApprovalPolicy = next.ApprovalPolicy
	// The rest is done before the lock is let go, so that a turn starting
	// now finds the note before its input, and front-ends see the change
	// before the turn.
	defer s.mu.Unlock()
	turn := s.turnID
	if s.opts.Transcript != nil {
		s.opts.Transcript.SettingsChanged(turn, transcript.Settings{
			Model: next.Model, ReasoningEffort: next.ReasoningEffort, ReasoningSummary: next.ReasoningSummary,
			SandboxMode: next.SandboxMode, ApprovalPolicy: next.ApprovalPolicy, Instructions: next.Instructions,
		})
	}
	if note != "" {
		it := model.UserMessage(note)
		s.history = append(s.history, it)
		if s.opts.Transcript != nil {
			s.opts.Transcript.Item(turn, it)
		}
	}
	s.emit(event.SessionUpdated{
		Model:           next.Model,
		ReasoningEffort: next.ReasoningEffort,
		SandboxMode:     next.SandboxMode,
		ApprovalPolicy:  next.ApprovalPolicy,
		ContextWindow:   next.ContextWindow,
	})
	return nil
}
