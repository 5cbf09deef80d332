package localnet

import (
	"crypto/sha256"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// NNSCanister is an NNS canister whose installed module the local network
// tracks: InstallCode proposals for it execute by recording the new module's
// SHA-256, which read_state reveals at /canister/<id>/module_hash as the
// real IC does. No code runs.
type NNSCanister struct {
	// Name is the canister's well-known name ("root", "ledger", ...).
	Name string
	// ID is its canister id.
	ID principal.Principal
}

// NNSCanisters are the NNS canisters the local network hosts, with their
// mainnet ids. Governance and the registry run their models; the others
// only publish their module hash.
var NNSCanisters = []NNSCanister{
	{"registry", RegistryID},
	{"governance", GovernanceID},
	{"ledger", principal.MustDecode("ryjl3-tyaaa-aaaaa-aaaba-cai")},
	{"root", principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai")},
	{"cycles-minting", principal.MustDecode("rkp4c-7iaaa-aaaaa-aaaca-cai")},
	{"lifeline", principal.MustDecode("rno2w-sqaaa-aaaaa-aaacq-cai")},
	{"sns-wasm", principal.MustDecode("qaa6y-5yaaa-aaaaa-aaafa-cai")},
}

// SeedWasm returns the module every network starts with in the NNS canister
// name: a minimal wasm header followed by the name, so that its SHA-256 is
// the seeded module hash and tests and drills can write the "previous wasm"
// of a canister rollback. It returns nil for an unknown name.
func SeedWasm(name string) []byte {
	for _, c := range NNSCanisters {
		if c.Name == name {
			return append([]byte("\x00asm\x01\x00\x00\x00localnet seed module "), name...)
		}
	}
	return nil
}

// seedModules are the NNS canisters' modules at genesis.
func seedModules() []regmodel.Module {
	out := make([]regmodel.Module, 0, len(NNSCanisters))
	for _, c := range NNSCanisters {
		out = append(out, regmodel.Module{CanisterID: c.ID, ModuleHash: sha256.Sum256(SeedWasm(c.Name)), Mode: regmodel.ModeInstall})
	}
	return out
}

// moduleHash returns the module hash of canister id as read_state publishes
// it, or nil when none is installed.
func (n *Network) moduleHash(id principal.Principal) []byte {
	h, ok := n.reg.ModuleHash(id)
	if !ok {
		return nil
	}
	return h[:]
}

// ModuleHash implements replica.InfoProvider: the hosted model's installed
// module as the registry model recorded it.
func (d *durable) ModuleHash() []byte { return d.n.moduleHash(d.id) }

// Controllers implements replica.InfoProvider (not tracked: left out).
func (d *durable) Controllers() []principal.Principal { return nil }

// moduleCanister is an NNS canister that only publishes its module hash:
// it exports no method.
type moduleCanister struct {
	n  *Network
	id principal.Principal
}

var _ replica.InfoProvider = moduleCanister{}

// Method implements replica.Canister: no method is exported.
func (moduleCanister) Method(string) (replica.MethodKind, bool) { return 0, false }

// Execute implements replica.Canister; it is never reached (no method).
func (moduleCanister) Execute(replica.Call) ([]byte, *replica.Reject) {
	return nil, &replica.Reject{Code: 3, Message: "the local network models only this canister's module hash", ErrorCode: "IC0536"}
}

// ModuleHash implements replica.InfoProvider.
func (m moduleCanister) ModuleHash() []byte { return m.n.moduleHash(m.id) }

// Controllers implements replica.InfoProvider (not tracked: left out).
func (moduleCanister) Controllers() []principal.Principal { return nil }

// moduleCanisterOptions hosts the NNS canisters without a model.
func (n *Network) moduleCanisterOptions() []replica.Option {
	var opts []replica.Option
	for _, c := range NNSCanisters {
		if c.ID.Equal(GovernanceID) || c.ID.Equal(RegistryID) {
			continue
		}
		opts = append(opts, replica.WithCanister(c.ID, moduleCanister{n: n, id: c.ID}))
	}
	return opts
}
