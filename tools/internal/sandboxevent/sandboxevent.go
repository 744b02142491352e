// Package sandboxevent turns what the sandbox reports into the harness's
// event types, in one place for every tool that runs something in it (the
// sandbox knows nothing of the harness, and the harness nothing of it).
package sandboxevent

import (
	"warden/harness/event"
	"warden/sandbox"
)

// Denials converts the sandbox's denials; nil for none.
func Denials(ds []sandbox.Denial) []event.SandboxDenial {
	if len(ds) == 0 {
		return nil
	}
	out := make([]event.SandboxDenial, len(ds))
	for i, d := range ds {
		out[i] = event.SandboxDenial{Op: d.Op, Target: d.Target, Reason: d.Reason}
	}
	return out
}
