package draft

import (
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/nnspatch/nnspatch/tui/common"
)

// handleKey: while a field has focus (from the start, and again after
// enter, e or ↑/↓) typed text goes into it and no page or quit key acts;
// esc leaves the field, and then the keys are the app's again.
func (p *Page) handleKey(msg tea.KeyMsg) tea.Cmd {
	k := p.Keys
	switch {
	case p.confirm:
		return p.handleConfirm(msg)
	case key.Matches(msg, k.Submit):
		return p.askSubmit()
	case msg.Type == tea.KeyPgDown:
		p.scroll += max(p.Height/2, 1)
	case msg.Type == tea.KeyPgUp:
		p.scroll = max(p.scroll-max(p.Height/2, 1), 0)
	case p.editing:
		return p.handleEdit(msg)
	case key.Matches(msg, k.PageDown):
		p.scroll += max(p.Height/2, 1)
	case key.Matches(msg, k.PageUp):
		p.scroll = max(p.scroll-max(p.Height/2, 1), 0)
	case key.Matches(msg, k.Up):
		p.setFocus(p.focus - 1)
		return p.edit()
	case key.Matches(msg, k.Down):
		p.setFocus(p.focus + 1)
		return p.edit()
	case key.Matches(msg, k.Open), msg.String() == "e":
		return p.edit()
	}
	return nil
}

// edit gives the field under the marker the focus.
func (p *Page) edit() tea.Cmd {
	p.editing = true
	return p.inputs[p.focus].Focus()
}

func (p *Page) setFocus(i int) {
	p.inputs[p.focus].Blur()
	p.focus = (i + numFields) % numFields
	if p.editing {
		p.inputs[p.focus].Focus()
	}
}

func (p *Page) handleEdit(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		p.editing = false
		p.inputs[p.focus].Blur()
		return nil
	case tea.KeyTab, tea.KeyDown:
		p.setFocus(p.focus + 1)
		return p.inputs[p.focus].Focus()
	case tea.KeyShiftTab, tea.KeyUp:
		p.setFocus(p.focus - 1)
		return p.inputs[p.focus].Focus()
	case tea.KeyEnter:
		return p.runField()
	}
	cmd := common.Edit(&p.inputs[p.focus], msg)
	p.rebuild()
	return cmd
}

// runField starts the field's action: hashing the artifacts or loading
// the measurements; on other fields enter moves on.
func (p *Page) runField() tea.Cmd {
	v := strings.TrimSpace(p.inputs[p.focus].Value())
	switch p.focus {
	case FieldArtifacts:
		if srcs := splitList(v); len(srcs) > 0 {
			p.hashNote = ""
			return p.hash.Start(srcs, p.hashOpts)
		}
	case FieldMeasurements:
		if v != "" {
			p.measNote = "… loading"
			return loadMeasurementsCmd(v, p.hashOpts, p.timeout)
		}
	}
	p.setFocus(p.focus + 1)
	return p.inputs[p.focus].Focus()
}

func (p *Page) askSubmit() tea.Cmd {
	switch {
	case p.sending:
		return nil
	case p.hash.Running():
		return common.ErrorCmd("submit election", errors.New("artifacts are still being hashed; wait for the checksum"))
	case !p.Ready():
		return common.ErrorCmd("submit election", fmt.Errorf("the draft has %d problem(s); fix every ✗ first", p.errorCount()))
	case p.neuron == 0:
		return common.ErrorCmd("submit election", errors.New("no proposer neuron; start with --neuron or set neuron in the config"))
	}
	p.confirm, p.typed = true, ""
	return nil
}

// mainnetWord is what the confirmation on mainnet wants typed out.
const mainnetWord = "mainnet"

func (p *Page) errorCount() int {
	n := 0
	if p.buildErr != nil {
		n++
	}
	for _, pr := range p.problems {
		if pr.Severity == "error" {
			n++
		}
	}
	return n
}

func (p *Page) handleConfirm(msg tea.KeyMsg) tea.Cmd {
	if p.mainnet {
		return p.handleMainnetConfirm(msg)
	}
	switch {
	case key.Matches(msg, p.Keys.Confirm):
		p.confirm, p.sending = false, true
		return submitCmd(p.gov, p.neuron, p.draft, p.policy, p.timeout)
	case key.Matches(msg, p.Keys.Cancel):
		p.confirm = false
		return common.StatusCmd("submission cancelled, nothing sent")
	}
	return nil
}

// handleMainnetConfirm collects the typed confirmation: enter submits only
// when it reads "mainnet"; esc or anything else cancels with nothing sent.
func (p *Page) handleMainnetConfirm(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyRunes:
		if len(p.typed) < len(mainnetWord) {
			p.typed += string(msg.Runes)
		}
		return nil
	case tea.KeyBackspace:
		if p.typed != "" {
			p.typed = p.typed[:len(p.typed)-1]
		}
		return nil
	case tea.KeyEnter:
		if p.typed == mainnetWord {
			p.confirm, p.sending, p.typed = false, true, ""
			return submitCmd(p.gov, p.neuron, p.draft, p.policy, p.timeout)
		}
	}
	p.confirm, p.typed = false, ""
	return common.StatusCmd("mainnet submission not confirmed, nothing sent")
}

// ShortHelp implements help.KeyMap.
func (p *Page) ShortHelp() []key.Binding {
	k := p.Keys
	switch {
	case p.confirm:
		return []key.Binding{k.Confirm, k.Cancel}
	case p.editing:
		return []key.Binding{k.LeaveField, k.NextField, k.Run, k.Submit, k.ClearField}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Submit, k.PageDown, k.PageUp, k.Help, k.Quit}
}

// FullHelp implements help.KeyMap.
func (p *Page) FullHelp() [][]key.Binding {
	k := p.Keys
	return [][]key.Binding{{k.Open, k.NextField, k.PrevField, k.Run, k.Submit, k.PageDown, k.PageUp},
		{k.ClearField, k.DeleteWord, k.LeaveField}}
}
