// Package applypatch parses and applies patches in the Codex "apply_patch"
// format ("*** Begin Patch" … "*** End Patch").
//
// OpenAI's coding models are trained to edit files by writing this format
// rather than unified diffs, so a harness that accepts it exactly — including
// the small mistakes the models habitually make, such as padded markers,
// a missing first "@@", or typographic quotes and dashes that differ from the
// file — gets the most reliable edits out of them. The package is a pure
// library: the model-facing tool wrapper lives elsewhere and builds on Parse,
// Plan/Commit (to show a diff before approval) and Apply.
//
// Two choices differ from the Codex implementation on purpose:
//
//   - A patch is applied all-or-nothing. Every hunk is checked against the
//     files before anything is written, and Commit undoes its own partial work
//     if a write fails, because a half-applied patch leaves the model reasoning
//     about a tree that matches neither its intent nor its last read.
//   - Failures explain themselves (which file, which hunk, the lines not found
//     and the closest match in the file, with line numbers), so a model can
//     repair its patch in one try instead of re-reading blindly.
//
// Reference behaviour is pinned by the Codex conformance scenarios under
// testdata/conformance (Apache-2.0, see the LICENSE and NOTICE there).
package applypatch
