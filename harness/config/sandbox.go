package config

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// applySandbox validates the [sandbox] table and lays it over s.
func (f *file) applySandbox(s *SandboxSettings, getenv func(string) string) error {
	c := f.cfg.Sandbox
	if c == nil {
		return nil
	}
	key := func(k string) toml.Key { return toml.Key{"sandbox", k} }
	errAt := func(k string, err error) error { return f.errorAt(f.line(key(k)...), err) }
	if c.Network != nil {
		s.Network = *c.Network
	}
	for _, root := range c.WritableRoots {
		dir, err := expandHome(root, getenv)
		if err != nil {
			return errAt("writable_roots", fmt.Errorf("%s: %w", key("writable_roots"), err))
		}
		s.WritableRoots = append(s.WritableRoots, dir)
	}
	for _, d := range []struct {
		name string
		v    any
		dst  *time.Duration
	}{
		{"command_timeout", c.CommandTimeout, &s.CommandTimeout},
		{"max_command_timeout", c.MaxCommandTimeout, &s.MaxCommandTimeout},
	} {
		if d.v == nil {
			continue
		}
		v, err := checkDuration(key(d.name).String(), d.v)
		if err != nil {
			return errAt(d.name, err)
		}
		*d.dst = v
	}
	if s.CommandTimeout > s.MaxCommandTimeout {
		k := "command_timeout"
		if c.CommandTimeout == nil {
			k = "max_command_timeout"
		}
		return errAt(k, fmt.Errorf("sandbox.command_timeout (%s) must not exceed sandbox.max_command_timeout (%s)", s.CommandTimeout, s.MaxCommandTimeout))
	}
	for _, l := range []struct {
		name     string
		patterns []string
		dst      *[]string
	}{
		{"env_exclude", c.EnvExclude, &s.EnvExclude},
		{"env_include", c.EnvInclude, &s.EnvInclude},
	} {
		for _, p := range l.patterns {
			if _, err := path.Match(p, ""); err != nil || p == "" {
				return errAt(l.name, fmt.Errorf("%s: malformed pattern %q (a shell glob such as \"AWS_*\")", key(l.name), p))
			}
		}
		*l.dst = l.patterns
	}
	return nil
}

// expandHome makes "~/x" absolute; any other path must be absolute already.
func expandHome(p string, getenv func(string) string) (string, error) {
	if rest, ok := strings.CutPrefix(p, "~/"); ok || p == "~" {
		home := getenv("HOME")
		if home == "" {
			return "", fmt.Errorf("%q needs HOME, which is not set", p)
		}
		return filepath.Join(home, rest), nil
	}
	if !filepath.IsAbs(p) {
		return "", fmt.Errorf("%q must be an absolute path (or start with ~/)", p)
	}
	return filepath.Clean(p), nil
}
