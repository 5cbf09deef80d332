// Package keymap is the TUI's one keymap: every key binding with its help
// text, built by DefaultKeyMap. Pages pick the bindings they show in their
// short and full help.
package keymap

import "github.com/charmbracelet/bubbles/key"

// KeyMap holds every binding of the app.
type KeyMap struct {
	// Global keys.
	Quit, Help, NextPage, PrevPage, Back, Refresh key.Binding
	// Page jumps.
	Proposals, Detail, Draft, Releases, Rollback key.Binding
	// List movement.
	Up, Down, PageUp, PageDown, Home, End, Open key.Binding
	// Proposals filters, jump to an id and loading older proposals.
	Search, Topic, Status, ClearFilter, Jump, More key.Binding
	// Proposal actions.
	VoteYes, VoteNo, Verify, OpenURL key.Binding
	// Confirmations.
	Confirm, Cancel key.Binding
	// Draft form.
	NextField, PrevField, Run, Submit, LeaveField, ClearField, DeleteWord key.Binding
	// Releases.
	Advance, NextRelease, PrevRelease key.Binding
	// Releases: plan the rollout, halt, resume, record the disclosure.
	PlanRollout, Halt, Resume, Disclose key.Binding
	// Rollback.
	Plan, SubmitRollback key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() *KeyMap {
	b := func(help string, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return &KeyMap{
		Quit:           b("q", "quit", "q", "ctrl+c"),
		Help:           b("?", "keys", "?"),
		NextPage:       b("tab", "next page", "tab"),
		PrevPage:       b("shift+tab", "previous page", "shift+tab"),
		Back:           b("esc", "back", "esc"),
		Refresh:        b("r", "refresh", "r"),
		Proposals:      b("1", "proposals", "1"),
		Detail:         b("2", "detail", "2"),
		Draft:          b("3", "draft", "3"),
		Releases:       b("4", "releases", "4"),
		Rollback:       b("5", "rollback", "5"),
		Up:             b("↑/k", "up", "up", "k"),
		Down:           b("↓/j", "down", "down", "j"),
		PageUp:         b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown:       b("pgdn", "page down", "pgdown", "ctrl+d"),
		Home:           b("g", "top", "home", "g"),
		End:            b("G", "bottom", "end", "G"),
		Open:           b("enter", "open", "enter"),
		Search:         b("/", "search", "/"),
		Topic:          b("t", "topic filter", "t"),
		Status:         b("s", "status filter", "s"),
		ClearFilter:    b("x", "clear filters", "x"),
		Jump:           b("#", "go to id", "#"),
		More:           b("L", "load older", "L"),
		VoteYes:        b("y", "vote yes", "y"),
		VoteNo:         b("n", "vote no", "n"),
		Verify:         b("v", "verify artifact", "v"),
		OpenURL:        b("o", "open on dashboard", "o"),
		Confirm:        b("y", "confirm", "y"),
		Cancel:         b("n/esc", "cancel", "n", "esc"),
		NextField:      b("↓/tab", "next field", "down", "tab"),
		PrevField:      b("↑/shift+tab", "previous field", "up", "shift+tab"),
		Run:            b("enter", "hash/load field", "enter"),
		LeaveField:     b("esc", "leave field", "esc"),
		ClearField:     b("ctrl+u", "clear field", "ctrl+u"),
		DeleteWord:     b("ctrl+w", "delete word", "ctrl+w"),
		Submit:         b("ctrl+s", "submit", "ctrl+s"),
		Advance:        b("a", "advance rollout", "a"),
		PlanRollout:    b("P", "plan rollout", "P"),
		Halt:           b("H", "halt rollout", "H"),
		Resume:         b("R", "resume rollout", "R"),
		Disclose:       b("D", "record disclosure", "D"),
		NextRelease:    b("→/l", "next release", "right", "l"),
		PrevRelease:    b("←/h", "previous release", "left", "h"),
		Plan:           b("p", "plan rollback", "p"),
		SubmitRollback: b("s", "submit rollback", "s"),
	}
}
