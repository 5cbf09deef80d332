package regmodel_test

import (
	"bytes"
	"crypto/sha256"
	"sync"
	"testing"

	v1 "github.com/aviate-labs/agent-go/clients/registry/proto/v1"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"google.golang.org/protobuf/proto"
)

func TestMethods(t *testing.T) {
	r := newRegistry(t, testSeed())
	for name, want := range map[string]replica.MethodKind{
		"get_value":                          replica.Query,
		"get_latest_version":                 replica.Query,
		"get_changes_since":                  replica.Query,
		"get_certified_changes_since":        replica.Query,
		"get_certified_latest_version":       replica.Query,
		"revise_elected_guestos_versions":    replica.Update,
		"revise_elected_replica_versions":    replica.Update,
		"deploy_guestos_to_all_subnet_nodes": replica.Update,
		"deploy_hostos_to_some_nodes":        replica.Update,
	} {
		if got, ok := r.Method(name); !ok || got != want {
			t.Errorf("Method(%s) = %v, %v; want %v", name, got, ok, want)
		}
	}
	if _, ok := r.Method("atomic_mutate"); ok {
		t.Error("atomic_mutate is exported; the model only mutates through NNS functions")
	}
	_, rej := r.Execute(replica.Call{Method: "nope"})
	if rej == nil || rej.Code != 3 || rej.ErrorCode != "IC0536" {
		t.Errorf("unknown method reject = %+v", rej)
	}
}

func TestLatestVersion(t *testing.T) {
	r := busyRegistry(t)
	resp := &v1.RegistryGetLatestVersionResponse{}
	query(t, r, "get_latest_version", nil, resp)
	if resp.Version != 8 {
		t.Fatalf("get_latest_version = %d; want 8", resp.Version)
	}
}

func TestMutationMethodsOnlyForGovernance(t *testing.T) {
	r := newRegistry(t, testSeed())
	arg := encode(t, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verCur})
	call := replica.Call{Method: "deploy_guestos_to_all_subnet_nodes", Arg: arg, Caller: node1, Replicated: true, Now: execAt}
	if _, rej := r.Execute(call); rej == nil || rej.Code != 5 {
		t.Fatalf("non-governance caller reject = %+v; want code 5", rej)
	}
	call.Caller = governance
	reply, rej := r.Execute(call)
	if rej != nil || !bytes.Equal(reply, []byte("DIDL\x00\x00")) {
		t.Fatalf("governance call = %q, %+v", reply, rej)
	}
	if v, _ := r.SubnetVersion(appSubnet); v != verCur {
		t.Errorf("SubnetVersion = %q", v)
	}
	call.Arg = encode(t, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: verNew})
	if _, rej := r.Execute(call); rej == nil || rej.ErrorCode != "IC0503" || !bytes.Contains([]byte(rej.Message), []byte("is NOT blessed")) {
		t.Errorf("refused mutation reject = %+v", rej)
	}
}

func TestChangesSincePages(t *testing.T) {
	r := busyRegistry(t)
	state := map[string][]byte{}
	since, pages := uint64(0), 0
	for {
		resp := &v1.RegistryGetChangesSinceResponse{}
		query(t, r, "get_changes_since", &v1.RegistryGetChangesSinceRequest{Version: since}, resp)
		if resp.Error != nil || resp.Version != 8 {
			t.Fatalf("response error %v version %d", resp.Error, resp.Version)
		}
		if len(resp.Deltas) == 0 {
			break
		}
		pages++
		high := since
		for i, d := range resp.Deltas {
			if i > 0 && string(resp.Deltas[i-1].Key) >= string(d.Key) {
				t.Fatalf("deltas not in key order: %s then %s", resp.Deltas[i-1].Key, d.Key)
			}
			for j, v := range d.Values {
				if v.Version <= since || v.Version > since+3 {
					t.Fatalf("value version %d outside page (%d, %d]", v.Version, since, since+3)
				}
				if j > 0 && v.Version >= d.Values[j-1].Version {
					t.Fatalf("values of %s not newest first", d.Key)
				}
				high = max(high, v.Version)
			}
			newest := d.Values[0]
			if newest.DeletionMarker {
				delete(state, string(d.Key))
			} else {
				state[string(d.Key)] = newest.Value
			}
		}
		since = high
	}
	if pages != 3 || since != 8 {
		t.Fatalf("%d pages up to %d; want 3 pages to 8", pages, since)
	}
	for key, val := range state {
		if !bytes.Equal(mustValue(t, r, key, 0), val) {
			t.Errorf("replayed %s differs from get_value", key)
		}
	}
	// 16 seed keys, +1 elected verNew, -2 unelected, +1 elected hostC.
	if len(state) != 16 {
		t.Errorf("replayed %d live keys; want 16", len(state))
	}
}

func TestGetValueHistory(t *testing.T) {
	r := busyRegistry(t)
	key := "subnet_record_" + appSubnet.String()
	for version, want := range map[uint64]string{1: verOld, 2: verOld, 3: verNew, 8: verNew} {
		resp := getValue(t, r, key, version)
		rec := &v1.SubnetRecord{}
		if err := proto.Unmarshal(resp.Value, rec); err != nil || rec.ReplicaVersionId != want {
			t.Errorf("%s@%d = %q (err %v); want %q", key, version, rec.ReplicaVersionId, err, want)
		}
		wantAt := uint64(1)
		if version >= 3 {
			wantAt = 3
		}
		if resp.Version != wantAt {
			t.Errorf("%s@%d written at %d; want %d", key, version, resp.Version, wantAt)
		}
	}
}

func TestDeterminism(t *testing.T) {
	run := func() (*regmodel.Registry, [][]byte) {
		r := busyRegistry(t)
		var out [][]byte
		for _, m := range []string{"get_changes_since", "get_certified_changes_since"} {
			arg, _ := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: 2})
			reply, rej := r.Execute(replica.Call{Method: m, Arg: arg})
			if rej != nil {
				t.Fatal(rej)
			}
			out = append(out, reply)
		}
		return r, out
	}
	a, ra := run()
	b, rb := run()
	if !bytes.Equal(a.CertifiedData(), b.CertifiedData()) {
		t.Error("certified data differs between identical runs")
	}
	if diff := cmp.Diff(ra, rb); diff != "" {
		t.Errorf("replies differ between identical runs:\n%s", diff)
	}
	if diff := cmp.Diff(a.Deployments(), b.Deployments(), cmp.Comparer(principal.Principal.Equal)); diff != "" {
		t.Errorf("deployments differ:\n%s", diff)
	}
}

func TestInstallCode(t *testing.T) {
	seed := testSeed()
	root := principal.MustDecode("r7inp-6aaaa-aaaaa-aaabq-cai")
	seed.Canisters = []regmodel.Module{{CanisterID: governance, ModuleHash: sha256.Sum256([]byte("old"))}}
	r := newRegistry(t, seed)
	wasm := []byte("\x00asm\x01\x00\x00\x00new governance")
	if err := r.InstallCode(governance, regmodel.ModeUpgrade, wasm, []byte("DIDL\x00\x00"), execAt); err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	if h, ok := r.ModuleHash(governance); !ok || h != sha256.Sum256(wasm) {
		t.Errorf("ModuleHash(governance) = %x, %v", h, ok)
	}
	wantRejected(t, r.InstallCode(governance, regmodel.ModeInstall, wasm, nil, execAt), regmodel.ErrInvalidInstallMode, "already has a module")
	wantRejected(t, r.InstallCode(root, 0, wasm, nil, execAt), regmodel.ErrInvalidInstallMode, "install mode 0")
	wantRejected(t, r.InstallCode(root, regmodel.ModeInstall, nil, nil, execAt), regmodel.ErrInvalidInstallMode, "empty")
	if err := r.InstallCode(root, regmodel.ModeInstall, wasm, nil, execAt); err != nil {
		t.Fatalf("install: %v", err)
	}
	mods := r.Modules()
	if len(mods) != 2 || !mods[0].CanisterID.Equal(root) || mods[0].Mode != regmodel.ModeInstall || !mods[0].At.Equal(execAt) {
		t.Errorf("Modules() = %+v", mods)
	}
	if r.Version() != 1 {
		t.Errorf("InstallCode moved the registry version to %d", r.Version())
	}
}

func TestConcurrentQueriesAndUpdates(t *testing.T) {
	r := newRegistry(t, testSeed())
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				arg, _ := proto.Marshal(&v1.RegistryGetChangesSinceRequest{Version: 0})
				if _, rej := r.Execute(replica.Call{Method: "get_certified_changes_since", Arg: arg}); rej != nil {
					t.Error(rej)
				}
				_ = r.Subnets()
				_ = r.CertifiedData()
			}
		}()
	}
	versions := []string{verCur, verOld}
	for j := 0; j < 50; j++ {
		p := encode(t, deploySubnet{SubnetID: appSubnet, ReplicaVersionID: versions[j%2]})
		if err := r.ExecuteNnsFunction(11, p, execAt); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if r.Version() != 51 || len(r.Deployments()) != 50 {
		t.Errorf("version %d, %d deployments", r.Version(), len(r.Deployments()))
	}
}
