package rollout

import (
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/registrypb"
	"google.golang.org/protobuf/proto"
)

// HaltSource says where the halt a Status shows comes from.
type HaltSource string

// Halt sources.
const (
	// HaltLocal: this machine's ledger (`rollout halt`, or a rollback
	// started from this release directory). Other release managers see it
	// only if they share the release directory or halt their own copy.
	HaltLocal HaltSource = "local"
	// HaltChain: evidenced on chain, so every release manager sees it: a
	// subnet of the release is halted in the registry (is_halted).
	HaltChain HaltSource = "chain"
)

// Kinds of on-chain evidence that stop a rollout.
const (
	// ChainSubnetHalted: the subnet record has is_halted set.
	ChainSubnetHalted = "subnet_halted"
	// ChainRolledBack: the target ran the version and a later executed
	// deploy (or, once governance forgot it, the registry) took it back.
	ChainRolledBack = "rolled_back"
)

// ChainHalt is one on-chain fact that stops the rollout for every release
// manager alike.
type ChainHalt struct {
	// Kind is ChainSubnetHalted or ChainRolledBack.
	Kind string `json:"kind"`
	// Subnet is the subnet ("unassigned" for the unassigned nodes).
	Subnet string `json:"subnet"`
	// Since is when the registry recorded it (zero when unknown).
	Since time.Time `json:"since,omitzero"`
	// Detail says it in one line.
	Detail string `json:"detail"`
}

// chainHalts lists the on-chain facts that stop the rollout: the release's
// subnets (planned, or running the version) halted in the registry, then
// the rolled-back targets.
func chainHalts(l *Ledger, o *observation, st *Status) []ChainHalt {
	var out []ChainHalt
	for _, s := range o.reg.Subnets {
		if !s.Halted || !releaseSubnet(l, s) {
			continue
		}
		since := haltedSince(o.log, s.ID)
		d := fmt.Sprintf("subnet %s is halted in the registry (is_halted)", s.ID)
		if !since.IsZero() {
			d += " since " + since.Format("2006-01-02 15:04 MST")
		}
		out = append(out, ChainHalt{Kind: ChainSubnetHalted, Subnet: s.ID, Since: since, Detail: d})
	}
	for _, s := range rolledBackSubnets(st) {
		h := ChainHalt{Kind: ChainRolledBack, Subnet: s.Subnet, Detail: rolledBackLine(s)}
		if s.RolledBack != nil {
			h.Since = s.RolledBack.Executed
		}
		out = append(out, h)
	}
	return out
}

// releaseSubnet reports whether the rollout concerns subnet s: it is in
// the plan, or (without a plan) runs the version.
func releaseSubnet(l *Ledger, s governance.Subnet) bool {
	if l.Plan != nil {
		return l.Plan.BatchOf(s.ID) >= 0
	}
	return s.GuestOSVersion == l.Version
}

// haltedSince is when the registry last set the subnet's is_halted; zero
// without a registry log or when the log does not say.
func haltedSince(log *governance.RegistryLog, subnet string) time.Time {
	if log == nil {
		return time.Time{}
	}
	var since time.Time
	was := false
	for _, c := range log.History("subnet_record_" + subnet) {
		var rec registrypb.SubnetRecord
		if c.Deleted || proto.Unmarshal(c.Value, &rec) != nil {
			was = false
			continue
		}
		if rec.GetIsHalted() && !was {
			since = c.Time
		}
		was = rec.GetIsHalted()
	}
	return since
}

// applyHalt makes st halted: by this machine's ledger halt when there is
// one, else by a subnet halted in the registry. An abandoned release
// stays abandoned.
func applyHalt(l *Ledger, st *Status) {
	if st.State == RolloutAbandoned {
		return
	}
	if l.Halted != nil {
		st.Halted, st.HaltSource, st.Underlying, st.State = l.Halted, HaltLocal, st.State, RolloutHalted
		st.Blockers = append([]string{haltBlocker(l.Halted)}, st.Blockers...)
		return
	}
	for _, h := range st.ChainHalts {
		if h.Kind != ChainSubnetHalted {
			continue
		}
		st.Halted = &Halt{At: h.Since, By: "registry", Reason: h.Detail}
		st.HaltSource, st.Underlying, st.State = HaltChain, st.State, RolloutHalted
		st.Blockers = append([]string{h.Detail + ": the rollout waits until the subnet is un-halted (every release manager sees this; `rollout resume` does not lift it)"}, st.Blockers...)
		return
	}
}
