package proposals

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/google/go-cmp/cmp"
)

var principalCmp = cmp.Comparer(func(a, b principal.Principal) bool { return a.Equal(b) })

func TestPayloadRoundTrip(t *testing.T) {
	for name, a := range samplePayloads(t) {
		t.Run(name, func(t *testing.T) {
			b, err := EncodePayload(a)
			if err != nil {
				t.Fatalf("EncodePayload: %v", err)
			}
			got, err := DecodePayload(int32(a.NnsFunction()), b)
			if err != nil {
				t.Fatalf("DecodePayload: %v", err)
			}
			if diff := cmp.Diff(a, got, principalCmp); diff != "" {
				t.Errorf("round trip changed the payload (-sent +decoded):\n%s", diff)
			}
		})
	}
}

// TestDecodeToleratesSubtypes encodes records with an extra field and with
// an opt field left out; both must decode as Candid subtyping allows.
func TestDecodeToleratesSubtypes(t *testing.T) {
	extra := struct {
		ElectedReplicaVersion string  `ic:"elected_replica_version"`
		Extra                 *uint64 `ic:"some_future_field"`
		Tag                   string  `ic:"another"`
	}{ElectedReplicaVersion: testV1, Tag: "x"}
	b, err := candid.Marshal([]any{extra})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePayload(int32(FnDeployGuestosToAllUnassignedNodes), b)
	if err != nil {
		t.Fatalf("extra field: %v", err)
	}
	if want := (DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: testV1}); got != want {
		t.Errorf("extra field: got %+v, want %+v", got, want)
	}

	missingOpt := struct {
		NodeIDs []principal.Principal `ic:"node_ids"`
	}{NodeIDs: []principal.Principal{principal.MustDecode(RegistryCanisterID)}}
	if b, err = candid.Marshal([]any{missingOpt}); err != nil {
		t.Fatal(err)
	}
	got, err = DecodePayload(int32(FnDeployHostosToSomeNodes), b)
	if err != nil {
		t.Fatalf("missing opt field: %v", err)
	}
	if h := got.(DeployHostosToSomeNodes); h.HostosVersionID != nil || len(h.NodeIDs) != 1 {
		t.Errorf("missing opt field: got %+v", h)
	}
}

func TestDecodePayloadErrors(t *testing.T) {
	deploy, err := EncodePayload(DeployGuestosToAllUnassignedNodes{ElectedReplicaVersion: testV1})
	if err != nil {
		t.Fatal(err)
	}
	twoArgs, err := candid.Marshal([]any{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	wrongType, err := candid.Marshal([]any{struct {
		ElectedReplicaVersion uint32 `ic:"elected_replica_version"`
	}{7}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fn      NnsFunction
		payload []byte
		want    error
		msg     string
	}{
		{"empty", FnDeployGuestosToAllUnassignedNodes, nil, ErrDecodePayload, ""},
		{"no magic", FnDeployGuestosToAllUnassignedNodes, []byte("JSON{}"), ErrDecodePayload, ""},
		{"truncated", FnDeployGuestosToAllUnassignedNodes, deploy[:len(deploy)-3], ErrDecodePayload, ""},
		{"trailing bytes", FnDeployGuestosToAllUnassignedNodes, append(append([]byte{}, deploy...), 0), ErrDecodePayload, ""},
		{"two arguments", FnDeployGuestosToAllUnassignedNodes, twoArgs, ErrDecodePayload, "want 1 argument"},
		{"wrong field type", FnDeployGuestosToAllUnassignedNodes, wrongType, ErrDecodePayload, "elected_replica_version: want text"},
		{"required field missing", FnDeployGuestosToAllSubnetNodes, deploy, ErrDecodePayload, "subnet_id: required field missing"},
		{"empty record", FnRetireReplicaVersion, []byte("DIDL\x01\x6c\x00\x01\x00"), ErrDecodePayload, "replica_version_ids: required field missing"},
		{"function without codec", FnCreateSubnet, deploy, ErrUnknownFunction, "CreateSubnet"},
		{"unknown id", NnsFunction(999), deploy, ErrUnknownFunction, "NnsFunction(999)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePayload(int32(tt.fn), tt.payload)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.msg)
			}
		})
	}
}

// TestDecodeOldElectShape checks that id 38 with the 2023–2024 record is
// recognised by its guest_launch_measurement_sha256_hex field.
func TestDecodeOldElectShape(t *testing.T) {
	old := samplePayloads(t)["old_elect"]
	b, err := EncodePayload(old)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePayload(38, b)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.TypeOf(got) != reflect.TypeOf(UpdateElectedReplicaVersions{}) {
		t.Fatalf("decoded as %T", got)
	}
	if got.ActionName() != "UpdateElectedReplicaVersions" || got.NnsFunction() != FnReviseElectedGuestosVersions {
		t.Errorf("ActionName %q, NnsFunction %v", got.ActionName(), got.NnsFunction())
	}
}

func TestDraftPayloadAndRequest(t *testing.T) {
	for _, d := range sampleDrafts(t) {
		t.Run(string(d.Kind), func(t *testing.T) {
			req, err := d.Request()
			if err != nil {
				t.Fatalf("Request: %v", err)
			}
			if req.Title == nil || *req.Title != d.Title || req.Summary != d.Summary || req.Url != d.URL {
				t.Errorf("texts not carried over: %+v", req)
			}
			if _, err := candid.Marshal([]any{req}); err != nil {
				t.Fatalf("MakeProposalRequest does not encode: %v", err)
			}
			fn, payload, err := d.Payload()
			switch d.Kind {
			case KindUpgradeCanister:
				ic := req.Action.InstallCode
				if !errors.Is(err, ErrNotNnsFunction) || ic == nil || *ic.InstallMode != 3 || string(*ic.WasmModule) != string(d.UpgradeCanister.Wasm) {
					t.Errorf("install code request %+v, payload err %v", ic, err)
				}
			case KindMotion:
				if !errors.Is(err, ErrNotNnsFunction) || req.Action.Motion == nil || req.Action.Motion.MotionText != d.Motion.MotionText {
					t.Errorf("motion request %+v, payload err %v", req.Action, err)
				}
			default:
				e := req.Action.ExecuteNnsFunction
				want, _ := d.Kind.NnsFunction()
				if err != nil || e == nil || e.NnsFunction != fn || fn != int32(want) || string(e.Payload) != string(payload) {
					t.Fatalf("ExecuteNnsFunction %+v, fn %d, err %v", e, fn, err)
				}
				if _, err := DecodePayload(fn, payload); err != nil {
					t.Errorf("own payload does not decode: %v", err)
				}
			}
		})
	}
}

func TestRequestErrors(t *testing.T) {
	d := DefaultDraft()
	if _, err := d.Request(); err == nil || !strings.Contains(err.Error(), "elect_guestos: missing") {
		t.Errorf("missing action: err = %v", err)
	}
	d = sampleDrafts(t)[KindUpgradeCanister]
	d.UpgradeCanister.Wasm = nil
	if _, err := d.Request(); err == nil || !strings.Contains(err.Error(), "wasm module not loaded") {
		t.Errorf("unloaded wasm: err = %v", err)
	}
	bad := sampleDrafts(t)[KindElectGuestOS]
	bad.Title = ""
	if _, err := ValidRequest(bad, DefaultPolicy()); !errors.Is(err, ErrDraftInvalid) {
		t.Errorf("ValidRequest of invalid draft: err = %v", err)
	}
	up := sampleDrafts(t)[KindUpgradeCanister]
	up.UpgradeCanister.WasmSHA256 = testSHA
	if _, err := ValidRequest(up, DefaultPolicy()); !errors.Is(err, ErrChecksumMismatch) || !strings.Contains(err.Error(), "registry.wasm has SHA-256 93a44bbb") {
		t.Errorf("ValidRequest with a mismatched wasm: err = %v", err)
	}
	if _, err := ValidRequest(sampleDrafts(t)[KindElectGuestOS], DefaultPolicy()); err != nil {
		t.Errorf("ValidRequest of valid draft: %v", err)
	}
}
