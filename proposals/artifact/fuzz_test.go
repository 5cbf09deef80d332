package artifact

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseSums checks that ParseSums never panics, that every entry it
// returns is well formed, and that formatting the entries and parsing them
// again gives the same entries.
func FuzzParseSums(f *testing.F) {
	f.Add(hexA + "  update-img.tar.zst\n")
	f.Add(hexA + " *bin\r\n# c\n\n" + hexB + " plain")
	f.Add(`\` + hexA + `  a\\b\nc`)
	f.Add("SHA256 (x) = " + hexA + "\nMD5 (y) = 00")
	f.Add(hexA + "   \t lead")
	f.Fuzz(func(t *testing.T, in string) {
		sums, _ := ParseSums(strings.NewReader(in))
		var b strings.Builder
		prev := 0
		for _, e := range sums.Entries {
			if _, err := NormalizeHex(e.Hex); err != nil || strings.ToLower(e.Hex) != e.Hex {
				t.Fatalf("entry %+v has a bad digest", e)
			}
			if e.Name == "" || e.Line <= prev {
				t.Fatalf("entry %+v: empty name or line not after %d", e, prev)
			}
			prev = e.Line
			b.WriteString(FormatSumsLine(e) + "\n")
		}
		again, err := ParseSums(strings.NewReader(b.String()))
		if err != nil {
			t.Fatalf("reparse of %q: %v", b.String(), err)
		}
		ignoreLine := cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Line" }, cmp.Ignore())
		if diff := cmp.Diff(sums.Entries, again.Entries, ignoreLine); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}

// FuzzParseLaunchMeasurements checks that the parser never panics, that
// everything it accepts is a non-empty list of 48-byte measurements, and
// that MarshalLaunchMeasurements output parses back to the same value.
func FuzzParseLaunchMeasurements(f *testing.F) {
	real, err := os.ReadFile("testdata/launch-measurements.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(real)
	f.Add([]byte(`{"guest_launch_measurements":[{"measurement":"` + strings.Repeat("ab", 48) + `","metadata":null}]}`))
	f.Add([]byte(`{"guest_launch_measurements":[{"measurement":[1,2,3]}]}`))
	f.Add([]byte("{\n\"guest_launch_measurements\": [ x ]\n}"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ParseLaunchMeasurements(bytes.NewReader(in))
		if err != nil {
			return
		}
		if len(m.GuestLaunchMeasurements) == 0 {
			t.Fatal("accepted an empty list")
		}
		for i, gm := range m.GuestLaunchMeasurements {
			if len(gm.Measurement) != SEVSNPMeasurementSize {
				t.Fatalf("measurement %d has %d bytes", i, len(gm.Measurement))
			}
		}
		out, err := MarshalLaunchMeasurements(m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseLaunchMeasurements(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("reparse of %s: %v", out, err)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round trip (-first +second):\n%s", diff)
		}
	})
}
