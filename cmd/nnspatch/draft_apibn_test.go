package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
)

// `draft deploy-api-boundary-nodes` writes a function-47 draft; submitting
// it moves the API boundary nodes on the local network, as
// `api-boundary-nodes` then shows. Preflight refuses node ids that are not
// API boundary nodes, and HostOS deployments to unknown nodes, with exit 9
// and nothing submitted.
func TestDraftDeployAPIBoundaryNodesAgainstLocalnet(t *testing.T) {
	n, flags := cliNet(t)
	topo := n.Topology()
	dir := t.TempDir()
	target := topo.GuestOSVersions[2].ID
	if topo.APIBoundaryVersion == target {
		t.Fatal("seed: API boundary nodes already run the target")
	}
	bn0, bn1 := topo.APIBoundaryNodes[0], topo.APIBoundaryNodes[1]

	draft := filepath.Join(dir, "apibn.yaml")
	r := runCLI(t, "draft", "deploy-api-boundary-nodes", "--version", target, "--node", bn0, "--node", bn1, "-o", draft)
	if r.Code != ExitOK {
		t.Fatalf("draft: %d %s", r.Code, r.Stderr)
	}
	if got := string(mustRead(t, draft)); !strings.Contains(got, "kind: deploy-api-boundary-nodes") || !strings.Contains(got, bn1) {
		t.Fatalf("draft file:\n%s", got)
	}
	r = runCLI(t, "proposal", "render", draft)
	if r.Code != ExitOK || !strings.Contains(r.Stdout, "DeployGuestosToSomeApiBoundaryNodes (47)") {
		t.Fatalf("render: %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "proposal", "submit", draft, "--neuron", "80", "--yes")
	if r.Code != ExitOK {
		t.Fatalf("submit: %d\n%s", r.Code, r.Stderr)
	}
	var bns jsonout.Nodes
	r = run(t, flags, "api-boundary-nodes", "--version", target, "--json")
	if json.Unmarshal([]byte(r.Stdout), &bns) != nil || len(bns.Nodes) != 2 {
		t.Fatalf("after execution, %d API BNs on %s; want 2: %s", len(bns.Nodes), target, r.Stdout)
	}

	member := topo.Subnets[1].Nodes[0]
	bad := filepath.Join(dir, "bad.yaml")
	if r := runCLI(t, "draft", "deploy-api-boundary-nodes", "--version", target, "--node", member, "-o", bad); r.Code != ExitOK {
		t.Fatalf("draft: %d %s", r.Code, r.Stderr)
	}
	r = run(t, flags, "proposal", "submit", bad, "--neuron", "80", "--yes")
	if r.Code != ExitRefused || !strings.Contains(r.Stderr, "not API boundary nodes: "+member) || r.Stdout != "" {
		t.Fatalf("subnet node as API BN: %d %q\n%s", r.Code, r.Stdout, r.Stderr)
	}

	ghost := "2vxsx-fae" // the anonymous principal: never a node
	hostos := filepath.Join(dir, "hostos.yaml")
	if r := runCLI(t, "draft", "deploy-hostos", "--version", topo.HostOSVersions[1].ID, "--node", member, "--node", ghost, "-o", hostos); r.Code != ExitOK {
		t.Fatalf("draft hostos: %d %s", r.Code, r.Stderr)
	}
	r = run(t, flags, "proposal", "submit", hostos, "--neuron", "80", "--yes")
	if r.Code != ExitRefused || !strings.Contains(r.Stderr, "✗ nodes exist") || !strings.Contains(r.Stderr, ghost) || r.Stdout != "" {
		t.Fatalf("unknown HostOS node: %d %q\n%s", r.Code, r.Stdout, r.Stderr)
	}
}
