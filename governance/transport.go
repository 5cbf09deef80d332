package governance

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/fxamacker/cbor/v2"
)

// transport is the seam under Client: the two agent operations it makes.
// Both return the raw reply argument of a verified answer.
type transport interface {
	// query runs a query and verifies the node signatures on its reply.
	query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
	// call runs an update call and verifies the certificate of its reply.
	call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error)
}

// agentTransport speaks the IC HTTP interface through agent-go's Client,
// request and certification types, and verifies every answer itself:
// agent-go does not verify the certificate of a synchronous call, and it
// cannot take an explicit root key (protocol.md §1.4).
type agentTransport struct {
	net     string
	client  agent.Client
	id      identity.Identity
	rootKey []byte
	expiry  time.Duration
	keys    *nodeKeys
	// followClock accepts certificates ahead of this machine's clock: set
	// for a network whose root key was fetched from itself (a local test
	// network whose virtual clock may run days ahead), whose clock is then
	// trusted as much as its key.
	followClock bool
}

// MaxCertificateAhead is how far a certificate's time may run ahead of this
// machine's clock. It is agent-js's allowance: certificate.ts in
// @dfinity/agent refuses certificates "signed more than 5 minutes in the
// future" (DEFAULT_CERTIFICATE_MAX_MINUTES_IN_FUTURE = 5).
const MaxCertificateAhead = 5 * time.Minute

// CertificateTimeError reports a certificate signed further ahead of this
// machine's clock than MaxCertificateAhead. It comes wrapped in an
// UntrustedError: nothing from that answer was used.
type CertificateTimeError struct {
	// Certified is the certificate's time.
	Certified time.Time
	// Local is this machine's clock when the certificate was checked.
	Local time.Time
}

// Error implements error.
func (e *CertificateTimeError) Error() string {
	return fmt.Sprintf("certificate is signed %s ahead of this machine's clock (certificate time %s, local time %s; at most %s is allowed): "+
		"check this machine's clock (NTP); if it is right, the network is not answering with its current state",
		e.Certified.Sub(e.Local).Round(time.Second), e.Certified.UTC().Format(time.RFC3339), e.Local.UTC().Format(time.RFC3339), MaxCertificateAhead)
}

// signed is one signed request ready to post.
type signed struct {
	id       agent.RequestID
	envelope []byte
}

func (t *agentTransport) sign(req agent.Request) (signed, error) {
	return signRequest(t.id, req, time.Now().Add(t.expiry))
}

// signRequest signs req as id with the given expiry (kept if already set).
func signRequest(id identity.Identity, req agent.Request, expiry time.Time) (signed, error) {
	req.Sender = id.Sender()
	if req.IngressExpiry == 0 {
		req.IngressExpiry = uint64(expiry.UnixNano())
	}
	rid := agent.NewRequestID(req)
	env := agent.Envelope{Content: req}
	if !req.Sender.IsAnonymous() {
		sig, err := rid.Sign(id)
		if err != nil {
			return signed{}, fmt.Errorf("sign request: %w", err)
		}
		env.SenderPubKey, env.SenderSig = id.PublicKey(), sig
	}
	data, err := cbor.Marshal(env)
	if err != nil {
		return signed{}, fmt.Errorf("encode envelope: %w", err)
	}
	return signed{id: rid, envelope: data}, nil
}

func newNonce() []byte {
	n := make([]byte, 10)
	_, _ = rand.Read(n)
	return n
}

func (t *agentTransport) query(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	s, err := t.sign(agent.Request{Type: agent.RequestTypeQuery, CanisterID: canister, MethodName: method, Arguments: arg, Nonce: newNonce()})
	if err != nil {
		return nil, err
	}
	raw, err := t.client.Query(ctx, canister, s.envelope)
	if err != nil {
		return nil, t.transportError(err)
	}
	var resp agent.Response
	if err := cbor.Unmarshal(raw, &resp); err != nil {
		return nil, t.untrusted(fmt.Errorf("decode query response: %w", err))
	}
	if err := t.verifyQuery(ctx, canister, s.id, &resp); err != nil {
		return nil, err
	}
	return queryResult(&resp)
}

func queryResult(resp *agent.Response) ([]byte, error) {
	switch resp.Status {
	case "replied":
		var reply struct {
			Arg []byte `cbor:"arg"`
		}
		if err := cbor.Unmarshal(resp.Reply, &reply); err != nil {
			return nil, fmt.Errorf("decode query reply: %w", err)
		}
		return reply.Arg, nil
	case "rejected":
		return nil, &RejectedError{Code: resp.RejectCode, Message: Sanitize(resp.RejectMsg)}
	default:
		return nil, fmt.Errorf("unknown query status %q", resp.Status)
	}
}

func (t *agentTransport) call(ctx context.Context, canister principal.Principal, method string, arg []byte) ([]byte, error) {
	s, err := t.sign(agent.Request{Type: agent.RequestTypeCall, CanisterID: canister, MethodName: method, Arguments: arg, Nonce: newNonce()})
	if err != nil {
		return nil, err
	}
	return t.submit(ctx, canister, s, nil)
}

// submit posts a signed call and waits for its certified result. statusEnv,
// when given, is a pre-signed request_status read (air-gapped flow);
// otherwise status reads are signed on the fly.
func (t *agentTransport) submit(ctx context.Context, canister principal.Principal, s signed, statusEnv []byte) ([]byte, error) {
	rawCert, err := t.client.Call(ctx, canister, s.envelope)
	if err != nil {
		return nil, t.callError(err)
	}
	if len(rawCert) != 0 {
		cert, err := t.verifyCertificate(rawCert, canister)
		if err != nil {
			return nil, err
		}
		if out, done, err := requestOutcome(cert, s.id); done {
			return out, err
		}
	}
	return t.poll(ctx, canister, s.id, statusEnv)
}

// poll reads request_status until the call is replied or rejected.
func (t *agentTransport) poll(ctx context.Context, canister principal.Principal, rid agent.RequestID, statusEnv []byte) ([]byte, error) {
	delay := 100 * time.Millisecond
	deadline := time.NewTimer(t.expiry)
	defer deadline.Stop()
	for {
		cert, err := t.readStatus(ctx, canister, rid, statusEnv)
		if err != nil {
			return nil, err
		}
		if out, done, err := requestOutcome(cert, rid); done {
			return out, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-deadline.C:
			return nil, fmt.Errorf("call %x still pending after %s; it may still execute, check before retrying", rid[:], t.expiry)
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}

func (t *agentTransport) readStatus(ctx context.Context, canister principal.Principal, rid agent.RequestID, env []byte) (*certification.Certificate, error) {
	if env == nil {
		s, err := t.sign(agent.Request{Type: agent.RequestTypeReadState, Paths: statusPaths(rid)})
		if err != nil {
			return nil, err
		}
		env = s.envelope
	}
	return t.readState(ctx, canister, env)
}

func statusPaths(rid agent.RequestID) [][]hashtree.Label {
	return [][]hashtree.Label{{hashtree.Label("request_status"), rid[:]}}
}

// readState posts a signed read_state request and verifies the certificate.
func (t *agentTransport) readState(ctx context.Context, canister principal.Principal, env []byte) (*certification.Certificate, error) {
	raw, err := t.client.ReadState(ctx, canister, env)
	if err != nil {
		return nil, t.transportError(err)
	}
	var m struct {
		Certificate []byte `cbor:"certificate"`
	}
	if err := cbor.Unmarshal(raw, &m); err != nil {
		return nil, t.untrusted(fmt.Errorf("decode read_state response: %w", err))
	}
	return t.verifyCertificate(m.Certificate, canister)
}

// verifyCertificate checks the BLS signature (through a delegation if
// present) against the root key, and that the certificate is fresh.
func (t *agentTransport) verifyCertificate(raw []byte, canister principal.Principal) (*certification.Certificate, error) {
	var cert certification.Certificate
	if err := cbor.Unmarshal(raw, &cert); err != nil {
		return nil, t.untrusted(fmt.Errorf("decode certificate: %w", err))
	}
	if err := certification.VerifyCertificate(cert, canister, t.rootKey); err != nil {
		return nil, t.untrusted(fmt.Errorf("verify certificate: %w", err))
	}
	if err := cert.VerifyTime(t.expiry); err != nil {
		return nil, t.untrusted(fmt.Errorf("verify certificate time: %w", err))
	}
	if err := t.checkNotAhead(cert, time.Now()); err != nil {
		return nil, t.untrusted(err)
	}
	return &cert, nil
}

// checkNotAhead refuses a certificate whose time is more than
// MaxCertificateAhead ahead of now, unless the network's clock is followed.
func (t *agentTransport) checkNotAhead(cert certification.Certificate, now time.Time) error {
	if t.followClock {
		return nil
	}
	raw, err := cert.Tree.Lookup(hashtree.Label("time"))
	if err != nil {
		return fmt.Errorf("certificate has no time: %w", err)
	}
	certified, err := decodeNanos(raw)
	if err != nil {
		return err
	}
	if certified.Sub(now) > MaxCertificateAhead {
		return &CertificateTimeError{Certified: certified, Local: now}
	}
	return nil
}

// requestOutcome reads a call's status from a verified certificate. done is
// false while the status is absent, received or processing.
func requestOutcome(cert *certification.Certificate, rid agent.RequestID) (out []byte, done bool, err error) {
	path := []hashtree.Label{hashtree.Label("request_status"), rid[:]}
	status, err := cert.Tree.Lookup(append(path, hashtree.Label("status"))...)
	if err != nil {
		return nil, false, nil
	}
	switch string(status) {
	case "replied":
		reply, err := cert.Tree.Lookup(append(path, hashtree.Label("reply"))...)
		if err != nil {
			return nil, true, fmt.Errorf("certificate has no reply for request %x: %w", rid[:], err)
		}
		return reply, true, nil
	case "rejected":
		code, _ := cert.Tree.Lookup(append(path, hashtree.Label("reject_code"))...)
		msg, _ := cert.Tree.Lookup(append(path, hashtree.Label("reject_message"))...)
		return nil, true, &RejectedError{Code: leUint(code), Message: Sanitize(string(msg))}
	case "done":
		return nil, true, fmt.Errorf("request %x is done and its reply was pruned; check the outcome before retrying", rid[:])
	}
	return nil, false, nil
}

// leUint decodes an unsigned LEB128 number (reject codes in the state tree).
func leUint(b []byte) uint64 {
	var v uint64
	for i, c := range b {
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			break
		}
	}
	return v
}

func (t *agentTransport) untrusted(err error) error {
	return &UntrustedError{Network: t.net, Err: err}
}

// transportError classifies an HTTP-level failure.
func (t *agentTransport) transportError(err error) error {
	var netErr net.Error
	var urlErr *url.Error
	if errors.As(err, &netErr) || errors.As(err, &urlErr) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return &UnreachableError{Network: t.net, Err: err}
	}
	return err
}

// callError turns agent-go's unexported non-replicated rejection (a struct
// with RejectCode and Message fields) into a RejectedError.
func (t *agentTransport) callError(err error) error {
	v := reflect.ValueOf(err)
	if v.Kind() == reflect.Struct {
		code, msg := v.FieldByName("RejectCode"), v.FieldByName("Message")
		if code.IsValid() && code.Kind() == reflect.Uint64 && msg.IsValid() && msg.Kind() == reflect.String {
			return &RejectedError{Code: code.Uint(), Message: Sanitize(msg.String())}
		}
	}
	return t.transportError(err)
}
