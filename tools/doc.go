// Package tools will hold the model's tools (shell_command, apply_patch,
// update_plan; issue 4), each implementing harness/tool.Tool. Until they land
// `warden exec` runs the loop with no tools registered.
package tools
