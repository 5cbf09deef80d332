//go:build cgo

package governance

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/hsmtest"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
)

// hsmEnv is an IdentityEnv whose secrets come from pin, recording the
// requests it answered.
func hsmEnv(tok hsmtest.Token, pin string, asked *[]SecretRequest) IdentityEnv {
	return IdentityEnv{HSMModule: tok.Module, Secret: func(r SecretRequest) ([]byte, error) {
		if asked != nil {
			*asked = append(*asked, r)
		}
		return []byte(pin), nil
	}}
}

func loadHSMIdentity(t *testing.T, spec string, env IdentityEnv) (*Identity, error) {
	t.Helper()
	id, err := LoadIdentity(spec, env)
	if err == nil {
		t.Cleanup(func() { id.Close() })
	}
	return id, err
}

func TestHSMIdentityFromToken(t *testing.T) {
	tok := hsmtest.Get(t)
	var asked []SecretRequest
	for _, spec := range []string{"hsm:id=" + hsmtest.P256ID, "hsm:slot=0,label=" + hsmtest.P256Label, "hsm:token=" + tok.Label + ",id=01,module=" + tok.Module} {
		t.Run(spec, func(t *testing.T) {
			id, err := loadHSMIdentity(t, spec, hsmEnv(tok, tok.PIN, &asked))
			if err != nil {
				t.Fatal(err)
			}
			if got := id.Sender().Encode(); got != tok.P256Principal {
				t.Fatalf("principal %s, want %s (from the token's public key)", got, tok.P256Principal)
			}
			if !bytes.Equal(id.PublicKey(), tok.P256DER) || !id.InToken() || id.Path != "" {
				t.Errorf("public key %x, want %x", id.PublicKey(), tok.P256DER)
			}
			sig, err := id.Sign([]byte("request id"))
			if err != nil || !id.Verify([]byte("request id"), sig) {
				t.Fatalf("sign: %x %v", sig, err)
			}
		})
	}
	if len(asked) != 3 || asked[0].Kind != SecretPIN || !slices.Contains(asked[0].Env, EnvHSMPIN) {
		t.Errorf("PIN requests = %+v", asked)
	}
}

func TestHSMIdentityErrors(t *testing.T) {
	tok := hsmtest.Get(t)
	cases := []struct {
		name, spec, pin string
		noSecret        bool
		want            error
	}{
		{name: "wrong PIN", spec: "hsm:id=01", pin: "000000", want: ErrHSMPIN},
		{name: "missing token", spec: "hsm:token=absent,id=01", pin: tok.PIN, want: ErrHSMToken},
		{name: "no token in slot", spec: "hsm:slot=7,id=01", pin: tok.PIN, want: ErrHSMToken},
		{name: "RSA key", spec: "hsm:id=" + hsmtest.RSAID, pin: tok.PIN, want: ErrHSMKeyType},
		{name: "secp256k1 key", spec: "hsm:id=" + hsmtest.K1ID, pin: tok.PIN, want: ErrHSMKeyType},
		{name: "missing key", spec: "hsm:id=99", pin: tok.PIN, want: ErrHSMKey},
		{name: "missing module", spec: "hsm:id=01,module=/nonexistent/p11.so", pin: tok.PIN, want: ErrHSMModule},
		{name: "no PIN source", spec: "hsm:id=01", noSecret: true, want: ErrNoSecret},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := hsmEnv(tok, c.pin, nil)
			if c.noSecret {
				env.Secret = nil
			}
			_, err := loadHSMIdentity(t, c.spec, env)
			var he *HSMError
			if !errors.Is(err, c.want) || !errors.Is(err, ErrIdentity) || !errors.As(err, &he) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), tok.PIN) {
				t.Errorf("error reveals the PIN: %v", err)
			}
		})
	}
	// The token still works after the failures (the wrong PIN did not lock it).
	if _, err := loadHSMIdentity(t, "hsm:id=01", hsmEnv(tok, tok.PIN, nil)); err != nil {
		t.Fatal(err)
	}
}

// TestHSMDFXAndICPIdentities loads a dfx HSM identity (identity.json with
// an hsm section, PIN from DFX_HSM_PIN as dfx reads it) and an icp-cli one.
func TestHSMDFXAndICPIdentities(t *testing.T) {
	tok := hsmtest.Get(t)
	home := t.TempDir()
	dir := filepath.Join(home, ".config", "dfx", "identity", "hw")
	must(t, os.MkdirAll(dir, 0o700))
	cfg, _ := json.Marshal(map[string]any{"hsm": map[string]string{"pkcs11_lib_path": tok.Module, "key_id": hsmtest.P256ID}})
	must(t, os.WriteFile(filepath.Join(dir, "identity.json"), cfg, 0o600))
	icp := filepath.Join(home, "icp", "identity")
	must(t, os.MkdirAll(icp, 0o700))
	list, _ := json.Marshal(map[string]any{"v": 1, "identities": map[string]any{
		"card": map[string]any{"kind": "hsm", "principal": tok.P256Principal, "module": tok.Module, "slot": 0, "key-id": hsmtest.P256ID},
		"ring": map[string]any{"kind": "keyring", "principal": "2vxsx-fae", "algorithm": "secp256k1"},
	}})
	must(t, os.WriteFile(filepath.Join(icp, "identity_list.json"), list, 0o600))

	var asked []SecretRequest
	env := hsmEnv(tok, tok.PIN, &asked)
	env.Home, env.ICPHome, env.HSMModule = home, filepath.Join(home, "icp"), "/nonexistent/ignored.so"
	for _, name := range []string{"hw", "icp:card"} {
		id, err := loadHSMIdentity(t, name, env)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if id.Sender().Encode() != tok.P256Principal {
			t.Errorf("%s: principal %s, want %s", name, id.Sender(), tok.P256Principal)
		}
	}
	if len(asked) != 2 || !slices.Contains(asked[0].Env, EnvDFXHSMPIN) {
		t.Errorf("dfx HSM identity must accept DFX_HSM_PIN: %+v", asked)
	}
	_, err := LoadIdentity("icp:ring", env)
	if !errors.Is(err, ErrIdentity) || !strings.Contains(err.Error(), "keyring") || !strings.Contains(err.Error(), "--storage password") ||
		strings.Contains(err.Error(), "export") {
		t.Errorf("icp-cli keyring identity: %v", err)
	}
}

// TestHSMSubmitAndVoteOnLocalnet signs real requests with the token: a
// neuron controlled by the token's principal submits a proposal and votes
// on another, and localnet's replica verifies every signature.
func TestHSMSubmitAndVoteOnLocalnet(t *testing.T) {
	tok := hsmtest.Get(t)
	seed := localnet.DefaultSeed()
	seed.Neurons = append(seed.Neurons, localnet.NeuronSeed{ID: 4242, Name: "token", Controller: tok.P256Principal, StakeICP: 10000, DissolveDelayDays: 365})
	net, dev := startLocal(t, localnettest.WithSeed(seed))
	ctx := testCtx(t)
	id, err := loadHSMIdentity(t, "hsm:id=01", hsmEnv(tok, tok.PIN, nil))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(ctx, Network{Name: "local", URL: net.URL(), FetchRootKey: true}, id, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Sender().Encode() != tok.P256Principal {
		t.Fatalf("client sender %s", c.Sender())
	}
	own, err := c.MakeProposal(ctx, 4242, motionRequest("signed in a token"))
	if err != nil {
		t.Fatalf("submit from the token's neuron: %v", err)
	}
	other, err := dev.MakeProposal(ctx, 81, motionRequest("vote from a token"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Vote(ctx, 4242, other, VoteYes); err != nil {
		t.Fatalf("vote: %v", err)
	}
	for _, pid := range []uint64{own, other} {
		p, err := c.GetProposal(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		voted := false
		for _, b := range p.Ballots {
			voted = voted || (b.Neuron == 4242 && b.Vote == VoteYes)
		}
		if !voted {
			t.Errorf("proposal %d: no yes ballot of neuron 4242: %+v", pid, p.Ballots)
		}
	}
	if err := c.Vote(ctx, devNeuron, other, VoteYes); !errors.Is(err, ErrNeuronNotControlled) {
		t.Errorf("the token's principal must not control the developer's neuron: %v", err)
	}
}

// BenchmarkSignToken measures one request signature made by the SoftHSM2
// token, to compare with BenchmarkSignSoftwareP256.
func BenchmarkSignToken(b *testing.B) {
	tok := hsmtest.Get(b)
	id, err := LoadIdentity("hsm:id="+hsmtest.P256ID, IdentityEnv{HSMModule: tok.Module,
		Secret: func(SecretRequest) ([]byte, error) { return []byte(tok.PIN), nil }})
	if err != nil {
		b.Fatal(err)
	}
	defer id.Close()
	msg := []byte("request id of a manage_neuron call")
	b.ResetTimer()
	for b.Loop() {
		if _, err := id.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}
