package sandbox

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// secretWords mark a variable as a secret when its name contains one of
// them, in any case: commands never see such variables unless the user
// includes them by name. secretNames and secretSuffixes catch well-known
// ones the words miss.
var (
	secretWords    = []string{"KEY", "SECRET", "TOKEN", "PASS", "CREDENTIAL", "CREDS", "AUTH", "BEARER", "COOKIE", "WEBHOOK", "CONNECTION_STRING", "PRIVATE"}
	secretNames    = []string{"MYSQL_PWD", "SENTRY_DSN"}
	secretSuffixes = []string{"_PAT", "_PWD", "_DSN"}
)

// minSecretLen is the shortest value of Secrets matched inside other
// values: a one-letter "key" would otherwise match every variable.
const minSecretLen = 8

// EnvPolicy decides which of the user's environment variables a command
// sees. Patterns are shell globs matched against the whole name, ignoring
// case ("AWS_*", "DATABASE_URL").
type EnvPolicy struct {
	// Exclude drops matching variables besides the secret-looking ones.
	Exclude []string
	// Include keeps matching variables that the secret filter would drop.
	// It cannot bring back a variable holding one of the session's own
	// credentials (Secrets).
	Include []string
	// Secrets are values that must never reach a command (the model's API
	// key): a variable containing one is dropped whatever its name.
	Secrets []string
}

// filter returns the variables of environ a command may see, and the names
// of those it dropped.
func (p EnvPolicy) filter(environ []string) (kept []string, dropped []string) {
	kept = make([]string, 0, len(environ))
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			continue
		}
		if p.drops(name, value) {
			dropped = append(dropped, name)
			continue
		}
		kept = append(kept, kv)
	}
	return kept, dropped
}

func (p EnvPolicy) drops(name, value string) bool {
	for _, s := range p.Secrets {
		if s != "" && (value == s || (len(s) >= minSecretLen && strings.Contains(value, s))) {
			return true
		}
	}
	if globMatch(p.Exclude, name) {
		return true
	}
	upper := strings.ToUpper(name)
	secret := slices.Contains(secretNames, upper) || secretValue(value)
	for _, w := range secretWords {
		secret = secret || strings.Contains(upper, w)
	}
	for _, suf := range secretSuffixes {
		secret = secret || (strings.HasSuffix(upper, suf) && upper != "PWD" && upper != "OLDPWD")
	}
	if secret {
		return !globMatch(p.Include, name)
	}
	// warden's own variables describe the session, not the command: the
	// runner sets those a command should see.
	return strings.HasPrefix(upper, "WARDEN_")
}

// secretValue recognises credentials by their shape, whatever the name: a
// URL with a password in it (postgres://user:secret@host/db, anywhere in
// the value), a connection string with a password or key
// (…;Password=…;, AccountKey=…), a JSON web token.
func secretValue(value string) bool {
	lower := strings.ToLower(value)
	for _, k := range []string{"password=", "pwd=", "accountkey=", "sharedaccesskey=", "secret="} {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return secretShapes.MatchString(value)
}

// secretShapes: a URL's user:password@ (the password may hold slashes), a
// bearer token, a JSON web token, a private key, and the prefixes of the
// common providers' keys.
var secretShapes = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s/@:]*:[^\s@]+@` +
	`|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{16,}|-----BEGIN [A-Z ]*PRIVATE KEY-----` +
	`|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+` +
	`|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glp(?:at|tt)-[A-Za-z0-9_-]{20,}` +
	`|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}|sk_(?:live|test)_[A-Za-z0-9]{16,}|rk_(?:live|test)_[A-Za-z0-9]{16,}` +
	`|xox[abposr]-[A-Za-z0-9-]{6,}|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}` +
	`|npm_[A-Za-z0-9]{30,}|hf_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{50,}|dop_v1_[a-f0-9]{40,})`)

func globMatch(patterns []string, name string) bool {
	upper := strings.ToUpper(name)
	for _, pat := range patterns {
		if ok, _ := path.Match(strings.ToUpper(pat), upper); ok {
			return true
		}
	}
	return false
}

// CheckEnvPatterns reports the first malformed glob in patterns.
func CheckEnvPatterns(patterns []string) error {
	for _, pat := range patterns {
		if _, err := path.Match(pat, ""); err != nil {
			return &patternError{pat}
		}
	}
	return nil
}

type patternError struct{ pattern string }

func (e *patternError) Error() string { return "malformed pattern " + `"` + e.pattern + `"` }

// setEnv replaces or appends name=value.
func setEnv(env []string, name, value string) []string {
	prefix := name + "="
	for i, kv := range env {
		if strings.HasPrefix(kv, prefix) {
			env[i] = prefix + value
			return env
		}
	}
	return append(env, prefix+value)
}
