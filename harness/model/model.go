// Package model is the provider-neutral vocabulary between the agent loop and
// the model clients: the conversation items warden keeps, the request it sends
// each step, the deltas a client streams back, and the errors it can fail with.
//
// It exists so the loop, the transcript and the front-ends never depend on a
// wire format: the Responses and Chat Completions clients translate to and from
// these types, and nothing else imports openai-go.
package model

import (
	"context"
	"encoding/json"
)

// ItemType names the kind of a conversation item. The names match the
// Responses API item types so transcripts read naturally next to API logs.
type ItemType string

const (
	// ItemMessage is a user, assistant or developer message.
	ItemMessage ItemType = "message"
	// ItemReasoning is a reasoning item: its summary, and the encrypted
	// content that must be sent back verbatim on the next request.
	ItemReasoning ItemType = "reasoning"
	// ItemFunctionCall is a call of a JSON-schema (function) tool.
	ItemFunctionCall ItemType = "function_call"
	// ItemCustomToolCall is a call of a freeform (custom) tool.
	ItemCustomToolCall ItemType = "custom_tool_call"
	// ItemFunctionCallOutput answers an ItemFunctionCall.
	ItemFunctionCallOutput ItemType = "function_call_output"
	// ItemCustomToolCallOutput answers an ItemCustomToolCall.
	ItemCustomToolCallOutput ItemType = "custom_tool_call_output"
)

// Message roles.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleDeveloper = "developer"
)

// Item is one entry of the conversation history. It is a flat struct rather
// than an interface so that it round-trips through the JSONL transcript
// without a type registry; which fields are set depends on Type.
type Item struct {
	Type ItemType `json:"type"`
	// ID is the provider's item id, when it gave one. Informational only:
	// requests are stateless, so ids are never relied on.
	ID string `json:"id,omitempty"`

	// Message fields. Phase is the Responses API's label of an assistant
	// message ("commentary" or "final_answer"); newer models expect it back.
	Role  string `json:"role,omitempty"`
	Text  string `json:"text,omitempty"`
	Phase string `json:"phase,omitempty"`

	// Reasoning fields.
	Summary          []string `json:"summary,omitempty"`
	EncryptedContent string   `json:"encrypted_content,omitempty"`

	// Tool call fields. Arguments holds the raw JSON arguments of a function
	// call, or the raw freeform input of a custom tool call.
	CallID    string `json:"call_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments,omitempty"`

	// Tool output field (with CallID).
	Output string `json:"output,omitempty"`
}

// IsToolCall reports whether the item asks for a tool to run.
func (it Item) IsToolCall() bool {
	return it.Type == ItemFunctionCall || it.Type == ItemCustomToolCall
}

// OutputFor builds the output item that answers a tool call item.
func OutputFor(call Item, output string) Item {
	t := ItemFunctionCallOutput
	if call.Type == ItemCustomToolCall {
		t = ItemCustomToolCallOutput
	}
	return Item{Type: t, CallID: call.CallID, Output: output}
}

// UserMessage builds a user message item.
func UserMessage(text string) Item {
	return Item{Type: ItemMessage, Role: RoleUser, Text: text}
}

// Grammar describes the input a freeform (custom) tool accepts.
type Grammar struct {
	// Syntax is "lark" or "regex".
	Syntax     string `json:"syntax"`
	Definition string `json:"definition"`
}

// ToolSpec is what the model is told about a tool. Exactly one of Parameters
// (a JSON schema, for a function tool) and Freeform (for a custom tool) is set.
// On wires that have no custom tools a freeform tool is offered as a function
// taking one string parameter, "input".
type ToolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Freeform    *Grammar        `json:"freeform,omitempty"`
}

// Request is one step's request: the whole conversation, every time. Requests
// are stateless (nothing is stored on the provider's side).
type Request struct {
	Model        string
	Instructions string
	Input        []Item
	Tools        []ToolSpec
	// ParallelToolCalls lets the model emit several tool calls in one reply.
	ParallelToolCalls bool
	// ReasoningEffort is "", "minimal", "low", "medium", "high" or "xhigh";
	// empty leaves it to the provider.
	ReasoningEffort string
	// ReasoningSummary is "", "auto", "concise", "detailed" or "none".
	ReasoningSummary string
	// PromptCacheKey groups requests of one session for provider-side caching.
	PromptCacheKey string
	// IncludeReasoning asks for the model's reasoning in encrypted form, to
	// send back with the next request: requests are stateless, so without
	// it a reasoning model would lose its reasoning between tool calls.
	IncludeReasoning bool
}

// DeltaKind says what a streamed Delta carries.
type DeltaKind int

const (
	// DeltaText is a piece of the assistant's visible answer.
	DeltaText DeltaKind = iota
	// DeltaReasoning is a piece of a reasoning summary.
	DeltaReasoning
	// DeltaToolInput is a piece of a tool call's arguments or freeform input.
	DeltaToolInput
)

// Delta is a piece of the reply as it streams. Deltas are for display only:
// the items in the final Response are authoritative.
type Delta struct {
	Kind   DeltaKind
	ItemID string
	// CallID and Name are set for DeltaToolInput when known.
	CallID string
	Name   string
	Text   string
}

// Usage counts tokens. Cached input tokens are included in InputTokens, and
// reasoning tokens in OutputTokens, as the OpenAI APIs report them. Clients
// always fill TotalTokens, with input plus output when a provider omits it.
type Usage struct {
	InputTokens       int64 `json:"input_tokens"`
	CachedInputTokens int64 `json:"cached_input_tokens"`
	OutputTokens      int64 `json:"output_tokens"`
	ReasoningTokens   int64 `json:"reasoning_tokens"`
	TotalTokens       int64 `json:"total_tokens"`
}

// Add returns the sum of two usages.
func (u Usage) Add(o Usage) Usage {
	return Usage{
		InputTokens:       u.InputTokens + o.InputTokens,
		CachedInputTokens: u.CachedInputTokens + o.CachedInputTokens,
		OutputTokens:      u.OutputTokens + o.OutputTokens,
		ReasoningTokens:   u.ReasoningTokens + o.ReasoningTokens,
		TotalTokens:       u.TotalTokens + o.TotalTokens,
	}
}

// Response is a completed reply: its output items in order, and its usage.
type Response struct {
	ID    string
	Items []Item
	Usage Usage
}

// Client streams one reply from a model. Stream calls onDelta (from the
// calling goroutine) as pieces arrive and returns the complete response only
// when the provider said the reply is complete; any other end is an *Error.
// A Client makes exactly one attempt: retrying is the caller's decision.
type Client interface {
	Stream(ctx context.Context, req Request, onDelta func(Delta)) (*Response, error)
}
