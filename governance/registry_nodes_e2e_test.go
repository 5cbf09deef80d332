package governance

import (
	"testing"
)

// TestRegistryNodesCarryOperatorsAndDataCenters reads the default localnet
// registry through the client (certified sync over HTTP) and checks that
// every node names an operator whose node_operator_record_<principal>
// names a data_center_record_<id>, that every role is present with the
// version the registry records for it, and that subnets span data centers.
func TestRegistryNodesCarryOperatorsAndDataCenters(t *testing.T) {
	net, c := startLocal(t)
	reg, err := c.Registry(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	topo := net.Topology()
	if len(reg.NodeOperators) != len(topo.NodeOperators) || len(reg.DataCenters) != len(topo.DataCenters) {
		t.Fatalf("registry has %d operators, %d DCs; seed %d, %d",
			len(reg.NodeOperators), len(reg.DataCenters), len(topo.NodeOperators), len(topo.DataCenters))
	}
	nodes := reg.NodeList()
	roles := map[string]int{}
	dcsOf := map[string]map[string]bool{}
	for _, n := range nodes {
		roles[n.Role]++
		if n.Operator == "" || n.DC == "" || n.Region == "" || n.HostOSVersion == "" || n.GuestOSVersion == "" {
			t.Fatalf("node %s lacks facts: %+v", n.ID, n)
		}
		if want := topo.NodeOperatorOf[n.ID]; n.Operator != want {
			t.Fatalf("node %s: operator %s, seed dealt %s", n.ID, n.Operator, want)
		}
		if n.Role == NodeRoleSubnet {
			sn, _ := reg.SubnetByID(n.Subnet)
			if n.GuestOSVersion != sn.GuestOSVersion {
				t.Fatalf("node %s: version %s, subnet runs %s", n.ID, n.GuestOSVersion, sn.GuestOSVersion)
			}
			if dcsOf[n.Subnet] == nil {
				dcsOf[n.Subnet] = map[string]bool{}
			}
			dcsOf[n.Subnet][n.DC] = true
		}
	}
	if roles[NodeRoleAPIBoundary] != len(topo.APIBoundaryNodes) || roles[NodeRoleUnassigned] != len(topo.UnassignedNodes) {
		t.Fatalf("roles %v; seed has %d API BNs, %d unassigned", roles, len(topo.APIBoundaryNodes), len(topo.UnassignedNodes))
	}
	for _, b := range reg.APIBoundaryNodes {
		n, ok := reg.NodeByID(b.ID)
		if !ok || n.Role != NodeRoleAPIBoundary || n.GuestOSVersion != topo.APIBoundaryVersion {
			t.Fatalf("API BN %s: %+v, found %v", b.ID, n, ok)
		}
	}
	for id, dcs := range dcsOf {
		if len(dcs) < 2 {
			t.Fatalf("subnet %s stands in one data center: %v", id, dcs)
		}
	}
	if _, ok := reg.NodeByID("aaaaa-aa"); ok {
		t.Fatal("NodeByID found a node that has no node_record")
	}
}
