package regmodel_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/identity"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// startReplica hosts r in a local replica on 127.0.0.1:0 and returns an
// unmodified agent-go agent that fetched the replica's root key.
func startReplica(t *testing.T, r *regmodel.Registry) *agent.Agent {
	t.Helper()
	srv, err := replica.New(replica.WithSeed([]byte("regmodel")), replica.WithCanister(regmodel.CanisterID, r))
	if err != nil {
		t.Fatalf("replica.New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	u, _ := url.Parse(hs.URL)
	a, err := agent.New(agent.Config{
		Identity:     new(identity.AnonymousIdentity),
		ClientConfig: []agent.ClientOption{agent.WithHostURL(u)},
		FetchRootKey: true,
	})
	if err != nil {
		t.Fatalf("agent.New: %v", err)
	}
	return a
}

func TestThroughReplicaWithAgentGo(t *testing.T) {
	r := busyRegistry(t)
	a := startReplica(t, r)

	var latest v1.RegistryGetLatestVersionResponse
	if err := a.QueryProto(regmodel.CanisterID, "get_latest_version", nil, &latest); err != nil {
		t.Fatalf("get_latest_version: %v", err)
	}
	if latest.Version != 8 {
		t.Fatalf("latest version = %d; want 8", latest.Version)
	}

	var val v1.RegistryGetValueResponse
	req := &v1.RegistryGetValueRequest{Key: []byte("subnet_record_" + appSubnet.String()), Version: wrapperspb.UInt64(2)}
	if err := a.QueryProto(regmodel.CanisterID, "get_value", req, &val); err != nil {
		t.Fatalf("get_value: %v", err)
	}
	rec := &v1.SubnetRecord{}
	if err := proto.Unmarshal(val.Value, rec); err != nil || rec.ReplicaVersionId != verOld || val.Version != 1 {
		t.Fatalf("subnet record@2 = %q at %d (err %v)", rec.ReplicaVersionId, val.Version, err)
	}

	// The certified answer's tree digest equals the certified_data the
	// replica certifies for the registry, read and verified by agent-go.
	var resp v1.CertifiedResponse
	if err := a.QueryProto(regmodel.CanisterID, "get_certified_changes_since",
		&v1.RegistryGetChangesSinceRequest{Version: 5}, &resp); err != nil {
		t.Fatalf("get_certified_changes_since: %v", err)
	}
	reply, _ := proto.Marshal(&resp)
	path := []hashtree.Label{hashtree.Label("canister"), regmodel.CanisterID.Raw, hashtree.Label("certified_data")}
	node, err := a.ReadStateCertificate(regmodel.CanisterID, [][]hashtree.Label{path})
	if err != nil {
		t.Fatalf("read_state certified_data: %v", err)
	}
	certified, err := hashtree.Lookup(node, path...)
	if err != nil {
		t.Fatalf("lookup certified_data: %v", err)
	}
	recs, cur, err := verifyCertified(reply, 5, nil, certified)
	if err != nil || cur != 8 || len(recs) == 0 || recs[len(recs)-1].version != 8 {
		t.Fatalf("certified changes since 5: %d records, current %d, err %v", len(recs), cur, err)
	}
}
