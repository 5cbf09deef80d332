package replica

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// managementCanister is aaaaa-aa, whose effective canister id comes from
// the call's argument rather than the URL.
var managementCanister = principal.Principal{Raw: []byte{}}

// routes registers the IC endpoints.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/status", s.handleStatus)
	for _, v := range []string{"v2", "v3", "v4"} {
		mux.HandleFunc("POST /api/"+v+"/canister/{id}/call", s.handleCall(v == "v2"))
	}
	for _, v := range []string{"v2", "v3"} {
		mux.HandleFunc("POST /api/"+v+"/canister/{id}/query", s.handleQuery)
		mux.HandleFunc("POST /api/"+v+"/canister/{id}/read_state", s.handleReadState(false))
		mux.HandleFunc("POST /api/"+v+"/subnet/{id}/read_state", s.handleReadState(true))
	}
	return mux
}

// statusReply is the CBOR body of /api/v2/status.
type statusReply struct {
	RootKey         []byte `cbor:"root_key"`
	APIVersion      string `cbor:"ic_api_version"`
	ImplVersion     string `cbor:"impl_version"`
	Health          string `cbor:"replica_health_status"`
	CertifiedHeight uint64 `cbor:"certified_height"`
}

// handleStatus serves the root key and health.
func (s *Server) handleStatus(w http.ResponseWriter, _ *http.Request) {
	writeCBOR(w, http.StatusOK, cbor.Tag{Number: selfDescribeTag, Content: statusReply{
		RootKey:         s.keys.rootDER,
		APIVersion:      "0.18.0",
		ImplVersion:     "nnspatch-localnet",
		Health:          "healthy",
		CertifiedHeight: s.history.current(),
	}})
}

// admit reads, decodes, authenticates and bounds-checks a request for the
// canister or subnet in the URL.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, wantType string) (*request, principal.Principal, error) {
	target, err := principal.Decode(r.PathValue("id"))
	if err != nil {
		return nil, target, badRequest("Invalid principal id in URL %q: %v", r.PathValue("id"), err)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		return nil, target, &refusal{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("read body: %v", err)}
	}
	req, err := decodeRequest(body)
	if err != nil {
		return nil, target, err
	}
	if req.content.RequestType != wantType {
		return nil, target, badRequest("Could not parse body as %s request: unexpected request_type %q", wantType, req.content.RequestType)
	}
	if err := checkExpiry(req.expiry, time.Now(), s.clock()); err != nil {
		return nil, target, err
	}
	if err := authenticate(req); err != nil {
		return nil, target, err
	}
	if wantType != typeReadState && !bytes.Equal(req.content.CanisterID, target.Raw) &&
		!bytes.Equal(req.content.CanisterID, managementCanister.Raw) {
		return nil, target, badRequest("Specified CanisterId %s does not match effective canister id in URL %s",
			principal.Principal{Raw: req.content.CanisterID}, target)
	}
	return req, target, nil
}

// callReply is the body of a synchronous call answer.
type callReply struct {
	Status      string `cbor:"status"`
	Certificate []byte `cbor:"certificate"`
}

// handleCall serves /call. v2 (and async mode) answer 202; v3/v4 wait for the
// certified outcome and answer 200 with a certificate.
func (s *Server) handleCall(legacy bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, _, err := s.admit(w, r, typeCall)
		if err != nil {
			writeError(w, err)
			return
		}
		e, inserted := s.history.insert(req.id, req.content.Sender, req.expiry, time.Now())
		if e == nil {
			// A replay of a request already executed and since evicted.
			w.WriteHeader(http.StatusAccepted)
			return
		}
		if inserted {
			if err := s.dispatch(req, e); err != nil {
				writeError(w, err)
				return
			}
		}
		if legacy || s.async.Load() {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		s.answerSync(w, r, req, e)
	}
}

// answerSync waits for e's outcome and its certification, then answers 200
// with the certificate, or 202 if that takes longer than a replica waits.
// The call runs to completion even if the client goes away.
func (s *Server) answerSync(w http.ResponseWriter, r *http.Request, req *request, e *entry) {
	timer := time.NewTimer(s.syncTimeout)
	defer timer.Stop()
	select {
	case <-e.done:
	case <-s.done:
		writeError(w, ErrClosed)
		return
	case <-r.Context().Done():
		return
	case <-timer.C:
		w.WriteHeader(http.StatusAccepted)
		return
	}
	v := s.history.versionOf(e)
	snap, err := s.cert.await(func(sn *snapshot) bool { return sn.version >= v })
	if err != nil {
		writeError(w, err)
		return
	}
	cert, err := snap.certificate([][][]byte{{[]byte("request_status"), req.id[:]}})
	if err != nil {
		writeError(w, err)
		return
	}
	writeCBOR(w, http.StatusOK, cbor.Tag{Number: selfDescribeTag, Content: callReply{Status: "replied", Certificate: cert}})
}

// dispatch hands a new call to its canister's executor, or records the
// certified reject a replica gives for an unknown canister or method.
func (s *Server) dispatch(req *request, e *entry) error {
	id := principal.Principal{Raw: req.content.CanisterID}
	ex, ok := s.canisters[string(id.Raw)]
	if !ok {
		s.history.finish(e, nil, canisterNotFound(id))
		return nil
	}
	if _, ok := ex.can.Method(req.content.MethodName); !ok {
		s.history.finish(e, nil, methodNotFound(id, "update", req.content.MethodName))
		return nil
	}
	return ex.submit(job{entry: e, call: Call{
		Method:        req.content.MethodName,
		Arg:           req.content.Arg,
		Caller:        principal.Principal{Raw: req.content.Sender},
		Replicated:    true,
		RequestID:     req.id,
		IngressExpiry: req.expiry,
	}})
}

// canisterNotFound is the reject for a call to a canister that is not hosted.
func canisterNotFound(id principal.Principal) *Reject {
	return &Reject{Code: 3, ErrorCode: "IC0301", Message: fmt.Sprintf("Canister %s not found", id)}
}

// methodNotFound is the reject for a method the canister does not export
// (kind is "update" or "query").
func methodNotFound(id principal.Principal, kind, method string) *Reject {
	return &Reject{Code: 3, ErrorCode: "IC0536",
		Message: fmt.Sprintf("Error from Canister %s: Canister has no %s method '%s'.", id, kind, method)}
}

// writeCBOR writes v as a CBOR body.
func writeCBOR(w http.ResponseWriter, status int, v any) {
	b, err := cbor.Marshal(v)
	if err != nil {
		writeError(w, fmt.Errorf("encode reply: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
