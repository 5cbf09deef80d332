package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
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
	avail := a.Width - ansi.StringWidth(left) - 1
	if avail < 5 {
		return common.Fit(left, a.Width)
	}
	net := ansi.Truncate(a.network, avail, "…")
	gap := a.Width - ansi.StringWidth(left) - ansi.StringWidth(net)
	return left + strings.Repeat(" ", gap) + a.Styles.Network.Render(net)
}

func (a *App) statusLine() string {
	switch {
	case a.err != nil:
		return a.Styles.ErrorLine.Render(common.Fit("✗ "+common.Line(a.err.Error())+" (esc dismiss · r retry)", a.Width))
	case a.status != "":
		return a.Styles.StatusLine.Render(common.Fit("✓ "+common.Line(a.status), a.Width))
	}
	return ""
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
			items = append(items, fmt.Sprintf("%-12s %s", h.Key, h.Desc))
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
	b.WriteString("  ● not voted by my neurons   + wait-for-quiet may extend the deadline\n")
	b.WriteString("  ✓ ok / passed   ✗ failed   … in progress\n")
	return b.String()
}
