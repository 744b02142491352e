package fakemodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// responsesRequest holds the parts of a Responses request the fake checks or
// echoes back; echoed fields stay raw so they round-trip unchanged.
type responsesRequest struct {
	Model              string          `json:"model"`
	Stream             *bool           `json:"stream"`
	Input              json.RawMessage `json:"input"`
	Instructions       json.RawMessage `json:"instructions"`
	Tools              json.RawMessage `json:"tools"`
	ToolChoice         json.RawMessage `json:"tool_choice"`
	ParallelToolCalls  *bool           `json:"parallel_tool_calls"`
	PreviousResponseID string          `json:"previous_response_id"`
	Store              *bool           `json:"store"`
	Include            []string        `json:"include"`
	Reasoning          json.RawMessage `json:"reasoning"`
	MaxOutputTokens    json.RawMessage `json:"max_output_tokens"`
	Metadata           json.RawMessage `json:"metadata"`
}

// item is the slice of a Responses input item that matters for pairing
// tool calls with their outputs.
type item struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Name   string `json:"name"`
}

type chatRequest struct {
	Model         string         `json:"model"`
	Stream        *bool          `json:"stream"`
	Messages      []chatMessage  `json:"messages"`
	StreamOptions *streamOptions `json:"stream_options"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatMessage struct {
	Role       string `json:"role"`
	ToolCallID string `json:"tool_call_id"`
	// A pointer tells an explicit empty list, which the API rejects, from
	// an absent one.
	ToolCalls *[]struct {
		ID       string `json:"id"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	} `json:"tool_calls"`
}

// decodeBody applies the checks every POST endpoint shares, in the order the
// real API reports them.
func decodeBody(body []byte, v any) *failure {
	if !json.Valid(body) {
		return invalid("", "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)")
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		return invalid("", "Invalid request body: expected a JSON object.")
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return invalid(te.Field, "Invalid type for '%s': expected %s, but got %s instead.", te.Field, te.Type, te.Value)
		}
		return invalid("", "Invalid request body: %v", err)
	}
	return nil
}

func checkCommon(model string, stream *bool) *failure {
	if model == "" {
		f := invalid("model", "Missing required parameter: 'model'.")
		f.err.Code = "missing_required_parameter"
		return f
	}
	if stream == nil || !*stream {
		f := invalid("stream", "This fake model server only supports streaming responses; set 'stream' to true.")
		f.err.Code = "unsupported_value"
		return f
	}
	return nil
}

func parseResponsesRequest(body []byte) (*responsesRequest, *failure) {
	var req responsesRequest
	if f := decodeBody(body, &req); f != nil {
		return nil, f
	}
	if f := checkCommon(req.Model, req.Stream); f != nil {
		return nil, f
	}
	return &req, nil
}

// inputItems returns the tool-related view of input, which may be a plain
// string (no items) or a list of items.
func (req *responsesRequest) inputItems() ([]item, *failure) {
	raw := bytes.TrimSpace(req.Input)
	if len(raw) == 0 || raw[0] == '"' || string(raw) == "null" {
		return nil, nil
	}
	var items []item
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, invalid("input", "Invalid 'input': expected a string or an array of input items.")
	}
	return items, nil
}

// validateToolPairs enforces the Responses rule that every tool call has an
// output after it and every output answers an earlier call. prior holds the
// calls of the previous_response_id response, which come "before" input.
func validateToolPairs(prior, input []item) *failure {
	called := make(map[string]string) // call_id → call type
	var order []string
	answered := make(map[string]bool)
	for i, it := range slices.Concat(prior, input) {
		isCall := it.Type == "function_call" || it.Type == "custom_tool_call"
		isOutput := it.Type == "function_call_output" || it.Type == "custom_tool_call_output"
		if (isCall || isOutput) && it.CallID == "" {
			// Only input can lack ids; stored calls always have them.
			n := i - len(prior)
			f := invalid(fmt.Sprintf("input[%d].call_id", n), "Missing required parameter: 'input[%d].call_id'.", n)
			f.err.Code = "missing_required_parameter"
			return f
		}
		switch {
		case isCall:
			n := i - len(prior) // negative: a stored call, checked when it was made
			if n >= 0 && it.Name == "" {
				f := invalid(fmt.Sprintf("input[%d].name", n), "Invalid 'input[%d].name': empty string. Expected a string with minimum length 1, but got an empty string instead.", n)
				f.err.Code = "empty_string"
				return f
			}
			if _, dup := called[it.CallID]; dup {
				return invalid(fmt.Sprintf("input[%d].call_id", n), "Duplicate value for 'call_id' of %s in 'input'.", it.CallID)
			}
			order = append(order, it.CallID)
			called[it.CallID] = it.Type
		case isOutput:
			if _, ok := called[it.CallID]; !ok {
				return invalid("input", "No tool call found for %s output with call_id %s.", callKind(it.Type), it.CallID)
			}
			answered[it.CallID] = true
		}
	}
	for _, id := range order {
		if !answered[id] {
			return invalid("input", "No tool output found for %s %s.", callKind(called[id]), id)
		}
	}
	return nil
}

// callKind names an item type the way the API's error messages do.
func callKind(itemType string) string {
	if strings.HasPrefix(itemType, "custom_tool_call") {
		return "custom tool call"
	}
	return "function call"
}

func parseChatRequest(body []byte) (*chatRequest, *failure) {
	var req chatRequest
	if f := decodeBody(body, &req); f != nil {
		return nil, f
	}
	if f := checkCommon(req.Model, req.Stream); f != nil {
		return nil, f
	}
	if req.Messages == nil {
		f := invalid("messages", "Missing required parameter: 'messages'.")
		f.err.Code = "missing_required_parameter"
		return nil, f
	}
	if len(req.Messages) == 0 {
		f := invalid("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
		f.err.Code = "empty_array"
		return nil, f
	}
	if f := validateChatHistory(req.Messages); f != nil {
		return nil, f
	}
	return &req, nil
}

// validateChatHistory enforces the Chat rule that an assistant message with
// tool_calls is immediately followed by one tool message per call id, and
// that tool messages appear nowhere else. Messages are quoted verbatim from
// the real API so the product's error handling sees the real text.
func validateChatHistory(msgs []chatMessage) *failure {
	var pending []string // call ids of the open assistant turn, in order
	seen := map[string]bool{}
	open := false // whether we are inside a tool-response block
	closeBlock := func(i int) *failure {
		if len(pending) > 0 {
			return invalid(fmt.Sprintf("messages.[%d].role", i),
				"An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: %s",
				strings.Join(pending, ", "))
		}
		open = false
		return nil
	}
	for i, m := range msgs {
		if m.Role == "tool" {
			if !open {
				return invalid(fmt.Sprintf("messages.[%d].role", i),
					"Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.")
			}
			at := -1
			for j, id := range pending {
				if id == m.ToolCallID {
					at = j
				}
			}
			if at < 0 {
				return invalid(fmt.Sprintf("messages.[%d].tool_call_id", i),
					"Invalid parameter: 'tool_call_id' of '%s' not found in 'tool_calls' of previous message.", m.ToolCallID)
			}
			pending = append(pending[:at], pending[at+1:]...)
			continue
		}
		if f := closeBlock(i); f != nil {
			return f
		}
		if m.Role == "assistant" && m.ToolCalls != nil {
			if len(*m.ToolCalls) == 0 {
				f := invalid(fmt.Sprintf("messages[%d].tool_calls", i),
					"Invalid 'messages[%d].tool_calls': empty array. Expected an array with minimum length 1, but got an empty array instead.", i)
				f.err.Code = "empty_array"
				return f
			}
			for j, tc := range *m.ToolCalls {
				if tc.Function.Name == "" {
					f := invalid(fmt.Sprintf("messages[%d].tool_calls[%d].function.name", i, j),
						"Invalid 'messages[%d].tool_calls[%d].function.name': empty string. Expected a string with minimum length 1, but got an empty string instead.", i, j)
					f.err.Code = "empty_string"
					return f
				}
				if seen[tc.ID] {
					return invalid(fmt.Sprintf("messages[%d].tool_calls[%d].id", i, j),
						"Invalid parameter: Duplicate value for 'tool_call_id' of %s in message[%d]", tc.ID, i)
				}
				seen[tc.ID] = true
				pending = append(pending, tc.ID)
			}
			open = true
		}
	}
	return closeBlock(len(msgs))
}
