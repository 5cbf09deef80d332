package governance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// agent-go's Candid encoder walks the whole ManageNeuronRequest type by
// reflection on every call: for a vote that was most of the voting client's
// CPU. A vote's encoding has a fixed length (nat64 neuron and proposal ids,
// an int32 vote), so it is agent-go's own encoding of a template vote with
// the three values patched in place. The template is made once, by
// agent-go, and every value is located by a sentinel that occurs exactly
// once; a test checks the result byte for byte against agent-go's.

// Sentinels of the template vote, chosen to occur nowhere else in it.
const (
	sentinelNeuron   uint64 = 0x31c7a5e0d94b6f28
	sentinelProposal uint64 = 0x8e2b4d6f1a3c5e70
	sentinelVote     int32  = 0x5a6b7c1d
)

// voteTemplate is the encoded template vote and where its values are.
type voteTemplate struct {
	bytes                        []byte
	neuronAt, proposalAt, voteAt int
}

var (
	voteTmplOnce sync.Once
	voteTmpl     voteTemplate
	voteTmplErr  error
)

// fastManageNeuron switches the template encoding on; benchmarks turn it
// off to measure agent-go's reflective encoding side by side.
var fastManageNeuron = true

// EncodeManageNeuron returns the Candid argument of manage_neuron for req,
// byte-identical to candid.Marshal([]any{req}); votes take the fast path.
func EncodeManageNeuron(req govdid.ManageNeuronRequest) ([]byte, error) {
	if neuron, proposal, vote, ok := plainVote(req); ok && fastManageNeuron {
		return encodeVote(neuron, proposal, vote)
	}
	return candid.Marshal([]any{req})
}

// plainVote recognizes the shape VoteCommand builds: a RegisterVote with a
// proposal id, addressed by neuron id, and nothing else.
func plainVote(req govdid.ManageNeuronRequest) (neuron, proposal uint64, vote int32, ok bool) {
	if req.Id != nil || req.NeuronIdOrSubaccount == nil || req.Command == nil {
		return 0, 0, 0, false
	}
	by, cmd := *req.NeuronIdOrSubaccount, *req.Command
	rv := cmd.RegisterVote
	if by.Subaccount != nil || by.NeuronId == nil || rv == nil || rv.Proposal == nil ||
		cmd != (govdid.ManageNeuronCommandRequest{RegisterVote: rv}) {
		return 0, 0, 0, false
	}
	return by.NeuronId.Id, rv.Proposal.Id, rv.Vote, true
}

// encodeVote patches the template with the vote's values.
func encodeVote(neuron, proposal uint64, vote int32) ([]byte, error) {
	voteTmplOnce.Do(func() { voteTmpl, voteTmplErr = makeVoteTemplate() })
	if voteTmplErr != nil {
		return nil, voteTmplErr
	}
	t := voteTmpl
	b := bytes.Clone(t.bytes)
	binary.LittleEndian.PutUint64(b[t.neuronAt:], neuron)
	binary.LittleEndian.PutUint64(b[t.proposalAt:], proposal)
	binary.LittleEndian.PutUint32(b[t.voteAt:], uint32(vote))
	return b, nil
}

func makeVoteTemplate() (voteTemplate, error) {
	b, err := candid.Marshal([]any{VoteCommand(sentinelNeuron, sentinelProposal, Vote(sentinelVote))})
	if err != nil {
		return voteTemplate{}, fmt.Errorf("encode the template vote: %w", err)
	}
	t := voteTemplate{bytes: b}
	var u8 [8]byte
	var u4 [4]byte
	binary.LittleEndian.PutUint64(u8[:], sentinelNeuron)
	if t.neuronAt, err = onlyIndex(b, u8[:]); err != nil {
		return voteTemplate{}, err
	}
	binary.LittleEndian.PutUint64(u8[:], sentinelProposal)
	if t.proposalAt, err = onlyIndex(b, u8[:]); err != nil {
		return voteTemplate{}, err
	}
	binary.LittleEndian.PutUint32(u4[:], uint32(sentinelVote))
	if t.voteAt, err = onlyIndex(b, u4[:]); err != nil {
		return voteTemplate{}, err
	}
	return t, nil
}

// onlyIndex returns where sep occurs in b, requiring exactly one place.
func onlyIndex(b, sep []byte) (int, error) {
	i := bytes.Index(b, sep)
	if i < 0 || bytes.Contains(b[i+1:], sep) {
		return 0, fmt.Errorf("template vote: sentinel %x does not occur exactly once", sep)
	}
	return i, nil
}
