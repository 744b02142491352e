package modelclient

import (
	"encoding/json"
	"fmt"

	"warden/harness/model"
)

const chatPath = "chat/completions"

// chatBody is a POST /chat/completions body, kept to the fields the
// compatible servers agree on.
type chatBody struct {
	Model             string            `json:"model"`
	Messages          []chatMessage     `json:"messages"`
	Tools             []chatTool        `json:"tools,omitempty"`
	ParallelToolCalls *bool             `json:"parallel_tool_calls,omitempty"`
	ReasoningEffort   string            `json:"reasoning_effort,omitempty"`
	Stream            bool              `json:"stream"`
	StreamOptions     chatStreamOptions `json:"stream_options"`
}

type chatStreamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatMessage struct {
	Role string `json:"role"`
	// Content is always a string, "" for an assistant message that only
	// calls tools: OpenAI accepts that, and several compatible servers
	// reject the null the spec also allows.
	Content    string         `json:"content"`
	ToolCalls  []chatToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type chatToolCall struct {
	ID       string           `json:"id"`
	Type     string           `json:"type"`
	Function chatFunctionCall `json:"function"`
}

type chatFunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type chatTool struct {
	Type     string       `json:"type"`
	Function chatFunction `json:"function"`
}

type chatFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
}

// maxInlineGrammar is the longest grammar quoted in a freeform tool's
// parameter description; a longer one would crowd the tool list, and the
// tool's own description is expected to explain its format anyway.
const maxInlineGrammar = 1024

func buildChatBody(req model.Request) ([]byte, error) {
	body := chatBody{
		Model:           req.Model,
		ReasoningEffort: req.ReasoningEffort,
		Stream:          true,
		StreamOptions:   chatStreamOptions{IncludeUsage: true},
	}
	for _, spec := range req.Tools {
		t, err := chatToolFor(spec)
		if err != nil {
			return nil, fmt.Errorf("tool %s: %w", spec.Name, err)
		}
		body.Tools = append(body.Tools, t)
	}
	if len(body.Tools) > 0 {
		// Servers reject parallel_tool_calls in a request without tools.
		body.ParallelToolCalls = &req.ParallelToolCalls
	}
	msgs, err := chatMessages(req)
	if err != nil {
		return nil, err
	}
	body.Messages = msgs
	return json.Marshal(body)
}

// chatToolFor offers a freeform tool as a function taking one string,
// "input": Chat Completions has no custom tools.
func chatToolFor(spec model.ToolSpec) (chatTool, error) {
	fn := chatFunction{Name: spec.Name, Description: spec.Description, Parameters: spec.Parameters}
	if g := spec.Freeform; g != nil {
		desc := "The tool's raw input as one string (not JSON), in the format the tool description gives."
		if g.Definition != "" {
			desc = fmt.Sprintf("The tool's raw input as one string (not JSON); it must match the tool's %s grammar.", g.Syntax)
			if len(g.Definition) <= maxInlineGrammar {
				desc += "\n" + g.Definition
			}
		}
		schema := map[string]any{
			"type": "object",
			"properties": map[string]any{
				"input": map[string]any{"type": "string", "description": desc},
			},
			"required": []string{"input"},
		}
		raw, err := json.Marshal(schema)
		if err != nil {
			return chatTool{}, err
		}
		fn.Parameters = raw
	}
	if len(fn.Parameters) == 0 {
		fn.Parameters = json.RawMessage(emptyObjectSchema)
	}
	return chatTool{Type: "function", Function: fn}, nil
}

// chatMessages converts the history. An assistant reply is one message in
// Chat Completions, so its text and the tool calls that follow it are
// gathered until something that is not the assistant's (a user message, a
// tool result) closes it. Reasoning items are dropped: the wire has no
// portable field to send them back in.
func chatMessages(req model.Request) ([]chatMessage, error) {
	msgs := []chatMessage{}
	if req.Instructions != "" {
		msgs = append(msgs, chatMessage{Role: "system", Content: req.Instructions})
	}
	open := -1 // index of the assistant message being gathered
	assistant := func() *chatMessage {
		if open < 0 {
			msgs = append(msgs, chatMessage{Role: "assistant"})
			open = len(msgs) - 1
		}
		return &msgs[open]
	}
	for i, it := range req.Input {
		switch it.Type {
		case model.ItemMessage:
			switch it.Role {
			case model.RoleUser:
				open = -1
				msgs = append(msgs, chatMessage{Role: "user", Content: it.Text})
			case model.RoleDeveloper:
				// Many compatible servers reject the "developer" role.
				open = -1
				msgs = append(msgs, chatMessage{Role: "system", Content: it.Text})
			case model.RoleAssistant:
				m := assistant()
				if m.Content != "" && it.Text != "" {
					m.Content += "\n\n"
				}
				m.Content += it.Text
			default:
				return nil, fmt.Errorf("input item %d: message with unknown role %q", i, it.Role)
			}
		case model.ItemReasoning:
		case model.ItemFunctionCall:
			args := it.Arguments
			if !isJSONObject(args) {
				// Ollama and vLLM parse the arguments of every call in the
				// history and refuse the whole request if one is not an
				// object, which would break every later request of the
				// session. The call's output already tells the model what
				// was wrong with what it sent.
				args = "{}"
			}
			m := assistant()
			m.ToolCalls = append(m.ToolCalls, chatToolCall{ID: it.CallID, Type: "function", Function: chatFunctionCall{Name: it.Name, Arguments: args}})
		case model.ItemCustomToolCall:
			args, err := json.Marshal(map[string]string{"input": it.Arguments})
			if err != nil {
				return nil, fmt.Errorf("input item %d: %w", i, err)
			}
			m := assistant()
			m.ToolCalls = append(m.ToolCalls, chatToolCall{ID: it.CallID, Type: "function", Function: chatFunctionCall{Name: it.Name, Arguments: string(args)}})
		case model.ItemFunctionCallOutput, model.ItemCustomToolCallOutput:
			open = -1
			msgs = append(msgs, chatMessage{Role: "tool", Content: it.Output, ToolCallID: it.CallID})
		default:
			return nil, fmt.Errorf("input item %d: unknown item type %q", i, it.Type)
		}
	}
	return msgs, nil
}

func isJSONObject(s string) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &v) == nil && v != nil
}
