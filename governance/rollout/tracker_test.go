package rollout

import (
	"context"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance"
)

// pagedGov serves n deployment proposals, one an hour, newest id n, and
// counts the list calls.
type pagedGov struct {
	Governance
	n     uint64
	calls int
}

func (g *pagedGov) ListProposals(_ context.Context, o governance.ListOptions) ([]governance.Proposal, error) {
	g.calls++
	top := g.n
	if o.Before != 0 {
		top = o.Before - 1
	}
	var out []governance.Proposal
	for id := top; id >= 1 && len(out) < o.Limit; id-- {
		p := governance.Proposal{ID: id}
		p.Deadlines.Created = t0.Add(time.Duration(id) * time.Hour)
		out = append(out, p)
	}
	return out, nil
}

func TestDeploysSinceStopsAtTheCutoff(t *testing.T) {
	g := &pagedGov{n: 1000}
	tr := &Tracker{Gov: g}
	ps, err := tr.deploysSince(context.Background(), t0.Add(850*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if g.calls != 2 || len(ps) != 200 {
		t.Fatalf("%d calls, %d proposals; want 2 pages of 100", g.calls, len(ps))
	}
	g = &pagedGov{n: 150}
	tr.Gov = g
	if ps, _ = tr.deploysSince(context.Background(), t0); len(ps) != 150 || g.calls != 2 {
		t.Fatalf("short history: %d calls, %d proposals", g.calls, len(ps))
	}
}
