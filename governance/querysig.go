package governance

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/leb128"
	"github.com/aviate-labs/agent-go/principal"
)

// nodeKeysTTL bounds how long a certified subnet tree is trusted for node
// key lookups; within it, verified queries cost one round trip, not two
// (agent-go re-reads the subnet keys for every signature).
const nodeKeysTTL = 5 * time.Minute

// nodeKeys caches the certified /subnet subtree used to find node keys.
type nodeKeys struct {
	mu      sync.Mutex
	cert    *certification.Certificate
	fetched time.Time
	keys    map[string]ed25519.PublicKey
}

// verifyQuery checks that every signature on a query response is a valid
// ed25519 signature by a node of the canister's subnet.
func (t *agentTransport) verifyQuery(ctx context.Context, canister principal.Principal, rid agent.RequestID, resp *agent.Response) error {
	if len(resp.Signatures) == 0 {
		return t.untrusted(fmt.Errorf("query response for %x carries no node signatures", rid[:]))
	}
	for _, sig := range resp.Signatures {
		key, err := t.nodeKey(ctx, canister, sig.Identity)
		if err != nil {
			return err
		}
		msg, err := queryResponseHash(resp, sig, rid)
		if err != nil {
			return t.untrusted(fmt.Errorf("hash query response: %w", err))
		}
		if !ed25519.Verify(key, append([]byte("\x0Bic-response"), msg[:]...), sig.Signature) {
			return t.untrusted(fmt.Errorf("invalid node signature from %s on query response", sig.Identity.Encode()))
		}
	}
	return nil
}

func queryResponseHash(resp *agent.Response, sig agent.ResponseSignature, rid agent.RequestID) ([32]byte, error) {
	kv := []certification.KeyValuePair{{Key: "status", Value: resp.Status}}
	switch resp.Status {
	case "replied":
		kv = append(kv, certification.KeyValuePair{Key: "reply", Value: resp.Reply})
	case "rejected":
		code, err := leb128.EncodeUnsigned(new(big.Int).SetUint64(resp.RejectCode))
		if err != nil {
			return [32]byte{}, err
		}
		kv = append(kv,
			certification.KeyValuePair{Key: "reject_code", Value: code},
			certification.KeyValuePair{Key: "reject_message", Value: resp.RejectMsg},
			certification.KeyValuePair{Key: "error_code", Value: resp.ErrorCode})
	default:
		return [32]byte{}, fmt.Errorf("unknown status %q", resp.Status)
	}
	kv = append(kv,
		certification.KeyValuePair{Key: "timestamp", Value: sig.Timestamp},
		certification.KeyValuePair{Key: "request_id", Value: rid[:]})
	return certification.RepresentationIndependentHash(kv)
}

// nodeKey returns the public key of node from a certified subnet tree,
// re-reading the tree when it is stale or does not know the node.
func (t *agentTransport) nodeKey(ctx context.Context, canister principal.Principal, node principal.Principal) (ed25519.PublicKey, error) {
	t.keys.mu.Lock()
	defer t.keys.mu.Unlock()
	if t.keys.cert != nil && time.Since(t.keys.fetched) < nodeKeysTTL {
		if k, ok := t.keys.keys[string(node.Raw)]; ok {
			return k, nil
		}
		if k, err := t.lookupNodeKey(node); err == nil {
			t.keys.keys[string(node.Raw)] = k
			return k, nil
		}
	}
	if err := t.refreshSubnet(ctx, canister); err != nil {
		return nil, err
	}
	k, err := t.lookupNodeKey(node)
	if err != nil {
		return nil, t.untrusted(err)
	}
	t.keys.keys[string(node.Raw)] = k
	return k, nil
}

func (t *agentTransport) refreshSubnet(ctx context.Context, canister principal.Principal) error {
	s, err := t.sign(agent.Request{Type: agent.RequestTypeReadState, Paths: [][]hashtree.Label{{hashtree.Label("subnet")}}})
	if err != nil {
		return err
	}
	cert, err := t.readState(ctx, canister, s.envelope)
	if err != nil {
		return err
	}
	t.keys.cert, t.keys.fetched, t.keys.keys = cert, time.Now(), map[string]ed25519.PublicKey{}
	return nil
}

// lookupNodeKey finds the node under the delegation's subnet or, without a
// delegation, under the root key's self-authenticating subnet id (what the
// JS agents use) or the mainnet NNS subnet id (what agent-go uses).
func (t *agentTransport) lookupNodeKey(node principal.Principal) (ed25519.PublicKey, error) {
	cert := t.keys.cert
	var subnets []principal.Principal
	if cert.Delegation != nil {
		subnets = []principal.Principal{cert.Delegation.SubnetId}
	} else {
		subnets = []principal.Principal{principal.NewSelfAuthenticating(t.rootKey), principal.MustDecode(certification.RootSubnetID)}
	}
	for _, sid := range subnets {
		der, err := cert.Tree.Lookup(hashtree.Label("subnet"), sid.Raw, hashtree.Label("node"), node.Raw, hashtree.Label("public_key"))
		if err != nil {
			continue
		}
		key, err := certification.PublicED25519KeyFromDER(der)
		if err != nil {
			return nil, fmt.Errorf("decode key of node %s: %w", node.Encode(), err)
		}
		return *key, nil
	}
	return nil, fmt.Errorf("node %s that signed the query is not in the certified subnet", node.Encode())
}
