package config

import "strings"

// ContextWindow is the context window of model in tokens, or 0 if unknown,
// so front-ends show nothing rather than a guess. overrides (the file's
// [models.X] context_window) extend and take precedence over the known
// windows of OpenAI's models.
//
// A name is looked up exactly, then by the longest known name it extends
// with "-", so dated snapshots (gpt-4.1-2025-04-14) and variants resolve to
// their family. A provider prefix such as OpenRouter's "openai/" is dropped
// if the full name is not known.
func ContextWindow(model string, overrides map[string]int64) int64 {
	known := knownContextWindows()
	for name, n := range overrides {
		known[name] = n
	}
	if n := lookupWindow(known, model); n > 0 {
		return n
	}
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		return lookupWindow(known, model[i+1:])
	}
	return 0
}

func lookupWindow(known map[string]int64, model string) int64 {
	if n, ok := known[model]; ok {
		return n
	}
	best := ""
	for name := range known {
		if len(name) > len(best) && strings.HasPrefix(model, name+"-") {
			best = name
		}
	}
	if best == "" {
		return 0
	}
	return known[best]
}

// knownContextWindows are the context windows OpenAI publishes for its
// models (input and output together). A fresh map each call, so callers may
// add to it.
func knownContextWindows() map[string]int64 {
	return map[string]int64{
		"gpt-5.5":             1_050_000,
		"gpt-5.4":             1_050_000,
		"gpt-5.4-pro":         1_050_000,
		"gpt-5.4-mini":        400_000,
		"gpt-5.4-nano":        400_000,
		"gpt-5.3-codex":       400_000,
		"gpt-5.3-codex-spark": 128_000,
		"gpt-5.2":             400_000,
		"gpt-5.2-codex":       400_000,
		"gpt-5.2-pro":         400_000,
		"gpt-5.2-chat-latest": 128_000,
		"gpt-5.1":             400_000,
		"gpt-5.1-codex":       400_000,
		"gpt-5.1-codex-mini":  400_000,
		"gpt-5.1-codex-max":   400_000,
		"gpt-5.1-chat-latest": 128_000,
		"gpt-5":               400_000,
		"gpt-5-codex":         400_000,
		"gpt-5-codex-mini":    400_000,
		"gpt-5-mini":          400_000,
		"gpt-5-nano":          400_000,
		"gpt-5-pro":           400_000,
		"gpt-5-chat-latest":   128_000,
		"gpt-4.1":             1_047_576,
		"gpt-4.1-mini":        1_047_576,
		"gpt-4.1-nano":        1_047_576,
		"gpt-4o":              128_000,
		"gpt-4o-mini":         128_000,
		"chatgpt-4o-latest":   128_000,
		"o4-mini":             200_000,
		"o3":                  200_000,
		"o3-pro":              200_000,
		"o3-mini":             200_000,
		"o1":                  200_000,
		"o1-pro":              200_000,
		"o1-mini":             128_000,
		"codex-mini-latest":   200_000,
	}
}

// Reasons reports whether model is one of OpenAI's reasoning models, which
// accept reasoning settings and stream reasoning summaries. Unknown models
// (local ones, other providers) are assumed not to, so warden sends them no
// reasoning parameter unless the user sets one.
func Reasons(model string) bool {
	if i := strings.LastIndexByte(model, '/'); i >= 0 {
		model = model[i+1:]
	}
	if strings.Contains(model, "chat-latest") {
		return false
	}
	for _, prefix := range []string{"gpt-5", "o1", "o3", "o4", "codex-"} {
		if strings.HasPrefix(model, prefix) {
			return true
		}
	}
	return false
}
