package regmodel_test

import (
	"errors"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
)

// FuzzExecuteNnsFunction feeds arbitrary payloads to every supported NNS
// function: the registry must either apply them or refuse with an
// *ExecError, never panic, and a refusal must leave the version unchanged.
func FuzzExecuteNnsFunction(f *testing.F) {
	f.Add(int32(38), encode(f, elect(verNew, verUnused)))
	f.Add(int32(11), encode(f, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verCur}))
	f.Add(int32(48), encode(f, deployUnassigned{ElectedReplicaVersion: verCur}))
	f.Add(int32(47), encode(f, deployAPI{Version: verCur, NodeIDs: []principal.Principal{apiNode}}))
	f.Add(int32(50), encode(f, electHost(hostC)))
	f.Add(int32(51), encode(f, deployHost{HostOSVersionID: ptr(hostB), NodeIDs: []principal.Principal{node1}}))
	f.Add(int32(38), []byte("DIDL\x01\x6c\x00\x01\x00"))
	f.Fuzz(func(t *testing.T, fn int32, payload []byte) {
		r := newRegistry(t, testSeed())
		err := r.ExecuteNnsFunction(fn, payload, execAt)
		if err == nil {
			if r.Version() != 2 && r.Version() != 1 {
				t.Fatalf("accepted payload moved the version to %d", r.Version())
			}
			return
		}
		var ee *regmodel.ExecError
		if !errors.As(err, &ee) || !regmodel.IsRejected(err) {
			t.Fatalf("error %v is not a registry rejection", err)
		}
		if r.Version() != 1 {
			t.Fatalf("refused payload moved the version to %d", r.Version())
		}
	})
}
