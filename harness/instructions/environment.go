package instructions

import (
	"fmt"
	"strings"
)

// Env describes where and how the session runs.
type Env struct {
	Cwd            string
	Shell          string // e.g. "bash"
	Date           string // YYYY-MM-DD, the caller's today: the model has no clock
	SandboxMode    string
	NetworkEnabled bool
	ApprovalPolicy string
	OS             string // optional, e.g. "linux"
}

// EnvironmentContext renders e as the <environment_context> block given to
// the model as a user message. Empty fields are left out.
func EnvironmentContext(e Env) string {
	network := "restricted"
	if e.NetworkEnabled {
		network = "enabled"
	}
	var b strings.Builder
	b.WriteString("<environment_context>\n")
	for _, f := range []struct{ tag, v string }{
		{"cwd", e.Cwd},
		{"shell", e.Shell},
		{"current_date", e.Date},
		{"sandbox_mode", e.SandboxMode},
		{"network_access", network},
		{"approval_policy", e.ApprovalPolicy},
		{"os", e.OS},
	} {
		if f.v != "" {
			fmt.Fprintf(&b, "  <%s>%s</%s>\n", f.tag, xmlEscaper().Replace(f.v), f.tag)
		}
	}
	b.WriteString("</environment_context>")
	return b.String()
}

// xmlEscaper keeps a path such as "a<b>&c" from breaking the block.
func xmlEscaper() *strings.Replacer {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
}
