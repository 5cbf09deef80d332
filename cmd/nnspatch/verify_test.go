package main

import (
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
	var doc verifyDoc
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
