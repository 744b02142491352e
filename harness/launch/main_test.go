package launch

import (
	"os"
	"testing"

	"warden/sandbox"
	"warden/tools/patch"
)

// TestMain lets the test binary serve as the sandbox helper and the patch
// writer, as warden's own binary does, so sessions here run real commands.
func TestMain(m *testing.M) {
	if sandbox.IsHelper() {
		sandbox.HelperMain()
	}
	if patch.IsChild() {
		os.Exit(patch.ChildMain())
	}
	os.Exit(m.Run())
}
