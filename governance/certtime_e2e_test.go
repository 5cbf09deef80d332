package governance

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestCertificateFromTheFutureRefused moves the local network's virtual
// clock ahead, so its certificates are validly signed but dated in the
// future. A client that pinned the root key (as for mainnet or any network
// with --root-key HEX) accepts up to MaxCertificateAhead and refuses
// beyond it, for queries' subnet keys, update calls and read_state alike;
// a client that fetched the key from the network follows its clock.
func TestCertificateFromTheFutureRefused(t *testing.T) {
	net, fetched := startLocal(t)
	ctx := testCtx(t)
	pin := func(t *testing.T) *Client {
		c, err := New(ctx, Network{Name: "pinned", URL: net.URL(), RootKey: net.RootKey()}, fetched.Identity, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := net.Advance(MaxCertificateAhead - time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := pin(t).Time(ctx); err != nil {
		t.Fatalf("a certificate within the allowed skew: %v", err)
	}
	for _, ahead := range []time.Duration{time.Hour, 365 * 24 * time.Hour} {
		if _, err := net.Advance(ahead); err != nil {
			t.Fatal(err)
		}
		c := pin(t)
		reads := map[string]func() error{
			"time":    func() error { _, err := c.Time(ctx); return err },
			"get":     func() error { _, err := c.GetProposal(ctx, 1); return err },
			"propose": func() error { _, err := c.MakeProposal(ctx, devNeuron, motionRequest("from the future")); return err },
		}
		for name, f := range reads {
			err := f()
			var cte *CertificateTimeError
			if !errors.Is(err, ErrUntrusted) || !errors.As(err, &cte) || cte.Certified.Sub(cte.Local) < ahead {
				t.Errorf("%s, network %s ahead: err = %v, want an untrusted CertificateTimeError", name, ahead, err)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "ahead of this machine's clock") || !strings.Contains(msg, "check this machine's clock") {
				t.Errorf("%s: message %q does not say what to check", name, msg)
			}
		}
		if _, err := fetched.GetProposal(ctx, 1); err != nil {
			t.Errorf("the fetched-key client does not follow the network's clock %s ahead: %v", ahead, err)
		}
	}
}
