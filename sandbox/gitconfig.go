package sandbox

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// configReferences lists the paths a git config file makes git read or run
// from: included files (include.path, includeIf.*.path) and the
// core.hooksPath directory. Relative include paths are relative to the
// config file's directory, a relative hooksPath to the work tree. It reads
// enough of git's format for these keys: sections, quoted values, comments.
func configReferences(config, configDir, workTree, home string) (includes, hooks []string) {
	forEachConfigValue(config, func(section, key, value string) {
		addReference(section, key, value, configDir, workTree, home, &includes, &hooks)
	})
	return includes, hooks
}

func addReference(section, key, value, configDir, workTree, home string, includes, hooks *[]string) {
	switch {
	case (section == "include" || strings.HasPrefix(section, "includeif")) && key == "path":
		*includes = append(*includes, resolveConfigPath(value, configDir, home))
	case section == "core" && key == "hookspath" && (workTree != "" || filepath.IsAbs(value) || strings.HasPrefix(value, "~/")):
		*hooks = append(*hooks, resolveConfigPath(value, workTree, home))
	}
}

// envConfigReferences are the includes and hooks directory that git's
// GIT_CONFIG_COUNT, GIT_CONFIG_KEY_n and GIT_CONFIG_VALUE_n variables set.
func envConfigReferences(environ []string, workTree, home string) (includes, hooks []string) {
	n, _ := strconv.Atoi(lookupEnv(environ, "GIT_CONFIG_COUNT"))
	for i := range min(n, 1000) {
		key := strings.ToLower(lookupEnv(environ, fmt.Sprintf("GIT_CONFIG_KEY_%d", i)))
		dot, last := strings.Index(key, "."), strings.LastIndex(key, ".")
		if dot < 0 {
			continue
		}
		addReference(key[:dot]+strings.ReplaceAll(key[dot:last], ".", "."), key[last+1:],
			lookupEnv(environ, fmt.Sprintf("GIT_CONFIG_VALUE_%d", i)), workTree, workTree, home, &includes, &hooks)
	}
	return includes, hooks
}

// worktreeConfig reports whether extensions.worktreeConfig is on, which
// makes git read config.worktree too.
func worktreeConfig(config string) bool {
	on := false
	forEachConfigValue(config, func(section, key, value string) {
		if section == "extensions" && key == "worktreeconfig" {
			on = strings.EqualFold(value, "true") || value == "1" || strings.EqualFold(value, "yes") || strings.EqualFold(value, "on")
		}
	})
	return on
}

// configValueOf is the last value of section.key in a config file, "".
func configValueOf(config, section, key string) string {
	v := ""
	forEachConfigValue(config, func(s, k, value string) {
		if s == section && k == key {
			v = value
		}
	})
	return v
}

func forEachConfigValue(config string, fn func(section, key, value string)) {
	fi, err := os.Lstat(config)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	f, err := os.Open(config)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(io.LimitReader(f, 1<<20))
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				continue
			}
			name := line[1:end]
			sub := ""
			if i := strings.IndexAny(name, " \t"); i >= 0 {
				name, sub = name[:i], strings.Trim(strings.TrimSpace(name[i:]), `"`)
			}
			section = strings.ToLower(name)
			if sub != "" {
				section += "." + sub
			}
			line = strings.TrimSpace(line[end+1:])
			if line == "" {
				continue
			}
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		fn(section, strings.ToLower(strings.TrimSpace(key)), configValue(value))
	}
}

// configValue unquotes a value and drops a trailing comment.
func configValue(v string) string {
	v = strings.TrimSpace(v)
	var b strings.Builder
	quoted := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '"':
			quoted = !quoted
		case c == '\\' && i+1 < len(v):
			i++
			b.WriteByte(v[i])
		case (c == '#' || c == ';') && !quoted:
			return strings.TrimSpace(b.String())
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// resolveConfigPath makes a path from a git file absolute: ~/ is home,
// and a relative path is relative to base.
func resolveConfigPath(p, base, home string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok && home != "" {
		return filepath.Join(home, rest)
	}
	if !filepath.IsAbs(p) {
		return filepath.Join(base, p)
	}
	return p
}
