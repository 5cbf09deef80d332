package governance

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/identity"
)

func testIdentity(t *testing.T) *Identity {
	t.Helper()
	id, err := identity.NewRandomEd25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return &Identity{Identity: id, Name: "test"}
}

func TestSignedMessageRoundTrip(t *testing.T) {
	id := testIdentity(t)
	expires := time.Now().Add(2 * time.Hour)
	m, err := SignManageNeuron(id, Network{Name: "local", URL: "http://127.0.0.1:1"}, VoteCommand(7, 42, VoteYes), expires)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(NewSignedFile(*m)); err != nil {
		t.Fatal(err)
	}
	back, err := ReadSignedFile(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := back.Messages[0].Decode()
	if err != nil {
		t.Fatal(err)
	}
	rv := sc.Request.Command.RegisterVote
	if sc.Sender != id.Sender().Encode() || sc.Method != "manage_neuron" || sc.Canister != GovernanceCanister.Encode() ||
		sc.Request.NeuronIdOrSubaccount.NeuronId.Id != 7 || rv == nil || rv.Proposal.Id != 42 || rv.Vote != 1 {
		t.Errorf("decoded content wrong: %+v", sc)
	}
	if !sc.Expires.Equal(m.Expires) || !m.SendAfter.Equal(m.Expires.Add(-5*time.Minute)) {
		t.Errorf("expiry: %v, send after %v", sc.Expires, m.SendAfter)
	}
	// Sending now is outside the window; it fails before using the network.
	// An early message only has to wait; an expired one must be re-signed.
	var we *SendWindowError
	_, err = (&Client{}).SendSigned(context.Background(), sc, time.Now())
	if !errors.As(err, &we) || !we.Early() || errors.Is(err, ErrSignedMessage) || !strings.Contains(err.Error(), "can be sent from") {
		t.Errorf("early send: err = %v", err)
	}
	_, err = (&Client{}).SendSigned(context.Background(), sc, expires.Add(time.Second))
	if !errors.As(err, &we) || we.Early() || !errors.Is(err, ErrSignedMessage) || !strings.Contains(err.Error(), "expired at") {
		t.Errorf("late send: err = %v", err)
	}
	if err := sc.CheckWindow(expires.Add(-time.Minute)); err != nil {
		t.Errorf("send inside the window: %v", err)
	}
}

func TestSignedMessageTampering(t *testing.T) {
	id := testIdentity(t)
	fresh := func() *SignedMessage {
		m, err := SignManageNeuron(id, Network{Name: "local"}, VoteCommand(7, 42, VoteYes), time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	other := fresh()
	cases := map[string]func(m *SignedMessage){
		"request id":       func(m *SignedMessage) { m.RequestID = strings.Repeat("00", 32) },
		"swapped status":   func(m *SignedMessage) { m.RequestStatus = other.RequestStatus },
		"swapped call":     func(m *SignedMessage) { m.Call = other.Call },
		"not hex":          func(m *SignedMessage) { m.Call = "zz" },
		"truncated cbor":   func(m *SignedMessage) { m.Call = m.Call[:20] },
		"status as call":   func(m *SignedMessage) { m.Call = m.RequestStatus },
		"flipped arg byte": func(m *SignedMessage) { m.Call = flipLastArgByte(t, m.Call) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			m := fresh()
			mutate(m)
			if _, err := m.Decode(); !errors.Is(err, ErrSignedMessage) {
				t.Errorf("err = %v, want ErrSignedMessage", err)
			}
		})
	}
	for _, bad := range []string{`{"format":"other","messages":[{}]}`, `{"format":"` + SignedFormat + `","messages":[]}`, `{"format":"` + SignedFormat + `","extra":1}`} {
		if _, err := ReadSignedFile(strings.NewReader(bad)); !errors.Is(err, ErrSignedMessage) {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}

// flipLastArgByte changes the nonce inside the call envelope so that the
// content no longer matches the recorded request id.
func flipLastArgByte(t *testing.T, h string) string {
	t.Helper()
	b, _ := hex.DecodeString(h)
	i := bytes.Index(b, []byte("nonce"))
	if i < 0 {
		t.Fatal("no nonce in envelope")
	}
	b[i+len("nonce")+1] ^= 0xff
	return hex.EncodeToString(b)
}
