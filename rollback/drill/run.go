package drill

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
)

// Options configure Run.
type Options struct {
	// NetworkURL is a running localnet; empty starts an embedded one.
	NetworkURL string
	// Progress receives every step as it happens (nil: none).
	Progress func(Step)
	// Waiting is called at every advance of the virtual clock with what
	// the drill waits for (nil: none), for live displays.
	Waiting func(what string, virtual, wall time.Duration)
	// Dir holds the drill's release directory; empty means a temporary
	// directory removed afterwards.
	Dir string
}

// ErrNotDetected reports a drill whose rollout completed without the
// fault being detected (it is also a failed assertion).
var ErrNotDetected = errors.New("fault not detected")

// drill is one run.
type drill struct {
	s      *Scenario
	opt    Options
	env    *env
	client *governance.Client
	track  *rollout.Tracker
	health health.Source
	neuron uint64
	patch  string
	dir    string
	rep    *Report
	wall0  time.Time
	virt0  time.Time
	now    time.Time
	kinds  map[uint64]Proposal
	events []bool // events done
	// faultNodes are the API boundary nodes the fault names (fault
	// target api_boundary_nodes).
	faultNodes []string
}

// Run plays the scenario and returns its report. The error is an
// *AssertionError when the drill ran but an assertion failed, and another
// error when it could not run.
func Run(ctx context.Context, s *Scenario, opt Options) (*Report, error) {
	d := &drill{s: s, opt: opt, patch: Commit(s.Patch.Version), kinds: map[uint64]Proposal{}, events: make([]bool, len(s.Events)),
		rep: &Report{Scenario: s.Name, Release: Commit(s.Patch.Version), Steps: []Step{}, Proposals: []Proposal{}, Assertions: []Assertion{}}}
	d.wall0 = time.Now()
	cleanup, err := d.setup(ctx)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	if err := d.play(ctx); err != nil {
		return d.rep, err
	}
	d.assertAll(ctx)
	d.finish(ctx)
	if failed := d.failedAssertions(); len(failed) > 0 {
		return d.rep, &AssertionError{Failed: failed}
	}
	return d.rep, nil
}

func (d *drill) play(ctx context.Context) error {
	switch d.s.Kind {
	case KindHostOS:
		return d.playHostOS(ctx)
	case KindCanister:
		return d.playCanister(ctx)
	}
	if err := d.elect(ctx); err != nil {
		return err
	}
	if err := d.plan(ctx); err != nil {
		return err
	}
	ge, err := d.rollout(ctx)
	if err != nil || ge == nil {
		return err
	}
	return d.rollback(ctx, ge)
}

// setup opens the network, the developer identity and the release.
func (d *drill) setup(ctx context.Context) (func(), error) {
	e, err := openEnv(ctx, d.s, d.opt.NetworkURL)
	if err != nil {
		return nil, err
	}
	d.env = e
	d.rep.Network = "embedded localnet"
	if d.opt.NetworkURL != "" {
		d.rep.Network = d.opt.NetworkURL
	}
	dir, rm := d.opt.Dir, func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "nnspatch-drill-release-"); err != nil {
			e.close()
			return nil, fmt.Errorf("create release directory: %w", err)
		}
		rm = func() { os.RemoveAll(dir) }
	}
	d.dir = filepath.Join(dir, "release")
	cleanup := func() { e.close(); rm() }
	if err := d.connect(ctx); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}

func (d *drill) connect(ctx context.Context) error {
	st, err := d.env.admin.Status(ctx)
	if err != nil {
		return fmt.Errorf("read drill network status: %w", err)
	}
	if len(st.DeveloperNeurons) == 0 {
		return fmt.Errorf("drill network %s: the developer identity controls no neuron", d.env.url)
	}
	d.neuron = st.DeveloperNeurons[0]
	if slices.Contains(st.DeveloperNeurons, 80) {
		d.neuron = 80
	}
	id, err := governance.LoadIdentity(st.DeveloperIdentity, governance.IdentityEnv{})
	if err != nil {
		return fmt.Errorf("load the drill network's developer identity: %w", err)
	}
	if d.client, err = governance.New(ctx, d.env.network(), id, governance.Options{}); err != nil {
		return err
	}
	d.virt0, d.now = st.Now, st.Now
	// Health goes through the same /metrics source `rollout status` uses
	// against a local network: one scrape per observation, finalization
	// judged from the heights recorded between observations.
	d.health = health.Metrics{URL: strings.TrimRight(d.env.url, "/") + "/metrics", Once: true}
	d.track = &rollout.Tracker{Store: rollout.Store{Dir: d.dir}, Gov: d.client, Health: d.health, Now: d.env.now,
		Actor: id.Sender().String(), Neuron: d.neuron, Policy: proposals.DefaultPolicy()}
	return nil
}

// step reports a step now.
func (d *drill) step(name, detail string, props ...uint64) {
	s := Step{Name: name, Detail: detail, Virtual: d.now.Sub(d.virt0), Wall: time.Since(d.wall0), Proposals: props}
	d.rep.Steps = append(d.rep.Steps, s)
	if d.opt.Progress != nil {
		d.opt.Progress(s)
	}
}

// tick advances the virtual clock by the scenario's tick and fails once
// the drill ran longer than max_virtual.
func (d *drill) tick(ctx context.Context, what string) error {
	if d.now.Sub(d.virt0) > d.s.MaxVirtual.D() {
		return fmt.Errorf("drill %s: gave up after %s of virtual time %s", d.s.Name, localnet.FormatDuration(d.s.MaxVirtual.D()), what)
	}
	now, err := d.env.advance(ctx, d.s.Tick.D())
	if err != nil {
		return fmt.Errorf("advance the virtual clock: %w", err)
	}
	d.now = now
	if d.opt.Waiting != nil {
		d.opt.Waiting(what, d.now.Sub(d.virt0), time.Since(d.wall0))
	}
	return nil
}

// packageSHA is the drill release's (made-up) package hash.
func packageSHA(version string) string {
	sum := sha256.Sum256([]byte("nnspatch drill package " + version))
	return hex.EncodeToString(sum[:])
}

// elect drafts the patch's election, submits it, votes and waits for it
// to execute.
func (d *drill) elect(ctx context.Context) error {
	dr, err := proposals.NewElectGuestOS(proposals.ElectOptions{Mode: d.s.Patch.Mode, Version: d.patch, SHA256: packageSHA(d.patch),
		MeasurementsWaiver: "drill release: the local network runs no SEV-SNP nodes", ReleaseTag: "release-drill-" + d.s.Name})
	if err != nil {
		return fmt.Errorf("draft the patch election: %w", err)
	}
	if _, err := rollout.NewRelease(ctx, d.track.Store, dr, d.track.Actor, d.now); err != nil {
		return err
	}
	id, err := d.track.SubmitElection(ctx)
	if err != nil {
		return fmt.Errorf("submit the patch election: %w", err)
	}
	d.noteProposal(id, "elect", "", dr.Title)
	d.vote(ctx, id)
	d.step("elect", fmt.Sprintf("%s-mode election of %s submitted as proposal %d", d.s.Patch.Mode, short(d.patch), id), id)
	for {
		p, err := d.client.GetProposal(ctx, id)
		if err != nil {
			return err
		}
		switch p.Status {
		case governance.StatusExecuted:
			d.step("elected", fmt.Sprintf("proposal %d executed", id))
			return nil
		case governance.StatusRejected, governance.StatusFailed:
			return fmt.Errorf("drill %s: the patch election %d %s %s", d.s.Name, id, p.Status, p.FailureReason)
		}
		if err := d.tick(ctx, "waiting for the election"); err != nil {
			return err
		}
	}
}

// vote casts the scenario's extra votes; a neuron that already voted (by
// following) is not an error.
func (d *drill) vote(ctx context.Context, id uint64) {
	for _, n := range d.s.Votes {
		err := d.client.Vote(ctx, n, id, governance.VoteYes)
		if err != nil && !errors.Is(err, governance.ErrAlreadyVoted) && !errors.Is(err, governance.ErrProposalClosed) {
			d.step("vote", fmt.Sprintf("neuron %d on proposal %d: %v", n, id, err))
		}
	}
}

func (d *drill) noteProposal(id uint64, kind, target, title string) {
	if _, ok := d.kinds[id]; !ok {
		d.kinds[id] = Proposal{ID: id, Kind: kind, Target: target, Title: title}
	}
}

// plan builds and saves the staged rollout plan and injects the fault.
func (d *drill) plan(ctx context.Context) error {
	reg, err := d.client.Registry(ctx)
	if err != nil {
		return err
	}
	p, err := rollout.BuildPlan(reg, rollout.PlanOptions{Version: d.patch, Start: d.now, BatchSize: d.s.Rollout.BatchSize,
		Interval: d.s.Rollout.Interval.D(), Bake: d.s.Rollout.Bake.D()})
	if err != nil {
		return err
	}
	if d.s.Fault.Target == FaultAPIBoundaryNodes {
		return d.planAPIBoundaryFault(ctx, p)
	}
	if _, err := d.track.SavePlan(ctx, p); err != nil {
		return err
	}
	f := d.s.Fault
	if f.Batch > len(p.Batches) || f.Index >= len(p.Batches[f.Batch-1].Subnets) {
		return fmt.Errorf("%w: fault: batch %d index %d is not in the plan (%d batches)", ErrScenario, f.Batch, f.Index, len(p.Batches))
	}
	d.rep.FaultSubnet = p.Batches[f.Batch-1].Subnets[f.Index]
	if _, err := d.env.admin.SetFault(ctx, localnet.Fault{Version: d.patch, Subnets: []string{d.rep.FaultSubnet}}); err != nil {
		return fmt.Errorf("inject the fault: %w", err)
	}
	d.step("plan", fmt.Sprintf("%d batches of up to %d subnets, NNS last; fault: the patch stalls %s (batch %d)",
		len(p.Batches), d.s.Rollout.BatchSize, shortSubnet(d.rep.FaultSubnet), f.Batch))
	return nil
}

func short(v string) string {
	if len(v) > 8 {
		return v[:8]
	}
	return v
}
