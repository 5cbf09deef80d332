package localnet

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet/govmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
)

// DefaultListen is the address `nnspatch localnet start` listens on: the
// port of dfx's local replica, which is also nnspatch's default local_url
// (http://127.0.0.1:4943), so `--network local` finds it without config.
const DefaultListen = "127.0.0.1:4943"

// Defaults of Config's durations.
const (
	// DefaultUpgradeDelay is the time from an executed deploy to the
	// subnet's switch (its next CUP).
	DefaultUpgradeDelay = 10 * time.Minute
	// DefaultCatchUp is how long replicas catch up after a switch.
	DefaultCatchUp = 5 * time.Minute
	// DefaultTick is the ticker interval while proposals are open.
	DefaultTick = time.Second
)

// Files in the state directory.
const (
	walFile       = "wal.log"
	lockFile      = "LOCK"
	developerFile = "developer.pem"
)

// ErrStateLocked is returned when another network uses the state directory.
var ErrStateLocked = errors.New("state directory in use")

// ErrConfigMismatch is returned when the configuration contradicts the
// rules the state directory was created with (its voting period).
var ErrConfigMismatch = errors.New("state directory was created with another configuration")

// ErrListen is returned when the network cannot listen on its address.
var ErrListen = errors.New("cannot listen")

// ErrSeedMismatch is returned when the state directory was created from
// another seed.
var ErrSeedMismatch = errors.New("state directory was created from another seed")

// ErrStateDir is returned when the state directory cannot be created.
var ErrStateDir = errors.New("create state directory")

// Config configures a Network. Only StateDir is required.
type Config struct {
	// StateDir holds the write-ahead log, the lock and developer.pem.
	StateDir string
	// Listen is the TCP address to serve on (DefaultListen when empty;
	// "127.0.0.1:0" picks a free port).
	Listen string
	// Seed is the topology; nil means SeedFile, or DefaultSeed when that is empty too.
	Seed *Seed
	// SeedFile is a YAML seed file (see default_seed.yaml).
	SeedFile string
	// Faults are applied (and logged) at start.
	Faults []Fault
	// AsyncCalls makes update calls answer 202 so clients poll read_state.
	AsyncCalls bool
	// BadRootKey advertises a root key that does not sign the certificates.
	BadRootKey bool
	// UpgradeDelay is how long after a deploy executes the subnet switches
	// its running version (its next CUP). Default DefaultUpgradeDelay.
	UpgradeDelay time.Duration
	// CatchUp is how long replicas report IC_Replica_Behind after a switch.
	CatchUp time.Duration
	// VotingPeriod is governance's initial voting period (default: the one
	// the state directory was created with, else 4 days). It is fixed when
	// the state is created: another value on restart is ErrConfigMismatch.
	VotingPeriod time.Duration
	// TickInterval is how often time-driven governance work runs (default 1s).
	TickInterval time.Duration
	// RealClock is the real-time source (default time.Now).
	RealClock func() time.Time
	// HTTPReadTimeout bounds reading one request (headers: at most 10s of
	// it), so a slow or stalled client cannot hold a connection; default
	// DefaultHTTPReadTimeout.
	HTTPReadTimeout time.Duration
	// HTTPIdleTimeout closes a keep-alive connection idle this long;
	// default DefaultHTTPIdleTimeout.
	HTTPIdleTimeout time.Duration
}

// Default HTTP server timeouts (Config.HTTPReadTimeout, HTTPIdleTimeout).
const (
	DefaultHTTPReadTimeout = 60 * time.Second
	DefaultHTTPIdleTimeout = 120 * time.Second
	maxHeaderTimeout       = 10 * time.Second
)

// Network is a running local NNS network.
type Network struct {
	cfg     Config
	topo    *Topology
	clock   *Clock
	health  health
	genesis time.Time

	mu        sync.Mutex // orders model mutations and log appends
	replaying bool
	lastTick  time.Time // virtual time of the last logged tick
	wal       *wal
	gov       *govmodel.Governance
	reg       *regmodel.Registry
	faults    faultLog
	// hostCache serves the per-node host exporter targets (hostexporter.go).
	hostCache hostExporterCache
	canisters map[string]replica.Canister // by raw id, unwrapped
	keySeed   []byte
	// answered are the replayed calls whose ingress requests have not
	// expired: they seed the replica's ingress history.
	answered []replica.Answered

	srv     *replica.Server
	http    *http.Server
	ln      net.Listener
	unlock  func() error
	devPath string

	stop      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Start opens (or creates) the state in cfg.StateDir, replays it, and serves
// the network until Close. ctx bounds only the start-up.
func Start(ctx context.Context, cfg Config) (*Network, error) {
	cfg, seed, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	topo, err := seed.Topology()
	if err != nil {
		return nil, err
	}
	n := &Network{cfg: cfg, topo: topo, clock: NewClock(cfg.RealClock), stop: make(chan struct{})}
	if err := n.open(seed); err != nil {
		n.release()
		return nil, err
	}
	if err := n.serve(ctx); err != nil {
		n.release()
		return nil, err
	}
	return n, nil
}

func (c Config) withDefaults() (Config, *Seed, error) {
	if c.StateDir == "" {
		return c, nil, fmt.Errorf("state directory: required")
	}
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.UpgradeDelay <= 0 {
		c.UpgradeDelay = DefaultUpgradeDelay
	}
	if c.CatchUp <= 0 {
		c.CatchUp = DefaultCatchUp
	}
	if c.TickInterval <= 0 {
		c.TickInterval = DefaultTick
	}
	seed := c.Seed
	var err error
	switch {
	case seed != nil:
	case c.SeedFile != "":
		seed, err = LoadSeed(c.SeedFile)
	default:
		seed = DefaultSeed()
	}
	return c, seed, err
}

// open locks the state directory, writes the developer identity and replays
// the log into fresh models.
func (n *Network) open(seed *Seed) error {
	if err := os.MkdirAll(n.cfg.StateDir, 0o700); err != nil {
		return fmt.Errorf("%w: %w", ErrStateDir, err)
	}
	if err := n.lockState(); err != nil {
		return err
	}
	if err := n.writeDeveloperPEM(); err != nil {
		return err
	}
	return n.replay(seed)
}

// writeDeveloperPEM writes the developer identity (mode 0600).
func (n *Network) writeDeveloperPEM() error {
	pem, err := DeveloperIdentity(n.topo.Name).ToPEM()
	if err != nil {
		return fmt.Errorf("encode developer identity: %w", err)
	}
	n.devPath = filepath.Join(n.cfg.StateDir, developerFile)
	if err := os.WriteFile(n.devPath, pem, 0o600); err != nil {
		return fmt.Errorf("write developer identity: %w", err)
	}
	return os.Chmod(n.devPath, 0o600)
}

// newKeySeed returns fresh randomness for the network's keys.
func newKeySeed() []byte {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("read random: %v", err))
	}
	return b
}
