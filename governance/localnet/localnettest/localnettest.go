// Package localnettest starts an embedded local NNS network for tests: in a
// temporary state directory, on a free loopback port, closed on cleanup.
package localnettest

import (
	"context"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
)

// Option adjusts the network's Config.
type Option func(*localnet.Config)

// WithBadRootKey makes the network advertise a root key that does not sign
// its certificates: every verifying client must fail against it.
func WithBadRootKey() Option { return func(c *localnet.Config) { c.BadRootKey = true } }

// WithAsyncCalls makes update calls answer 202 so clients poll read_state.
func WithAsyncCalls() Option { return func(c *localnet.Config) { c.AsyncCalls = true } }

// WithSeed replaces the default mainnet-like topology.
func WithSeed(s *localnet.Seed) Option { return func(c *localnet.Config) { c.Seed = s } }

// WithVotingPeriod sets governance's voting period.
func WithVotingPeriod(d time.Duration) Option {
	return func(c *localnet.Config) { c.VotingPeriod = d }
}

// WithStateDir uses dir instead of a fresh temporary directory (to restart
// a network on the same state).
func WithStateDir(dir string) Option { return func(c *localnet.Config) { c.StateDir = dir } }

// WithConfig applies an arbitrary change to the Config.
func WithConfig(f func(*localnet.Config)) Option { return Option(f) }

// Start starts a network in t.TempDir() on 127.0.0.1:0 and closes it when
// the test ends. It fails the test if the network cannot start.
func Start(t testing.TB, opts ...Option) *localnet.Network {
	t.Helper()
	cfg := localnet.Config{StateDir: t.TempDir(), Listen: "127.0.0.1:0"}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := localnet.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start local network: %v", err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			var stacks strings.Builder
			pprof.Lookup("goroutine").WriteTo(&stacks, 1)
			t.Errorf("close local network: %v\ngoroutines:\n%s", err, stacks.String())
		}
	})
	return n
}
