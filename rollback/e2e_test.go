package rollback

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/governancetest"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout/rollouttest"
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
// reads the history through the governance client, plans the rollback and runs it
// through a crash: governance ends up with one rollback proposal.
func TestExecutorAgainstLocalnet(t *testing.T) {
	n, c := governancetest.Start(t)
	ctx := context.Background()
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

	h, err := ReadHistory(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if reg, err = h.Registry(); err != nil {
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
		Policy: proposals.DefaultPolicy(), Now: rollouttest.Clock(n)}
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

// countQueries counts the query requests a client sends.
type countQueries struct{ n *atomic.Int64 }

func (c countQueries) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/query") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestHistoryThroughTheClient reads the registry's history through the
// governance client itself, not a second connection, and takes the
// registry from it without paging again: it equals Client.Registry's
// snapshot. A network whose root key does not sign is refused, as for
// every other client read.
func TestHistoryThroughTheClient(t *testing.T) {
	n := localnettest.Start(t)
	ctx := context.Background()
	var queries atomic.Int64
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: n.URL(), FetchRootKey: true}, nil,
		governance.Options{HTTPClient: &http.Client{Transport: countQueries{&queries}}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := ReadHistory(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	paged := queries.Load()
	if paged == 0 {
		t.Fatal("the history was not read through the client")
	}
	got, err := h.Registry()
	if err != nil {
		t.Fatal(err)
	}
	if q := queries.Load(); q != paged {
		t.Errorf("History.Registry sent %d queries; want none", q-paged)
	}
	want, err := c.Registry(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("History.Registry differs from Client.Registry (-want +got):\n%s", diff)
	}
	if len(got.Subnets) == 0 || len(got.GuestOS) == 0 {
		t.Errorf("registry from history is empty: %+v", got)
	}

	bad := localnettest.Start(t, localnettest.WithBadRootKey())
	bc, err := governance.New(ctx, governance.Network{Name: "local", URL: bad.URL(), FetchRootKey: true}, nil, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadHistory(ctx, bc); !errors.Is(err, governance.ErrUntrusted) {
		t.Errorf("history from a network whose root key does not sign: err = %v, want ErrUntrusted", err)
	}
}
