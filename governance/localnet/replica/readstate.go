package replica

import (
	"bytes"
	"net/http"

	"github.com/aviate-labs/agent-go/principal"
)

// readStateReply is the CBOR body of a read_state answer.
type readStateReply struct {
	Certificate []byte `cbor:"certificate"`
}

// handleReadState serves canister and subnet read_state: a certificate of a
// fresh state revealing the requested paths and /time.
func (s *Server) handleReadState(subnet bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, target, err := s.admit(w, r, typeReadState)
		if err != nil {
			writeError(w, err)
			return
		}
		if err := s.checkPaths(req, target, subnet); err != nil {
			writeError(w, err)
			return
		}
		v := s.history.current()
		snap, err := s.cert.await(func(sn *snapshot) bool { return s.fresh(sn, v) })
		if err != nil {
			writeError(w, err)
			return
		}
		cert, err := snap.certificate(req.content.Paths)
		if err != nil {
			writeError(w, err)
			return
		}
		writeCBOR(w, http.StatusOK, readStateReply{Certificate: cert})
	}
}

// checkPaths applies a replica's read_state authorization: a request status
// may be read only by its sender, canister paths must name the effective
// canister, and at most one request id may be asked about.
func (s *Server) checkPaths(req *request, target principal.Principal, subnet bool) error {
	var rid []byte
	for _, p := range req.content.Paths {
		if len(p) < 2 {
			continue
		}
		switch string(p[0]) {
		case "request_status":
			if rid != nil && !bytes.Equal(rid, p[1]) {
				return badRequest("Can only request a single request ID in request_status paths.")
			}
			rid = p[1]
			if e := s.history.get(p[1]); e != nil && !bytes.Equal(e.sender, req.content.Sender) {
				return forbidden("Request IDs must be for requests signed by the caller.")
			}
		case "canister":
			if subnet || !bytes.Equal(p[1], target.Raw) {
				return badRequest("Effective principal id in URL %s does not match requested principal id: %s.",
					target, principal.Principal{Raw: p[1]})
			}
		}
	}
	return nil
}

// DataCertificate returns a certificate (CBOR) of a fresh certified state
// revealing /canister/<id>/certified_data and /time, as
// ic0.data_certificate_copy gives a canister answering a query. It is safe
// to call from a Canister's Execute as long as no lock the canister's
// CertifiedData needs is held.
func (s *Server) DataCertificate(id principal.Principal) ([]byte, error) {
	v := s.history.current()
	snap, err := s.cert.await(func(sn *snapshot) bool { return s.fresh(sn, v) })
	if err != nil {
		return nil, err
	}
	return snap.certificate([][][]byte{{[]byte("canister"), id.Raw, []byte("certified_data")}})
}
