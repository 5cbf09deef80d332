package proposals

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/nnspatch/nnspatch/tui/common"
)

// SelectedGlyph marks the row under the cursor (besides its highlight).
const SelectedGlyph = "▶ "

// View implements tea.Model. It draws only the rows that fit; each row was
// laid out when the data arrived, so a frame costs the window, not the list.
func (p *Page) View() string {
	var b strings.Builder
	b.Grow((p.Width + 1) * p.Height * 3)
	b.WriteString(p.filterLine())
	b.WriteByte('\n')
	b.WriteString(p.Styles.Muted.Render(common.Fit(header(p.Width), p.Width)))
	h := p.listHeight()
	switch {
	case !p.loaded:
		b.WriteString("\n" + p.Styles.Muted.Render("loading proposals…"))
		h--
	case len(p.visible) == 0:
		b.WriteString("\n" + p.Styles.Muted.Render("no proposals match; press x to clear the filters"))
		h--
	}
	now := p.Now()
	end := min(p.offset+h, len(p.visible))
	for i := p.offset; i < end; i++ {
		r := &p.rows[p.visible[i]]
		b.WriteByte('\n')
		line := r.text + r.ends(now)
		if i == p.cursor {
			b.WriteString(p.Styles.Selected.Render(SelectedGlyph + line))
		} else {
			b.WriteString("  " + line)
		}
		h--
	}
	for ; h > 0; h-- {
		b.WriteByte('\n')
	}
	return b.String()
}

// filterLine shows the filters (or the field being typed) and how many
// proposals show out of how many loaded; when the last load was full,
// older proposals may exist and it says how to load them.
func (p *Page) filterLine() string {
	count := fmt.Sprintf("%d/%d", len(p.visible), len(p.rows))
	if p.more {
		count += fmt.Sprintf(" · showing the newest %d; L loads more", len(p.rows))
	}
	if p.loading {
		count += " ⟳"
	}
	left := p.Filter()
	switch {
	case p.searching:
		return common.Fit(p.search.View(), p.Width)
	case p.jumping:
		return common.Fit(p.jump.View(), p.Width)
	case p.search.Value() != "":
		left += " · search: " + common.Line(p.search.Value())
	}
	count = common.Truncate(count, p.Width-2, "…")
	left = common.Fit(left, max(p.Width-common.Width(count)-1, 1))
	return left + " " + p.Styles.Muted.Render(count)
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	k := p.Keys
	if p.searching || p.jumping {
		return []key.Binding{k.Open, k.Back, k.ClearField}
	}
	if p.more {
		return []key.Binding{k.Open, k.Search, k.Jump, k.More, k.Help, k.Quit}
	}
	return []key.Binding{k.Open, k.Search, k.Jump, k.Topic, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Open, k.Search, k.Jump, k.More, k.Topic, k.Status, k.ClearFilter, k.Refresh},
	}
}
