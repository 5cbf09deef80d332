package govmodel

import (
	"sync"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

var (
	fullNeuronOnce  sync.Once
	fullNeuronCodec *replyCodec
)

// fullNeuronReply returns the codec of get_full_neuron's Result_2.
func fullNeuronReply() *replyCodec {
	fullNeuronOnce.Do(func() { fullNeuronCodec = newReplyCodec(govdid.Result2{Err: &govdid.GovernanceError{}}) })
	return fullNeuronCodec
}

// getFullNeuron handles get_full_neuron: the full record for a caller who
// controls the neuron, holds one of its hot keys or may act for one of its
// neuron managers (its followees on NeuronManagement), as
// NeuronStore::get_full_neuron allows; NotAuthorized otherwise.
func (g *Governance) getFullNeuron(call replica.Call, now uint64) ([]byte, error) {
	var id uint64
	if err := decodeArg(call.Arg, &id); err != nil {
		return nil, err
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	var res govdid.Result2
	switch n := g.neurons[id]; {
	case n == nil:
		res.Err = neuronNotFound(id)
	case !g.mayReadFull(n, call.Caller):
		res.Err = govErr(ErrorNotAuthorized, "Principal "+call.Caller.Encode()+
			" is not authorized to get full neuron information for neuron NeuronId { id: "+itoa(id)+" }")
	default:
		full := n.fullNeuron(now)
		res.Ok = &full
	}
	return fullNeuronReply().encode(res)
}

// mayReadFull reports whether p controls n, holds one of its hot keys, or
// controls or holds a hot key of one of n's NeuronManagement followees.
func (g *Governance) mayReadFull(n *neuron, p principal.Principal) bool {
	if n.authorized(p) {
		return true
	}
	for _, m := range n.followees[TopicNeuronManagement] {
		if mgr := g.neurons[m]; mgr != nil && mgr.authorized(p) {
			return true
		}
	}
	return false
}
