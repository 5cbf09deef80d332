package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/nnspatch/nnspatch/proposals"
)

const (
	testCommit = "2c0b76cfc7e596d5c4304cff5222a2619294c8c1"
	testSHA    = "4e4c294b331f7a2099a379bec34b9f9fc03dc46ab465d998f4d683da53487e6d" // genBytes(1000)
	testSubnet = "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
)

// genBytes returns n bytes whose byte i is i mod 251 (as the testscript
// genfile command writes).
func genBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// writeTestFile writes data to name in dir and returns the path.
func writeTestFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const testMeasurements = `{"guest_launch_measurements":[{"measurement":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47],"metadata":{"kernel_cmdline":"console=ttyS0"}}]}`

func TestNewCmdDraftElect(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    draftElectOptions
		wantErr string
	}{
		{name: "sha256", args: []string{"--version", testCommit, "--sha256", testSHA, "--measurements", "m.json", "-o", "d.yaml"},
			want: draftElectOptions{Version: testCommit, SHA256: testSHA, MeasurementsFile: "m.json"}},
		{name: "artifacts and mirrors", args: []string{"--security", "--version", testCommit, "--artifact", "a", "--artifact", "b",
			"--package-url", "https://x/1", "--unelect", "v1", "--measurements-waiver", "reason", "-o", "d.yaml"},
			want: draftElectOptions{Version: testCommit, Artifacts: []string{"a", "b"}, PackageURLs: []string{"https://x/1"},
				Unelect: []string{"v1"}, MeasurementsWaiver: "reason"}},
		{name: "unelect only", args: []string{"--unelect", "v1", "-o", "d.yaml"}, want: draftElectOptions{Unelect: []string{"v1"}}},
		{name: "no output", args: []string{"--version", testCommit, "--sha256", testSHA}, wantErr: "-o/--output is required"},
		{name: "nothing to do", args: []string{"-o", "d.yaml"}, wantErr: "pass --version to elect"},
		{name: "no hash", args: []string{"--version", testCommit, "-o", "d.yaml"}, wantErr: "pass --sha256 <hex> or --artifact"},
		{name: "hash without version", args: []string{"--unelect", "v1", "--sha256", testSHA, "-o", "d.yaml"}, wantErr: "need --version"},
		{name: "measurements and waiver", args: []string{"--version", testCommit, "--sha256", testSHA, "--measurements", "m",
			"--measurements-waiver", "r", "-o", "d.yaml"}, wantErr: "mutually exclusive"},
		{name: "positional argument", args: []string{"extra", "-o", "d.yaml"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := TestStreams()
			var got *draftElectOptions
			cmd := newCmdDraftElect(NewFactory(ios), proposals.KindElectGuestOS, func(o *draftElectOptions) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			cmd.SetOut(ios.Out)
			cmd.SetErr(ios.ErrOut)
			_, err := cmd.ExecuteC()
			if tt.wantErr != "" {
				var fe *FlagError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a FlagError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Output != "d.yaml" || got.Security != strings.Contains(strings.Join(tt.args, " "), "--security") {
				t.Errorf("common flags: output %q security %v", got.Output, got.Security)
			}
			got.Kind = ""
			if diff := cmp.Diff(tt.want, *got, cmpopts.IgnoreUnexported(draftElectOptions{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDraftElectRun(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	pkg := writeTestFile(t, dir, "update-img.tar.zst", genBytes(1000))
	mirror := writeTestFile(t, dir, "mirror.tar.zst", genBytes(1000))
	other := writeTestFile(t, dir, "other.tar.zst", genBytes(999))
	m := writeTestFile(t, dir, "m.json", []byte(testMeasurements))
	out := filepath.Join(dir, "elect.yaml")

	r := runCLI(t, "draft", "elect-guestos", "--security", "--forum-url", "https://forum.dfinity.org/t/patch/1", "--version", testCommit, "--artifact", pkg, "--artifact", mirror,
		"--sha256", strings.ToUpper(testSHA), "--measurements", m, "-o", out)
	if r.Code != ExitOK || strings.TrimSpace(r.Stdout) != out {
		t.Fatalf("draft: exit %d stdout %q stderr %s", r.Code, r.Stdout, r.Stderr)
	}
	d, err := proposals.LoadDraft(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := *d.ElectGuestOS.ReleasePackageSHA256Hex; got != testSHA {
		t.Errorf("draft records sha256 %s, want %s", got, testSHA)
	}
	if d.Mode != proposals.ModeSecurity || len(d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements) != 1 {
		t.Errorf("draft mode %s, measurements %+v", d.Mode, d.ElectGuestOS.GuestLaunchMeasurements)
	}

	cases := []struct {
		name string
		args []string
		want ExitCode
	}{
		{name: "mirrors differ", args: []string{"--artifact", pkg, "--artifact", other}, want: ExitChecksum},
		{name: "artifact differs from --sha256", args: []string{"--artifact", pkg, "--sha256", strings.Repeat("1", 64)}, want: ExitChecksum},
		{name: "bad measurements file", args: []string{"--sha256", testSHA, "--measurements", pkg}, want: ExitError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := filepath.Join(dir, "x.yaml")
			args := append([]string{"draft", "elect-guestos", "--version", testCommit, "-o", target}, c.args...)
			if !strings.Contains(strings.Join(c.args, " "), "--measurements") {
				args = append(args, "--measurements", m)
			}
			r := runCLI(t, args...)
			if r.Code != c.want {
				t.Errorf("exit %d, want %d; stderr %s", r.Code, c.want, r.Stderr)
			}
			if _, err := os.Stat(target); err == nil {
				t.Error("a draft was written despite the failure")
			}
		})
	}
}

func TestDraftConfigDenyWords(t *testing.T) {
	dir := isolateConfig(t)
	writeTestFile(t, dir, "config.yaml", []byte("deny_words: [frobnicated]\n"))
	out := filepath.Join(t.TempDir(), "d.yaml")
	args := []string{"draft", "deploy-unassigned", "--security", "--version", testCommit, "-o", out}
	r := runCLI(t, append(args, "--title", "Deploy the frobnicated release")...)
	if r.Code != ExitDraftInvalid || !strings.Contains(r.Stderr, `"frobnicated"`) {
		t.Fatalf("config deny word: exit %d, stderr %s", r.Code, r.Stderr)
	}
	// The config's list replaces the built-in one.
	if r := runCLI(t, append(args, "--title", "Deploy the exploit fix")...); r.Code != ExitOK {
		t.Errorf("built-in deny word still applied: exit %d, stderr %s", r.Code, r.Stderr)
	}
}

func TestDraftUpgradeCanisterRelativeWasm(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	wasm := writeTestFile(t, dir, "registry.wasm", genBytes(1000))
	arg := writeTestFile(t, dir, "arg.bin", []byte("DIDL\x00\x00"))
	sub := filepath.Join(dir, "drafts")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(sub, "upgrade.yaml")
	r := runCLI(t, "draft", "upgrade-canister", "--canister", "rwlgt-iiaaa-aaaaa-aaaaa-cai", "--wasm", wasm,
		"--arg-file", arg, "--mode", "upgrade", "-o", out)
	if r.Code != ExitOK {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	d, err := proposals.LoadDraft(out)
	if err != nil {
		t.Fatalf("load the written draft (wasm path relative to it): %v", err)
	}
	c := d.UpgradeCanister
	if c.WasmPath != "../registry.wasm" || c.WasmSHA256 != testSHA || c.ArgHex != "4449444c0000" {
		t.Errorf("install code = path %q sha %q arg %q", c.WasmPath, c.WasmSHA256, c.ArgHex)
	}
	if r := runCLI(t, "draft", "upgrade-canister", "--canister", "x", "--wasm", wasm, "--mode", "sideways", "-o", out); r.Code != ExitUsage {
		t.Errorf("bad --mode: exit %d", r.Code)
	}
}

// TestDraftPrincipalFlags checks that a bad --subnet or --node names the
// flag, prints only text and exits with the usage code.
func TestDraftPrincipalFlags(t *testing.T) {
	isolateConfig(t)
	out := filepath.Join(t.TempDir(), "d.yaml")
	tests := []struct{ name, flag, value, want string }{
		{"garbage subnet", "--subnet", "nope", `--subnet "nope" is not a principal id`},
		{"upper-case subnet", "--subnet", "TDB26-JOP6K-AOGLL-7LTGS-ERUIF-6KK7M-QPKTF-GDIQX-MXTRF-VB5E6-EQE", "did you mean tdb26-jop6k"},
		{"garbage node", "--node", "zz", `--node "zz" is not a principal id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := "deploy-guestos"
			if tt.flag == "--node" {
				kind = "deploy-hostos"
			}
			r := runCLI(t, "draft", kind, tt.flag, tt.value, "--version", testCommit, "-o", out)
			if r.Code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", r.Code, ExitUsage, r.Stderr)
			}
			first, _, _ := strings.Cut(r.Stderr, "\n")
			if !strings.Contains(first, tt.want) {
				t.Errorf("stderr %q does not contain %q", first, tt.want)
			}
			if strings.IndexFunc(first, func(r rune) bool { return r < ' ' || r == utf8.RuneError }) >= 0 {
				t.Errorf("stderr has control or invalid bytes: %q", first)
			}
		})
	}
}

// TestDraftBadMeasurements checks that a malformed --measurements file is
// named, with the reason and what to pass instead.
func TestDraftBadMeasurements(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	m := writeTestFile(t, dir, "short.json", []byte(`{"guest_launch_measurements": [{"measurement": [1, 2]}]}`))
	r := runCLI(t, "draft", "elect-guestos", "--version", testCommit, "--sha256", testSHA,
		"--measurements", m, "-o", filepath.Join(dir, "d.yaml"))
	if r.Code != ExitError {
		t.Errorf("exit %d, want %d; stderr:\n%s", r.Code, ExitError, r.Stderr)
	}
	for _, want := range []string{"short.json", "has 2 bytes, want 48", "--measurements-waiver"} {
		if !strings.Contains(r.Stderr, want) {
			t.Errorf("stderr %q does not contain %q", r.Stderr, want)
		}
	}
}

// TestDraftSecurityElectForumURL: a security election without --forum-url
// is refused (usage exit, nothing written, a hint naming both flags);
// --no-forum-url writes it; both flags together are a usage error.
func TestDraftSecurityElectForumURL(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "elect.yaml")
	base := []string{"draft", "elect-hostos", "--security", "--version", testCommit, "--sha256", testSHA, "-o", out}
	r := runCLI(t, base...)
	if r.Code != ExitUsage || !strings.Contains(r.Stderr, "--no-forum-url") || !strings.Contains(r.Stderr, "--forum-url") {
		t.Fatalf("without forum URL: exit %d, stderr %s", r.Code, r.Stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("refused draft was written: %v", err)
	}
	if r := runCLI(t, append(base, "--no-forum-url", "--forum-url", "https://forum.dfinity.org/t/1")...); r.Code != ExitUsage {
		t.Errorf("both flags: exit %d, stderr %s", r.Code, r.Stderr)
	}
	if r := runCLI(t, append(base, "--no-forum-url")...); r.Code != ExitOK {
		t.Fatalf("--no-forum-url: exit %d, stderr %s", r.Code, r.Stderr)
	}
	d, err := proposals.LoadDraft(out)
	if err != nil {
		t.Fatal(err)
	}
	if d.URL != "" || d.Title != "Elect new IC/HostOS revision (commit "+testCommit[:7]+")" {
		t.Errorf("draft url %q title %q", d.URL, d.Title)
	}
}
