package replica

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	agent "github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/fxamacker/cbor/v2"
)

// syncCallCertificate makes a v4 call by hand (agent-go does not verify the
// certificate of a synchronous call) and returns the decoded certificate.
func syncCallCertificate(t *testing.T, net *testNet) (certification.Certificate, agent.RequestID) {
	t.Helper()
	id := newIdentity(t, "ed25519")
	a := net.newAgent(t, id, false)
	body, rid := signedEnvelope(t, id, nil)
	raw, err := a.Client().Call(context.Background(), counterID, body)
	if err != nil || len(raw) == 0 {
		t.Fatalf("call: %v (certificate %d bytes)", err, len(raw))
	}
	var cert certification.Certificate
	if err := cbor.Unmarshal(raw, &cert); err != nil {
		t.Fatalf("decode certificate: %v", err)
	}
	return cert, rid
}

// TestSyncCallCertificate verifies the synchronous call certificate with the
// advertised root key, and shows the same check fails in bad-key mode.
func TestSyncCallCertificate(t *testing.T) {
	net := startNet(t)
	cert, rid := syncCallCertificate(t, net)
	if err := certification.VerifyCertificate(cert, counterID, net.srv.RootKeyDER()); err != nil {
		t.Fatalf("VerifyCertificate: %v", err)
	}
	if err := cert.VerifyTime(time.Minute); err != nil {
		t.Errorf("VerifyTime: %v", err)
	}
	status, err := cert.Tree.Lookup(hashtree.Label("request_status"), rid[:], hashtree.Label("status"))
	if err != nil || string(status) != "replied" {
		t.Errorf("status = %q, %v; want replied", status, err)
	}
	reply, err := cert.Tree.Lookup(hashtree.Label("request_status"), rid[:], hashtree.Label("reply"))
	if err != nil || !bytes.Equal(reply, mustCandid(1)) {
		t.Errorf("reply = %x, %v; want %x", reply, err, mustCandid(1))
	}

	bad := startNet(t, WithBadRootKey())
	badCert, _ := syncCallCertificate(t, bad)
	if err := certification.VerifyCertificate(badCert, counterID, bad.srv.RootKeyDER()); err == nil {
		t.Errorf("bad-key certificate verified against the advertised root key")
	}
	if bytes.Equal(net.srv.RootKeyDER(), bad.srv.RootKeyDER()) {
		t.Errorf("bad-key mode advertises the signing key")
	}
}

// TestSeedDeterminesKeys checks keys are reproducible from the seed and
// differ between seeds.
func TestSeedDeterminesKeys(t *testing.T) {
	key := func(seed string) []byte {
		s, err := New(WithSeed([]byte(seed)))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return s.RootKeyDER()
	}
	if !bytes.Equal(key("a"), key("a")) || bytes.Equal(key("a"), key("b")) {
		t.Errorf("root key is not a function of the seed")
	}
	if len(key("a")) != 133 {
		t.Errorf("root key DER is %d bytes, want 133", len(key("a")))
	}
}

// TestWitness checks witnesses are well-formed: labels strictly increasing,
// the root hash equal to the full tree's, present paths found, absent paths
// provably absent (not unknown), for directories of many sizes.
func TestWitness(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 64, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var kids []child
			for i := 0; i < n; i++ {
				kids = append(kids, labeled([]byte{byte(2 * i)}, dir(labeled([]byte("v"), leafNode([]byte{byte(i)})))))
			}
			root := dir(labeled([]byte("d"), dir(kids...)), labeled([]byte("time"), leafNode([]byte{1})))
			for probe := 0; probe <= 2*n; probe++ {
				w := root.witness([][][]byte{{[]byte("d"), {byte(probe)}, []byte("v")}})
				checkWellFormed(t, w)
				if w.Reconstruct() != root.hash {
					t.Fatalf("probe %d: witness root hash differs from the tree's", probe)
				}
				got, err := hashtree.NewHashTree(w).Lookup(hashtree.Label("d"), []byte{byte(probe)}, hashtree.Label("v"))
				if probe%2 == 0 && probe < 2*n {
					if err != nil || !bytes.Equal(got, []byte{byte(probe / 2)}) {
						t.Errorf("probe %d: %x, %v; want found", probe, got, err)
					}
					continue
				}
				var absent hashtree.LookupError
				if !errors.As(err, &absent) || absent.Type != hashtree.LookupResultAbsent {
					t.Errorf("probe %d: %v; want provably absent", probe, err)
				}
			}
		})
	}
}

// checkWellFormed fails unless labels strictly increase along every fork
// chain and leaves are not mixed with labeled nodes.
func checkWellFormed(t *testing.T, n hashtree.Node) {
	t.Helper()
	var labels []hashtree.Labeled
	leaf := false
	var flatten func(hashtree.Node)
	flatten = func(n hashtree.Node) {
		switch x := n.(type) {
		case hashtree.Fork:
			flatten(x.LeftTree)
			flatten(x.RightTree)
		case hashtree.Labeled:
			labels = append(labels, x)
		case hashtree.Leaf:
			leaf = true
		}
	}
	flatten(n)
	if leaf && len(labels) > 0 {
		t.Errorf("leaf mixed with labeled nodes")
	}
	for i, l := range labels {
		if i > 0 && bytes.Compare(labels[i-1].Label, l.Label) >= 0 {
			t.Errorf("labels not strictly increasing: %x then %x", labels[i-1].Label, l.Label)
		}
		checkWellFormed(t, l.Tree)
	}
}

// TestNewRejectsBadOptions checks New refuses unusable bounds and clocks.
func TestNewRejectsBadOptions(t *testing.T) {
	for name, opt := range map[string]Option{
		"zero size":      WithHistory(time.Minute, 0),
		"zero retention": WithHistory(0, 10),
		"nil clock":      WithClock(nil),
	} {
		if _, err := New(opt); !errors.Is(err, ErrBadOption) {
			t.Errorf("%s: %v, want ErrBadOption", name, err)
		}
	}
}
