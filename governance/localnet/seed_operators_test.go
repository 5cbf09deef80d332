package localnet

import (
	"errors"
	"strings"
	"testing"
)

// Operators must stand in listed data centers, with valid, unique names;
// the default seed deals every node to an operator, and consecutive nodes
// of a subnet to operators in different data centers.
func TestSeedOperatorsAndDataCenters(t *testing.T) {
	topo, err := DefaultSeed().Topology()
	if err != nil {
		t.Fatal(err)
	}
	if len(topo.NodeOperatorOf) != len(topo.NodeHostOS) {
		t.Fatalf("%d of %d nodes have an operator", len(topo.NodeOperatorOf), len(topo.NodeHostOS))
	}
	dcOf := map[string]string{}
	for _, op := range topo.NodeOperators {
		dcOf[op.ID.String()] = op.DC
	}
	for _, sn := range topo.Subnets {
		for i := 1; i < len(sn.Nodes); i++ {
			if dcOf[topo.NodeOperatorOf[sn.Nodes[i]]] == dcOf[topo.NodeOperatorOf[sn.Nodes[i-1]]] {
				t.Fatalf("subnet %s: nodes %d and %d in the same data center", sn.ID, i-1, i)
			}
		}
	}
	for _, tc := range []struct{ yaml, want string }{
		{"data_centers: [{id: zh1}]\nnode_operators: [{name: a, dc: fr1}]\n", `node_operators[0].dc: "fr1" is not a listed data center`},
		{"data_centers: [{id: ZH1}]\n", "data_centers[0].id"},
		{"data_centers: [{id: zh1}, {id: zh1}]\n", "listed twice"},
		{"data_centers: [{id: zh1}]\nnode_operators: [{name: a, dc: zh1}, {name: a, dc: zh1}]\n", "node_operators[1].name: a listed twice"},
	} {
		_, err := ParseSeed([]byte(minimalSeed + tc.yaml))
		if !errors.Is(err, ErrBadSeed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

// minimalSeed is a valid seed without operators.
const minimalSeed = `name: ops
nns_subnet: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe
guestos_versions: [{version: v1}]
hostos_versions: [{version: h1}]
subnets: [{id: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe, type: system, nodes: 4, version: v1}]
neurons: [{id: 1, controller: developer, stake_icp: 10, dissolve_delay_days: 200}]
`
