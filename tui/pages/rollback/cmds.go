package rollback

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
	rb "github.com/nnspatch/nnspatch/rollback"
)

func (p *Page) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), p.timeout)
}

func (p *Page) loadCmd(i int) tea.Cmd {
	src := p.releases[i].Source
	return func() tea.Msg {
		ctx, cancel := p.ctx()
		defer cancel()
		plan, err := src.Started(ctx)
		if err != nil || plan == nil {
			return LoadedMsg{Index: i, Err: err}
		}
		st, err := src.Status(ctx)
		return LoadedMsg{Index: i, Plan: plan, Status: st, Err: err}
	}
}

func (p *Page) planCmd(i int) tea.Cmd {
	src := p.releases[i].Source
	return func() tea.Msg {
		ctx, cancel := p.ctx()
		defer cancel()
		plan, err := src.Plan(ctx)
		return PlannedMsg{Index: i, Plan: plan, Err: err}
	}
}

// progressCmd submits due steps (submit) or reads the status.
func (p *Page) progressCmd(i int, submit bool) tea.Cmd {
	src := p.releases[i].Source
	return func() tea.Msg {
		ctx, cancel := p.ctx()
		defer cancel()
		var msg ProgressMsg
		if submit {
			st, err := src.Submit(ctx)
			msg = ProgressMsg{Index: i, Status: st, Submitted: true, Err: err}
		} else {
			st, err := src.Status(ctx)
			msg = ProgressMsg{Index: i, Status: st, Err: err}
		}
		return msg
	}
}

// startCmd records the plan and submits its first due steps.
func (p *Page) startCmd(i int, plan *rb.Plan) tea.Cmd {
	src := p.releases[i].Source
	return func() tea.Msg {
		ctx, cancel := p.ctx()
		defer cancel()
		if err := src.Start(ctx, plan); err != nil {
			return ProgressMsg{Index: i, Err: err}
		}
		st, err := src.Submit(ctx)
		return ProgressMsg{Index: i, Status: st, Submitted: true, Err: err}
	}
}
