package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
)

// `nodes` and `api-boundary-nodes` read the registry the localnet serves:
// the tables are goldens, --json carries the schema version and the full
// facts, and filters select by subnet, data center, operator and version.
func TestNodesListing(t *testing.T) {
	net, flags := cliNet(t)
	topo := net.Topology()
	uzr34 := topo.Subnets[1]

	t.Run("api_boundary_nodes_table", func(t *testing.T) {
		r := run(t, flags, "api-boundary-nodes")
		if r.Code != ExitOK {
			t.Fatalf("%d %s", r.Code, r.Stderr)
		}
		golden(t, r.Stdout)
	})
	t.Run("subnet_uzr34_table", func(t *testing.T) {
		r := run(t, flags, "nodes", "--subnet", "uzr34")
		if r.Code != ExitOK {
			t.Fatalf("%d %s", r.Code, r.Stderr)
		}
		golden(t, r.Stdout)
	})

	var all jsonout.Nodes
	r := run(t, flags, "nodes", "--json")
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &all) != nil {
		t.Fatalf("nodes --json: %d %q %q", r.Code, r.Stdout, r.Stderr)
	}
	if all.SchemaVersion != jsonout.SchemaVersion || len(all.Nodes) != len(topo.NodeHostOS) {
		t.Fatalf("schema %d, %d nodes; want %d nodes", all.SchemaVersion, len(all.Nodes), len(topo.NodeHostOS))
	}

	var bns jsonout.Nodes
	r = run(t, flags, "api-boundary-nodes", "--json")
	if r.Code != ExitOK || json.Unmarshal([]byte(r.Stdout), &bns) != nil || len(bns.Nodes) != len(topo.APIBoundaryNodes) {
		t.Fatalf("api-boundary-nodes --json: %d %q", r.Code, r.Stdout)
	}
	for _, n := range bns.Nodes {
		if n.Role != governance.NodeRoleAPIBoundary || n.GuestOSVersion != topo.APIBoundaryVersion || n.DC == "" || n.Operator == "" {
			t.Fatalf("API BN %+v", n)
		}
	}

	var sub jsonout.Nodes
	r = run(t, flags, "nodes", "--subnet", "uzr34", "--json")
	if json.Unmarshal([]byte(r.Stdout), &sub) != nil || len(sub.Nodes) != len(uzr34.Nodes) {
		t.Fatalf("--subnet uzr34: %d nodes, want %d", len(sub.Nodes), len(uzr34.Nodes))
	}

	// Filters combine: one data center and one operator of it.
	dc := sub.Nodes[0].DC
	op := sub.Nodes[0].Operator
	var byDC jsonout.Nodes
	r = run(t, flags, "nodes", "--dc", dc, "--operator", op[:11], "--role", "subnet", "--json")
	if json.Unmarshal([]byte(r.Stdout), &byDC) != nil || len(byDC.Nodes) == 0 {
		t.Fatalf("--dc %s --operator %s: %q %q", dc, op, r.Stdout, r.Stderr)
	}
	for _, n := range byDC.Nodes {
		if n.DC != dc || n.Operator != op || n.Role != governance.NodeRoleSubnet {
			t.Fatalf("filter let through %+v", n)
		}
	}

	var byVersion jsonout.Nodes
	r = run(t, flags, "nodes", "--version", topo.UnassignedVersion[:8], "--role", "unassigned", "--json")
	if json.Unmarshal([]byte(r.Stdout), &byVersion) != nil || len(byVersion.Nodes) != len(topo.UnassignedNodes) {
		t.Fatalf("--version: %d nodes, want %d unassigned", len(byVersion.Nodes), len(topo.UnassignedNodes))
	}

	if r := run(t, flags, "nodes", "--subnet", "zzzzz"); r.Code != ExitError || !strings.Contains(r.Stderr, "nnspatch subnets") {
		t.Fatalf("unknown subnet: %d %q", r.Code, r.Stderr)
	}
	if r := run(t, flags, "nodes", "--role", "boundary"); r.Code != ExitUsage {
		t.Fatalf("bad role: %d %q", r.Code, r.Stderr)
	}
}
