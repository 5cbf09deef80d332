package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/proposals"
)

// electWithURLs submits, as the developer, an election of version whose
// package hash is sum and whose package URLs are urls; it returns the id.
func electWithURLs(t *testing.T, netURL, identity, version, sum string, urls []string) uint64 {
	t.Helper()
	payload, err := proposals.EncodePayload(proposals.ReviseElectedGuestosVersions{
		ReleasePackageURLs: urls, ReplicaVersionToElect: &version, ReleasePackageSHA256Hex: &sum,
		ReplicaVersionsToUnelect: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	id, err := governance.LoadIdentity(identity, governance.IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: netURL, FetchRootKey: true}, id, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	title := "Elect new IC/GuestOS revision (commit " + version[:7] + ")"
	pid, err := c.MakeProposal(ctx, 80, govdid.MakeProposalRequest{Title: &title, Summary: "Elect a version.",
		Action: &govdid.ProposalActionRequest{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 38, Payload: payload}}})
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// Without --artifact, verify downloads the package from every URL the
// proposal names (two https mirrors here, trusted through SSL_CERT_FILE in
// the real binary) and compares each with the proposal's hash; a mirror
// serving other bytes is a checksum mismatch (exit 6).
func TestVerifyDownloadsFromTheProposalsURLs(t *testing.T) {
	n, flags := cliNet(t)
	pkg := []byte(strings.Repeat("GuestOS update image ", 4096))
	sum := sha256.Sum256(pkg)
	var tampered atomic.Bool
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/mirror-b/update-img.tar.zst" && tampered.Load() {
			_, _ = w.Write(append([]byte("X"), pkg[1:]...))
			return
		}
		_, _ = w.Write(pkg)
	}))
	defer srv.Close()
	dir := t.TempDir()
	certFile := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "nnspatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	urls := []string{srv.URL + "/mirror-a/update-img.tar.zst", srv.URL + "/mirror-b/update-img.tar.zst"}
	version := strings.Repeat("ab12", 10)
	id := electWithURLs(t, n.URL(), n.DeveloperIdentityPath(), version, hex.EncodeToString(sum[:]), urls)
	verify := func() (string, string, int) {
		cmd := exec.Command(bin, append([]string{"verify", strconv.FormatUint(id, 10), "--json"}, flags...)...)
		cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+certFile, "NNSPATCH_CONFIG_HOME="+dir)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return out.String(), errOut.String(), code
	}
	out, errOut, code := verify()
	var doc jsonout.Verify
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 || !doc.Match || len(doc.Mirrors) != 2 {
		t.Fatalf("verify: exit %d (%v)\n%s\n%s", code, err, out, errOut)
	}
	for i, m := range doc.Mirrors {
		if m.Source != urls[i] || m.SHA256 != hex.EncodeToString(sum[:]) || m.Size != int64(len(pkg)) {
			t.Errorf("mirror %d: %+v", i, m)
		}
	}
	tampered.Store(true)
	if out, errOut, code := verify(); code != int(ExitChecksum) || !strings.Contains(errOut, "mirror-b") {
		t.Fatalf("a tampered mirror: exit %d\n%s\n%s", code, out, errOut)
	}
}

// makeProposal submits req as the developer neuron and returns its id.
func makeProposal(t *testing.T, netURL, identity string, req govdid.MakeProposalRequest) uint64 {
	t.Helper()
	id, err := governance.LoadIdentity(identity, governance.IdentityEnv{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := governance.New(ctx, governance.Network{Name: "local", URL: netURL, FetchRootKey: true}, id, governance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := c.MakeProposal(ctx, 80, req)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// An NNS canister upgrade (InstallCode) verifies against its
// wasm_module_hash: the SHA-256 of the .wasm.gz file exactly as submitted.
// Another file is a checksum mismatch (exit 6); without --artifact there is
// nothing to download, a usage error naming the flag.
func TestVerifyInstallCode(t *testing.T) {
	n, flags := cliNet(t)
	dir := t.TempDir()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(append([]byte("\x00asm\x01\x00\x00\x00"), bytes.Repeat([]byte("registry canister code "), 512)...))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	wasm := filepath.Join(dir, "registry-canister.wasm.gz")
	if err := os.WriteFile(wasm, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	registry := principal.MustDecode(proposals.RegistryCanisterID)
	mode, module, arg := int32(3), gz.Bytes(), []byte("DIDL\x00\x00")
	title := "Upgrade the registry canister"
	id := makeProposal(t, n.URL(), n.DeveloperIdentityPath(), govdid.MakeProposalRequest{Title: &title, Summary: "Upgrade.",
		Action: &govdid.ProposalActionRequest{InstallCode: &govdid.InstallCodeRequest{
			CanisterId: &registry, InstallMode: &mode, WasmModule: &module, Arg: &arg}}})
	pid := strconv.FormatUint(id, 10)

	r := run(t, flags, "verify", pid, "--artifact", wasm, "--json")
	var doc jsonout.Verify
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || r.Code != ExitOK || !doc.Match {
		t.Fatalf("verify: exit %d (%v)\n%s\n%s", r.Code, err, r.Stdout, r.Stderr)
	}
	sum := sha256.Sum256(gz.Bytes())
	if doc.Kind != "install_code" || doc.Install == nil || doc.Install.WasmModuleHash != hex.EncodeToString(sum[:]) ||
		doc.Install.CanisterID != proposals.RegistryCanisterID || doc.Package != nil {
		t.Errorf("verify doc: %+v (install %+v)", doc, doc.Install)
	}

	other := filepath.Join(dir, "registry-canister.wasm")
	if err := os.WriteFile(other, append([]byte("\x00asm\x01\x00\x00\x00"), 'X'), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, flags, "verify", pid, "--artifact", other)
	if r.Code != ExitChecksum || !strings.Contains(r.Stdout, "✗ mismatch") || !strings.Contains(r.Stderr, hex.EncodeToString(sum[:])) {
		t.Errorf("other wasm: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}
	r = run(t, flags, "verify", pid)
	if r.Code != ExitUsage || !strings.Contains(r.Stderr, "--artifact") {
		t.Errorf("without --artifact: exit %d\n%s", r.Code, r.Stderr)
	}
}

// A HostOS election verifies like a GuestOS one: the package hash from a
// ReviseElectedHostosVersions payload.
func TestVerifyHostOSElection(t *testing.T) {
	n, flags := cliNet(t)
	dir := t.TempDir()
	pkg := filepath.Join(dir, "update-img.tar.zst")
	if err := os.WriteFile(pkg, bytes.Repeat([]byte("HostOS update image "), 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	version, hash := strings.Repeat("cd34", 10), hex.EncodeToString(sum[:])
	payload, err := proposals.EncodePayload(proposals.ReviseElectedHostosVersions{
		ReleasePackageURLs: proposals.DefaultPackageURLs("host-os", version), HostosVersionToElect: &version,
		ReleasePackageSHA256Hex: &hash, HostosVersionsToUnelect: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	title := "Elect new IC/HostOS revision (commit " + version[:7] + ")"
	id := makeProposal(t, n.URL(), n.DeveloperIdentityPath(), govdid.MakeProposalRequest{Title: &title, Summary: "Elect.",
		Action: &govdid.ProposalActionRequest{ExecuteNnsFunction: &govdid.ExecuteNnsFunction{NnsFunction: 50, Payload: payload}}})
	r := run(t, flags, "verify", strconv.FormatUint(id, 10), "--artifact", pkg, "--json")
	var doc jsonout.Verify
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil || r.Code != ExitOK || !doc.Match {
		t.Fatalf("verify: exit %d (%v)\n%s\n%s", r.Code, err, r.Stdout, r.Stderr)
	}
	if doc.Kind != "election" || doc.Package == nil || doc.Package.OS != "HostOS" || doc.Package.Version != version {
		t.Errorf("verify doc: %+v", doc)
	}
}
