package sandbox

import (
	"slices"
	"testing"
)

func TestEnvFilter(t *testing.T) {
	t.Parallel()
	environ := []string{
		"PATH=/usr/bin", "HOME=/home/ada", "LANG=C.UTF-8",
		"OPENAI_API_KEY=sk-live-1234", "aws_secret_access_key=x", "GITHUB_TOKEN=ghp",
		"DB_PASSWORD=p", "MYSQL_PWD_PASSWD=p", "GOOGLE_APPLICATION_CREDENTIALS=/k.json",
		"HARMLESS=x-sk-live-1234-and-more", // holds the session's key: dropped whatever the name
		"AWS_REGION=eu", "DATABASE_URL=postgres://u:p@h/db", "GPG_KEY_ID=abc",
		"WARDEN_SANDBOX=full-access", "WARDEN_NETWORK_DISABLED=0",
		"MYSQL_PWD=p", "GH_PAT=ghp", "SSH_AUTH_SOCK=/run/agent", "SESSION_COOKIE=c",
		"REDIS_URL=redis://:hunter2@cache:6379/0", "SITE=https://example.com/a:b@c",
		"PWD=/home/ada/proj", "OLDPWD=/home/ada",
		"SMTP_PASS=p", "GPG_PASSPHRASE=p", "SENTRY_DSN=https://k@o.ingest.sentry.io/1", "APP_DSN=x",
		"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k",
		"ODBC=Driver={x};Server=s;Uid=u;Pwd=p;", "SLACK_WEBHOOK_URL=https://hooks.slack.com/x",
		"SESSION=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc",
		"PIP_EXTRA_INDEX_URL=https://pypi.org/simple https://u:pw@private/simple",
		"MIRROR=https://u:a/b/c@host/x", "GH=ghp_0123456789abcdefghijABCDEF", "STRIPE=sk_live_0123456789abcdef01",
		"ANTHROPIC=sk-ant-api03-0123456789abcdefghij", "AWS_ID=AKIA0123456789ABCDEF",
		"HDR=Bearer abcdefghijklmnopqrstuvwxyz", "CERT=-----BEGIN OPENSSH PRIVATE KEY-----",
		"NPM=npm_0123456789abcdefghijklmnopqrstuvwxyz", "MY_CREDS=x",
		"malformed", "=novalue",
	}
	p := EnvPolicy{
		Exclude: []string{"aws_*", "DATABASE_URL"},
		Include: []string{"gpg_key_*", "OPENAI_API_KEY"},
		Secrets: []string{"sk-live-1234"},
	}
	kept, dropped := p.filter(environ)
	want := []string{"PATH=/usr/bin", "HOME=/home/ada", "LANG=C.UTF-8", "GPG_KEY_ID=abc",
		"SITE=https://example.com/a:b@c", "PWD=/home/ada/proj", "OLDPWD=/home/ada"}
	if !slices.Equal(kept, want) {
		t.Errorf("kept %q\nwant %q", kept, want)
	}
	for _, name := range []string{"OPENAI_API_KEY", "aws_secret_access_key", "GITHUB_TOKEN", "DB_PASSWORD",
		"MYSQL_PWD_PASSWD", "GOOGLE_APPLICATION_CREDENTIALS", "HARMLESS", "AWS_REGION", "DATABASE_URL",
		"WARDEN_SANDBOX", "WARDEN_NETWORK_DISABLED", "MYSQL_PWD", "GH_PAT", "SSH_AUTH_SOCK",
		"SESSION_COOKIE", "REDIS_URL", "SMTP_PASS", "GPG_PASSPHRASE", "SENTRY_DSN", "APP_DSN",
		"AZURE_STORAGE_CONNECTION_STRING", "ODBC", "SLACK_WEBHOOK_URL", "SESSION", "PIP_EXTRA_INDEX_URL",
		"MIRROR", "GH", "STRIPE", "ANTHROPIC", "AWS_ID", "HDR", "CERT", "NPM", "MY_CREDS"} {
		if !slices.Contains(dropped, name) {
			t.Errorf("%s not dropped", name)
		}
	}
}

func TestCheckEnvPatterns(t *testing.T) {
	t.Parallel()
	if err := CheckEnvPatterns([]string{"AWS_*", "X?"}); err != nil {
		t.Error(err)
	}
	if err := CheckEnvPatterns([]string{"ok", "bad["}); err == nil || err.Error() != `malformed pattern "bad["` {
		t.Errorf("got %v", err)
	}
}

// A secret too short to be a credential is matched whole only: a one-letter
// "key" must not empty the environment.
func TestEnvShortSecret(t *testing.T) {
	t.Parallel()
	kept, _ := EnvPolicy{Secrets: []string{"x"}}.filter([]string{"PATH=/usr/bin:/x", "ONE=x"})
	if !slices.Equal(kept, []string{"PATH=/usr/bin:/x"}) {
		t.Errorf("kept %q", kept)
	}
}
