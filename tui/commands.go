package tui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"warden/harness/event"
	"warden/tui/cells"
	"warden/tui/composer"
	"warden/tui/internal/pathfmt"
	"warden/tui/internal/termsafe"
)

// slashCommands are the commands the composer completes after "/".
func slashCommands() []composer.Command {
	return []composer.Command{
		{Name: "model", Description: "choose the model and its reasoning effort"},
		{Name: "approvals", Description: "choose what warden may do without asking: Read Only, Auto, Full Access"},
		{Name: "permissions", Description: "every rule and approval in force, with its source; revoke one"},
		{Name: "diff", Description: "every change in the workspace since the session started"},
		{Name: "new", Description: "start a new session (the model forgets this one)"},
		{Name: "init", Description: "ask the agent to write an AGENTS.md for this repository"},
		{Name: "status", Description: "session, model, sandbox, approvals, tokens and the files in use"},
		{Name: "copy", Description: "copy the last answer to the clipboard"},
		{Name: "transcript", Description: "show the full transcript (ctrl+t)"},
		{Name: "help", Description: "keyboard shortcuts and commands"},
		{Name: "quit", Description: "exit warden"},
	}
}

// runCommand runs a slash command.
func (m *Model) runCommand(name, args string) tea.Cmd {
	switch name {
	case "copy":
		if m.lastAnswer == "" {
			m.add(cells.NewNotice(cells.NoticeWarning, "Nothing to copy yet: no answer has finished."))
			return nil
		}
		m.add(cells.NewNotice(cells.NoticeInfo, fmt.Sprintf("Copied the last answer (%d characters) to the clipboard.", len(m.lastAnswer))))
		// OSC 52 works over ssh and in tmux (with set-clipboard on), where
		// a clipboard program on this machine would not reach the user.
		return tea.SetClipboard(m.lastAnswer)
	case "transcript":
		m.openPager(false)
		return nil
	case "help":
		m.openPager(true)
		return nil
	case "init":
		return m.submit(initPrompt)
	case "status":
		ctl := m.opts.Control
		if ctl == nil {
			return nil
		}
		return func() tea.Msg { return statusMsg{text: ctl.StatusReport()} }
	case "model", "approvals", "permissions", "diff", "new":
		return m.runControlCommand(name)
	case "quit":
		return m.quit()
	}
	// The composer only offers the commands listed above.
	return nil
}

// initPrompt asks the agent for a contributor guide to the repository, the
// file warden itself reads into every session (AGENTS.md).
const initPrompt = `Write a file named AGENTS.md at the root of this repository: a short guide for coding agents and new contributors. Look at the repository first (layout, build and test commands, style and conventions, anything surprising), then write only what is true here and useful: the layout, how to build, test and lint, the conventions to follow, and pitfalls. Keep it under 200 lines. If an AGENTS.md already exists, improve it instead of replacing what is still right.`

// welcome is the first cell: who is running, where, and under which
// sandbox, so the user always knows what the agent may do.
func (m *Model) welcome() tea.Cmd {
	if m.welcomeWritten {
		m.welcomeWritten = false // Run wrote it; /new prints its own
		return nil
	}
	m.printer.add(m.welcomeText(m.width))
	return m.printer.start()
}

// welcomeText is the welcome at width.
func (m *Model) welcomeText(width int) string {
	st := m.styles
	s := m.status
	// Written straight to the terminal (see WriteWelcome): every value from
	// outside is cleaned here, a directory name first.
	clean := func(v string) string { return termsafe.Reveal(termsafe.Strip(v)) }
	s.Model, s.Cwd, s.Home = clean(s.Model), clean(s.Cwd), clean(s.Home)
	s.SandboxMode, s.SandboxWhy, s.ApprovalPolicy = clean(s.SandboxMode), clean(s.SandboxWhy), clean(s.ApprovalPolicy)
	title := st.Bold.Render("warden") + st.Dim.Render(" "+clean(m.opts.Version))
	lines := []string{title}
	if m.opts.Setup == "" {
		lines = append(lines,
			st.Dim.Render("model     ")+s.Model,
			st.Dim.Render("directory ")+pathfmt.Tilde(s.Cwd, s.Home),
			st.Dim.Render("sandbox   ")+sandboxLine(s.SandboxMode, s.SandboxWhy, s.Network)+st.Dim.Render(" · approvals "+s.ApprovalPolicy))
	}
	if m.opts.Setup == "" && s.SandboxWhy == "untrusted project" && s.SandboxMode == "read-only" {
		lines = append(lines, st.Dim.Render("          warden can read but not edit this project; to let it edit, choose Auto with ")+
			st.Code.Render("/approvals")+st.Dim.Render(", or trust the project for good: ")+st.Code.Render("warden trust"))
	}
	if m.opts.Setup == "" {
		lines = append(lines, "", st.Dim.Render("Type a message and press enter. ? shows the keys, ctrl+t the full transcript."))
	}
	text := ansi.Wrap(strings.Join(lines, "\n"), max(width, 20), " ")
	if m.opts.Setup != "" {
		// What to do before warden can start is printed, not drawn live:
		// it must be readable whole however small the terminal.
		text += "\n\n" + strings.Join(wrapKeepingIndent(m.opts.Setup, max(width, 20)), "\n")
	}
	return text
}

// earlyText is what the events that came before the program started say
// (a warning about a file that was not read), as it would be printed.
func (m *Model) earlyText(evs []event.Event) string {
	m.printer.paused = true
	defer func() { m.printer.paused = false }()
	for _, e := range evs {
		m.handleEvent(e)
	}
	m.flush()
	text := strings.Join(m.printer.queue, "\n")
	m.printer.queue = nil
	return text
}

// WriteWelcome writes the welcome to w at width before the program starts,
// and the program then does not print it. bubbletea v2.0.10 places a print
// made before its first frame at the top of the screen, over whatever was
// there (the end of a question asked before, the user's shell output).
func (m *Model) WriteWelcome(w io.Writer, width int) error {
	m.width = width
	var early string
	if m.opts.Bridge != nil {
		// Said before the program started: printed by it, they would meet
		// the same fate as the welcome.
		early = m.earlyText(m.opts.Bridge.take())
	}
	text := m.welcomeText(width)
	if early != "" {
		text += "\n" + early
	}
	if _, err := fmt.Fprintln(w, text); err != nil {
		return err
	}
	m.welcomeWritten = true
	return nil
}

func sandboxLine(mode, why string, network bool) string {
	line := mode
	if why != "" {
		line += " (" + why + ")"
	}
	if network {
		line += ", network on"
	} else if mode != "full-access" {
		line += ", network off"
	}
	return line
}

// listFiles lists the project's files for @ completion, off the UI loop.
func listFiles(root string) tea.Cmd {
	if root == "" {
		return nil
	}
	return func() tea.Msg {
		paths, err := composer.ListFiles(root, 20000)
		if err != nil {
			return nil // completion just has nothing to offer
		}
		return filesMsg{paths: paths}
	}
}

// readBranch reads the git branch for the status line, off the UI loop.
// It reads HEAD itself rather than running git, which would read the
// repository's own config (and whatever programs it names).
func readBranch(root string) tea.Cmd {
	if root == "" {
		return nil
	}
	return func() tea.Msg { return branchMsg{branch: branchOf(root)} }
}

// branchOf is the branch checked out in the work tree holding dir, "" when
// there is none (not a repository, a detached HEAD, anything unexpected).
func branchOf(dir string) string {
	for d := filepath.Clean(dir); ; {
		dotGit := filepath.Join(d, ".git")
		if fi, err := os.Lstat(dotGit); err == nil {
			gitDir := dotGit
			if fi.Mode().IsRegular() {
				// A worktree or submodule: .git names the real directory.
				data, err := readSmall(dotGit)
				target, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
				if err != nil || !ok {
					return ""
				}
				if !filepath.IsAbs(target) {
					target = filepath.Join(d, target)
				}
				gitDir = target
			}
			head, err := readSmall(filepath.Join(gitDir, "HEAD"))
			if err != nil {
				return ""
			}
			branch, ok := strings.CutPrefix(strings.TrimSpace(string(head)), "ref: refs/heads/")
			if !ok {
				return ""
			}
			return termsafe.Strip(branch)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// readSmall reads a small regular file: HEAD and .git files are a line
// long, and one that is a pipe or a huge file is not what it claims.
func readSmall(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, 4096))
}
