package proposals

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRender pins the text rendering of every kind with golden files.
func TestRender(t *testing.T) {
	drafts := sampleDrafts(t)
	cases := map[string]Draft{}
	for k, d := range drafts {
		cases[string(k)] = d
	}
	bad := drafts[KindDeployGuestOS]
	bad.Title, bad.URL = "x", "https://example.com"
	cases["with-problems"] = bad
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := Render(d)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := WriteText(&b, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		})
	}
}

func TestRenderPayload(t *testing.T) {
	d := sampleDrafts(t)[KindElectGuestOS]
	r, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	_, payload, _ := d.Payload()
	if r.PayloadHex != hex.EncodeToString(payload) || r.PayloadBytes != len(payload) || len(r.PayloadSHA256) != 64 {
		t.Errorf("payload not described: %+v", r)
	}
	if r.NnsFunction != 38 || r.Topic != "IcOsVersionElection" || r.TopicID != 13 || r.Action != "ExecuteNnsFunction: ReviseElectedGuestosVersions (38)" {
		t.Errorf("header: %+v", r)
	}
	fields := map[string]string{}
	for _, f := range r.Payload {
		fields[f.Key] = f.Value
	}
	for k, v := range map[string]string{
		"replica_version_to_elect":                                                       testV1,
		"release_package_urls[1]":                                                        DefaultPackageURLs("guest-os", testV1)[1],
		"replica_versions_to_unelect[0]":                                                 testV2,
		"guest_launch_measurements.guest_launch_measurements[1].metadata":                "null",
		"guest_launch_measurements.guest_launch_measurements[0].metadata.kernel_cmdline": "console=ttyS0 quiet",
	} {
		if fields[k] != v {
			t.Errorf("field %s = %q, want %q", k, fields[k], v)
		}
	}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"problems":[]`) || !strings.Contains(string(b), `"nns_function":38`) {
		t.Errorf("JSON: %s, %v", b, err)
	}
	if _, err := Render(DefaultDraft()); err == nil {
		t.Error("Render of a draft without action succeeded")
	}
}

func TestSanitize(t *testing.T) {
	in := "ok\x1b[31mred\x1b[0m\ttab\nline\r\x07\u202eevil\u0085\xff"
	want := "okred\ttab\nlineevil\uFFFD" // whole escape sequences go, not just ESC
	if got := Sanitize(in); got != want {
		t.Errorf("Sanitize = %q, want %q", got, want)
	}
	r := Rendered{Title: "t\x1b]0;pwned\x07", Summary: "s"}
	var b bytes.Buffer
	WriteText(&b, r)
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Errorf("WriteText let control characters through: %q", b.String())
	}
}

// TestRenderShowsDecodedBytes checks that the fields Render shows are those
// the payload bytes decode to, for every kind with a payload.
func TestRenderShowsDecodedBytes(t *testing.T) {
	for k, d := range sampleDrafts(t) {
		r, err := Render(d)
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		if r.PayloadHex == "" {
			continue // InstallCode and Motion carry no payload blob
		}
		b, err := hex.DecodeString(r.PayloadHex)
		if err != nil {
			t.Fatal(err)
		}
		a, err := DecodePayload(r.NnsFunction, b)
		if err != nil {
			t.Fatalf("%s: decode rendered payload: %v", k, err)
		}
		if diff := cmp.Diff(PayloadFields(a), r.Payload); diff != "" {
			t.Errorf("%s: rendered fields differ from the decoded bytes (-decoded +rendered):\n%s", k, diff)
		}
	}
}
