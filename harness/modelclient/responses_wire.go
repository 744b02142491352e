package modelclient

import (
	"encoding/json"
	"fmt"

	"warden/harness/model"
)

const responsesPath = "responses"

// responsesBody is a POST /responses body. Requests are stateless: store is
// false and the whole conversation is in Input every time, so items carry no
// ids (the provider could not look them up) and reasoning travels as its
// encrypted content.
type responsesBody struct {
	Model             string              `json:"model"`
	Instructions      string              `json:"instructions,omitempty"`
	Input             []any               `json:"input"`
	Tools             []any               `json:"tools,omitempty"`
	ToolChoice        string              `json:"tool_choice,omitempty"`
	ParallelToolCalls bool                `json:"parallel_tool_calls"`
	Reasoning         *responsesReasoning `json:"reasoning,omitempty"`
	Include           []string            `json:"include,omitempty"`
	PromptCacheKey    string              `json:"prompt_cache_key,omitempty"`
	Store             bool                `json:"store"`
	Stream            bool                `json:"stream"`
}

type responsesReasoning struct {
	Effort  string `json:"effort,omitempty"`
	Summary string `json:"summary,omitempty"`
}

type inputMessage struct {
	Type    string        `json:"type"`
	Role    string        `json:"role"`
	Content []contentPart `json:"content"`
	Phase   string        `json:"phase,omitempty"`
}

type contentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type reasoningInput struct {
	Type             string        `json:"type"`
	Summary          []contentPart `json:"summary"` // required, even when empty
	EncryptedContent string        `json:"encrypted_content"`
}

type functionCallInput struct {
	Type      string `json:"type"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type customCallInput struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Name   string `json:"name"`
	Input  string `json:"input"`
}

type callOutputInput struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Output string `json:"output"`
}

type functionTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict"`
}

type customTool struct {
	Type        string       `json:"type"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Format      customFormat `json:"format"`
}

type customFormat struct {
	Type       string `json:"type"`
	Syntax     string `json:"syntax,omitempty"`
	Definition string `json:"definition,omitempty"`
}

// emptyObjectSchema stands in for a function tool that declares no
// parameters: providers reject a function without a schema.
const emptyObjectSchema = `{"type":"object","properties":{}}`

func buildResponsesBody(req model.Request) ([]byte, error) {
	body := responsesBody{
		Model:             req.Model,
		Instructions:      req.Instructions,
		Input:             []any{},
		ParallelToolCalls: req.ParallelToolCalls,
		PromptCacheKey:    req.PromptCacheKey,
		Store:             false,
		Stream:            true,
	}
	// Models without reasoning reject the parameter, so it is sent only when
	// asked for. "none" means no summary, which is what leaving it out does.
	summary := req.ReasoningSummary
	if summary == "none" {
		summary = ""
	}
	if req.ReasoningEffort != "" || summary != "" {
		body.Reasoning = &responsesReasoning{Effort: req.ReasoningEffort, Summary: summary}
	}
	if body.Reasoning != nil || req.IncludeReasoning {
		// With store=false, reasoning can only be carried to the next
		// request as encrypted content.
		body.Include = []string{"reasoning.encrypted_content"}
	}
	for _, spec := range req.Tools {
		body.Tools = append(body.Tools, responsesTool(spec))
	}
	if len(body.Tools) > 0 {
		// "auto" is the default anyway; naming it without tools only risks
		// a rejection from a stricter compatible server.
		body.ToolChoice = "auto"
	}
	for i, it := range req.Input {
		if it.Type == model.ItemReasoning && body.Include == nil {
			// Reasoning from another model, before the user switched to one
			// without reasoning: such a model rejects reasoning items.
			continue
		}
		in, err := responsesInput(it)
		if err != nil {
			return nil, fmt.Errorf("input item %d: %w", i, err)
		}
		if in != nil {
			body.Input = append(body.Input, in)
		}
	}
	return json.Marshal(body)
}

func responsesTool(spec model.ToolSpec) any {
	if g := spec.Freeform; g != nil {
		f := customFormat{Type: "grammar", Syntax: g.Syntax, Definition: g.Definition}
		if g.Definition == "" {
			f = customFormat{Type: "text"}
		}
		return customTool{Type: "custom", Name: spec.Name, Description: spec.Description, Format: f}
	}
	params := spec.Parameters
	if len(params) == 0 {
		params = json.RawMessage(emptyObjectSchema)
	}
	return functionTool{Type: "function", Name: spec.Name, Description: spec.Description, Parameters: params, Strict: false}
}

// responsesInput converts one history item; nil means the item is not sent.
func responsesInput(it model.Item) (any, error) {
	switch it.Type {
	case model.ItemMessage:
		switch it.Role {
		case model.RoleUser, model.RoleDeveloper:
			return inputMessage{Type: "message", Role: it.Role, Content: []contentPart{{Type: "input_text", Text: it.Text}}}, nil
		case model.RoleAssistant:
			return inputMessage{Type: "message", Role: it.Role, Content: []contentPart{{Type: "output_text", Text: it.Text}}, Phase: it.Phase}, nil
		}
		return nil, fmt.Errorf("message with unknown role %q", it.Role)
	case model.ItemReasoning:
		// Without its encrypted content a reasoning item can only be found
		// by id in stored state, which store=false requests do not have: the
		// provider would reject it. Its summary alone is no use to the model.
		if it.EncryptedContent == "" {
			return nil, nil
		}
		summary := make([]contentPart, 0, len(it.Summary))
		for _, s := range it.Summary {
			summary = append(summary, contentPart{Type: "summary_text", Text: s})
		}
		return reasoningInput{Type: "reasoning", Summary: summary, EncryptedContent: it.EncryptedContent}, nil
	case model.ItemFunctionCall:
		return functionCallInput{Type: "function_call", CallID: it.CallID, Name: it.Name, Arguments: it.Arguments}, nil
	case model.ItemCustomToolCall:
		return customCallInput{Type: "custom_tool_call", CallID: it.CallID, Name: it.Name, Input: it.Arguments}, nil
	case model.ItemFunctionCallOutput:
		return callOutputInput{Type: "function_call_output", CallID: it.CallID, Output: it.Output}, nil
	case model.ItemCustomToolCallOutput:
		return callOutputInput{Type: "custom_tool_call_output", CallID: it.CallID, Output: it.Output}, nil
	}
	return nil, fmt.Errorf("unknown item type %q", it.Type)
}
