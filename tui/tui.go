package tui

import (
	"context"
	"io"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/tui/common"
	"github.com/nnspatch/nnspatch/tui/pages/draft"
	"github.com/nnspatch/nnspatch/tui/pages/proposal"
	proposalspage "github.com/nnspatch/nnspatch/tui/pages/proposals"
	"github.com/nnspatch/nnspatch/tui/pages/releases"
	"github.com/nnspatch/nnspatch/tui/pages/rollback"
)

const detailTitle = "Detail"

// Governance is what the app needs of governance.Client.
type Governance interface {
	proposalspage.Lister
	proposal.Source
	draft.Submitter
}

// Deps are the app's inputs. Only Gov is required.
type Deps struct {
	// Gov reads proposals and votes.
	Gov Governance
	// Network names the network in the tab bar.
	Network string
	// Mainnet is true when Gov is the Internet Computer mainnet: the Draft
	// and Releases pages then ask for "mainnet" typed out before acting.
	Mainnet bool
	// Neuron proposes from the Draft page (0: none).
	Neuron uint64
	// Neurons vote from the Detail page.
	Neurons []uint64
	// Releases are the releases the Releases page follows.
	Releases []releases.Release
	// Rollbacks are the releases the Rollback page can roll back, in the
	// order of Releases: both pages show the one selected release.
	Rollbacks []rollback.Release
	// Limit is how many proposals the list loads (default 500).
	Limit int
	// Refresh is the tick interval (default 10s; negative disables).
	Refresh time.Duration
	// Log receives the log (nil discards). Never the terminal.
	Log io.Writer
	// Now is the clock of countdowns; nil means the network's clock as
	// NetworkNow reads it on every refresh, or else the local clock.
	Now func() time.Time
	// NetworkNow reads the network's clock (a local network's virtual
	// clock), the clock the Releases and Rollback pages' data is stamped
	// with, so every page's countdown agrees.
	NetworkNow func(ctx context.Context) (time.Time, error)
	// HashOptions tune artifact hashing (e.g. AllowHTTP in tests).
	HashOptions artifact.Options
	// Policy is the security-patch policy the Draft page validates with
	// (the config's deny_words); zero: proposals.DefaultPolicy.
	Policy *proposals.Policy
	// ReleasesDir holds the release ledgers (releases_dir): the Detail page
	// reads a security patch's disclosure there ("" : not read).
	ReleasesDir string
	// OpenURL opens a URL in a browser (nil: the platform's opener).
	OpenURL func(url string) error
	// Wall is the local clock of data ages and status expiry (nil:
	// time.Now).
	Wall func() time.Time
}

// New builds the app.
func New(d Deps) *App {
	if d.Limit == 0 {
		d.Limit = 500
	}
	if d.Refresh == 0 {
		d.Refresh = 10 * time.Second
	}
	now := d.Now
	var clock *common.Clock
	if now == nil && d.NetworkNow != nil {
		clock = &common.Clock{}
		now = clock.Now
	}
	c := common.New(d.Log, now)
	if d.Wall != nil {
		c.Wall = d.Wall
	}
	a := &App{Common: c, network: d.Network, help: help.New(), deps: d, clock: clock}
	a.help.ShortSeparator = " · "
	policy := proposals.DefaultPolicy()
	if d.Policy != nil {
		policy = *d.Policy
	}
	rel := releases.New(c, d.Releases)
	rel.SetMainnet(d.Mainnet)
	detail := proposal.Options{DisclosureDue: rel.DisclosureDue, OpenURL: d.OpenURL, Hash: d.HashOptions}
	if dir := d.ReleasesDir; dir != "" {
		detail.Disclosure = func(p governance.Proposal) rollout.DisclosureView { return rollout.DisclosureOf(dir, p) }
	}
	dp := draft.New(c, d.Gov, d.Neuron, policy, d.HashOptions)
	dp.SetMainnet(d.Mainnet)
	a.pages = []common.Page{
		proposalspage.New(c, d.Gov, d.Limit, d.Neurons),
		proposal.New(c, d.Gov, d.Neurons, detail),
		dp,
		rel,
		rollback.New(c, d.Rollbacks),
	}
	a.state = make([]pageState, len(a.pages))
	return a
}
