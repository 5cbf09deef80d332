package govmodel

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"sync"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/nnspatch/nnspatch/governance/govdid"
)

// Candid encoding with agent-go derives the type table of a reply by
// reflection and renders every type to a string on each call; for a
// ProposalInfo (whose Action variant spans most of governance.did) that is
// most of the cost. The model therefore computes each reply type's header
// (magic, type table, argument types) once and encodes only values, and it
// caches the value encoding of each ProposalInfo split around its
// caller-dependent ballots field. The result is byte-identical to
// candid.Marshal of the full reply struct (tested).

// replyCodec encodes one reply type: a cached header plus the value bytes.
type replyCodec struct {
	typ    idl.Type
	header []byte
}

// newReplyCodec derives the codec of sample's Go type; sample must be
// encodable (a variant needs one arm set).
func newReplyCodec(sample any) *replyCodec {
	zero := sample
	typ, err := idl.TypeOf(zero)
	if err != nil {
		panic(fmt.Sprintf("govmodel: candid type of %T: %v", zero, err))
	}
	full, err := candid.Marshal([]any{zero})
	if err != nil {
		panic(fmt.Sprintf("govmodel: encode %T: %v", zero, err))
	}
	val, err := typ.EncodeValue(zero)
	if err != nil {
		panic(fmt.Sprintf("govmodel: encode value %T: %v", zero, err))
	}
	return &replyCodec{typ: typ, header: full[:len(full)-len(val)]}
}

// encode returns the complete Candid message carrying v.
func (c *replyCodec) encode(v any) ([]byte, error) {
	val, err := c.typ.EncodeValue(v)
	if err != nil {
		return nil, fmt.Errorf("encode reply: %w", err)
	}
	out := make([]byte, 0, len(c.header)+len(val))
	return append(append(out, c.header...), val...), nil
}

// infoCodec encodes ProposalInfo values in parts.
type infoCodec struct {
	rec        *idl.RecordType
	ballotsPos int
	// voteFirst is the field order of the Ballot record (by field hash),
	// used to encode ballots without reflection.
	voteFirst bool
	list      *replyCodec // ListProposalInfoResponse
	opt       *replyCodec // opt ProposalInfo
	vec       *replyCodec // vec ProposalInfo
}

// codecSet holds the codecs of every reply the model sends.
type codecSet struct {
	info         *infoCodec
	manageNeuron *replyCodec
	neuronInfo   *replyCodec
	listNeurons  *replyCodec
	economics    *replyCodec
	text         *replyCodec
}

var (
	codecOnce sync.Once
	codecs    codecSet
)

// sharedCodecs returns the codecs, building them on first use.
func sharedCodecs() *codecSet {
	codecOnce.Do(func() {
		codecs.info = newInfoCodec()
		codecs.manageNeuron = newReplyCodec(govdid.ManageNeuronResponse{})
		codecs.neuronInfo = newReplyCodec(govdid.Result5{Err: &govdid.GovernanceError{}})
		codecs.listNeurons = newReplyCodec(govdid.ListNeuronsResponse{})
		codecs.economics = newReplyCodec(govdid.NetworkEconomics{})
		codecs.text = newReplyCodec("")
	})
	return &codecs
}

// newInfoCodec locates the ballots field of the ProposalInfo record.
func newInfoCodec() *infoCodec {
	typ, err := idl.TypeOf(govdid.ProposalInfo{})
	if err != nil {
		panic(fmt.Sprintf("govmodel: candid type of ProposalInfo: %v", err))
	}
	rec, ok := typ.(*idl.RecordType)
	if !ok {
		panic(fmt.Sprintf("govmodel: ProposalInfo is a %T, not a record", typ))
	}
	c := &infoCodec{
		rec:        rec,
		ballotsPos: -1,
		list:       newReplyCodec(govdid.ListProposalInfoResponse{}),
		opt:        newReplyCodec((*govdid.ProposalInfo)(nil)),
		vec:        newReplyCodec([]govdid.ProposalInfo{}),
	}
	for i, f := range rec.Fields {
		if f.Name == "ballots" {
			c.ballotsPos = i
		}
	}
	if c.ballotsPos < 0 {
		panic("govmodel: ProposalInfo has no ballots field")
	}
	c.voteFirst = ballotFieldOrder(rec.Fields[c.ballotsPos].Type)
	return c
}

// ballotFieldOrder checks that ballots is vec record { nat64; Ballot } and
// reports whether Ballot's vote field precedes voting_power on the wire.
func ballotFieldOrder(t idl.Type) bool {
	vec, ok := t.(*idl.VectorType)
	if !ok {
		panic(fmt.Sprintf("govmodel: ProposalInfo.ballots is a %T", t))
	}
	tup, ok := vec.Type.(*idl.RecordType)
	if !ok || !tup.IsTuple || len(tup.Fields) != 2 {
		panic(fmt.Sprintf("govmodel: ballots element is %s", vec.Type))
	}
	b, ok := tup.Fields[1].Type.(*idl.RecordType)
	if !ok || len(b.Fields) != 2 {
		panic(fmt.Sprintf("govmodel: Ballot is %s", tup.Fields[1].Type))
	}
	return b.Fields[0].Name == "vote"
}

// appendBallots appends the value encoding of ballots: a vector of
// (nat64, record { vote : int32; voting_power : nat64 }), fixed-width
// little-endian numbers in field-hash order.
func (c *infoCodec) appendBallots(dst []byte, ballots []ballotEntry) []byte {
	dst = append(dst, vecLen(len(ballots))...)
	for _, e := range ballots {
		dst = binary.LittleEndian.AppendUint64(dst, e.Field0)
		if c.voteFirst {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(e.Field1.Vote))
			dst = binary.LittleEndian.AppendUint64(dst, e.Field1.VotingPower)
		} else {
			dst = binary.LittleEndian.AppendUint64(dst, e.Field1.VotingPower)
			dst = binary.LittleEndian.AppendUint32(dst, uint32(e.Field1.Vote))
		}
	}
	return dst
}

// encodedInfo is the cached value encoding of one ProposalInfo without its
// ballots: the fields before and after the ballots field, for the listing
// and the full form (equal unless a large payload was dropped).
type encodedInfo struct {
	rewardStatus int32
	listPrefix   []byte
	listSuffix   []byte
	fullPrefix   []byte
	fullSuffix   []byte
}

// parts encodes every field of pi except ballots.
func (c *infoCodec) parts(pi *govdid.ProposalInfo) (prefix, suffix []byte, err error) {
	m, err := idl.StructToMap(*pi)
	if err != nil {
		return nil, nil, err
	}
	for i, f := range c.rec.Fields {
		if i == c.ballotsPos {
			continue
		}
		b, err := f.Type.EncodeValue(m[f.Name])
		if err != nil {
			return nil, nil, fmt.Errorf("encode ProposalInfo.%s: %w", f.Name, err)
		}
		if i < c.ballotsPos {
			prefix = append(prefix, b...)
		} else {
			suffix = append(suffix, b...)
		}
	}
	return prefix, suffix, nil
}

// vecLen encodes a vector length as agent-go does (signed LEB128), so the
// assembled messages equal candid.Marshal byte for byte.
func vecLen(n int) []byte {
	b, err := leb128.EncodeSigned(big.NewInt(int64(n)))
	if err != nil {
		panic(err) // unreachable for non-negative lengths
	}
	return b
}
