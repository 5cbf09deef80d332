package governance

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"time"

	"github.com/aviate-labs/agent-go"
	"github.com/aviate-labs/agent-go/certification/hashtree"
	"github.com/aviate-labs/agent-go/leb128"
)

// Time returns the network's certified time: the /time of a read_state
// certificate, verified against the root key (and fresh within the ingress
// expiry) like every other answer. Deadlines and countdowns should be
// measured against it, not the host clock: a test network's clock may run
// ahead of real time.
func (c *Client) Time(ctx context.Context) (time.Time, error) {
	s, err := c.at.sign(agent.Request{Type: agent.RequestTypeReadState, Paths: [][]hashtree.Label{{hashtree.Label("time")}}})
	if err != nil {
		return time.Time{}, err
	}
	cert, err := c.at.readState(ctx, GovernanceCanister, s.envelope)
	if err != nil {
		return time.Time{}, fmt.Errorf("read the network's time: %w", err)
	}
	raw, err := cert.Tree.Lookup(hashtree.Label("time"))
	if err != nil {
		return time.Time{}, c.at.untrusted(fmt.Errorf("certificate has no time: %w", err))
	}
	t, err := decodeNanos(raw)
	if err != nil {
		return time.Time{}, c.at.untrusted(err)
	}
	return t, nil
}

// decodeNanos decodes a certificate's /time: LEB128 nanoseconds since 1970.
func decodeNanos(raw []byte) (time.Time, error) {
	n, err := leb128.DecodeUnsigned(bytes.NewReader(raw))
	if err != nil || !n.IsUint64() || n.Uint64() > math.MaxInt64 {
		return time.Time{}, fmt.Errorf("certificate time %x is not a nanosecond count", raw)
	}
	return time.Unix(0, int64(n.Uint64())).UTC(), nil
}
