package governance

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/govdid"

	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// SignedFormat names the signed-message file format (see SignedMessage).
const SignedFormat = "nnspatch-signed-message/v1"

// maxIngressAhead is how far in the future a replica accepts an ingress
// expiry: a message can be sent only in the last 5 minutes before it
// expires.
const maxIngressAhead = 5 * time.Minute

// ErrSignedMessage reports a signed-message file that is malformed,
// tampered with, or outside its sending window.
var ErrSignedMessage = errors.New("invalid signed message")

// SignedFile is the file written by --sign-only (JSON):
//
//	{
//	  "format": "nnspatch-signed-message/v1",
//	  "messages": [ SignedMessage, ... ]
//	}
type SignedFile struct {
	Format   string          `json:"format"`
	Messages []SignedMessage `json:"messages"`
}

// NewSignedFile wraps messages in the current file format.
func NewSignedFile(msgs ...SignedMessage) *SignedFile {
	return &SignedFile{Format: SignedFormat, Messages: msgs}
}

// SignedMessage is one manage_neuron call signed offline plus the signed
// request_status read that fetches its certified result, both as hex CBOR
// envelopes exactly as they go on the wire:
//
//	{
//	  "network": "ic", "url": "https://icp-api.io",
//	  "canister_id": "rrkah-fqaaa-aaaaa-aaaaq-cai",
//	  "method_name": "manage_neuron",
//	  "sender": "<principal>",
//	  "request_id": "<hex>",
//	  "send_after": "<RFC 3339>", "expires": "<RFC 3339>",
//	  "call": "<hex CBOR envelope>",
//	  "request_status": "<hex CBOR envelope>"
//	}
//
// A replica accepts a message only while now is between send_after
// (expires minus 5 minutes) and expires.
type SignedMessage struct {
	Network       string    `json:"network"`
	URL           string    `json:"url"`
	CanisterID    string    `json:"canister_id"`
	MethodName    string    `json:"method_name"`
	Sender        string    `json:"sender"`
	RequestID     string    `json:"request_id"`
	SendAfter     time.Time `json:"send_after"`
	Expires       time.Time `json:"expires"`
	Call          string    `json:"call"`
	RequestStatus string    `json:"request_status"`
}

// SignManageNeuron signs req offline for network n. The message expires
// at expires; it can be sent during the 5 minutes before.
func SignManageNeuron(id *Identity, n Network, req govdid.ManageNeuronRequest, expires time.Time) (*SignedMessage, error) {
	arg, err := EncodeManageNeuron(req)
	if err != nil {
		return nil, fmt.Errorf("encode manage_neuron argument: %w", err)
	}
	call, err := signRequest(id.Identity, agent.Request{Type: agent.RequestTypeCall, CanisterID: GovernanceCanister,
		MethodName: "manage_neuron", Arguments: arg, Nonce: newNonce()}, expires)
	if err != nil {
		return nil, err
	}
	status, err := signRequest(id.Identity, agent.Request{Type: agent.RequestTypeReadState, Paths: statusPaths(call.id)}, expires)
	if err != nil {
		return nil, err
	}
	exp := time.Unix(0, expires.UnixNano()).UTC()
	return &SignedMessage{
		Network: n.Name, URL: n.URL,
		CanisterID: GovernanceCanister.Encode(), MethodName: "manage_neuron",
		Sender: id.Sender().Encode(), RequestID: hex.EncodeToString(call.id[:]),
		SendAfter: exp.Add(-maxIngressAhead), Expires: exp,
		Call: hex.EncodeToString(call.envelope), RequestStatus: hex.EncodeToString(status.envelope),
	}, nil
}

// ReadSignedFile parses a signed-message file.
func ReadSignedFile(r io.Reader) (*SignedFile, error) {
	var f SignedFile
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: decode JSON: %w", ErrSignedMessage, err)
	}
	if f.Format != SignedFormat {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrSignedMessage, f.Format, SignedFormat)
	}
	if len(f.Messages) == 0 {
		return nil, fmt.Errorf("%w: no messages", ErrSignedMessage)
	}
	return &f, nil
}

// wireRequest is the content map of an envelope as it is on the wire.
type wireRequest struct {
	RequestType   string             `cbor:"request_type"`
	CanisterID    []byte             `cbor:"canister_id"`
	MethodName    string             `cbor:"method_name"`
	Arg           []byte             `cbor:"arg"`
	Sender        []byte             `cbor:"sender"`
	IngressExpiry uint64             `cbor:"ingress_expiry"`
	Nonce         []byte             `cbor:"nonce"`
	Paths         [][]hashtree.Label `cbor:"paths"`
}

type wireEnvelope struct {
	Content      wireRequest `cbor:"content"`
	SenderPubKey []byte      `cbor:"sender_pubkey"`
	SenderSig    []byte      `cbor:"sender_sig"`
}

func (w wireRequest) request() agent.Request {
	r := agent.Request{Type: w.RequestType, MethodName: w.MethodName, Arguments: w.Arg,
		Sender: principal.Principal{Raw: w.Sender}, IngressExpiry: w.IngressExpiry, Nonce: w.Nonce, Paths: w.Paths}
	if w.CanisterID != nil {
		r.CanisterID = principal.Principal{Raw: w.CanisterID}
	}
	return r
}

// SignedContent is what a signed message contains, decoded and checked.
type SignedContent struct {
	// Network is the network the message was signed for, as the file
	// names it (unsigned: the signature does not cover it).
	Network   string                     `json:"network"`
	Sender    string                     `json:"sender"`
	Canister  string                     `json:"canister_id"`
	Method    string                     `json:"method_name"`
	RequestID string                     `json:"request_id"`
	Expires   time.Time                  `json:"expires"`
	Request   govdid.ManageNeuronRequest `json:"request"`

	rid      agent.RequestID
	call     []byte
	status   []byte
	canister principal.Principal
}

// Decode checks the message (request id matches the content, sender is
// the key's self-authenticating principal, the status read is for this
// call) and decodes the manage_neuron argument.
func (m *SignedMessage) Decode() (*SignedContent, error) {
	call, err := hex.DecodeString(m.Call)
	if err != nil {
		return nil, fmt.Errorf("%w: call is not hex", ErrSignedMessage)
	}
	status, err := hex.DecodeString(m.RequestStatus)
	if err != nil {
		return nil, fmt.Errorf("%w: request_status is not hex", ErrSignedMessage)
	}
	var ce, se wireEnvelope
	if err := cbor.Unmarshal(call, &ce); err != nil {
		return nil, fmt.Errorf("%w: decode call envelope: %w", ErrSignedMessage, err)
	}
	if err := cbor.Unmarshal(status, &se); err != nil {
		return nil, fmt.Errorf("%w: decode request_status envelope: %w", ErrSignedMessage, err)
	}
	rid := agent.NewRequestID(ce.Content.request())
	if err := checkEnvelopes(m, ce, se, rid); err != nil {
		return nil, err
	}
	var req govdid.ManageNeuronRequest
	if err := candidguard.Unmarshal(ce.Content.Arg, []any{&req}); err != nil {
		return nil, fmt.Errorf("%w: decode manage_neuron argument: %w", ErrSignedMessage, err)
	}
	return &SignedContent{
		Network: m.Network,
		Sender:  principal.Principal{Raw: ce.Content.Sender}.Encode(), Canister: principal.Principal{Raw: ce.Content.CanisterID}.Encode(),
		Method: ce.Content.MethodName, RequestID: hex.EncodeToString(rid[:]),
		Expires: time.Unix(0, int64(ce.Content.IngressExpiry)).UTC(), Request: req,
		rid: rid, call: call, status: status, canister: principal.Principal{Raw: ce.Content.CanisterID},
	}, nil
}

func checkEnvelopes(m *SignedMessage, ce, se wireEnvelope, rid agent.RequestID) error {
	switch {
	case ce.Content.RequestType != agent.RequestTypeCall || se.Content.RequestType != agent.RequestTypeReadState:
		return fmt.Errorf("%w: want a call and a read_state envelope", ErrSignedMessage)
	case hex.EncodeToString(rid[:]) != m.RequestID:
		return fmt.Errorf("%w: request_id does not match the call content (tampered?)", ErrSignedMessage)
	case !principal.NewSelfAuthenticating(ce.SenderPubKey).Equal(principal.Principal{Raw: ce.Content.Sender}):
		return fmt.Errorf("%w: sender is not the signing key's principal", ErrSignedMessage)
	case len(se.Content.Paths) != 1 || len(se.Content.Paths[0]) != 2 || !bytes.Equal(se.Content.Paths[0][1], rid[:]):
		return fmt.Errorf("%w: request_status does not read this call's status", ErrSignedMessage)
	}
	return nil
}

// SendWindowError reports a signed message sent outside the 5 minutes
// before its expiry, the only time the network accepts it. An expired
// message matches ErrSignedMessage (it must be signed again); an early one
// does not (it only has to wait).
type SendWindowError struct {
	// From and Expires bound the sending window.
	From, Expires time.Time
	// Now is when the send was attempted.
	Now time.Time
}

// Error implements error.
func (e *SendWindowError) Error() string {
	if e.Early() {
		return fmt.Sprintf("signed message can be sent from %s (in %s) until %s; send it again then",
			e.From.UTC().Format(time.RFC3339), e.From.Sub(e.Now).Round(time.Second), e.Expires.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("signed message expired at %s (now %s)", e.Expires.UTC().Format(time.RFC3339), e.Now.UTC().Format(time.RFC3339))
}

// Early reports whether the window has not opened yet.
func (e *SendWindowError) Early() bool { return e.Now.Before(e.From) }

// Is reports whether target is ErrSignedMessage and the message expired.
func (e *SendWindowError) Is(target error) bool { return target == ErrSignedMessage && !e.Early() }

// CheckWindow returns a *SendWindowError unless now is inside the
// message's sending window.
func (sc *SignedContent) CheckWindow(now time.Time) error {
	from := sc.Expires.Add(-maxIngressAhead)
	if now.After(sc.Expires) || now.Before(from) {
		return &SendWindowError{From: from, Expires: sc.Expires, Now: now}
	}
	return nil
}

// SendSigned submits a signed message and returns its certified result.
// Outside the message's sending window it fails with a *SendWindowError
// before touching the network.
func (c *Client) SendSigned(ctx context.Context, sc *SignedContent, now time.Time) (*govdid.Command1, error) {
	if err := sc.CheckWindow(now); err != nil {
		return nil, err
	}
	raw, err := c.at.submit(ctx, sc.canister, signed{id: sc.rid, envelope: sc.call}, sc.status)
	if err != nil {
		return nil, fmt.Errorf("send signed message %s: %w", sc.RequestID, err)
	}
	var resp govdid.ManageNeuronResponse
	if err := candidguard.Unmarshal(raw, []any{&resp}); err != nil {
		return nil, fmt.Errorf("decode manage_neuron reply: %w", err)
	}
	return commandResult(resp)
}
