package model

import (
	"errors"
	"fmt"
	"time"
)

// ErrorKind classifies a failed model request by what the user or the loop
// should do about it.
type ErrorKind string

const (
	// ErrAuth: the key is missing, wrong, or lacks access (401/403).
	ErrAuth ErrorKind = "auth"
	// ErrUnknownModel: the provider does not serve the model asked for.
	ErrUnknownModel ErrorKind = "unknown_model"
	// ErrContextLength: the conversation no longer fits the model's context.
	ErrContextLength ErrorKind = "context_length_exceeded"
	// ErrInvalidRequest: the provider rejected the request (400/404/422).
	ErrInvalidRequest ErrorKind = "invalid_request"
	// ErrRateLimit: 429; retried after the delay the provider asked for.
	ErrRateLimit ErrorKind = "rate_limit"
	// ErrQuota: 429 insufficient_quota; retrying cannot help.
	ErrQuota ErrorKind = "quota"
	// ErrServer: 5xx or a response.failed with a server error; retried.
	ErrServer ErrorKind = "server"
	// ErrNetwork: the connection failed or was reset; retried.
	ErrNetwork ErrorKind = "network"
	// ErrStreamCut: the stream ended before the reply was complete; retried.
	ErrStreamCut ErrorKind = "stream_cut"
	// ErrStreamIdle: the stream went silent for too long; retried.
	ErrStreamIdle ErrorKind = "stream_idle"
	// ErrMalformed: the provider sent something that is not valid for its
	// own protocol; retried, as a garbled stream usually is transient.
	ErrMalformed ErrorKind = "malformed"
)

// Error is a failed model request. Message is short, specific and says what
// to do; Detail carries the provider's own words.
type Error struct {
	Kind    ErrorKind
	Status  int // HTTP status, when there was one
	Message string
	Detail  string
	// RetryAfter is the delay the provider asked for, if it said.
	RetryAfter time.Duration
	// Usage is what a reply that failed part-way still cost, when the
	// provider reported it (a reply cut at the output token limit).
	Usage *Usage
	Err   error
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Detail != "" && e.Detail != e.Message {
		msg += " (" + e.Detail + ")"
	}
	if e.Status != 0 {
		return fmt.Sprintf("%s [HTTP %d]", msg, e.Status)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether trying the same request again may succeed.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case ErrRateLimit, ErrServer, ErrNetwork, ErrStreamCut, ErrStreamIdle, ErrMalformed:
		return true
	}
	return false
}

// AsError returns err as an *Error if it is one.
func AsError(err error) (*Error, bool) {
	var me *Error
	if errors.As(err, &me) {
		return me, true
	}
	return nil, false
}
