package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/components/tallybar"
)

func (a *App) tabBar() string {
	parts := []string{a.Styles.Header.Render("nnspatch")}
	for i, p := range a.pages {
		label := fmt.Sprintf("%d %s", i+1, p.Title())
		if i == a.active {
			parts = append(parts, a.Styles.ActiveTab.Render("["+label+"]"))
		} else {
			parts = append(parts, a.Styles.Tab.Render(" "+label+" "))
		}
	}
	left := strings.Join(parts, " ")
	// The network's name stays in view: its URL is cut first.
	lw := common.Width(left)
	avail := a.Width - lw - 1
	if avail < 5 {
		return common.Fit(left, a.Width)
	}
	net := common.Truncate(common.Line(a.network), avail, "…")
	gap := a.Width - lw - common.Width(net)
	return left + strings.Repeat(" ", gap) + a.Styles.Network.Render(net)
}

// statusLine is the page in view's own line: its last message (until it
// expires) on the left; on the right how old its data is, marked stale with
// the error when the last refresh failed.
func (a *App) statusLine() string {
	st, now := &a.state[a.active], a.Wall()
	right := ""
	if !st.loaded.IsZero() {
		right = "updated " + common.Age(now.Sub(st.loaded)) + " ago"
	}
	if st.stale != nil {
		right = "⚠ stale · " + right
		if st.loaded.IsZero() {
			right = "⚠ not loaded"
		}
	}
	n, shown := st.visibleNote(now)
	if shown && right != "" {
		// A message takes the whole line when it needs it; the age waits
		// until it expires (a stale mark stays).
		if msgW := common.Width(common.Line(n.text)) + common.Width("✗  (esc dismiss)"); msgW+1+common.Width(right) > a.Width {
			right = ""
			if st.stale != nil {
				right = "⚠ stale"
			}
		}
	}
	leftW := a.Width
	if right != "" {
		leftW = max(a.Width-common.Width(right)-1, 0)
	}
	var left string
	switch {
	case shown && n.err:
		left = a.Styles.ErrorLine.Render(common.Fit("✗ "+common.Line(n.text)+" (esc dismiss)", leftW))
	case shown:
		left = a.Styles.StatusLine.Render(common.Fit("✓ "+common.Line(n.text), leftW))
	case st.stale != nil:
		left = a.Styles.Warn.Render(common.Fit("⚠ "+common.Line(st.stale.Error())+" (r retry)", leftW))
	case right == "":
		return ""
	default:
		left = common.Fit("", leftW)
	}
	if right == "" {
		return left
	}
	style := a.Styles.Muted
	if st.stale != nil {
		style = a.Styles.Warn
	}
	return left + " " + style.Render(right)
}

// fullHelp is the `?` screen: the global keys, the page's keys and the
// legend of the symbols the pages use.
func (a *App) fullHelp() string {
	k := a.Keys
	groups := append([][]key.Binding{{k.NextPage, k.PrevPage, k.Proposals, k.Detail, k.Draft, k.Releases, k.Rollback, k.Help, k.Quit}},
		a.pages[a.active].FullHelp()...)
	var b strings.Builder
	b.WriteString(a.Styles.Title.Render("Keys — "+a.pages[a.active].Title()) + "\n")
	var items []string
	for _, g := range groups {
		for _, bnd := range g {
			h := bnd.Help()
			items = append(items, common.Pad(h.Key, 12)+" "+h.Desc)
		}
	}
	// Two columns, so the whole keymap fits 80x24.
	half := (len(items) + 1) / 2
	col := max(a.Width/2-2, 10)
	for i := 0; i < half; i++ {
		right := ""
		if i+half < len(items) {
			right = items[i+half]
		}
		b.WriteString("  " + common.Fit(items[i], col) + right + "\n")
	}
	b.WriteString(a.Styles.Section.Render("Symbols") + "\n")
	b.WriteString("  " + tallybar.Legend() + "\n")
	b.WriteString("  ● not voted by the neurons in use   + wait-for-quiet may extend the deadline\n")
	b.WriteString("  ✓ ok / passed   ✗ failed   … in progress   ⚠ stale: the last refresh failed\n")
	b.WriteString("  A focused text field takes every typed key (digits, q); esc leaves it.\n")
	return b.String()
}
