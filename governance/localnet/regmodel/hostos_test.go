package regmodel_test

import (
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
)

const hostC = "cccccccccccccccccccccccccccccccccccccccc"

// electHost is a payload electing HostOS version v.
func electHost(v string, unelect ...string) reviseHost {
	return reviseHost{
		ReleasePackageURLs:      []string{"https://example.org/" + v + ".tar.zst"},
		HostOSVersionToElect:    ptr(v),
		HostOSVersionsToUnelect: append([]string{}, unelect...),
		ReleasePackageSHA256Hex: ptr(sha),
	}
}

func TestReviseHostOS(t *testing.T) {
	r := newRegistry(t, testSeed())
	if err := r.ExecuteNnsFunction(50, encode(t, electHost(hostC, hostB)), execAt); err != nil {
		t.Fatalf("revise hostos: %v", err)
	}
	got := r.HostOSVersions()
	if len(got) != 2 || got[0].ID != hostA || got[1].ID != hostC || got[1].SHA256Hex != sha {
		t.Fatalf("HostOSVersions() = %+v", got)
	}
	if r.Version() != 2 {
		t.Errorf("Version() = %d; want 2", r.Version())
	}
}

func TestReviseHostOSFailures(t *testing.T) {
	tests := []struct {
		name    string
		payload reviseHost
		kind    error
		msg     string
	}{
		{"already elected", electHost(hostB), regmodel.ErrAlreadyElected,
			`[Registry] HostOS version: "` + hostB + `" already exists`},
		{"unelect version used by a node", electHost(hostC, hostA), regmodel.ErrVersionInUse,
			"Could not find HostOS version: " + hostA},
		{"elect and unelect same", electHost(hostC, hostC), regmodel.ErrInvalidPayload,
			"cannot elect and unelect the same version"},
		{"partial elect params", reviseHost{HostOSVersionToElect: ptr(hostC)}, regmodel.ErrInvalidPayload,
			"All parameters to elect a version have to be either set or unset."},
		{"nothing to do", reviseHost{}, regmodel.ErrInvalidPayload,
			"At least one version has to be elected or unelected."},
		{"unelect unknown", reviseHost{HostOSVersionsToUnelect: []string{"nope"}}, regmodel.ErrUnknownVersion,
			"Key not present: hostos_version_nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, testSeed())
			wantRejected(t, r.ExecuteNnsFunction(50, encode(t, tt.payload), execAt), tt.kind, tt.msg)
			if r.Version() != 1 || len(r.HostOSVersions()) != 2 {
				t.Errorf("refused proposal changed the registry: version %d, hostos %v", r.Version(), r.HostOSVersions())
			}
		})
	}
}

func TestDeployHostOS(t *testing.T) {
	r := newRegistry(t, testSeed())
	nodes := []principal.Principal{node1, node3}
	if err := r.ExecuteNnsFunction(51, encode(t, deployHost{HostOSVersionID: ptr(hostB), NodeIDs: nodes}), execAt); err != nil {
		t.Fatalf("deploy hostos: %v", err)
	}
	got := map[string]string{}
	for _, n := range r.Nodes() {
		got[n.ID.String()] = n.HostOSVersion
	}
	if got[node1.String()] != hostB || got[node2.String()] != hostA || got[node3.String()] != hostB {
		t.Errorf("node hostos versions = %v", got)
	}
	d := r.Deployments()
	if len(d) != 1 || d[0].Target != regmodel.TargetHostOSNodes || d[0].Version != hostB || len(d[0].NodeIDs) != 2 {
		t.Errorf("Deployments() = %+v", d)
	}
	// Clearing the version (hostos_version_id = null) is allowed.
	if err := r.ExecuteNnsFunction(51, encode(t, deployHost{NodeIDs: []principal.Principal{node3}}), execAt); err != nil {
		t.Fatalf("clear hostos: %v", err)
	}
	for _, n := range r.Nodes() {
		if n.ID.Equal(node3) && n.HostOSVersion != "" {
			t.Errorf("node3 hostos = %q; want cleared", n.HostOSVersion)
		}
	}
}

func TestDeployHostOSFailures(t *testing.T) {
	tests := []struct {
		name    string
		payload deployHost
		kind    error
		msg     string
	}{
		{"not elected", deployHost{HostOSVersionID: ptr(hostC), NodeIDs: []principal.Principal{node1}},
			regmodel.ErrNotElected, "Could not find HostOS version: " + hostC},
		{"unknown node", deployHost{HostOSVersionID: ptr(hostB), NodeIDs: []principal.Principal{node1, testPrincipal(0xEE)}},
			regmodel.ErrUnknownNode, "[Registry] node record for " + testPrincipal(0xEE).String() + " not found in the registry."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, testSeed())
			wantRejected(t, r.ExecuteNnsFunction(51, encode(t, tt.payload), execAt), tt.kind, tt.msg)
			if r.Version() != 1 || len(r.Deployments()) != 0 {
				t.Errorf("refused deploy changed the registry")
			}
		})
	}
}

func TestUnsupportedFunction(t *testing.T) {
	r := newRegistry(t, testSeed())
	for _, fn := range []int32{0, 5, 36, 40, 41, 99} {
		wantRejected(t, r.ExecuteNnsFunction(fn, encode(t, deployUnassigned{}), execAt),
			regmodel.ErrUnsupportedFunction, "is not supported")
	}
	if r.Version() != 1 {
		t.Errorf("Version() = %d", r.Version())
	}
}
