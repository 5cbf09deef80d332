package govmodel

import (
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

var (
	alice   = principal.Principal{Raw: []byte{0xa1, 1}}
	bob     = principal.Principal{Raw: []byte{0xb0, 2}}
	carol   = principal.Principal{Raw: []byte{0xca, 3}}
	genesis = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	// t0 is when the tests' first proposal is made.
	t0 = genesis.Add(10 * time.Hour)
)

// vpNeuron is a voting-eligible neuron controlled by ctl with a fixed voting
// power and 100 ICP of stake.
func vpNeuron(id uint64, ctl principal.Principal, vp uint64) NeuronSeed {
	return NeuronSeed{ID: id, Controller: ctl, StakeE8s: 100 * e8s, VotingPower: vp, DissolveDelay: 365 * day}
}

// newGov builds a model at genesis with the given neurons and config.
func newGov(t testing.TB, cfg Config, neurons ...NeuronSeed) *Governance {
	t.Helper()
	return New(cfg, Seed{Genesis: genesis, Neurons: neurons})
}

// execute runs one method through the Canister interface with a Candid
// encoded argument (none when arg is nil) and fails the test on a reject.
func execute(t testing.TB, g *Governance, method string, caller principal.Principal, now time.Time, arg any) []byte {
	t.Helper()
	out, rej := executeRaw(t, g, method, caller, now, arg)
	if rej != nil {
		t.Fatalf("%s rejected: %+v", method, rej)
	}
	return out
}

// executeRaw is execute without failing on a reject.
func executeRaw(t testing.TB, g *Governance, method string, caller principal.Principal, now time.Time, arg any) ([]byte, *replica.Reject) {
	t.Helper()
	raw := emptyArgs
	if arg != nil {
		var err error
		if raw, err = encodeArg(arg); err != nil {
			t.Fatalf("encode %s argument: %v", method, err)
		}
	}
	kind, ok := g.Method(method)
	if !ok {
		kind = replica.Update
	}
	return g.Execute(replica.Call{Method: method, Arg: raw, Caller: caller, Now: now, Replicated: kind == replica.Update})
}

// argCodecs caches an encoder per argument type: candid.Marshal derives the
// whole type table on every call, which would dominate the tests' run time.
// The encoders produce candid.Marshal's bytes (TestRepliesMatchCandidMarshal).
var argCodecs sync.Map // reflect.Type -> *replyCodec

// encodeArg encodes one Candid argument.
func encodeArg(v any) ([]byte, error) {
	typ := reflect.TypeOf(v)
	c, ok := argCodecs.Load(typ)
	if !ok {
		c, _ = argCodecs.LoadOrStore(typ, newReplyCodec(v))
	}
	return c.(*replyCodec).encode(v)
}

// decode decodes a single-value Candid reply into v.
func decode(t testing.TB, out []byte, v any) {
	t.Helper()
	if err := candid.Unmarshal(out, []any{v}); err != nil {
		t.Fatalf("decode reply: %v", err)
	}
}

// manageCmd sends manage_neuron for neuron id and returns the response command.
func manageCmd(t testing.TB, g *Governance, caller principal.Principal, now time.Time, id uint64, cmd govdid.ManageNeuronCommandRequest) govdid.Command1 {
	t.Helper()
	req := govdid.ManageNeuronRequest{
		NeuronIdOrSubaccount: &govdid.NeuronIdOrSubaccount{NeuronId: &govdid.NeuronId{Id: id}},
		Command:              &cmd,
	}
	var resp govdid.ManageNeuronResponse
	decode(t, execute(t, g, "manage_neuron", caller, now, req), &resp)
	if resp.Command == nil {
		t.Fatal("manage_neuron response without command")
	}
	return *resp.Command
}

// motion is a valid Motion proposal request.
func motion(title string) govdid.MakeProposalRequest {
	return govdid.MakeProposalRequest{
		Title:   &title,
		Summary: "A summary.",
		Url:     "https://forum.dfinity.org/t/some-thread/123",
		Action:  &govdid.ProposalActionRequest{Motion: &govdid.Motion{MotionText: "We should."}},
	}
}

// executeFn is a valid ExecuteNnsFunction proposal request.
func executeFn(fn int32, payload []byte) govdid.MakeProposalRequest {
	req := motion("Elect a GuestOS version")
	req.Action = &govdid.ProposalActionRequest{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: fn, Payload: payload}}
	return req
}

// propose makes a proposal and returns its id, failing on an error.
func propose(t testing.TB, g *Governance, caller principal.Principal, now time.Time, neuron uint64, req govdid.MakeProposalRequest) uint64 {
	t.Helper()
	c := manageCmd(t, g, caller, now, neuron, govdid.ManageNeuronCommandRequest{MakeProposal: &req})
	if c.Error != nil {
		t.Fatalf("make proposal: %+v", *c.Error)
	}
	return c.MakeProposal.ProposalId.Id
}

// proposeErr makes a proposal that must fail and returns the error.
func proposeErr(t testing.TB, g *Governance, caller principal.Principal, now time.Time, neuron uint64, req govdid.MakeProposalRequest) govdid.GovernanceError {
	t.Helper()
	c := manageCmd(t, g, caller, now, neuron, govdid.ManageNeuronCommandRequest{MakeProposal: &req})
	if c.Error == nil {
		t.Fatalf("make proposal succeeded, want an error")
	}
	return *c.Error
}

// castVote registers a vote and returns the error, if any.
func castVote(t testing.TB, g *Governance, caller principal.Principal, now time.Time, neuron, proposal uint64, vote int32) *govdid.GovernanceError {
	t.Helper()
	c := manageCmd(t, g, caller, now, neuron, govdid.ManageNeuronCommandRequest{
		RegisterVote: &govdid.RegisterVote{Vote: vote, Proposal: &govdid.ProposalId{Id: proposal}},
	})
	return c.Error
}

// mustVote registers a vote that must succeed.
func mustVote(t testing.TB, g *Governance, caller principal.Principal, now time.Time, neuron, proposal uint64, vote int32) {
	t.Helper()
	if gerr := castVote(t, g, caller, now, neuron, proposal, vote); gerr != nil {
		t.Fatalf("vote of neuron %d on %d: %+v", neuron, proposal, *gerr)
	}
}

// info fetches a proposal through get_proposal_info.
func info(t testing.TB, g *Governance, caller principal.Principal, now time.Time, id uint64) *govdid.ProposalInfo {
	t.Helper()
	var pi *govdid.ProposalInfo
	decode(t, execute(t, g, "get_proposal_info", caller, now, id), &pi)
	return pi
}

// list calls list_proposals.
func list(t testing.TB, g *Governance, caller principal.Principal, now time.Time, req govdid.ListProposalInfoRequest) []govdid.ProposalInfo {
	t.Helper()
	var resp govdid.ListProposalInfoResponse
	decode(t, execute(t, g, "list_proposals", caller, now, req), &resp)
	return resp.ProposalInfo
}

// ids returns the proposal ids of infos in order.
func ids(infos []govdid.ProposalInfo) []uint64 {
	out := []uint64{}
	for _, pi := range infos {
		out = append(out, pi.Id.Id)
	}
	return out
}

// fakeExecutor records executions and fails those whose function id (or
// install mode, for InstallCode) is in fail.
type fakeExecutor struct {
	calls []string
	fns   []int32
	wasm  [][]byte
	fail  map[int32]string
}

func (f *fakeExecutor) ExecuteNnsFunction(fn int32, payload []byte, now time.Time) error {
	f.calls = append(f.calls, "fn "+itoa(uint64(fn))+" at "+now.UTC().Format(time.RFC3339))
	f.fns = append(f.fns, fn)
	if msg, ok := f.fail[fn]; ok {
		return errors.New(msg)
	}
	return nil
}

func (f *fakeExecutor) InstallCode(id principal.Principal, mode int32, wasm, arg []byte, now time.Time) error {
	f.calls = append(f.calls, "install "+id.String()+" mode "+itoa(uint64(mode))+" arg "+string(arg))
	f.wasm = append(f.wasm, wasm)
	if msg, ok := f.fail[-mode]; ok {
		return errors.New(msg)
	}
	return nil
}

// secs is whole seconds of t since the Unix epoch.
func secs(t time.Time) uint64 { return uint64(t.Unix()) }
