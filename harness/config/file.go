package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"warden/harness/internal/tomlline"
)

// fileConfig is config.toml. Pointers tell "not in the file" from a zero
// value, so the file overrides only what it mentions.
type fileConfig struct {
	Model              *string                 `toml:"model"`
	Provider           *string                 `toml:"provider"`
	ReasoningEffort    *string                 `toml:"reasoning_effort"`
	ReasoningSummary   *string                 `toml:"reasoning_summary"`
	StreamIdleTimeout  any                     `toml:"stream_idle_timeout"` // any: to explain `= 300` ourselves
	MaxSteps           *int                    `toml:"max_steps"`
	SandboxMode        *string                 `toml:"sandbox_mode"`
	Preset             *string                 `toml:"preset"`
	ApprovalPolicy     *string                 `toml:"approval_policy"`
	ProjectDocMaxBytes *int                    `toml:"project_doc_max_bytes"`
	ToolOutputTokens   *int                    `toml:"tool_output_token_limit"`
	Sandbox            *fileSandbox            `toml:"sandbox"`
	Providers          map[string]fileProvider `toml:"providers"`
	Models             map[string]fileModel    `toml:"models"`
}

type fileSandbox struct {
	Network           *bool    `toml:"network"`
	WritableRoots     []string `toml:"writable_roots"`
	CommandTimeout    any      `toml:"command_timeout"`
	MaxCommandTimeout any      `toml:"max_command_timeout"`
	EnvExclude        []string `toml:"env_exclude"`
	EnvInclude        []string `toml:"env_include"`
}

type fileProvider struct {
	BaseURL *string `toml:"base_url"`
	EnvKey  *string `toml:"env_key"`
	Wire    *string `toml:"wire"`
}

type fileModel struct {
	ContextWindow *int64 `toml:"context_window"`
}

// file is a decoded config file, kept with its text so errors found after
// decoding can still point at a line.
type file struct {
	path string
	text string
	cfg  fileConfig
}

// readFile decodes the file at path; nil if there is none to read.
func readFile(path string, named bool) (*file, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !named && errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("load config %s: %w", path, err)
	}
	f := &file{path: path, text: string(data)}
	md, err := toml.Decode(f.text, &f.cfg)
	if err != nil {
		return nil, fmt.Errorf("load config %s: %w", path, tomlError{err})
	}
	if err := f.checkUnknown(md.Undecoded()); err != nil {
		return nil, err
	}
	return f, nil
}

// tomlError drops the decoder's "toml: " prefix, since the message already
// starts with "load config FILE".
type tomlError struct{ err error }

func (e tomlError) Error() string { return strings.TrimPrefix(e.err.Error(), "toml: ") }
func (e tomlError) Unwrap() error { return e.err }

// checkUnknown reports keys warden does not read: a misspelt key would
// otherwise silently do nothing. Only the outermost unknown key of a
// table is reported, not everything under it too.
func (f *file) checkUnknown(keys []toml.Key) error {
	var outer []toml.Key
	for _, k := range keys {
		if !slices.ContainsFunc(outer, func(o toml.Key) bool { return under(k, o) }) {
			outer = append(outer, k)
		}
	}
	var errs []error
	for _, o := range outer {
		// A table made implicitly ([a.b] makes a) has no line of its own:
		// point at the first key under it that does.
		line := 0
		for _, k := range keys {
			if line == 0 && under(k, o) {
				line = f.line(k...)
			}
		}
		errs = append(errs, f.errorAt(line, fmt.Errorf("unknown key %q", o.String())))
	}
	return errors.Join(errs...)
}

// under reports whether k is key o or inside it.
func under(k, o toml.Key) bool {
	return len(k) >= len(o) && slices.Equal(k[:len(o)], o)
}

// apply validates the file's values and lays them over s and providers.
func (f *file) apply(s *Settings, providers map[string]Provider, providerName *string) error {
	c := f.cfg
	// Providers first: "provider" may name one defined here.
	names := make([]string, 0, len(c.Providers))
	for name := range c.Providers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := f.applyProvider(name, c.Providers[name], providers); err != nil {
			return err
		}
	}

	strs := []struct {
		key   string
		v     *string
		check func(name, v string) error
		dst   *string
	}{
		{"model", c.Model, nonEmpty, &s.Model},
		{"provider", c.Provider, func(n, v string) error { return checkProvider(n, v, providers) }, providerName},
		{"reasoning_effort", c.ReasoningEffort, emptyOr(checkEffort), &s.ReasoningEffort},
		{"reasoning_summary", c.ReasoningSummary, checkSummary, &s.ReasoningSummary},
		{"sandbox_mode", c.SandboxMode, checkSandbox, &s.SandboxMode},
		{"approval_policy", c.ApprovalPolicy, checkApproval, &s.ApprovalPolicy},
	}
	if c.Preset != nil {
		mode, policy, err := presetSettings("preset", *c.Preset)
		if err != nil {
			return f.errorAt(f.line("preset"), err)
		}
		s.SandboxMode, s.ApprovalPolicy, s.SandboxModeChosen = mode, policy, true
	}
	if c.SandboxMode != nil {
		s.SandboxModeChosen = true
	}
	for _, e := range strs {
		if e.v == nil {
			continue
		}
		if err := e.check(e.key, *e.v); err != nil {
			return f.errorAt(f.line(e.key), err)
		}
		*e.dst = *e.v
	}

	if v := c.StreamIdleTimeout; v != nil {
		d, err := checkDuration("stream_idle_timeout", v)
		if err != nil {
			return f.errorAt(f.line("stream_idle_timeout"), err)
		}
		s.StreamIdleTimeout = d
	}
	if v := c.MaxSteps; v != nil {
		if *v < 1 {
			return f.errorAt(f.line("max_steps"), fmt.Errorf("max_steps must be at least 1, got %d", *v))
		}
		s.MaxSteps = *v
	}
	if v := c.ToolOutputTokens; v != nil {
		if *v < 100 || *v > 200_000 {
			return f.errorAt(f.line("tool_output_token_limit"), fmt.Errorf("tool_output_token_limit must be between 100 and 200000 tokens (the sandbox keeps 1 MiB of a command's output), got %d", *v))
		}
		s.ToolOutputTokens = *v
	}
	if v := c.ProjectDocMaxBytes; v != nil {
		if *v < 0 {
			return f.errorAt(f.line("project_doc_max_bytes"), fmt.Errorf("project_doc_max_bytes must be 0 or more, got %d", *v))
		}
		s.ProjectDocMaxBytes = *v
	}

	names = names[:0]
	for name := range c.Models {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if v := c.Models[name].ContextWindow; v != nil && *v <= 0 {
			key := toml.Key{"models", name, "context_window"}
			return f.errorAt(f.line(key...), fmt.Errorf("%s must be positive, got %d", key, *v))
		}
	}
	return nil
}

// applyProvider overrides a built-in provider field by field, or defines a
// new one, which must at least say where it is.
func (f *file) applyProvider(name string, fp fileProvider, providers map[string]Provider) error {
	p, builtin := providers[name]
	if !builtin {
		p = Provider{Wire: WireChat} // what most OpenAI-compatible servers speak
	}
	p.Name = name
	key := func(field string) toml.Key { return toml.Key{"providers", name, field} }
	switch {
	case fp.BaseURL != nil:
		if err := checkURL(key("base_url").String(), *fp.BaseURL); err != nil {
			return f.errorAt(f.line(key("base_url")...), err)
		}
		p.BaseURL = *fp.BaseURL
	case !builtin:
		err := fmt.Errorf("%s must be set: %q is not a built-in provider", key("base_url"), name)
		return f.errorAt(f.line("providers", name), err)
	}
	if fp.EnvKey != nil {
		p.EnvKey = *fp.EnvKey
	}
	if fp.Wire != nil {
		if err := checkWire(key("wire").String(), *fp.Wire); err != nil {
			return f.errorAt(f.line(key("wire")...), err)
		}
		p.Wire = *fp.Wire
	}
	providers[name] = p
	return nil
}

// contextWindows are the file's [models.X] context_window entries.
func (f *file) contextWindows() map[string]int64 {
	m := make(map[string]int64, len(f.cfg.Models))
	for name, fm := range f.cfg.Models {
		if fm.ContextWindow != nil {
			m[name] = *fm.ContextWindow
		}
	}
	return m
}

func (f *file) errorAt(line int, err error) error {
	if line > 0 {
		return fmt.Errorf("load config %s: line %d: %w", f.path, line, err)
	}
	return fmt.Errorf("load config %s: %w", f.path, err)
}

// line is the line on which key is defined, 0 if that cannot be told.
func (f *file) line(key ...string) int { return tomlline.Of(f.text, key...) }

func nonEmpty(name, v string) error {
	if v == "" {
		return fmt.Errorf("%s must not be empty", name)
	}
	return nil
}

// emptyOr allows "" besides what check allows: an explicit "use the
// provider's default".
func emptyOr(check func(name, v string) error) func(name, v string) error {
	return func(name, v string) error {
		if v == "" {
			return nil
		}
		return check(name, v)
	}
}
