package artifact

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nnspatch/nnspatch/proposals"
)

// runMeasurementsPeer asks the JS peer (jspeer/candid_fixtures.mjs, the
// official @icp-sdk/core Candid encoder) for the election payload carrying
// the measurements of a file in testdata.
func runMeasurementsPeer(t *testing.T, req any) []byte {
	t.Helper()
	dir, err := filepath.Abs("../../jspeer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@icp-sdk", "core")); err != nil {
		t.Fatalf("jspeer/node_modules/@icp-sdk/core is missing (%v); run `npm ci --prefix jspeer` first", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH (%v); install node 20 to run the JS cross-check", err)
	}
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join(dir, "candid_fixtures.mjs"), "measurements")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node candid_fixtures.mjs measurements: %v\n%s", err, stderr.String())
	}
	var res struct {
		Hex string `json:"hex"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("parse JS output %q: %v", out, err)
	}
	b, err := hex.DecodeString(res.Hex)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestMeasurementsPayloadMatchesJS reads a launch-measurements file with
// ParseLaunchMeasurements, encodes the election payload with
// proposals.EncodePayload and requires the very bytes the independent JS
// encoder writes from the same file: the real mainnet measurements of
// bcac7ca3 (kernel_cmdline only) and a derived file with vcpu_type and a
// missing kernel_cmdline.
func TestMeasurementsPayloadMatchesJS(t *testing.T) {
	const (
		version = "bcac7ca3862fd8409d56d9dcda919a5f25acbbd4"
		sha     = "2292b72f5e3cad65651fb8a7858cd5efdbb537b20a7388bb8a01e31f8f047bb1"
	)
	urls := []string{
		"https://download.dfinity.systems/ic/" + version + "/guest-os/update-img/update-img.tar.zst",
		"https://download.dfinity.network/ic/" + version + "/guest-os/update-img/update-img.tar.zst",
	}
	for _, file := range []string{"mainnet-bcac7ca3-launch-measurements.json", "launch-measurements-vcpu.json"} {
		t.Run(file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			m, err := ParseLaunchMeasurements(f)
			if err != nil {
				t.Fatal(err)
			}
			elect, hash := version, sha
			payload := proposals.ReviseElectedGuestosVersions{
				ReleasePackageURLs:       urls,
				ReplicaVersionsToUnelect: []string{},
				ReplicaVersionToElect:    &elect,
				GuestLaunchMeasurements:  &m,
				ReleasePackageSHA256Hex:  &hash,
			}
			got, err := proposals.EncodePayload(payload)
			if err != nil {
				t.Fatal(err)
			}
			want := runMeasurementsPeer(t, map[string]any{"file": file, "elect": version, "sha": sha, "urls": urls})
			if !bytes.Equal(got, want) {
				t.Fatalf("Go payload differs from the JS encoding of %s\n go: %x\n js: %x", file, got, want)
			}
			back, err := proposals.DecodePayload(int32(proposals.FnReviseElectedGuestosVersions), got)
			if err != nil {
				t.Fatalf("decode our own payload: %v", err)
			}
			gm := back.(proposals.ReviseElectedGuestosVersions).GuestLaunchMeasurements.GuestLaunchMeasurements
			if len(gm) != len(m.GuestLaunchMeasurements) {
				t.Fatalf("decoded %d measurements, want %d", len(gm), len(m.GuestLaunchMeasurements))
			}
			for i := range gm {
				w := m.GuestLaunchMeasurements[i].Metadata
				if gm[i].Metadata.Cmdline() != w.Cmdline() || gm[i].Metadata.Vcpu() != w.Vcpu() ||
					(gm[i].Metadata.KernelCmdline == nil) != (w.KernelCmdline == nil) {
					t.Errorf("measurement %d metadata = %+v, want %+v", i, gm[i].Metadata, w)
				}
			}
		})
	}
}

// TestParseMeasurementsVcpu checks the newer metadata fields are read and
// written back: vcpu_type kept, an absent kernel_cmdline stays absent.
func TestParseMeasurementsVcpu(t *testing.T) {
	data, err := os.ReadFile("testdata/launch-measurements-vcpu.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseLaunchMeasurements(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	first, second := m.GuestLaunchMeasurements[0].Metadata, m.GuestLaunchMeasurements[1].Metadata
	if first.Vcpu() != "synthetic-vcpu-a" || first.KernelCmdline == nil {
		t.Errorf("first metadata = %+v", first)
	}
	if second.Vcpu() != "synthetic-vcpu-b" || second.KernelCmdline != nil {
		t.Errorf("second metadata = %+v, want vcpu_type only", second)
	}
	out, err := MarshalLaunchMeasurements(m)
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseLaunchMeasurements(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("re-read what we wrote: %v\n%s", err, out)
	}
	if again.GuestLaunchMeasurements[1].Metadata.KernelCmdline != nil || again.GuestLaunchMeasurements[1].Metadata.Vcpu() != "synthetic-vcpu-b" {
		t.Errorf("round trip lost the metadata shape:\n%s", out)
	}
}
