package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"warden/harness/event"
	"warden/tui/cells"
	"warden/tui/diffview"
	"warden/tui/pager"
)

// workspaceDiff is what /diff shows in the pager: every change since the
// session started, and whether it is drawn side by side.
type workspaceDiff struct {
	changes []event.FileChange
	split   bool
}

// showDiff opens the pager on the workspace's changes, or says there are
// none.
func (m *Model) showDiff(msg diffMsg) tea.Cmd {
	m.diffPending = false
	if msg.err != nil {
		m.add(cells.NewNotice(cells.NoticeError, "/diff: "+msg.err.Error()))
		return nil
	}
	if len(msg.changes) == 0 {
		m.add(cells.NewNotice(cells.NoticeInfo, "No changes in the workspace since the session started."))
		return nil
	}
	if len(m.approvals) > 0 {
		// A question is waiting: it must stay in view.
		m.add(cells.NewNotice(cells.NoticeWarning, "/diff is ready; answer the question first, then ask again."))
		return nil
	}
	m.diff = &workspaceDiff{changes: msg.changes, split: diffview.CanSplit(m.width)}
	m.helpOpen = false
	p := pager.New(m.keys, m.styles, m.diffTitle(), m.width, m.height)
	p.SetContent(m.diffContent())
	m.setSplitHelp(&p)
	p.Top()
	m.pager = &p
	return nil
}

// setSplitHelp offers the side-by-side toggle where the terminal is wide
// enough for it, saying what it will do.
func (m *Model) setSplitHelp(p *pager.Model) {
	if !diffview.CanSplit(m.width) {
		p.SetExtraHelp()
		return
	}
	b := m.keys.Pager.Split
	if m.diff.split {
		b.SetHelp(b.Help().Key, "unified")
	}
	p.SetExtraHelp(b)
}

func (m *Model) diffTitle() string {
	added, removed := 0, 0
	for _, c := range m.diff.changes {
		added += c.Added
		removed += c.Removed
	}
	files := "files"
	if len(m.diff.changes) == 1 {
		files = "file"
	}
	return fmt.Sprintf("Changes since the session started · %d %s · +%d −%d", len(m.diff.changes), files, added, removed)
}

// diffContent draws the changes at the pager's width.
func (m *Model) diffContent() string {
	return diffview.Render(m.diff.changes, diffview.Options{
		Width:  m.width,
		Split:  m.diff.split && diffview.CanSplit(m.width),
		Styles: m.styles,
	})
}
