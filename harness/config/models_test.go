package config

import "testing"

func TestContextWindow(t *testing.T) {
	t.Parallel()
	overrides := map[string]int64{
		"my-local-model": 32768,
		"gpt-4o":         64000,
		"openai/o3":      100,
	}
	tests := []struct {
		model string
		want  int64
	}{
		{"gpt-5.1-codex", 400_000},
		{"gpt-5.3-codex-spark", 128_000},
		{"gpt-5.4", 1_050_000},
		{"gpt-5-mini", 400_000},
		{"gpt-4.1", 1_047_576},
		{"o4-mini", 200_000},
		// dated snapshots and variants: the longest known name they extend
		{"gpt-4.1-2025-04-14", 1_047_576},
		{"gpt-4.1-mini-2025-04-14", 1_047_576},
		{"gpt-5-2025-08-07", 400_000},
		{"gpt-5-chat-latest", 128_000},
		{"o3-mini-2025-01-31", 200_000},
		{"gpt-5.1-codex-max-xyz", 400_000},
		// overrides, exact and as a prefix
		{"my-local-model", 32768},
		{"gpt-4o", 64000},
		{"gpt-4o-2024-08-06", 64000},
		{"gpt-4o-mini", 128_000},
		// provider prefixes
		{"openai/gpt-5.1-codex", 400_000},
		{"openai/o3", 100},
		// unknown
		{"", 0},
		{"llama3.1:8b", 0},
		{"gpt-5.9", 0},  // not "gpt-5": only a "-" extends a name
		{"gpt-4", 0},    // shorter than any known name
		{"o3x", 0},      // neither
		{"my-local", 0}, // a prefix of a known name is not that name
	}
	for _, tt := range tests {
		if got := ContextWindow(tt.model, overrides); got != tt.want {
			t.Errorf("ContextWindow(%q) = %d, want %d", tt.model, got, tt.want)
		}
	}
	if got := ContextWindow("gpt-4o", nil); got != 128_000 {
		t.Errorf("ContextWindow(gpt-4o, nil) = %d, want 128000", got)
	}
}

func TestReasons(t *testing.T) {
	for model, want := range map[string]bool{
		"gpt-5.1-codex": true, "gpt-5-mini": true, "o3": true, "o4-mini-2025-04-16": true,
		"openai/gpt-5": true, "codex-mini-latest": true,
		"gpt-4.1": false, "gpt-4o": false, "gpt-5-chat-latest": false, "qwen2.5-coder": false, "llama3": false,
	} {
		if got := Reasons(model); got != want {
			t.Errorf("Reasons(%q) = %v, want %v", model, got, want)
		}
	}
}

func TestReasoningSummaryDefaultsOnlyForReasoningModels(t *testing.T) {
	env := func(k string) string {
		if k == "HOME" {
			return t.TempDir()
		}
		return ""
	}
	for model, want := range map[string]string{"gpt-5.1-codex": "auto", "gpt-4.1": "", "llama3": ""} {
		s, err := Load(Overrides{Model: model}, env)
		if err != nil {
			t.Fatal(err)
		}
		if s.ReasoningSummary != want {
			t.Errorf("%s: summary %q, want %q", model, s.ReasoningSummary, want)
		}
	}
	s, err := Load(Overrides{Model: "llama3", ReasoningSummary: "detailed"}, env)
	if err != nil || s.ReasoningSummary != "detailed" {
		t.Fatalf("explicit summary lost: %q %v", s.ReasoningSummary, err)
	}
}
