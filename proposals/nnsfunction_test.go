package proposals

import (
	"errors"
	"strings"
	"testing"
)

func TestNnsFunctionNames(t *testing.T) {
	if got := len(fnNames); got != 56 {
		t.Fatalf("%d names, want ids 0..55", got)
	}
	tests := []struct {
		fn              NnsFunction
		name, old, wire string
	}{
		{FnReviseElectedGuestosVersions, "ReviseElectedGuestosVersions", "UpdateElectedReplicaVersions", "NNS_FUNCTION_REVISE_ELECTED_GUESTOS_VERSIONS"},
		{FnDeployGuestosToAllSubnetNodes, "DeployGuestosToAllSubnetNodes", "UpdateSubnetReplicaVersion", "NNS_FUNCTION_DEPLOY_GUESTOS_TO_ALL_SUBNET_NODES"},
		{FnDeployHostosToSomeNodes, "DeployHostosToSomeNodes", "", "NNS_FUNCTION_DEPLOY_HOSTOS_TO_SOME_NODES"},
		{FnDeployGuestosToAllUnassignedNodes, "DeployGuestosToAllUnassignedNodes", "", "NNS_FUNCTION_DEPLOY_GUESTOS_TO_ALL_UNASSIGNED_NODES"},
		{FnSetSubnetOperationalLevel, "SetSubnetOperationalLevel", "", "NNS_FUNCTION_SET_SUBNET_OPERATIONAL_LEVEL"},
		{NnsFunction(59), "NnsFunction(59)", "", "NNS_FUNCTION_NNS_FUNCTION(59)"},
	}
	for _, tt := range tests {
		if got := tt.fn.Name(); got != tt.name {
			t.Errorf("%d.Name() = %q, want %q", tt.fn, got, tt.name)
		}
		if got := tt.fn.OldName(); got != tt.old {
			t.Errorf("%d.OldName() = %q, want %q", tt.fn, got, tt.old)
		}
		if tt.fn.Known() && tt.fn.WireName() != tt.wire {
			t.Errorf("%d.WireName() = %q, want %q", tt.fn, tt.fn.WireName(), tt.wire)
		}
	}
	if s := FnReviseElectedHostosVersions.String(); s != "ReviseElectedHostosVersions (50)" {
		t.Errorf("String() = %q", s)
	}
}

func TestNnsFunctionByName(t *testing.T) {
	tests := map[string]NnsFunction{
		"ReviseElectedGuestosVersions":             38,
		"UpdateElectedReplicaVersions":             38,
		"updatesubnetreplicaversion":               11,
		"NNS_FUNCTION_DEPLOY_HOSTOS_TO_SOME_NODES": 51,
		"48": 48,
		"NNS_FUNCTION_UPDATE_SSH_READ_ONLY_ACCESS_FOR_ALL_UNASSIGNED_NODES": 49,
	}
	for name, want := range tests {
		if got, ok := NnsFunctionByName(name); !ok || got != want {
			t.Errorf("NnsFunctionByName(%q) = %d, %v; want %d", name, got, ok, want)
		}
	}
	for _, bad := range []string{"", "Nope", "99", "4x"} {
		if _, ok := NnsFunctionByName(bad); ok {
			t.Errorf("NnsFunctionByName(%q) found something", bad)
		}
	}
}

func TestObsoleteFunctions(t *testing.T) {
	want := map[NnsFunction]string{
		FnBlessReplicaVersion:           "ReviseElectedGuestosVersions",
		FnRetireReplicaVersion:          "ReviseElectedGuestosVersions",
		FnUpdateElectedHostosVersions:   "ReviseElectedHostosVersions",
		FnUpdateNodesHostosVersion:      "DeployHostosToSomeNodes",
		FnUpdateUnassignedNodesConfig:   "DeployGuestosToAllUnassignedNodes",
		FnUpdateAPIBoundaryNodesVersion: "DeployGuestosToSomeApiBoundaryNodes",
		FnNnsCanisterUpgrade:            "InstallCode",
		FnNnsRootUpgrade:                "InstallCode",
		FnStopOrStartNnsCanister:        "StopOrStartCanister",
		FnUpdateAllowedPrincipals:       "CreateServiceNervousSystem",
		FnIcpXdrConversionRate:          "exchange-rate",
		FnUnspecified:                   "specific",
	}
	for fn := range NnsFunction(len(fnNames)) {
		repl, obsolete := fn.Obsolete()
		w, wantObsolete := want[fn]
		if obsolete != wantObsolete || !strings.Contains(repl, w) {
			t.Errorf("%v.Obsolete() = %q, %v; want obsolete=%v naming %q", fn, repl, obsolete, wantObsolete, w)
		}
	}
}

func TestTopicOf(t *testing.T) {
	tests := map[NnsFunction]Topic{
		FnReviseElectedGuestosVersions:        TopicIcOsVersionElection,
		FnReviseElectedHostosVersions:         TopicIcOsVersionElection,
		FnDeployGuestosToAllSubnetNodes:       TopicIcOsVersionDeployment,
		FnDeployGuestosToAllUnassignedNodes:   TopicIcOsVersionDeployment,
		FnDeployHostosToSomeNodes:             TopicIcOsVersionDeployment,
		FnDeployGuestosToSomeAPIBoundaryNodes: TopicIcOsVersionDeployment,
		FnHardResetNnsRootToVersion:           TopicProtocolCanisterManagement,
		FnCreateSubnet:                        TopicSubnetManagement,
		FnSetSubnetOperationalLevel:           TopicSubnetManagement,
		NnsFunction(77):                       TopicUnspecified,
	}
	for fn, want := range tests {
		if got := TopicOf(fn); got != want {
			t.Errorf("TopicOf(%v) = %v, want %v", fn, got, want)
		}
	}
	if TopicIcOsVersionElection.Name() != "IcOsVersionElection" || Topic(13) != TopicIcOsVersionElection || Topic(40).Name() != "Topic(40)" {
		t.Errorf("topic names are off: %v %v", TopicIcOsVersionElection, Topic(40))
	}
	if TopicOfCanister(RegistryCanisterID) != TopicProtocolCanisterManagement || TopicOfCanister(SnsWasmCanisterID) != TopicServiceNervousSystemManagement || TopicOfCanister("aaaaa-aa") != TopicApplicationCanisterManagement {
		t.Error("TopicOfCanister mapping is off")
	}
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds() {
		got, err := ParseKind(" " + strings.ToUpper(string(k)) + " ")
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
		if ActionKey(k) == "" {
			t.Errorf("no action key for %s", k)
		}
		fn, ok := k.NnsFunction()
		if ok != (k != KindUpgradeCanister && k != KindMotion) {
			t.Errorf("%s.NnsFunction() ok = %v", k, ok)
		}
		if _, obsolete := fn.Obsolete(); ok && obsolete {
			t.Errorf("%s drafts the obsolete %v", k, fn)
		}
	}
	if _, err := ParseKind("bless"); err == nil || !strings.Contains(err.Error(), "elect-guestos") {
		t.Errorf("ParseKind(bless) err = %v", err)
	}
	if m, err := ParseMode("Security"); err != nil || m != ModeSecurity {
		t.Errorf("ParseMode = %v, %v", m, err)
	}
	if _, err := ParseMode("secret"); err == nil {
		t.Error("ParseMode(secret) accepted")
	}
	for _, s := range []string{"upgrade", "3", "INSTALL"} {
		if m, err := ParseInstallMode(s); err != nil || !m.Valid() {
			t.Errorf("ParseInstallMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseInstallMode("replace"); err == nil {
		t.Error("ParseInstallMode(replace) accepted")
	}
}

func TestCheckFunction(t *testing.T) {
	if err := CheckFunction(FnReviseElectedGuestosVersions); err != nil {
		t.Errorf("38 refused: %v", err)
	}
	err := CheckFunction(FnBlessReplicaVersion)
	if !errors.Is(err, ErrObsoleteFunction) || !strings.Contains(err.Error(), "use ReviseElectedGuestosVersions") {
		t.Errorf("5: %v", err)
	}
	if err := CheckFunction(NnsFunction(99)); err == nil || errors.Is(err, ErrObsoleteFunction) || !strings.Contains(err.Error(), "not a known") {
		t.Errorf("99: %v", err)
	}
}

func TestCanisterIDsAreCanonical(t *testing.T) {
	for id := range protocolCanisters {
		if _, err := ParsePrincipal(id); err != nil {
			t.Errorf("protocol canister %s: %v", id, err)
		}
	}
	for id := range snsCanisters {
		if _, err := ParsePrincipal(id); err != nil {
			t.Errorf("SNS canister %s: %v", id, err)
		}
	}
	if TopicOfCanister("rkp4c-7iaaa-aaaaa-aaaca-cai") != TopicProtocolCanisterManagement {
		t.Error("cycles minting canister is a protocol canister")
	}
}

// Function 45 (UpdateApiBoundaryNodeDomain, deprecated upstream) is known
// by name, wire name and topic, so proposals using it list by name.
func TestFunction45IsKnown(t *testing.T) {
	fn := NnsFunction(45)
	if !fn.Known() || fn.Name() != "UpdateApiBoundaryNodeDomain" || fn.WireName() != "NNS_FUNCTION_UPDATE_API_BOUNDARY_NODE_DOMAIN" {
		t.Errorf("45: known %v, name %q, wire %q", fn.Known(), fn.Name(), fn.WireName())
	}
	if got, ok := NnsFunctionByName("NNS_FUNCTION_UPDATE_API_BOUNDARY_NODE_DOMAIN"); !ok || got != fn {
		t.Errorf("by wire name: %v %v", got, ok)
	}
	if TopicOf(fn) != TopicAPIBoundaryNodeManagement {
		t.Errorf("topic %v", TopicOf(fn))
	}
}
