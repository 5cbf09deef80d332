package tui

import (
	"io"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/pages/draft"
	"github.com/nnspatch/nnspatch/tui/pages/proposal"
	"github.com/nnspatch/nnspatch/tui/pages/proposals"
	"github.com/nnspatch/nnspatch/tui/pages/releases"
)

const detailTitle = "Detail"

// Governance is what the app needs of governance.Client.
type Governance interface {
	proposals.Lister
	proposal.Source
	draft.Submitter
}

// Deps are the app's inputs. Only Gov is required.
type Deps struct {
	// Gov reads proposals and votes.
	Gov Governance
	// Network names the network in the tab bar.
	Network string
	// Neuron proposes from the Draft page (0: none).
	Neuron uint64
	// Neurons vote from the Detail page.
	Neurons []uint64
	// Releases are the releases the Releases page follows.
	Releases []releases.Release
	// Limit is how many proposals the list loads (default 500).
	Limit int
	// Refresh is the tick interval (default 10s; negative disables).
	Refresh time.Duration
	// Log receives the log (nil discards). Never the terminal.
	Log io.Writer
	// Now is the clock of countdowns (default time.Now).
	Now func() time.Time
	// HashOptions tune artifact hashing (e.g. AllowHTTP in tests).
	HashOptions artifact.Options
}

// New builds the app.
func New(d Deps) *App {
	if d.Limit == 0 {
		d.Limit = 500
	}
	if d.Refresh == 0 {
		d.Refresh = 10 * time.Second
	}
	c := common.New(d.Log, d.Now)
	a := &App{Common: c, network: d.Network, help: help.New(), deps: d}
	a.help.ShortSeparator = " · "
	rel := releases.New(c, d.Releases)
	a.pages = []common.Page{
		proposals.New(c, d.Gov, d.Limit),
		proposal.New(c, d.Gov, d.Neurons, rel.DisclosureDue, d.HashOptions),
		draft.New(c, d.Gov, d.Neuron, d.HashOptions),
		rel,
	}
	return a
}
