package replica

import (
	"crypto/ed25519"
	"net/http"

	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/principal"
)

// responseSep is the domain separator of node signatures on query answers.
var responseSep = []byte("\x0Bic-response")

// queryReply is the CBOR body of a query answer.
type queryReply struct {
	Status        string     `cbor:"status"`
	Reply         *replyArg  `cbor:"reply,omitempty"`
	RejectCode    uint64     `cbor:"reject_code,omitempty"`
	RejectMessage string     `cbor:"reject_message,omitempty"`
	ErrorCode     string     `cbor:"error_code,omitempty"`
	Signatures    []nodeSign `cbor:"signatures"`
}

// replyArg is the reply map of a replied query.
type replyArg struct {
	Arg []byte `cbor:"arg"`
}

// nodeSign is one node's signature over a query answer.
type nodeSign struct {
	Timestamp uint64 `cbor:"timestamp"`
	Signature []byte `cbor:"signature"`
	Identity  []byte `cbor:"identity"`
}

// handleQuery serves /query: it runs the method non-replicated, concurrently
// with other queries, and signs the answer with the node key.
func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	req, _, err := s.admit(w, r, typeQuery)
	if err != nil {
		writeError(w, err)
		return
	}
	reply, rej := s.runQuery(req)
	ans := queryReply{Status: statusReplied}
	if rej != nil {
		ans = queryReply{Status: statusRejected, RejectCode: rej.Code, RejectMessage: rej.Message, ErrorCode: rej.ErrorCode}
	} else {
		ans.Reply = &replyArg{Arg: reply}
	}
	sig, err := s.signQuery(req.id, ans, uint64(s.clock().UnixNano()))
	if err != nil {
		writeError(w, err)
		return
	}
	ans.Signatures = []nodeSign{sig}
	writeCBOR(w, http.StatusOK, ans)
}

// runQuery executes a query call. Update methods are refused as a replica
// refuses them: the canister has no query method of that name.
func (s *Server) runQuery(req *request) ([]byte, *Reject) {
	id := principal.Principal{Raw: req.content.CanisterID}
	ex, ok := s.canisters[string(id.Raw)]
	if !ok {
		return nil, canisterNotFound(id)
	}
	kind, ok := ex.can.Method(req.content.MethodName)
	if !ok || kind != Query {
		return nil, methodNotFound(id, "query", req.content.MethodName)
	}
	return execute(ex.can, Call{
		Method:    req.content.MethodName,
		Arg:       req.content.Arg,
		Caller:    principal.Principal{Raw: req.content.Sender},
		Now:       s.clock(),
		RequestID: req.id,
	})
}

// signQuery signs "\x0Bic-response" ‖ hash_of_map(answer fields, timestamp,
// request_id) with the node key.
func (s *Server) signQuery(id [32]byte, ans queryReply, ts uint64) (nodeSign, error) {
	fields := []certification.KeyValuePair{
		{Key: "status", Value: ans.Status},
		{Key: "timestamp", Value: ts},
		{Key: "request_id", Value: id[:]},
	}
	if ans.Reply != nil {
		fields = append(fields, certification.KeyValuePair{Key: "reply", Value: map[string]any{"arg": ans.Reply.Arg}})
	} else {
		fields = append(fields,
			certification.KeyValuePair{Key: "reject_code", Value: ans.RejectCode},
			certification.KeyValuePair{Key: "reject_message", Value: ans.RejectMessage},
			certification.KeyValuePair{Key: "error_code", Value: ans.ErrorCode},
		)
	}
	h, err := certification.RepresentationIndependentHash(fields)
	if err != nil {
		return nodeSign{}, err
	}
	msg := append(append([]byte{}, responseSep...), h[:]...)
	return nodeSign{Timestamp: ts, Signature: ed25519.Sign(s.keys.node, msg), Identity: s.keys.nodeID.Raw}, nil
}
