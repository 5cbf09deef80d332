package regmodel_test

import (
	"fmt"
	"testing"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"google.golang.org/protobuf/proto"
)

// grownRegistry returns a registry with n deploy batches after the seed.
func grownRegistry(b *testing.B, n int) *regmodel.Registry {
	b.Helper()
	r := newRegistry(b, testSeed())
	payloads := [][]byte{
		encode(b, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verCur}),
		encode(b, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verOld}),
	}
	for i := 0; i < n; i++ {
		if err := r.ExecuteNnsFunction(11, payloads[i%2], execAt); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

func BenchmarkDeploy(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
			r := grownRegistry(b, n)
			payloads := [][]byte{
				encode(b, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verCur}),
				encode(b, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verOld}),
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := r.ExecuteNnsFunction(11, payloads[i%2], execAt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCertifiedChangesSince(b *testing.B) {
	for _, n := range []int{100, 10000} {
		b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
			r := grownRegistry(b, n)
			arg, _ := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: uint64(n - 10)})
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, rej := r.Execute(replica.Call{Method: "get_certified_changes_since", Arg: arg}); rej != nil {
					b.Fatal(rej)
				}
			}
		})
	}
}

func BenchmarkGetValue(b *testing.B) {
	r := grownRegistry(b, 1000)
	arg, _ := proto.Marshal(&v1.RegistryGetValueRequest{Key: []byte("subnet_record_" + appSubnet.String())})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, rej := r.Execute(replica.Call{Method: "get_value", Arg: arg}); rej != nil {
			b.Fatal(rej)
		}
	}
}
