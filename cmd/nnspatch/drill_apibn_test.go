package main

import (
	"strings"
	"testing"
)

// `drill list` shows the API boundary node scenario and `drill run` plays
// it to a pass: the stage's node_up gate catches the nodes down on the
// patch, and they go back to base with function 47.
func TestDrillAPIBoundaryNodeFaultCLI(t *testing.T) {
	isolateConfig(t)
	if r := mustRun(t, 0, "drill", "list"); !strings.Contains(r.Stdout, "api-boundary-node-fault") {
		t.Fatalf("drill list:\n%s", r.Stdout)
	}
	r := mustRun(t, 0, "drill", "run", "api-boundary-node-fault")
	for _, want := range []string{"Drill api-boundary-node-fault: PASSED", "fault on the API boundary nodes", "Roll back 3 API boundary node(s)", "✓ api_boundary_nodes_restored",
		"API boundary nodes failed the node_up check: API boundary node(s) down on", "(the API boundary nodes, node_up check)"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("drill run output lacks %q:\n%s", want, r.Stdout)
		}
	}
}
