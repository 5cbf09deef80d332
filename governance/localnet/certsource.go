package localnet

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// durableCertified is a durable canister that certifies data (the
// registry); the replica publishes its certified data only when the hosted
// canister implements replica.CertifiedDataProvider.
type durableCertified struct {
	*durable
	cdp replica.CertifiedDataProvider
}

// CertifiedData implements replica.CertifiedDataProvider.
func (d durableCertified) CertifiedData() []byte { return d.cdp.CertifiedData() }

// wrap returns the durable wrapper of can, keeping its certified data visible.
func (n *Network) wrap(id []byte, can replica.Canister) replica.Canister {
	d := &durable{n: n, can: can}
	d.id.Raw = id
	if cdp, ok := can.(replica.CertifiedDataProvider); ok {
		return durableCertified{durable: d, cdp: cdp}
	}
	return d
}

// readStateEnvelope is an anonymous read_state request (protocol: sender
// 0x04, no key, no signature).
type readStateEnvelope struct {
	Content readStateContent `cbor:"content"`
}

type readStateContent struct {
	RequestType   string     `cbor:"request_type"`
	Sender        []byte     `cbor:"sender"`
	Paths         [][][]byte `cbor:"paths"`
	IngressExpiry uint64     `cbor:"ingress_expiry"`
}

// dataCertificate returns a certificate of the network's state revealing
// /canister/<registry>/certified_data, as ic0.data_certificate_copy gives the
// real registry; it asks the replica through its own read_state endpoint.
func (n *Network) dataCertificate(data []byte) ([]byte, error) {
	path := [][]byte{[]byte("canister"), RegistryID.Raw, []byte("certified_data")}
	body, err := cbor.Marshal(readStateEnvelope{Content: readStateContent{
		RequestType: "read_state", Sender: []byte{4}, Paths: [][][]byte{path},
		IngressExpiry: uint64(time.Now().Add(2 * time.Minute).UnixNano()),
	}})
	if err != nil {
		return nil, fmt.Errorf("encode read_state: %w", err)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v2/canister/"+RegistryID.String()+"/read_state", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/cbor")
	rec := httptest.NewRecorder()
	n.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("read certified data: %d %s", rec.Code, rec.Body.String())
	}
	var resp struct {
		Certificate []byte `cbor:"certificate"`
	}
	if err := cbor.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("decode read_state answer: %w", err)
	}
	return resp.Certificate, checkCertifiedData(resp.Certificate, path, data)
}

// checkCertifiedData reports an error when the certificate certifies other data.
func checkCertifiedData(cert []byte, path [][]byte, want []byte) error {
	var c struct {
		Tree hashtree.HashTree `cbor:"tree"`
	}
	if err := cbor.Unmarshal(cert, &c); err != nil {
		return fmt.Errorf("decode certificate: %w", err)
	}
	labels := make([]hashtree.Label, len(path))
	for i, p := range path {
		labels[i] = p
	}
	got, err := c.Tree.Lookup(labels...)
	if err != nil {
		return fmt.Errorf("look up certified data: %w", err)
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("certified data is stale: certificate has %x, registry %x", got, want)
	}
	return nil
}
