package replica

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

// Defaults of the tunable bounds.
const (
	// DefaultHistoryRetention is how long a finished request's status stays
	// readable: the ingress expiry window plus drift, as on a replica.
	DefaultHistoryRetention = maxIngressTTL + permittedDrift
	// DefaultHistorySize caps the number of request statuses kept.
	DefaultHistorySize = 20000
	// syncCallTimeout is how long a v3/v4 call waits for its certificate
	// before answering 202 and leaving the client to poll.
	syncCallTimeout = 10 * time.Second
	// maxStateAge is how stale (by the network clock) a certified state may
	// be when it answers a read_state.
	maxStateAge = time.Second
	// maxBodySize bounds request bodies.
	maxBodySize = 5 << 20
)

// Option configures a Server.
type Option func(*config)

type config struct {
	clock     func() time.Time
	seed      []byte
	async     bool
	badKey    bool
	retention time.Duration
	histSize  int
	canisters map[string]hosted
	answered  []Answered
}

// Answered is an update call answered before the server started (by an
// earlier run of a host that persists its calls): it is in the ingress
// history from the start, so the same signed request is not executed
// again while it has not expired, and its status can still be read.
type Answered struct {
	ID     [32]byte
	Sender []byte
	// Expiry is the request's ingress_expiry, ns since the epoch.
	Expiry uint64
	Reply  []byte
	Reject *Reject
}

// WithAnswered puts calls answered before the server started into its
// ingress history (those not expired yet).
func WithAnswered(as []Answered) Option {
	return func(c *config) { c.answered = append(c.answered, as...) }
}

// hosted is one canister and its id.
type hosted struct {
	id principal.Principal
	c  Canister
}

// WithClock sets the clock of certified /time and Call.Now (default
// time.Now). Ingress expiry is always checked against real time.
func WithClock(clock func() time.Time) Option { return func(c *config) { c.clock = clock } }

// WithSeed derives all keys (root BLS key, node key) from seed, so a network
// keeps its root key across restarts. Without it the keys are random.
func WithSeed(seed []byte) Option {
	return func(c *config) { c.seed = slices.Clone(seed) }
}

// WithAsyncCalls makes v3/v4 calls answer 202 so clients poll read_state.
func WithAsyncCalls(async bool) Option { return func(c *config) { c.async = async } }

// WithBadRootKey makes the server advertise a root key that differs from the
// key signing its certificates; every verifying client must then fail.
func WithBadRootKey() Option { return func(c *config) { c.badKey = true } }

// WithHistory bounds the ingress history by age and entry count.
func WithHistory(retention time.Duration, size int) Option {
	return func(c *config) { c.retention, c.histSize = retention, size }
}

// WithCanister hosts can under id.
func WithCanister(id principal.Principal, can Canister) Option {
	return func(c *config) { c.canisters[string(id.Raw)] = hosted{id: id, c: can} }
}

// Server is a local replica: it serves the IC HTTP interface for the hosted
// canisters. Create it with New, serve Handler, and Close it when done.
type Server struct {
	clock     func() time.Time
	keys      *keys
	async     atomic.Bool
	history   *history
	canisters map[string]*executor
	published []hosted // canisters with certified data or info, by id
	static    staticTree
	cert      *certifier
	mux       *http.ServeMux
	done      chan struct{} // closed by Close
	// syncTimeout bounds how long a synchronous call waits (tests shorten it).
	syncTimeout time.Duration
	closeOnce   sync.Once
}

// New starts a server hosting the canisters given by WithCanister.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		clock:     time.Now,
		retention: DefaultHistoryRetention,
		histSize:  DefaultHistorySize,
		canisters: map[string]hosted{},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.retention <= 0 || cfg.histSize < 1 {
		return nil, fmt.Errorf("%w: history retention %v and size %d must be positive", ErrBadOption, cfg.retention, cfg.histSize)
	}
	if cfg.clock == nil {
		return nil, fmt.Errorf("%w: clock is nil", ErrBadOption)
	}
	if cfg.seed == nil {
		cfg.seed = make([]byte, 32)
		if _, err := rand.Read(cfg.seed); err != nil {
			return nil, fmt.Errorf("generate seed: %w", err)
		}
	}
	k, err := deriveKeys(cfg.seed, cfg.badKey)
	if err != nil {
		return nil, err
	}
	s := &Server{
		clock:     cfg.clock,
		keys:      k,
		history:   newHistory(cfg.retention, cfg.histSize),
		canisters: map[string]*executor{},
		done:      make(chan struct{}),

		syncTimeout: syncCallTimeout,
	}
	s.async.Store(cfg.async)
	s.history.restore(cfg.answered, time.Now())
	ids := s.host(cfg.canisters)
	if s.static, err = buildStatic(k, ids); err != nil {
		return nil, err
	}
	s.cert = newCertifier(s.snapshot)
	s.mux = s.routes()
	return s, nil
}

// host starts one executor per canister and returns the hosted ids.
func (s *Server) host(cans map[string]hosted) []principal.Principal {
	var ids []principal.Principal
	for key, h := range cans {
		s.canisters[key] = newExecutor(h.c, s.clock, s.history)
		ids = append(ids, h.id)
		_, data := h.c.(CertifiedDataProvider)
		_, info := h.c.(InfoProvider)
		if data || info {
			s.published = append(s.published, h)
		}
	}
	slices.SortFunc(s.published, func(a, b hosted) int { return bytes.Compare(a.id.Raw, b.id.Raw) })
	return ids
}

// Handler returns the HTTP handler of the IC endpoints (all under /api/).
// Mount it beside other handlers as needed.
func (s *Server) Handler() http.Handler { return s.mux }

// RootKeyDER returns the advertised root key (DER), as served in
// /api/v2/status. In bad-key mode it does not match the signing key.
func (s *Server) RootKeyDER() []byte { return slices.Clone(s.keys.rootDER) }

// SubnetID returns the id of the single subnet, self-authenticating from the
// advertised root key (the id the JS agents assume without a delegation).
func (s *Server) SubnetID() principal.Principal { return s.keys.subnet }

// NodeID returns the id of the node whose ed25519 key signs query answers.
func (s *Server) NodeID() principal.Principal { return s.keys.nodeID }

// SetAsyncCalls switches v3/v4 calls between synchronous answers and 202.
func (s *Server) SetAsyncCalls(async bool) { s.async.Store(async) }

// HistoryLen returns the number of request statuses currently kept.
func (s *Server) HistoryLen() int { return s.history.len() }

// Close stops the executors and the certifier. Requests in flight are
// answered with 503.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		for _, e := range s.canisters {
			e.close()
		}
		s.cert.close()
	})
}
