package rollback

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// holdsKind checks the HostOS and canister conditions.
func (c Condition) holdsKind(w World) bool {
	switch c.Kind {
	case CondHostOSElected:
		_, ok := w.Registry.HostOSByID(c.Version)
		return ok
	case CondNodesRunHostOS:
		for _, n := range c.Nodes {
			if w.Registry.Nodes[n].HostOSVersion != c.Version {
				return false
			}
		}
		return len(c.Nodes) > 0
	case CondModuleHash:
		h, ok := w.ModuleHashes[c.Canister]
		return ok && h == c.Version
	}
	return false
}

// BuildHostOS plans the rollback of a HostOS release: halt its rollout,
// then, per previous version, one DeployHostosToSomeNodes proposal moving
// the release's nodes that run it back to the HostOS version each ran when
// the plan was made (the ledger's plan records it). A previous version no
// longer elected is a note, not a step: it must be elected again first.
func BuildHostOS(l *rollout.Ledger, reg *governance.Registry, problem string, now time.Time) (*Plan, error) {
	if l.HostOS == nil {
		return nil, fmt.Errorf("%w: HostOS release %s has no plan, so no node was deployed by it", ErrNothingToRollBack, l.Version)
	}
	p := &Plan{SchemaVersion: PlanSchemaVersion, Release: l.Version, Kind: rollout.ReleaseHostOS, Mode: l.Mode, Problem: problem, Created: now.UTC(),
		RegistryVersion: reg.Version, Targets: []Target{}, Steps: []Step{}}
	byPrev := map[string][]string{}
	for _, id := range sortedIDs(l.HostOS.Previous) {
		if reg.Nodes[id].HostOSVersion != l.Version {
			continue
		}
		prev := l.HostOS.Previous[id]
		if prev == "" {
			p.Notes = append(p.Notes, fmt.Sprintf("node %s ran no recorded HostOS version before the release: move it by hand", id))
			continue
		}
		byPrev[prev] = append(byPrev[prev], id)
	}
	if len(byPrev) == 0 {
		return nil, fmt.Errorf("%w: no node of HostOS release %s runs it", ErrNothingToRollBack, shortV(l.Version))
	}
	p.Steps = append(p.Steps, haltStep(problem))
	for _, prev := range sortedIDs(byPrev) {
		nodes := byPrev[prev]
		_, elected := reg.HostOSByID(prev)
		p.Targets = append(p.Targets, Target{Subnet: fmt.Sprintf("%d nodes", len(nodes)), Failing: true, Current: l.Version, Restore: prev, RestoreElected: elected})
		if !elected {
			p.Notes = append(p.Notes, fmt.Sprintf("HostOS %s (previous version of %d nodes) is no longer elected: elect it again (`nnspatch draft elect-hostos`) and plan again", shortV(prev), len(nodes)))
			continue
		}
		d, err := hostOSDraft(l.Mode, prev, nodes)
		if err != nil {
			return nil, err
		}
		p.Steps = append(p.Steps, Step{N: len(p.Steps) + 1, Kind: StepHostOS, Version: prev, From: l.Version, Nodes: nodes,
			Why:          fmt.Sprintf("%d nodes run the release; they ran HostOS %s before", len(nodes), shortV(prev)),
			Precondition: Condition{Kind: CondHostOSElected, Version: prev, Text: "HostOS " + shortV(prev) + " is elected"},
			Expect: Condition{Kind: CondNodesRunHostOS, Version: prev, Nodes: nodes,
				Text: fmt.Sprintf("the registry assigns %d nodes HostOS %s", len(nodes), shortV(prev))},
			Draft: &d})
	}
	return p, nil
}

// haltStep is a plan's first step: halt the release's rollout.
func haltStep(problem string) Step {
	return Step{N: 1, Kind: StepHalt, Why: "no further batch may start: " + problem,
		Precondition: Condition{Kind: CondNone, Text: "none"},
		Expect:       Condition{Kind: CondHalted, Text: "the rollout is halted"}}
}

// hostOSDraft drafts DeployHostosToSomeNodes of version to nodes.
func hostOSDraft(mode proposals.Mode, version string, nodes []string) (proposals.Draft, error) {
	ids := make([]principal.Principal, 0, len(nodes))
	for _, n := range nodes {
		p, err := principal.Decode(n)
		if err != nil {
			return proposals.Draft{}, fmt.Errorf("node %q: %w", n, err)
		}
		ids = append(ids, p)
	}
	texts := proposals.Texts{
		Title: fmt.Sprintf("Roll back %d node(s) to HostOS version %s", len(nodes), version),
		Summary: fmt.Sprintf("Set HostOS version `%s` again on %d node(s), the version each ran before its last HostOS update, which is being rolled back; that rollout is halted.\n\nNodes:\n\n- %s\n",
			version, len(nodes), strings.Join(nodes, "\n- ")),
	}
	return proposals.NewDeployHostOS(proposals.DeployHostOSOptions{Texts: texts, Mode: mode, Version: version, NodeIDs: ids})
}

// planWhat names what a plan rolls back.
func planWhat(p *Plan) string {
	switch p.Kind {
	case rollout.ReleaseHostOS:
		return "HostOS"
	case rollout.ReleaseCanister:
		return "NNS canister release"
	}
	return "GuestOS"
}

// sortedIDs returns the keys of m in order.
func sortedIDs[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// shortV shortens a version for texts.
func shortV(v string) string {
	if len(v) > 10 {
		return v[:10]
	}
	return v
}

// PlanHostOSRelease plans the rollback of a HostOS release directory from
// the network as it is now: BuildHostOS over the release's ledger and the
// live registry. The problem is problem, else the release's first blocker
// (a stage over its failure tolerance names its nodes), else a neutral
// phrase. The CLI's `rollback plan --release` and the TUI's Rollback page
// both call it.
func PlanHostOSRelease(ctx context.Context, t *rollout.Tracker, problem string) (*Plan, error) {
	st, err := t.HostOSStatus(ctx)
	if err != nil {
		return nil, err
	}
	if problem == "" {
		problem = "the HostOS patch is rolled back"
		if len(st.Blockers) > 0 {
			problem = Unversioned(st.Blockers[0], st.Version)
		}
	}
	l, err := t.Store.Read()
	if err != nil {
		return nil, err
	}
	reg, err := t.Gov.Registry(ctx)
	if err != nil {
		return nil, err
	}
	now, err := t.Now(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the network's time: %w", err)
	}
	return BuildHostOS(l, reg, problem, now)
}
