package tui

import (
	"context"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"warden/harness"
	"warden/harness/event"
	"warden/tui/approvaldialog"
	"warden/tui/cells"
	"warden/tui/composer"
	"warden/tui/diffview"
	"warden/tui/keys"
	"warden/tui/markdown"
	"warden/tui/pager"
	"warden/tui/status"
	"warden/tui/styles"
)

// Session is what the TUI needs of a harness session (harness.Session and
// launch.Session satisfy it; tests pass their own).
type Session interface {
	RunTurn(ctx context.Context, input string) harness.TurnResult
	Queue(input string)
	TakeQueued() []string
	Interrupt()
}

// Options configure the TUI.
type Options struct {
	// Session runs the turns; nil when Setup explains why none could start.
	Session Session
	// Bridge carries the session's events (its Sink was given to the
	// session).
	Bridge *Bridge
	// Setup, when not empty, is shown instead of a session: what the user
	// must do before warden can talk to a model (first run, no API key).
	Setup string
	// Status is the status line's starting content (model, sandbox mode and
	// why, approval policy, network, cwd, home).
	Status status.Info
	// Version heads the welcome cell.
	Version string
	// Root is the project root: @ completion lists its files.
	Root string
	// FirstPrompt is sent as soon as the TUI starts, when not empty.
	FirstPrompt string
	// NoColor: the user set NO_COLOR.
	NoColor bool
	// Now is the clock for elapsed times (time.Now if nil).
	Now func() time.Time
	// Print writes finished cells into the scrollback (tea.Println if nil;
	// tests record them).
	Print func(string) tea.Cmd
	// Control serves the slash commands that look into or change the
	// session (/status, /model, /approvals, /permissions, /diff, /new);
	// nil where there is no session to change.
	Control Control
}

// Model is the root bubbletea model.
type Model struct {
	opts   Options
	keys   keys.Map
	styles *styles.Styles
	md     *markdown.Renderer
	now    func() time.Time

	width, height int
	focused       bool

	composer composer.Model
	pager    *pager.Model
	// helpOpen: the pager shows the keys, not the transcript.
	helpOpen bool
	welcomed bool
	// welcomeWritten: Run wrote the welcome before the program started.
	welcomeWritten bool
	// altScreen is whether the terminal is on the alternate screen, as
	// bubbletea's output says (see screenWatch); nil in tests, where
	// nothing is written.
	altScreen *atomic.Bool

	// live holds the cells not yet printed into the scrollback, in order;
	// all holds every cell, for the pager.
	live []cells.Cell
	all  []cells.Cell
	// fullCache holds the pager rendering of finished cells, by index in
	// all, for fullWidth.
	fullCache []string
	fullWidth int
	// headPartial: the first live cell already printed part of itself.
	headPartial bool
	printer     printer

	turn turnState
	// approvals waiting for the user, oldest first; dialog asks about the
	// first.
	approvals []event.ApprovalRequested
	dialog    *approvaldialog.Model
	// picker, when open, takes the composer's place (/model, /approvals,
	// /permissions); diff is what the pager shows for /diff.
	picker *openPicker
	diff   *workspaceDiff
	// diffPending: /diff is comparing the workspace; controlPending: a
	// change to the session (/model, /approvals, a revoke, /new) is being
	// made, and another must wait for it.
	diffPending    bool
	controlPending bool
	// held are messages sent while controlPending, shown as queued and
	// sent once the change is made.
	held []queuedInput

	status     status.Info
	lastAnswer string
	quitArmed  bool
	quitting   bool
	spinner    int
	ticking    bool
	frame      frameCache
	// placeholder is the composer hint last set ("" is its default).
	placeholder string
	// lastHeight is the height of the last live frame drawn.
	lastHeight int
}

// turnState is what the TUI tracks of the running turn.
type turnState struct {
	running bool
	// lastStatus is how the last turn ended.
	lastStatus string
	// cancel cancels the running turn's context.
	cancel context.CancelFunc
	// queued is input sent to the session while the turn ran and not yet
	// taken into the conversation, with the cells showing it.
	queued []queuedInput
	// cells of the current step, by call or item id.
	calls     map[string]cells.Cell
	assistant *cells.Assistant
	reasoning *cells.Reasoning
	explored  *cells.Explored
}

type queuedInput struct {
	text string
	cell *cells.User
}

// New builds the root model.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	st := styles.New(styles.Options{Dark: true, NoColor: o.NoColor})
	km := keys.Default()
	m := &Model{
		opts:    o,
		keys:    km,
		styles:  st,
		md:      markdown.NewRenderer(st),
		now:     o.Now,
		width:   80,
		height:  24,
		focused: true,
		status:  o.Status,
	}
	m.printer.print = o.Print
	m.printer.room = m.printRoom
	m.frame.interval = frameInterval
	m.frame.clock = time.Now
	m.composer = composer.New(km, st)
	m.composer.SetCommands(slashCommands())
	m.composer.SetWidth(m.width)
	m.composer.Focus()
	m.turn.calls = map[string]cells.Cell{}
	return m
}

// Init starts listening for harness events, asks the terminal for its
// background colour, and lists the files for @ completion.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor}
	if m.opts.Bridge != nil {
		cmds = append(cmds, m.opts.Bridge.next())
	}
	if m.opts.Setup == "" {
		cmds = append(cmds, listFiles(m.opts.Root), readBranch(m.opts.Root))
	}
	return tea.Batch(cmds...)
}

// Messages of the root model's own commands.
type (
	submitMsg   struct{ text string }
	turnDoneMsg struct{ res harness.TurnResult }
	filesMsg    struct{ paths []string }
	branchMsg   struct{ branch string }
	tickMsg     struct{}
	queuedMsg   struct{ texts []string }
	statusMsg   struct{ text string }
	// mainScreenMsg: the terminal is back on the main screen.
	mainScreenMsg struct{}
)

// Update routes a message to whatever has focus and returns the commands
// to run, including printing newly finished cells into the scrollback.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.syncPlaceholder()
	// While the pager is open, finished cells wait to be printed until it
	// has closed on the terminal too (quitting closes it).
	m.printer.paused = (m.pager != nil || m.altScreen != nil && m.altScreen.Load()) && !m.quitting
	printing := m.flush()
	frame := m.frame.after(msg)
	if m.printer.started {
		m.printer.started = false
		m.frame.valid = false
	}
	return m, tea.Batch(cmd, printing, frame)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		// bubbletea repaints the whole frame after a resize, so the frame
		// may take its natural height again (see view).
		m.lastHeight = 0
		m.composer.SetWidth(m.width)
		// A short terminal keeps room for the transcript's live part.
		m.composer.SetHeightLimit(max(1, min(10, m.height/3)))
		if m.pager != nil {
			m.pager.SetSize(m.width, m.height)
			m.pager.SetContent(m.pagerContent())
			if m.diff != nil {
				m.setSplitHelp(m.pager)
			}
		}
		if !m.welcomed {
			// The welcome is printed once the terminal's width is known,
			// and the first prompt follows it.
			m.welcomed = true
			cmd := m.welcome()
			if m.opts.FirstPrompt != "" && m.opts.Setup == "" {
				cmd = tea.Batch(cmd, m.submit(m.opts.FirstPrompt))
			}
			return cmd
		}
		return nil
	case tea.BackgroundColorMsg:
		m.setStyles(msg.IsDark())
		return nil
	case tea.FocusMsg:
		m.focused = true
		return nil
	case tea.BlurMsg:
		m.focused = false
		return nil
	case eventsMsg:
		var cmds []tea.Cmd
		for _, e := range msg {
			cmds = append(cmds, m.handleEvent(e))
		}
		if m.opts.Bridge != nil {
			cmds = append(cmds, m.opts.Bridge.next())
		}
		if m.pager != nil && !m.helpOpen && m.diff == nil {
			// The open transcript follows the session.
			m.pager.SetContent(m.transcript())
		}
		cmds = append(cmds, m.startTicking())
		return tea.Batch(cmds...)
	case submitMsg:
		return m.submit(msg.text)
	case turnDoneMsg:
		return m.turnDone(msg.res)
	case queuedMsg:
		return m.resumeQueued(msg.texts)
	case filesMsg:
		m.composer.SetFiles(msg.paths)
		return nil
	case branchMsg:
		m.status.Branch = msg.branch
		return nil
	case mainScreenMsg:
		return nil // the printer resumes: see Update
	case statusMsg:
		m.add(cells.NewNotice(cells.NoticeInfo, msg.text))
		return nil
	case modelsMsg, permissionsMsg, controlDoneMsg, diffMsg, newSessionMsg:
		return m.handleControlMsg(msg)
	case tickMsg:
		m.ticking = false
		m.spinner++
		return m.startTicking()
	case printedMsg:
		return m.printer.printed()
	case frameMsg:
		return nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		if m.pager != nil {
			p, _ := m.pager.Update(msg)
			m.pager = &p
		}
		return nil
	}
	// Anything else (paste, cursor blink) belongs to the dialog or the
	// composer.
	if m.dialog != nil {
		return m.toDialog(msg)
	}
	if m.picker != nil {
		return m.toPicker(msg)
	}
	return m.toComposer(msg)
}

// syncPlaceholder makes the composer's hint say what typing does now.
// It runs after every message, so the composer (which lays the hint out
// again) is only told when the hint changes.
func (m *Model) syncPlaceholder() {
	hint := ""
	switch {
	case len(m.approvals) > 0:
		hint = "Answer the question above first"
	case m.turn.running:
		hint = runningPlaceholder
	}
	if hint != m.placeholder {
		m.placeholder = hint
		m.composer.SetPlaceholder(hint)
	}
}

// setStyles rebuilds everything that depends on the palette once the
// terminal has said whether its background is dark.
func (m *Model) setStyles(dark bool) {
	if m.styles.Options.Dark == dark {
		return
	}
	m.styles = styles.New(styles.Options{Dark: dark, NoColor: m.opts.NoColor})
	m.md = markdown.NewRenderer(m.styles)
	m.composer.SetStyles(m.styles)
	m.fullCache = nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	g := m.keys.Global
	if m.pager != nil {
		if m.diff != nil && key.Matches(msg, m.keys.Pager.Split) && diffview.CanSplit(m.width) {
			m.diff.split = !m.diff.split
			m.pager.SetContent(m.diffContent())
			m.setSplitHelp(m.pager)
			return nil
		}
		p, intent := m.pager.Update(msg)
		m.pager = &p
		if _, ok := intent.(pager.Close); ok {
			m.pager, m.diff = nil, nil
		}
		return nil
	}
	if key.Matches(msg, g.Quit) {
		return m.ctrlC()
	}
	m.quitArmed = false
	if m.dialog != nil {
		return m.toDialog(msg)
	}
	if m.picker != nil {
		return m.toPicker(msg)
	}
	switch {
	case key.Matches(msg, g.QuitEmpty) && m.composer.Empty():
		return m.quit()
	case key.Matches(msg, g.Transcript):
		m.openPager(false)
		return nil
	case key.Matches(msg, g.Interrupt) && !m.composer.Completing():
		if m.turn.running {
			return m.interrupt()
		}
		return nil
	case key.Matches(msg, g.Help) && m.composer.Empty() && m.opts.Setup == "":
		m.openPager(true)
		return nil
	}
	if m.opts.Setup != "" {
		return nil // nothing to type to: the setup screen says what to do
	}
	return m.toComposer(msg)
}

// openPager shows the full transcript, or the key bindings, full-screen.
func (m *Model) openPager(help bool) {
	title := "Transcript · everything expanded"
	if help {
		title = "Keyboard shortcuts and commands"
	}
	m.helpOpen, m.diff = help, nil
	p := pager.New(m.keys, m.styles, title, m.width, m.height)
	p.SetContent(m.pagerContent())
	if help {
		p.Top()
	}
	m.pager = &p
}

// pagerContent is what the open pager shows.
func (m *Model) pagerContent() string {
	if m.diff != nil {
		return m.diffContent()
	}
	if m.helpOpen {
		return m.helpView()
	}
	return m.transcript()
}

func (m *Model) toComposer(msg tea.Msg) tea.Cmd {
	if m.opts.Setup != "" {
		return nil
	}
	c, intent, cmd := m.composer.Update(msg)
	m.composer = c
	return tea.Batch(cmd, m.handleIntent(intent))
}

// ctrlC clears the composer; with nothing to clear it arms quitting, and a
// second press quits.
func (m *Model) ctrlC() tea.Cmd {
	if !m.composer.Empty() {
		m.composer.Reset()
		m.quitArmed = false
		return nil
	}
	if m.quitArmed || m.opts.Setup != "" {
		return m.quit()
	}
	m.quitArmed = true
	return nil
}

// quit stops the turn, prints what is still live, and exits.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.pager, m.diff = nil, nil
	var stop tea.Cmd
	if m.turn.running && m.opts.Session != nil {
		stop = m.interrupt()
	}
	// Everything still live goes to the scrollback, so nothing the user
	// saw is lost when the program ends; calls still running end as
	// aborted rather than "Running" forever.
	m.abortCalls()
	for _, c := range m.live {
		m.printer.add(m.separated(c.Render(m.cellContext(false))))
		m.headPartial = false
	}
	m.live = nil
	return tea.Batch(stop, m.printer.drainThen(tea.Quit))
}

// interrupt stops the running turn: the harness cancels the stream and
// kills the running command's process group, and tells the model.
func (m *Model) interrupt() tea.Cmd {
	s := m.opts.Session
	// The turn's own context is cancelled too: a turn asked for but not
	// yet started in the harness would miss Interrupt.
	cancel := m.turn.cancel
	return func() tea.Msg {
		if cancel != nil {
			cancel()
		}
		s.Interrupt()
		return nil
	}
}

// startTicking animates spinners and elapsed times while a turn runs; an
// idle TUI does not wake up at all.
func (m *Model) startTicking() tea.Cmd {
	if m.ticking || !m.turn.running && !m.diffPending {
		return nil
	}
	m.ticking = true
	return tea.Tick(100*time.Millisecond, func(time.Time) tea.Msg { return tickMsg{} })
}
