package rollback

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/proposals"
)

// crashingGov loses the reply of the first MakeProposal after governance
// took the proposal: a crash between submitting and recording.
type crashingGov struct {
	*governance.Client
	lost bool
}

func (g *crashingGov) MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error) {
	id, err := g.Client.MakeProposal(ctx, neuron, req)
	if err == nil && !g.lost {
		g.lost = true
		return 0, errors.New("connection reset after submission")
	}
	return id, err
}

// TestExecutorAgainstLocalnet moves a subnet to another elected version,
// reads the history through agent-go, plans the rollback and runs it
// through a crash: governance ends up with one rollback proposal.
func TestExecutorAgainstLocalnet(t *testing.T) {
	n := localnettest.Start(t)
	ctx := context.Background()
	id, err := governance.LoadIdentity(n.DeveloperIdentityPath(), governance.IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	net := governance.Network{Name: "local", URL: n.URL(), FetchRootKey: true}
	c, err := governance.New(ctx, net, id, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sub := reg.Subnets[1]
	var to string
	for _, v := range reg.GuestOS {
		if v.ID != sub.GuestOSVersion {
			to = v.ID
		}
	}
	sid, _ := principal.Decode(sub.ID)
	d, err := proposals.NewDeployGuestOS(proposals.DeployOptions{Mode: proposals.ModeRegular, SubnetID: sid, Version: to})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := d.Request()
	if _, err := c.MakeProposal(ctx, 80, req); err != nil {
		t.Fatal(err)
	}

	src, err := DialChanges(net)
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHistory(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if reg, err = c.Registry(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := Build(Input{Release: to, Mode: proposals.ModeSecurity, Registry: reg, History: h, Subnets: []string{sub.ID}, Failing: []string{sub.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 1 || p.Steps[0].Version != sub.GuestOSVersion {
		t.Fatalf("plan = %+v; want one deploy back to %s", p.Steps, sub.GuestOSVersion)
	}
	before := n.Governance().StatusCounts()
	e := &Executor{Gov: &crashingGov{Client: c}, File: StateFile{Path: filepath.Join(t.TempDir(), "rb.json")}, Neuron: 80,
		Policy: proposals.DefaultPolicy(), Now: func(context.Context) (time.Time, error) { return n.Now(), nil }}
	if _, err := e.Start(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(ctx); err == nil {
		t.Fatal("Submit survived the lost reply")
	}
	st, err := e.Submit(ctx)
	if err != nil || !st.Done {
		t.Fatalf("resumed Submit: done=%v err=%v", st != nil && st.Done, err)
	}
	after := n.Governance().StatusCounts()
	made := 0
	for k, v := range after {
		made += v - before[k]
	}
	if made != 1 {
		t.Fatalf("%d proposals made; want exactly 1", made)
	}
}
