package localnet_test

import (
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// TestStalledNNSFreezesGovernance: while the NNS subnet does not finalize,
// an open motion's deadline passes without a decision (governance's timers
// stand still), update calls are refused, and queries still answer; once
// the subnet is recovered (the fault cleared) the next tick decides it.
func TestStalledNNSFreezesGovernance(t *testing.T) {
	n := localnettest.Start(t)
	dev := newGovClient(t, n.URL(), developer(t, n))
	open, err := dev.propose(devNeuron, "Motion: still open", motion("open"))
	if err != nil {
		t.Fatal(err)
	}
	if p := dev.info(t, open); p.Status != 1 {
		t.Fatalf("motion %d status %d, want open (1)", open, p.Status)
	}
	if _, err := dev.propose(devNeuron, "Deploy GuestOS to the NNS subnet", deploy(t, nnsSubnet, newVersion)); err != nil {
		t.Fatal(err)
	}
	if err := n.SetFault(localnet.Fault{Version: newVersion, Subnets: []string{nnsSubnet}}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(localnet.DefaultUpgradeDelay + time.Minute); err != nil {
		t.Fatal(err)
	}
	if stalled, _ := n.NNSStalled(); !stalled {
		t.Fatal("the NNS subnet runs a faulted version and still finalizes")
	}
	if _, err := n.Advance(5 * 24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if p := dev.info(t, open); p.Status != 1 || p.DecidedTimestampSeconds != 0 {
		t.Fatalf("motion %d decided (status %d) while the NNS subnet was stalled", open, p.Status)
	}
	if _, err := dev.propose(devNeuron, "Motion: refused", motion("refused")); err == nil {
		t.Fatal("an update call executed on a stalled NNS subnet")
	}
	if err := n.SetFault(localnet.Fault{Version: newVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(time.Minute); err != nil {
		t.Fatal(err)
	}
	if p := dev.info(t, open); p.Status == 1 {
		t.Fatalf("motion %d still open after the NNS subnet recovered", open)
	}
}
