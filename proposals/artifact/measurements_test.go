package artifact

import (
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/nnspatch/nnspatch/proposals"
)

// testMeasurement is the SHA-384 of a label, the shape of a SEV-SNP measurement.
func testMeasurement(i int) []byte {
	s := sha512.Sum384(fmt.Appendf(nil, "nnspatch test measurement %d", i))
	return s[:]
}

// byteArray renders b as serde_json writes a Vec<u8>.
func byteArray(b []byte) string {
	parts := make([]string, len(b))
	for i, v := range b {
		parts[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func TestParseLaunchMeasurementsFile(t *testing.T) {
	f, err := os.Open("testdata/launch-measurements.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ParseLaunchMeasurements(f)
	if err != nil {
		t.Fatal(err)
	}
	want := proposals.GuestLaunchMeasurements{GuestLaunchMeasurements: []proposals.GuestLaunchMeasurement{
		{Measurement: testMeasurement(0), Metadata: &proposals.GuestLaunchMeasurementMetadata{
			KernelCmdline: ptr("BOOT_IMAGE=/vmlinuz root=/dev/vda5 console=ttyS0 dfinity.system=A")}},
		{Measurement: testMeasurement(1), Metadata: &proposals.GuestLaunchMeasurementMetadata{
			KernelCmdline: ptr("BOOT_IMAGE=/vmlinuz root=/dev/vda8 console=ttyS0 dfinity.system=B")}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("measurements (-want +got):\n%s", diff)
	}
	if h := hex.EncodeToString(got.GuestLaunchMeasurements[0].Measurement); h != "d8ee0baec2bc9ebae2f7a580d8525b4294fe4193693a3ca461aa731cb9ee455d4a173fa757a06428f1d29b160bc9be78" {
		t.Errorf("measurement 0 = %s", h)
	}
}

func TestParseLaunchMeasurements(t *testing.T) {
	m0, m1 := testMeasurement(0), testMeasurement(1)
	tests := []struct {
		name string
		in   string
		want []proposals.GuestLaunchMeasurement
	}{
		{"byte array without metadata", `{"guest_launch_measurements":[{"measurement":` + byteArray(m0) + `}]}`,
			[]proposals.GuestLaunchMeasurement{{Measurement: m0}}},
		{"hex string", `{"guest_launch_measurements":[{"measurement":"` + hex.EncodeToString(m0) + `"}]}`,
			[]proposals.GuestLaunchMeasurement{{Measurement: m0}}},
		{"0x upper hex", `{"guest_launch_measurements":[{"measurement":"0x` + strings.ToUpper(hex.EncodeToString(m1)) + `"}]}`,
			[]proposals.GuestLaunchMeasurement{{Measurement: m1}}},
		{"null metadata and cmdline, vcpu_type kept", `{"guest_launch_measurements":[
			{"measurement":` + byteArray(m0) + `,"metadata":null},
			{"measurement":` + byteArray(m1) + `,"metadata":{"kernel_cmdline":null,"vcpu_type":"EPYC-v4"}}],
			"comment":"ignored like serde does"}`,
			[]proposals.GuestLaunchMeasurement{{Measurement: m0}, {Measurement: m1, Metadata: &proposals.GuestLaunchMeasurementMetadata{VcpuType: ptr("EPYC-v4")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLaunchMeasurements(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got.GuestLaunchMeasurements); diff != "" {
				t.Errorf("measurements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseLaunchMeasurementsBadLength(t *testing.T) {
	m := testMeasurement(0)
	in := `{"guest_launch_measurements":[
		{"measurement":` + byteArray(m) + `},
		{"measurement":` + byteArray(m[:47]) + `},
		{"measurement":"` + hex.EncodeToString(append(m, 0)) + `"},
		{"measurement":[]}]}`
	_, err := ParseLaunchMeasurements(strings.NewReader(in))
	var me *MeasurementError
	if !errors.As(err, &me) || me.Index != 1 {
		t.Fatalf("err = %v, want *MeasurementError for index 1", err)
	}
	want := "guest_launch_measurements[1]: measurement has 47 bytes, want 48 (SEV-SNP)\n" +
		"guest_launch_measurements[2]: measurement has 49 bytes, want 48 (SEV-SNP)\n" +
		"guest_launch_measurements[3]: measurement has 0 bytes, want 48 (SEV-SNP)"
	if err.Error() != want {
		t.Errorf("error:\n%v\nwant:\n%s", err, want)
	}
}

func TestParseLaunchMeasurementsInvalid(t *testing.T) {
	m := byteArray(testMeasurement(0))
	tests := []struct{ name, in, want string }{
		{"syntax error with line", "{\n  \"guest_launch_measurements\": [\n    {\"measurement\": " + m + ",}\n  ]\n}",
			"line 3 column "},
		{"truncated", "{\"guest_launch_measurements\": [\n", "line 2 column 1: unexpected end of JSON input"},
		{"wrong type with line", "{\n\"guest_launch_measurements\": {}\n}",
			`line 2 column 31: "guest_launch_measurements" must be an array, not object`},
		{"not an object", "[1,2]", "line 1 column 2: top level must be an object, not array"},
		{"empty input", "", "line 1 column 1: unexpected end of JSON input"},
		{"missing key", `{"measurements": []}`, `missing top-level key "guest_launch_measurements"`},
		{"empty list", `{"guest_launch_measurements": []}`, "no launch measurements"},
		{"missing measurement", `{"guest_launch_measurements": [{"metadata": {"kernel_cmdline": ""}}]}`,
			`guest_launch_measurements[0]: "measurement" is missing`},
		{"byte out of range", `{"guest_launch_measurements": [{"measurement": [1, 256]}]}`,
			"guest_launch_measurements[0]: measurement byte 1 is 256, want an integer 0-255"},
		{"fractional byte", `{"guest_launch_measurements": [{"measurement": [1.5]}]}`, "measurement byte 0 is 1.5"},
		{"string in array", `{"guest_launch_measurements": [{"measurement": ["a"]}]}`, "array must hold only numbers 0-255"},
		{"not hex", `{"guest_launch_measurements": [{"measurement": "zz"}]}`, "measurement string is not hex"},
		{"object measurement", `{"guest_launch_measurements": [{"measurement": {}}]}`, "must be an array of byte values or a hex string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLaunchMeasurements(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseLaunchMeasurementsJSONError(t *testing.T) {
	_, err := ParseLaunchMeasurements(strings.NewReader("{\n\n  \"guest_launch_measurements\": [ x ]\n}"))
	var je *JSONError
	if !errors.As(err, &je) {
		t.Fatalf("err = %v, want *JSONError", err)
	}
	if je.Line != 3 || je.Column != 34 {
		t.Errorf("position = line %d column %d, want line 3 column 34", je.Line, je.Column)
	}
}

func TestParseLaunchMeasurementsTooLarge(t *testing.T) {
	in := `{"guest_launch_measurements": "` + strings.Repeat("a", maxMeasurementsFile) + `"}`
	_, err := ParseLaunchMeasurements(strings.NewReader(in))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a size error", err)
	}
}

func ptr[T any](v T) *T { return &v }
