package common

import (
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// Edit hands a key to a focused text field. Besides the field's own keys
// (ctrl+w deletes the word before the cursor, ctrl+k the rest of the
// line), ctrl+u clears the whole field.
func Edit(ti *textinput.Model, msg tea.KeyMsg) tea.Cmd {
	if msg.Type == tea.KeyCtrlU {
		ti.SetValue("")
		return nil
	}
	var cmd tea.Cmd
	*ti, cmd = ti.Update(msg)
	return cmd
}
