package rollback

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/proposals"
)

// StepAPIBoundary deploys the last good version to API boundary nodes
// (DeployGuestosToSomeApiBoundaryNodes, NNS function 47).
const StepAPIBoundary StepKind = "api_boundary_nodes"

// CondAPIBoundaryRun holds when every node of Condition.Nodes has an
// api_boundary_node record naming Version.
const CondAPIBoundaryRun ConditionKind = "api_boundary_nodes_run"

// Templates of the API boundary node rollback step.
const (
	TplAPIBoundaryTitle   = "rollback.api-boundary-nodes.title"
	TplAPIBoundarySummary = "rollback.api-boundary-nodes.summary"
)

const (
	tplAPIBoundaryTitle   = `Roll back {{len .Nodes}} API boundary node(s) to GuestOS version {{.Version}}`
	tplAPIBoundarySummary = `Point these {{len .Nodes}} API boundary node(s) at GuestOS version [{{.Version}}](https://dashboard.internetcomputer.org/release/{{.Version}}) again, the version they ran before their last update:

{{range .Nodes}}- ` + "`{{.}}`" + `
{{end}}
What failed: {{.Problem}}
{{if .Security}}
The update was part of a security patch rollout; the rollout is halted and these nodes return to their previous version while the patch is reworked.
{{else}}
The update to GuestOS version {{.Failed}} is being rolled back; its rollout is halted.
{{end}}
What is restored: each node upgrades itself to {{.Short}} when it sees its record change.`
)

func init() {
	defaultTexts[TplAPIBoundaryTitle] = tplAPIBoundaryTitle
	defaultTexts[TplAPIBoundarySummary] = tplAPIBoundarySummary
}

// IsAPIBoundary reports whether t is an API boundary node target.
func (t Target) IsAPIBoundary() bool { return len(t.APIBoundaryNodes) > 0 }

// apiBoundaryRuns reports whether every node runs version in w.
func apiBoundaryRuns(w World, nodes []string, version string) bool {
	have := map[string]string{}
	for _, b := range w.Registry.APIBoundaryNodes {
		have[b.ID] = b.Version
	}
	for _, n := range nodes {
		if have[n] != version {
			return false
		}
	}
	return len(nodes) > 0
}

// apiBoundaryIncluded reports whether the plan rolls back the API
// boundary nodes that run the release: asked for (Input.APIBoundary), or
// every target is (no --subnets, and no timeline or --all-targets).
func apiBoundaryIncluded(in Input) bool {
	return in.APIBoundary || len(in.Subnets) == 0 && !healthyLeftAlone(in)
}

// apiBoundaryTargets are the API boundary nodes that run the release,
// grouped by the version each returns to (one function-47 proposal per
// version), in order of that version.
func apiBoundaryTargets(in Input) ([]Target, error) {
	if !apiBoundaryIncluded(in) {
		return nil, nil
	}
	var out []Target
	for _, n := range in.Registry.APIBoundaryNodes {
		if n.Version != in.Release {
			continue
		}
		vs, err := in.History.APIBoundaryVersions(n.ID)
		if err != nil {
			return nil, err
		}
		t, err := target(in, "API boundary node "+n.ID, vs)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(out, func(o Target) bool { return o.Restore == t.Restore })
		if i < 0 {
			t.Failing = in.APIBoundary
			t.APIBoundaryNodes = []string{n.ID}
			out = append(out, t)
			continue
		}
		out[i].APIBoundaryNodes = append(out[i].APIBoundaryNodes, n.ID)
		out[i].UpgradedAt = max(out[i].UpgradedAt, t.UpgradedAt)
	}
	return out, nil
}

// apiBoundaryNotes names the API boundary nodes that run the release and
// are not in the plan, and how to include them.
func apiBoundaryNotes(in Input) []string {
	if apiBoundaryIncluded(in) {
		return nil
	}
	var ids []string
	for _, n := range in.Registry.APIBoundaryNodes {
		if n.Version == in.Release {
			ids = append(ids, n.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d API boundary node(s) run GuestOS %s and are not in this plan; pass --api-boundary-nodes to roll them back too: %s",
		len(ids), short(in.Release), strings.Join(ids, ", "))}
}

// deployAPIBoundary adds the function-47 step of an API boundary node
// target.
func (b *builder) deployAPIBoundary(t Target) error {
	data := b.data(t.Restore)
	data.Nodes = t.APIBoundaryNodes
	x, err := b.in.Templates.texts(TplAPIBoundaryTitle, TplAPIBoundarySummary, data)
	if err != nil {
		return err
	}
	ids := make([]principal.Principal, 0, len(t.APIBoundaryNodes))
	for _, n := range t.APIBoundaryNodes {
		p, err := principal.Decode(n)
		if err != nil {
			return fmt.Errorf("plan rollback: API boundary node %q: %w", n, err)
		}
		ids = append(ids, p)
	}
	d, err := proposals.NewDeployAPIBoundaryNodes(proposals.APIBoundaryNodesOptions{Texts: x, Mode: b.in.Mode, Version: t.Restore, NodeIDs: ids})
	if err != nil {
		return err
	}
	if err := b.check(d); err != nil {
		return err
	}
	why := "the API boundary nodes moved to the release"
	if t.Failing {
		why = "API boundary nodes failing on the release"
	}
	b.add(Step{Kind: StepAPIBoundary, Version: t.Restore, From: t.Current, Nodes: t.APIBoundaryNodes, Why: why, Draft: &d,
		Precondition: Condition{Kind: CondElected, Version: t.Restore, Text: "GuestOS " + t.Restore + " is elected"},
		Expect: Condition{Kind: CondAPIBoundaryRun, Version: t.Restore, Nodes: t.APIBoundaryNodes,
			Text: fmt.Sprintf("%d API boundary node(s) are assigned GuestOS %s again", len(t.APIBoundaryNodes), t.Restore)}})
	return nil
}
