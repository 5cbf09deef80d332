// Package tuitest holds the TUI tests' shared pieces: golden files, a fixed
// clock, fixture proposals and a fake governance that records calls.
package tuitest

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/google/go-cmp/cmp"
	"github.com/muesli/termenv"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/tui/common"
)

// The -update flag; teatest's golden package defines the same flag, and
// when it is linked in, that one is used.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Now is the fixed clock of golden tests.
var Now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// NoColor turns colour off for the whole test binary, so golden files hold
// plain text.
func NoColor() { lipgloss.SetColorProfile(termenv.Ascii) }

// Common returns a Common at 80x24 on the fixed clock.
func Common() common.Common {
	c := common.New(nil, func() time.Time { return Now })
	c.SetSize(80, 24)
	return c
}

// Golden compares got with testdata/<TestName>/<case>.golden, where the
// test name's subtest part is the case; -update rewrites the file.
func Golden(t *testing.T, got string) {
	t.Helper()
	name, sub, _ := strings.Cut(t.Name(), "/")
	if sub == "" {
		sub = "default"
	}
	path := filepath.Join("testdata", name, sub+".golden")
	if updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

// Gov is a fake governance over a fixed set of proposals. Votes change the
// ballots; Err, when set, fails every read.
type Gov struct {
	mu        sync.Mutex
	Proposals []governance.Proposal
	Err       error
	Votes     []string
	Lists     int
	// Submitted are the titles of proposals made; the first gets NextID.
	Submitted []string
	NextID    uint64
	// Existing, when set, is reported by Preflight as an identical
	// proposal already on the network.
	Existing uint64
}

// Preflight passes every request, reporting g.Existing as a twin.
func (g *Gov) Preflight(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (*governance.Preflight, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return &governance.Preflight{Checks: []governance.Check{{Name: "fake", OK: true}}, Existing: g.Existing}, nil
}

// MakeProposal records the title and returns the next id.
func (g *Gov) MakeProposal(ctx context.Context, neuron uint64, req govdid.MakeProposalRequest) (uint64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if req.Title != nil {
		g.Submitted = append(g.Submitted, *req.Title)
	}
	g.NextID++
	return g.NextID + 2000, nil
}

// ListProposals implements the listing as governance does: newest first,
// below o.Before when set, at most o.Limit when set.
func (g *Gov) ListProposals(ctx context.Context, o governance.ListOptions) ([]governance.Proposal, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.Lists++
	if g.Err != nil {
		return nil, g.Err
	}
	var out []governance.Proposal
	for _, p := range g.Proposals {
		if o.Before != 0 && p.ID >= o.Before {
			continue
		}
		if o.Limit > 0 && len(out) == o.Limit {
			break
		}
		out = append(out, p)
	}
	return out, nil
}

// GetProposal returns one proposal.
func (g *Gov) GetProposal(ctx context.Context, id uint64) (*governance.Proposal, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.Err != nil {
		return nil, g.Err
	}
	for _, p := range g.Proposals {
		if p.ID == id {
			return &p, nil
		}
	}
	return nil, governance.ErrProposalNotFound
}

// VoteMany records the votes and updates the ballots.
func (g *Gov) VoteMany(ctx context.Context, neurons []uint64, id uint64, v governance.Vote) []governance.VoteResult {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []governance.VoteResult
	for _, n := range neurons {
		g.Votes = append(g.Votes, v.String())
		out = append(out, governance.VoteResult{Neuron: n, Outcome: "voted"})
		for i := range g.Proposals {
			if g.Proposals[i].ID != id {
				continue
			}
			for j := range g.Proposals[i].Ballots {
				if g.Proposals[i].Ballots[j].Neuron == n {
					g.Proposals[i].Ballots[j].Vote = v
				}
			}
		}
	}
	return out
}
