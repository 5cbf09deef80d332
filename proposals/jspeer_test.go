package proposals

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/google/go-cmp/cmp"
)

const jsFixturesPath = "testdata/candid/js_fixtures.json"

// jsFixture is one payload encoded by the JS peer.
type jsFixture struct {
	Name   string `json:"name"`
	Fn     int32  `json:"fn"`
	Type   string `json:"type"`
	Hex    string `json:"hex"`
	Expect any    `json:"expect"`
}

// wantAction maps each JS record type to the Go action DecodePayload must
// return for it.
var wantAction = map[string]string{
	"ReviseElectedGuestosVersionsPayload":               "ReviseElectedGuestosVersions",
	"ReviseElectedGuestosVersionsPayloadNewer":          "ReviseElectedGuestosVersions",
	"ReviseElectedGuestosVersionsPayloadTextCmdline":    "ReviseElectedGuestosVersions",
	"ReviseElectedGuestosVersionsPayloadNoMeasurements": "ReviseElectedGuestosVersions",
	"UpdateElectedReplicaVersionsPayload":               "UpdateElectedReplicaVersions",
	"DeployGuestosToAllSubnetNodesPayload":              "DeployGuestosToAllSubnetNodes",
	"UpdateSubnetReplicaVersionPayload":                 "DeployGuestosToAllSubnetNodes",
	"DeployGuestosToAllUnassignedNodesPayload":          "DeployGuestosToAllUnassignedNodes",
	"ReviseElectedHostosVersionsPayload":                "ReviseElectedHostosVersions",
	"DeployHostosToSomeNodes":                           "DeployHostosToSomeNodes",
	"BlessReplicaVersionPayload":                        "BlessReplicaVersion",
	"RetireReplicaVersionPayload":                       "RetireReplicaVersion",
	"UpdateUnassignedNodesConfigPayload":                "UpdateUnassignedNodesConfig",
	"UpdateElectedHostosVersionsPayload":                "UpdateElectedHostosVersions",
	"UpdateNodesHostosVersionPayload":                   "UpdateNodesHostosVersion",
}

// jsType maps Go payload types to the JS record type that must decode them.
var jsType = map[string]string{
	"ReviseElectedGuestosVersions":      "ReviseElectedGuestosVersionsPayload",
	"UpdateElectedReplicaVersions":      "UpdateElectedReplicaVersionsPayload",
	"DeployGuestosToAllSubnetNodes":     "DeployGuestosToAllSubnetNodesPayload",
	"DeployGuestosToAllUnassignedNodes": "DeployGuestosToAllUnassignedNodesPayload",
	"ReviseElectedHostosVersions":       "ReviseElectedHostosVersionsPayload",
	"DeployHostosToSomeNodes":           "DeployHostosToSomeNodes",
	"BlessReplicaVersion":               "BlessReplicaVersionPayload",
	"RetireReplicaVersion":              "RetireReplicaVersionPayload",
	"UpdateUnassignedNodesConfig":       "UpdateUnassignedNodesConfigPayload",
	"UpdateElectedHostosVersions":       "UpdateElectedHostosVersionsPayload",
	"UpdateNodesHostosVersion":          "UpdateNodesHostosVersionPayload",
}

func readFixtures(t *testing.T, data []byte) []jsFixture {
	t.Helper()
	var fs []jsFixture
	if err := json.Unmarshal(data, &fs); err != nil {
		t.Fatalf("parse JS fixtures: %v", err)
	}
	if len(fs) < len(wantAction) {
		t.Fatalf("only %d JS fixtures, want at least one per record type (%d)", len(fs), len(wantAction))
	}
	return fs
}

// checkDecodesFixtures decodes every JS-encoded payload with DecodePayload
// and compares the result with the value the JS side encoded.
func checkDecodesFixtures(t *testing.T, fs []jsFixture) {
	for _, f := range fs {
		t.Run(f.Name, func(t *testing.T) {
			b, err := hex.DecodeString(f.Hex)
			if err != nil {
				t.Fatal(err)
			}
			a, err := DecodePayload(f.Fn, b)
			if err != nil {
				t.Fatalf("DecodePayload(%d): %v", f.Fn, err)
			}
			if got := reflect.TypeOf(a).Name(); got != wantAction[f.Type] {
				t.Errorf("decoded as %s, want %s", got, wantAction[f.Type])
			}
			got := jsonNormal(t, canonical(reflect.ValueOf(a)))
			if diff := cmp.Diff(jsonNormal(t, f.Expect), got); diff != "" {
				t.Errorf("decoded value differs from the JS value (-js +go):\n%s", diff)
			}
		})
	}
}

// TestDecodeCommittedJSFixtures reads the committed JS-encoded payloads.
func TestDecodeCommittedJSFixtures(t *testing.T) {
	data, err := os.ReadFile(jsFixturesPath)
	if err != nil {
		t.Fatalf("read %s: %v", jsFixturesPath, err)
	}
	checkDecodesFixtures(t, readFixtures(t, data))
}

// TestJSFixturesLive regenerates the fixtures with node: they must equal the
// committed bytes (the JS encoder is deterministic), and decode in Go.
func TestJSFixturesLive(t *testing.T) {
	out := runJSPeer(t, nil, "generate")
	if *update {
		if err := os.WriteFile(jsFixturesPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(jsFixturesPath)
	if err != nil {
		t.Fatalf("read %s: %v", jsFixturesPath, err)
	}
	live, want := readFixtures(t, out), readFixtures(t, committed)
	if diff := cmp.Diff(want, live); diff != "" {
		t.Errorf("live JS fixtures differ from %s (-committed +live); rerun with -update if intended:\n%s", jsFixturesPath, diff)
	}
	checkDecodesFixtures(t, live)
}

// TestJSDecodesOurEncodings sends every Go encoding to the JS peer, which
// decodes it with the registry's record type; the values must agree.
func TestJSDecodesOurEncodings(t *testing.T) {
	type item struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Hex  string `json:"hex"`
	}
	var items []item
	want := map[string]any{}
	for name, a := range samplePayloads(t) {
		b, err := EncodePayload(a)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		typ := jsType[reflect.TypeOf(a).Name()]
		if typ == "" {
			t.Fatalf("%s: no JS type for %T", name, a)
		}
		items = append(items, item{name, typ, hex.EncodeToString(b)})
		want[name] = jsonNormal(t, canonical(reflect.ValueOf(a)))
	}
	in, _ := json.Marshal(items)
	var got []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(runJSPeer(t, in, "decode"), &got); err != nil {
		t.Fatalf("parse JS output: %v", err)
	}
	if len(got) != len(items) {
		t.Fatalf("JS decoded %d items, sent %d", len(got), len(items))
	}
	for _, g := range got {
		if g.Error != "" {
			t.Errorf("%s: JS could not decode our encoding: %s", g.Name, g.Error)
			continue
		}
		if diff := cmp.Diff(want[g.Name], g.Value); diff != "" {
			t.Errorf("%s: JS sees a different value (-go +js):\n%s", g.Name, diff)
		}
	}
}

// TestJSDecodesOurRequests encodes the MakeProposalRequest of every kind and
// has the JS peer decode it with the governance interface from
// @icp-sdk/canisters: the request nnspatch submits must read back the same.
func TestJSDecodesOurRequests(t *testing.T) {
	type item struct {
		Name string `json:"name"`
		Type string `json:"type"`
		Hex  string `json:"hex"`
	}
	var items []item
	want := map[string]any{}
	for k, d := range sampleDrafts(t) {
		req, err := d.Request()
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		b, err := candid.Marshal([]any{req})
		if err != nil {
			t.Fatalf("%s: encode request: %v", k, err)
		}
		items = append(items, item{string(k), "MakeProposalRequest", hex.EncodeToString(b)})
		want[string(k)] = jsonNormal(t, canonical(reflect.ValueOf(req)))
	}
	in, _ := json.Marshal(items)
	var got []struct {
		Name  string `json:"name"`
		Value any    `json:"value"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(runJSPeer(t, in, "decode"), &got); err != nil {
		t.Fatalf("parse JS output: %v", err)
	}
	if len(got) != len(items) {
		t.Fatalf("JS decoded %d requests, sent %d", len(got), len(items))
	}
	for _, g := range got {
		if g.Error != "" {
			t.Errorf("%s: governance IDL cannot decode our request: %s", g.Name, g.Error)
			continue
		}
		if diff := cmp.Diff(want[g.Name], g.Value); diff != "" {
			t.Errorf("%s: JS sees a different request (-go +js):\n%s", g.Name, diff)
		}
	}
}
