package localnet_test

import (
	"bytes"
	"net/url"
	"testing"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/fxamacker/cbor/v2"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"google.golang.org/protobuf/proto"
)

// TestRegistryCertifiedChanges reads get_certified_changes_since through
// agent-go and verifies the certificate against the network's root key and
// the registry's certified data.
func TestRegistryCertifiedChanges(t *testing.T) {
	n := localnettest.Start(t)
	u, _ := url.Parse(n.URL())
	a, err := agent.New(agent.Config{FetchRootKey: true, ClientConfig: []agent.ClientOption{agent.WithHostURL(u)}})
	if err != nil {
		t.Fatal(err)
	}
	arg, _ := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: 0})
	raw, err := a.QueryRaw(localnet.RegistryID, "get_certified_changes_since", arg)
	if err != nil {
		t.Fatal(err)
	}
	var resp v1.CertifiedResponse
	if err := proto.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Certificate) == 0 || resp.HashTree == nil {
		t.Fatalf("no certificate or tree: %d bytes", len(resp.Certificate))
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(resp.Certificate, &cert); err != nil {
		t.Fatal(err)
	}
	if err := certification.VerifyCertificate(cert, localnet.RegistryID, n.RootKey()); err != nil {
		t.Fatalf("certificate does not verify: %v", err)
	}
	data, err := cert.Tree.Lookup([]byte("canister"), localnet.RegistryID.Raw, []byte("certified_data"))
	if err != nil || !bytes.Equal(data, n.Registry().CertifiedData()) {
		t.Fatalf("certified data %x, registry %x (%v)", data, n.Registry().CertifiedData(), err)
	}
}
