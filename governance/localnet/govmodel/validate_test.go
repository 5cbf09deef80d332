package govmodel

import (
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

func TestMakeProposalValidation(t *testing.T) {
	registry := principal.MustDecode("rwlgt-iiaaa-aaaaa-aaaaa-cai")
	mode := func(m int32) *int32 { return &m }
	wasm := []byte("\x00asm")
	install := func(r govdid.InstallCodeRequest) govdid.MakeProposalRequest {
		req := motion("Upgrade the registry")
		req.Action = &govdid.ProposalActionRequest{InstallCode: &r}
		return req
	}
	with := func(f func(*govdid.MakeProposalRequest)) govdid.MakeProposalRequest {
		req := motion("Valid title")
		f(&req)
		return req
	}
	str := func(s string) *string { return &s }
	tests := []struct {
		name     string
		req      govdid.MakeProposalRequest
		wantType int32
		wantMsg  string
	}{
		{"no title", with(func(r *govdid.MakeProposalRequest) { r.Title = nil }), ErrorInvalidProposal, "Proposal lacks a title"},
		{"title of 4 bytes", with(func(r *govdid.MakeProposalRequest) { r.Title = str("abcd") }), ErrorInvalidProposal, "Proposal title is too short (must be at least 5 bytes)"},
		{"title of 257 bytes", with(func(r *govdid.MakeProposalRequest) { r.Title = str(strings.Repeat("x", 257)) }), ErrorInvalidProposal, "Proposal title is too long (can be at most 256 bytes)"},
		{"title counted in bytes", with(func(r *govdid.MakeProposalRequest) { r.Title = str(strings.Repeat("é", 129)) }), ErrorInvalidProposal, "Proposal title is too long (can be at most 256 bytes)"},
		{"summary of 30001 bytes", with(func(r *govdid.MakeProposalRequest) { r.Summary = strings.Repeat("s", 30001) }), ErrorInvalidProposal, "The maximum proposal summary size is 30000 bytes, this proposal is: 30001 bytes"},
		{"http url", with(func(r *govdid.MakeProposalRequest) { r.Url = "http://forum.dfinity.org/t/1" }), ErrorInvalidProposal, "Proposal url must begin with https://. (Field was set to `http://forum.dfinity.org/t/1`.)"},
		{"other domain", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://example.org/t/1" }), ErrorInvalidProposal, `Proposal url was not in the list of allowed domains: ["forum.dfinity.org"]`},
		{"lookalike domain", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://forum.dfinity.org.evil.io/t" }), ErrorInvalidProposal, `Proposal url was not in the list of allowed domains: ["forum.dfinity.org"]`},
		{"domain with a query", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://forum.dfinity.org?t=1" }), ErrorInvalidProposal, `Proposal url was not in the list of allowed domains: ["forum.dfinity.org"]`},
		{"credentials", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://me@forum.dfinity.org/t" }), ErrorInvalidProposal, "Proposal url cannot contain authentication information"},
		{"two protocols", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://forum.dfinity.org/https://x" }), ErrorInvalidProposal, "Proposal url contains an invalid sequence of characters"},
		{"url of 9 bytes", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://a" }), ErrorInvalidProposal, "Proposal url must be greater or equal to than 10 characters long, but it is 9 characters long. (Field was set to `https://a`.)"},
		{"url of 2049 bytes", with(func(r *govdid.MakeProposalRequest) { r.Url = "https://forum.dfinity.org/" + strings.Repeat("a", 2023) }), ErrorInvalidProposal,
			"Proposal url must be less than 2048 characters long, but it is 2049 characters long. (Field was set to `https://forum.dfinity.org/" + strings.Repeat("a", 2023) + "`.)"},
		{"no action", with(func(r *govdid.MakeProposalRequest) { r.Action = nil }), ErrorInvalidProposal, "Proposal lacks an action"},
		{"motion text of 10001 bytes", with(func(r *govdid.MakeProposalRequest) {
			r.Action = &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: strings.Repeat("m", 10001)}}
		}), ErrorInvalidProposal, "The maximum motion text size in a proposal action is 10000 bytes, this motion text is: 10001 bytes"},
		{"obsolete BlessReplicaVersion", executeFn(5, nil), ErrorInvalidProposal, "NNS_FUNCTION_BLESS_REPLICA_VERSION is obsolete. Use NNS_FUNCTION_REVISE_ELECTED_HOSTOS_VERSIONS instead."},
		{"obsolete NnsCanisterUpgrade", executeFn(4, nil), ErrorInvalidProposal, "NNS_FUNCTION_NNS_CANISTER_UPGRADE is obsolete. Use InstallCode instead."},
		{"obsolete UpdateNodesHostosVersion", executeFn(41, nil), ErrorInvalidProposal, "NNS_FUNCTION_UPDATE_NODES_HOSTOS_VERSION is obsolete. Use NNS_FUNCTION_DEPLOY_HOSTOS_TO_SOME_NODES instead."},
		{"unspecified function", executeFn(0, nil), ErrorInvalidProposal, "NNS_FUNCTION_UNSPECIFIED is not a valid function"},
		{"obsolete exchange rate", executeFn(10, nil), ErrorInvalidProposal,
			"NNS_FUNCTION_ICP_XDR_CONVERSION_RATE is obsolete as conversion rates are now provided by the exchange rate canister automatically."},
		{"obsolete unassigned nodes config", executeFn(22, nil), ErrorInvalidProposal,
			"NNS_FUNCTION_UPDATE_UNASSIGNED_NODES_CONFIG is obsolete. Use NNS_FUNCTION_DEPLOY_GUESTOS_TO_ALL_UNASSIGNED_NODES/NNS_FUNCTION_UPDATE_SSH_READONLY_ACCESS_FOR_ALL_UNASSIGNED_NODES instead."},
		{"removed function 45", executeFn(45, nil), ErrorInvalidProposal, "Invalid NnsFunction id: 45"},
		{"unknown function", executeFn(99, nil), ErrorInvalidProposal, "Invalid NnsFunction id: 99"},
		{"negative function", executeFn(-1, nil), ErrorInvalidProposal, "Invalid NnsFunction id: -1"},
		{"payload of 70001 bytes", executeFn(FnReviseElectedGuestosVersions, make([]byte, 70001)), ErrorInvalidProposal, "The maximum NNS function payload size in a proposal action is 70000 bytes, this payload is: 70001 bytes"},
		{"install without canister", install(govdid.InstallCodeRequest{InstallMode: mode(3), WasmModule: &wasm}), ErrorInvalidProposal, "InstallCode proposal invalid because of Canister ID is required"},
		{"install without mode", install(govdid.InstallCodeRequest{CanisterId: &registry, WasmModule: &wasm}), ErrorInvalidProposal, "InstallCode proposal invalid because of Install mode is required"},
		{"install mode 0", install(govdid.InstallCodeRequest{CanisterId: &registry, InstallMode: mode(0), WasmModule: &wasm}), ErrorInvalidProposal, "InstallCode proposal invalid because of Unspecified or unrecognized install mode"},
		{"install mode 4", install(govdid.InstallCodeRequest{CanisterId: &registry, InstallMode: mode(4), WasmModule: &wasm}), ErrorInvalidProposal, "InstallCode proposal invalid because of Unspecified or unrecognized install mode"},
		{"install without wasm", install(govdid.InstallCodeRequest{CanisterId: &registry, InstallMode: mode(3)}), ErrorInvalidProposal, "InstallCode proposal invalid because of Wasm module is required"},
		{"unsupported action", with(func(r *govdid.MakeProposalRequest) {
			r.Action = &govdid.ProposalActionRequest{ManageNetworkEconomics: &govdid.NetworkEconomics{}}
		}), ErrorInvalidProposal, "ManageNetworkEconomics" + unsupportedByModel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, vpNeuron(1, alice, 10))
			got := proposeErr(t, g, alice, t0, 1, tt.req)
			if got.ErrorType != tt.wantType || got.ErrorMessage != tt.wantMsg {
				t.Errorf("error = (%d, %q), want (%d, %q)", got.ErrorType, got.ErrorMessage, tt.wantType, tt.wantMsg)
			}
			if g.ProposalCount() != 0 {
				t.Errorf("a refused proposal was stored")
			}
			if fees, _ := g.NeuronFeesE8s(1); fees != 0 {
				t.Errorf("a refused proposal charged %d e8s", fees)
			}
		})
	}
}

func TestMakeProposalAccepts(t *testing.T) {
	registry := principal.MustDecode("rwlgt-iiaaa-aaaaa-aaaaa-cai")
	app := principal.MustDecode("qoctq-giaaa-aaaaa-aaaea-cai")
	wasm, arg := []byte("\x00asm-registry"), []byte("arg")
	upgrade := int32(3)
	install := func(id principal.Principal) govdid.MakeProposalRequest {
		req := motion("Upgrade a canister")
		req.Action = &govdid.ProposalActionRequest{InstallCode: &govdid.InstallCodeRequest{
			CanisterId: &id, InstallMode: &upgrade, WasmModule: &wasm, Arg: &arg,
		}}
		return req
	}
	tests := []struct {
		name      string
		req       govdid.MakeProposalRequest
		wantTopic int32
	}{
		{"motion", motion("A motion"), TopicGovernance},
		{"empty url", func() govdid.MakeProposalRequest { r := motion("No url"); r.Url = ""; return r }(), TopicGovernance},
		{"bare forum url", func() govdid.MakeProposalRequest {
			r := motion("Bare url")
			r.Url = "https://forum.dfinity.org"
			return r
		}(), TopicGovernance},
		{"url of 2048 bytes", func() govdid.MakeProposalRequest {
			r := motion("Long url")
			r.Url = "https://forum.dfinity.org/" + strings.Repeat("a", 2022)
			return r
		}(), TopicGovernance},
		{"title of 5 bytes", motion("12345"), TopicGovernance},
		{"title of 256 bytes", motion(strings.Repeat("t", 256)), TopicGovernance},
		{"revise elected guestos", executeFn(FnReviseElectedGuestosVersions, make([]byte, 70000)), TopicIcOsVersionElection},
		{"deploy guestos to subnet", executeFn(FnDeployGuestosToAllSubnetNodes, []byte("DIDL")), TopicIcOsVersionDeployment},
		{"renamed UpdateElectedReplicaVersions id", executeFn(38, nil), TopicIcOsVersionElection},
		{"large payload function", executeFn(FnNnsCanisterInstall, make([]byte, 200_000)), TopicProtocolCanisterManagement},
		{"install code on a protocol canister", install(registry), TopicProtocolCanisterManagement},
		{"install code on another canister", install(app), TopicApplicationCanisterManagement},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 1000))
			id := propose(t, g, alice, t0, 1, tt.req)
			pi := info(t, g, alice, t0, id)
			if pi.Topic != tt.wantTopic {
				t.Errorf("topic = %d, want %d", pi.Topic, tt.wantTopic)
			}
			if pi.Status != StatusOpen || *pi.Proposal.Title != *tt.req.Title || pi.Proposal.Summary != tt.req.Summary || pi.Proposal.Url != tt.req.Url {
				t.Errorf("stored proposal = %+v", pi)
			}
		})
	}
}

func TestInstallCodeStoresHashes(t *testing.T) {
	registry := principal.MustDecode("rwlgt-iiaaa-aaaaa-aaaaa-cai")
	wasm, mode := []byte("\x00asm"), int32(3)
	req := motion("Upgrade the registry")
	req.Action = &govdid.ProposalActionRequest{InstallCode: &govdid.InstallCodeRequest{CanisterId: &registry, InstallMode: &mode, WasmModule: &wasm}}
	g := newGov(t, Config{}, vpNeuron(1, alice, 10), vpNeuron(2, bob, 1000))
	ic := info(t, g, alice, t0, propose(t, g, alice, t0, 1, req)).Proposal.Action.InstallCode
	const wasmSHA = "cd5d4935a48c0672cb06407bb443bc0087aff947c6b864bac886982c73b3027f"
	// An empty arg is stored with an empty arg_hash, as governance does.
	if ic == nil || hexOf(*ic.WasmModuleHash) != wasmSHA || len(*ic.ArgHash) != 0 || !ic.CanisterId.Equal(registry) || *ic.InstallMode != 3 {
		t.Fatalf("stored InstallCode = %+v", ic)
	}
}

// hexOf is lowercase hex of b.
func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

func TestMakeProposalNeuronChecks(t *testing.T) {
	hotkeyed := vpNeuron(1, alice, 10)
	hotkeyed.HotKeys = []principal.Principal{carol}
	poor := NeuronSeed{ID: 2, Controller: alice, StakeE8s: 25*e8s - 1, DissolveDelay: 365 * day}
	young := NeuronSeed{ID: 3, Controller: alice, StakeE8s: 100 * e8s, DissolveDelay: 30 * day}
	tests := []struct {
		name     string
		caller   principal.Principal
		neuron   uint64
		wantType int32
		wantMsg  string
	}{
		{"unknown neuron", alice, 9, ErrorNotFound, "Neuron not found: NeuronId { id: 9 }"},
		{"stranger", bob, 1, ErrorNotAuthorized, "Caller not authorized to propose."},
		{"stake below reject cost", alice, 2, ErrorInsufficientFunds, "Neuron doesn't have enough minted stake to submit proposal: 2499999999"},
		{"dissolve delay too short", alice, 3, ErrorPreconditionFailed, "Neuron's dissolve delay is too short."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGov(t, Config{}, hotkeyed, poor, young)
			got := proposeErr(t, g, tt.caller, t0, tt.neuron, motion("A motion"))
			if got.ErrorType != tt.wantType || got.ErrorMessage != tt.wantMsg {
				t.Errorf("error = (%d, %q), want (%d, %q)", got.ErrorType, got.ErrorMessage, tt.wantType, tt.wantMsg)
			}
		})
	}
	t.Run("hot key may propose", func(t *testing.T) {
		g := newGov(t, Config{}, hotkeyed, vpNeuron(4, bob, 1000))
		if id := propose(t, g, carol, t0, 1, motion("A motion")); id != 1 {
			t.Errorf("proposal id = %d, want 1", id)
		}
	})
}
