package harness

import (
	"context"
	"errors"
	"fmt"
	"time"

	"warden/harness/event"
	"warden/harness/model"
)

// TurnResult summarises a finished turn.
type TurnResult struct {
	Status    string // event.TurnCompleted, TurnInterrupted or TurnFailed
	FinalText string
	Steps     int
	Usage     model.Usage
	Err       error
}

// RunTurn sends input as a new user message and runs the loop until the
// model answers without tool calls, the turn is interrupted (ctx cancelled or
// Interrupt called), or it fails. It emits TurnStarted and TurnFinished and
// leaves the history valid for the next turn whatever happened; the one
// exceptions are a call made while another turn runs, refused with
// ErrTurnRunning, and one made after Shutdown, refused with ErrShutdown,
// both before anything is emitted or recorded.
func (s *Session) RunTurn(ctx context.Context, input string) TurnResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return TurnResult{Status: event.TurnFailed, Err: ErrShutdown}
	}
	if s.running {
		s.mu.Unlock()
		return TurnResult{Status: event.TurnFailed, Err: ErrTurnRunning}
	}
	s.running = true
	s.turns.Add(1)
	defer s.turns.Done()
	s.cancelTurn = cancel
	s.turnID++
	turn := s.turnID
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.running = false
		s.cancelTurn = nil
		s.mu.Unlock()
	}()

	start := time.Now()
	if s.opts.Transcript != nil {
		s.opts.Transcript.TurnStart(turn)
	}
	s.emit(event.TurnStarted{TurnID: turn, Input: input})
	// Input queued while no turn ran was typed before this prompt.
	s.drainPending(turn)
	s.record(turn, model.UserMessage(input))

	res := s.loop(ctx, turn)

	if res.Status == event.TurnInterrupted {
		// Tell the model, so its next reply does not carry on as if the
		// interrupted work had finished.
		s.record(turn, model.UserMessage("<turn_aborted>The user interrupted the previous turn. Anything it was doing may be incomplete.</turn_aborted>"))
	}
	fin := event.TurnFinished{
		TurnID:    turn,
		Status:    res.Status,
		FinalText: res.FinalText,
		Steps:     res.Steps,
		Usage:     res.Usage,
		Duration:  time.Since(start),
	}
	if res.Err != nil {
		fin.Error = res.Err.Error()
	}
	if s.opts.Transcript != nil {
		if err := s.opts.Transcript.TurnEnd(turn, res.Status); err != nil {
			s.emit(event.Error{Kind: "transcript", Message: err.Error()})
		}
	}
	s.emit(fin)
	return res
}

func (s *Session) loop(ctx context.Context, turn int) TurnResult {
	var res TurnResult
	var repeats repeatTracker
	fail := func(kind string, err error) TurnResult {
		res.Status, res.Err = event.TurnFailed, err
		s.emit(event.Error{Kind: kind, Message: err.Error(), Fatal: true})
		return res
	}
	for {
		s.drainPending(turn)
		if res.Steps >= s.opts.MaxSteps {
			return fail("max_steps", fmt.Errorf("stopped after %d model requests in one turn (max_steps): send a new message to continue", res.Steps))
		}
		res.Steps++

		resp, err := s.sample(ctx, s.request(), s.forwardDelta)
		if err != nil {
			if ctx.Err() != nil {
				res.Status = event.TurnInterrupted
				return res
			}
			kind := "model"
			if me, ok := model.AsError(err); ok {
				kind = string(me.Kind)
				if me.Usage != nil {
					s.countUsage(turn, &res, *me.Usage)
				}
			}
			return fail(kind, err)
		}

		s.uniqueCallIDs(resp.Items)
		s.record(turn, resp.Items...)
		var calls []model.Item
		for _, it := range resp.Items {
			s.emit(event.ItemCompleted{Item: it})
			switch {
			case it.IsToolCall():
				calls = append(calls, it)
			case it.Type == model.ItemMessage && it.Role == model.RoleAssistant:
				res.FinalText = it.Text
			}
		}
		s.countUsage(turn, &res, resp.Usage)

		if len(calls) == 0 {
			if s.hasPending() {
				continue
			}
			res.Status = event.TurnCompleted
			return res
		}
		stop := s.runCalls(ctx, turn, calls, &repeats)
		if ctx.Err() != nil {
			res.Status = event.TurnInterrupted
			return res
		}
		if errors.Is(stop, ErrStoppedByUser) {
			res.Status, res.Err = event.TurnInterrupted, stop
			return res
		}
		if stop != nil {
			return fail("repeated_call", stop)
		}
	}
}

// request builds the next step's request from the whole history.
func (s *Session) request() model.Request {
	req := model.Request{
		Model:            s.opts.Model,
		Instructions:     s.opts.Instructions,
		Input:            s.History(),
		ReasoningEffort:  s.opts.ReasoningEffort,
		ReasoningSummary: s.opts.ReasoningSummary,
		PromptCacheKey:   s.opts.SessionID,
		IncludeReasoning: s.opts.IncludeReasoning,
	}
	if s.opts.Tools != nil {
		req.Tools = s.opts.Tools.Specs()
		req.ParallelToolCalls = len(req.Tools) > 0
	}
	return req
}

func (s *Session) forwardDelta(d model.Delta) {
	switch d.Kind {
	case model.DeltaText:
		s.emit(event.TextDelta{ItemID: d.ItemID, Delta: d.Text})
	case model.DeltaReasoning:
		s.emit(event.ReasoningDelta{ItemID: d.ItemID, Delta: d.Text})
	}
}

// countUsage adds one reply's usage to the turn and the session, records it
// and reports it.
func (s *Session) countUsage(turn int, res *TurnResult, last model.Usage) {
	res.Usage = res.Usage.Add(last)
	s.mu.Lock()
	s.sessionUsage = s.sessionUsage.Add(last)
	session := s.sessionUsage
	s.mu.Unlock()
	if s.opts.Transcript != nil {
		s.opts.Transcript.Usage(turn, last)
	}
	s.emit(event.TokenUsage{
		Last:          last,
		Turn:          res.Usage,
		Session:       session,
		ContextUsed:   last.TotalTokens,
		ContextWindow: s.opts.ContextWindow,
	})
}

func (s *Session) hasPending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending) > 0
}

// drainPending moves queued user input into the conversation at a step
// boundary, where it cannot split a tool call from its output.
func (s *Session) drainPending(turn int) {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, in := range pending {
		s.record(turn, model.UserMessage(in))
		s.emit(event.UserInputQueued{TurnID: turn, Input: in})
	}
}
