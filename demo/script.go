package demo

import (
	_ "embed"
	"encoding/json"

	"warden/fakemodel"
)

// The commands the demo model runs. Tests find the calls by these.
const (
	cleanCommand = "rm -rf build"
	testCommand  = "sh tests/test_semver.sh"
)

// fixPatch fixes the sample's bug; it is kept as a file so it reads as the
// patch it is. Tests check it applies to the sample as shipped.
//
//go:embed script/fix.patch
var fixPatch string

// summary is the final answer, long enough to show markdown streaming.
//
//go:embed script/summary.md
var summary string

// Paces: a pause between SSE events, in milliseconds, and the runes each
// delta carries. Thinking is slow, talking quicker, and a reply that is
// mostly a tool call or a patch streams in big chunks, since nobody reads
// those as they arrive.
type pace struct{ delayMS, chunk int }

func thinking() pace { return pace{delayMS: 30, chunk: 4} }
func talking() pace  { return pace{delayMS: 22, chunk: 5} }
func calling() pace  { return pace{delayMS: 15, chunk: 24} }

// Script is the scripted session the demo model plays, one reply per model
// request. The model cannot see what its tools return, so every reply after
// the approval request reads right whether the user allowed `rm -rf build`
// or not.
func Script() fakemodel.Script {
	return fakemodel.Script{
		Models: []string{Model},
		Replies: []fakemodel.Reply{
			reply(thinking(),
				think("Getting oriented",
					"The user says a minor bump keeps the patch number. Before touching anything I want to see how the project is laid out and where the version logic lives."),
				say("I'll start by getting my bearings in the repository."),
				shell("call_demo_ls", "ls -la")),
			reply(thinking(),
				think("Reading the README",
					"There is a `Makefile`, a `VERSION` file and a `build/` directory next to the sources. The README should say which file holds the logic."),
				shell("call_demo_readme", "cat README.md")),
			reply(thinking(),
				think("Finding every copy of bump()",
					"The README points at `lib/semver.sh`, but `build/` may hold a generated copy of the same code. I'll search the whole tree for the function."),
				shell("call_demo_grep", "grep -rn --exclude-dir=.git 'bump()' .")),
			reply(talking(),
				say("`bump()` is defined in `lib/semver.sh`, and a second, generated copy sits in `build/bumpver`. Let me read the real one."),
				shell("call_demo_read", "sed -n '1,40p' lib/semver.sh")),
			reply(thinking(),
				think("Spotting the bug",
					"The `major)` branch resets `minor` and `patch`, but the `minor)` branch only raises `minor` and leaves `patch` alone, so 1.2.3 becomes 1.3.3. The comment above `bump()` even promises the later parts are reset.\n\nThe bundle in `build/` predates `valid()` and carries the same bug. It is ignored by git and `make bundle` rebuilds it, so clearing it out is safe, but deleting files is the user's call."),
				plan("call_demo_plan1", "A one-line fix, plus a stale build to clear.",
					step{"Ask before clearing the stale bundle in build/", "in_progress"},
					step{"Make a minor bump reset the patch number", "pending"},
					step{"Run the tests", "pending"})),
			reply(talking(),
				say("Found it: the `minor)` branch of `bump()` never resets `patch`.\n\nBefore fixing it I'd like to clear out `build/`: it holds a stale bundle, built from 0.4.0, that still has this bug, and `make bundle` can rebuild it at any time. Deleting files needs your OK."),
				shellWhy("call_demo_clean", cleanCommand,
					"build/ only holds a stale generated bundle (ignored by git, rebuilt by `make bundle`) that still has the bug; remove it so nobody runs the old copy.")),
			reply(calling(),
				plan("call_demo_plan2", "",
					step{"Ask before clearing the stale bundle in build/", "completed"},
					step{"Make a minor bump reset the patch number", "in_progress"},
					step{"Run the tests", "pending"})),
			reply(calling(),
				think("Fixing the minor bump",
					"The fix is one line in `lib/semver.sh`: reset `patch` when `minor` goes up, the way the `major)` branch already does. I'll note it in the changelog too."),
				applyPatch("call_demo_patch", fixPatch)),
			reply(calling(),
				plan("call_demo_plan3", "",
					step{"Ask before clearing the stale bundle in build/", "completed"},
					step{"Make a minor bump reset the patch number", "completed"},
					step{"Run the tests", "in_progress"})),
			reply(talking(),
				say("Now the test suite, which checks every kind of bump:"),
				shell("call_demo_test", testCommand)),
			reply(calling(),
				plan("call_demo_plan4", "",
					step{"Ask before clearing the stale bundle in build/", "completed"},
					step{"Make a minor bump reset the patch number", "completed"},
					step{"Run the tests", "completed"})),
			reply(talking(), answer(summary)),
		},
	}
}

// epilogue answers whatever the user says once the script has played: the
// recording cannot hold a conversation, and says so instead of failing.
func epilogue() fakemodel.Reply {
	return reply(talking(), answer("That's the end of this scripted demo: the model here is a recording played by warden, so it cannot answer new questions.\n\n"+
		"To work with a real model, set `OPENAI_API_KEY` and run `warden` in your own project, or point it at a local OpenAI-compatible server with `--base-url` and `--wire chat`."))
}

func reply(p pace, out ...fakemodel.Output) fakemodel.Reply {
	return fakemodel.Reply{Output: out, DelayMS: p.delayMS, ChunkSize: p.chunk}
}

// think is a reasoning summary, titled in bold as OpenAI's models write
// them.
func think(title, body string) fakemodel.Output {
	return fakemodel.Output{Reasoning: &fakemodel.Reasoning{Summary: []string{"**" + title + "**\n\n" + body}}}
}

// say is a message the model writes between tool calls.
func say(text string) fakemodel.Output {
	return fakemodel.Output{Text: text, Phase: "commentary"}
}

func answer(text string) fakemodel.Output {
	return fakemodel.Output{Text: text, Phase: "final_answer"}
}

func shell(id, command string) fakemodel.Output {
	return call(id, "shell_command", shellArgs{Command: command})
}

// shellWhy runs a command the model expects to be asked about, with the
// sentence put to the user.
func shellWhy(id, command, justification string) fakemodel.Output {
	return call(id, "shell_command", shellArgs{Command: command, Justification: justification})
}

// shellArgs are shell_command's arguments (see tools/shell).
type shellArgs struct {
	Command       string `json:"command"`
	Justification string `json:"justification,omitempty"`
}

type step struct {
	Step   string `json:"step"`
	Status string `json:"status"`
}

func plan(id, explanation string, steps ...step) fakemodel.Output {
	return call(id, "update_plan", struct {
		Explanation string `json:"explanation,omitempty"`
		Plan        []step `json:"plan"`
	}{explanation, steps})
}

// applyPatch is apply_patch as the Responses wire carries it: a freeform call
// whose input is the patch text.
func applyPatch(id, text string) fakemodel.Output {
	return fakemodel.Output{Custom: &fakemodel.CustomCall{CallID: id, Name: "apply_patch", Input: text}}
}

func call(id, name string, args any) fakemodel.Output {
	// Only the fixed structs above are marshalled, which cannot fail.
	b, _ := json.Marshal(args)
	return fakemodel.Output{Call: &fakemodel.FunctionCall{CallID: id, Name: name, Arguments: string(b)}}
}
