package govmodel

import (
	"fmt"

	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// handler runs one method. Handlers decode their argument before taking
// the lock, so decoding runs concurrently with other calls; updates take the
// write lock and tick first, queries take the read lock.
type handler func(g *Governance, call replica.Call, now uint64) ([]byte, error)

// method is one exported method.
type method struct {
	kind replica.MethodKind
	run  handler
}

// methods are the governance.did methods the model implements. Every other
// method is reported as not exported, so the replica rejects it as it
// rejects any method a canister lacks.
var methods = map[string]method{
	"manage_neuron":                    {replica.Update, (*Governance).manageNeuron},
	"simulate_manage_neuron":           {replica.Update, (*Governance).simulateManageNeuron},
	"get_proposal_info":                {replica.Query, (*Governance).getProposalInfo},
	"list_proposals":                   {replica.Query, (*Governance).listProposals},
	"get_pending_proposals":            {replica.Query, (*Governance).getPendingProposals},
	"get_neuron_info":                  {replica.Query, (*Governance).getNeuronInfo},
	"get_full_neuron":                  {replica.Query, (*Governance).getFullNeuron},
	"list_neurons":                     {replica.Query, (*Governance).listNeurons},
	"get_network_economics_parameters": {replica.Query, (*Governance).getNetworkEconomics},
	"get_build_metadata":               {replica.Query, (*Governance).getBuildMetadata},
}

// Method implements replica.Canister.
func (g *Governance) Method(name string) (replica.MethodKind, bool) {
	m, ok := methods[name]
	return m.kind, ok
}

// Execute implements replica.Canister. Updates first process the time-driven
// transitions up to call.Now; queries never change state. Malformed
// arguments trap, as a Rust canister does when its Candid decoding panics.
func (g *Governance) Execute(call replica.Call) ([]byte, *replica.Reject) {
	m, ok := methods[call.Method]
	if !ok {
		return nil, &replica.Reject{
			Code:      3,
			ErrorCode: "IC0536",
			Message:   fmt.Sprintf("Canister %s has no update method '%s'", CanisterID, call.Method),
		}
	}
	out, err := m.run(g, call, unixSeconds(call.Now))
	if err != nil {
		return nil, trap(err)
	}
	return out, nil
}

// trap is the reject of a canister that trapped with err.
func trap(err error) *replica.Reject {
	return &replica.Reject{
		Code:      5,
		ErrorCode: "IC0503",
		Message:   fmt.Sprintf("Error from Canister %s: Canister called `ic0.trap` with message: %v", CanisterID, err),
	}
}

// decodeArg decodes a single Candid argument into v.
func decodeArg(arg []byte, v any) error { return args.decode(arg, v) }

// emptyArgs is the Candid encoding of an empty argument list.
var emptyArgs = []byte{'D', 'I', 'D', 'L', 0, 0}
