package localnet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet/govmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"github.com/nnspatch/nnspatch/internal/fsutil"
)

// serve builds the replica around the durable canisters, listens and starts
// the ticker.
func (n *Network) serve(ctx context.Context) error {
	opts := []replica.Option{
		replica.WithClock(n.clock.Now),
		replica.WithSeed(n.keySeed),
		replica.WithAsyncCalls(n.cfg.AsyncCalls),
		replica.WithCanister(GovernanceID, n.wrap(GovernanceID.Raw, n.gov)),
		replica.WithCanister(RegistryID, n.wrap(RegistryID.Raw, n.reg)),
		replica.WithAnswered(n.answered),
	}
	opts = append(opts, n.moduleCanisterOptions()...)
	if n.cfg.BadRootKey {
		opts = append(opts, replica.WithBadRootKey())
	}
	srv, err := replica.New(opts...)
	if err != nil {
		return fmt.Errorf("start replica: %w", err)
	}
	n.srv = srv
	n.reg.SetCertificateSource(n.dataCertificate)
	if err := n.applyStartFaults(); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", n.cfg.Listen)
	if err != nil {
		return fmt.Errorf("%w on %s: %w", ErrListen, n.cfg.Listen, err)
	}
	n.ln = ln
	n.http = n.httpServer()
	go n.http.Serve(ln)
	n.wg.Add(1)
	go n.tickLoop(n.cfg.TickInterval)
	return nil
}

// httpServer is the server of the IC endpoints, with read, header and
// idle timeouts so a slow or stalled client is cut off.
func (n *Network) httpServer() *http.Server {
	read := cmp.Or(n.cfg.HTTPReadTimeout, DefaultHTTPReadTimeout)
	return &http.Server{Handler: n.routes(), ReadHeaderTimeout: min(read, maxHeaderTimeout), ReadTimeout: read,
		IdleTimeout: cmp.Or(n.cfg.HTTPIdleTimeout, DefaultHTTPIdleTimeout)}
}

func (n *Network) applyStartFaults() error {
	for _, f := range n.cfg.Faults {
		if err := n.SetFault(f); err != nil {
			return err
		}
	}
	return nil
}

// routes mounts the IC endpoints, /metrics, the per-node host exporter
// targets (hostexporter.go) and the admin endpoints.
func (n *Network) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", n.nnsProgress(n.barrier(n.srv.Handler())))
	mux.HandleFunc("GET /metrics", n.handleMetrics)
	mux.HandleFunc("GET "+HostExporterSDPath, n.handleHostExporterSD)
	mux.HandleFunc("GET "+hostExporterPrefix+"{node}/metrics", n.handleHostExporter)
	mux.Handle("/_/admin/", loopbackOnly(n.adminRoutes()))
	return mux
}

// lockState takes an exclusive lock on the state directory.
func (n *Network) lockState() error {
	unlock, err := fsutil.TryLock(filepath.Join(n.cfg.StateDir, lockFile))
	if errors.Is(err, fsutil.ErrLocked) {
		return fmt.Errorf("%w: %s is used by another running network", ErrStateLocked, n.cfg.StateDir)
	}
	if err != nil {
		return fmt.Errorf("open lock: %w", err)
	}
	n.unlock = unlock
	return nil
}

// Close stops serving, flushes the log and releases the state directory.
func (n *Network) Close() error {
	var err error
	n.closeOnce.Do(func() {
		close(n.stop)
		n.wg.Wait()
		if n.http != nil {
			n.shutdownHTTP()
		}
		err = errors.Join(err, n.release())
	})
	return err
}

// shutdownGrace bounds how long Close waits for requests in flight.
const shutdownGrace = 3 * time.Second

// shutdownHTTP stops serving: requests in flight get shutdownGrace to finish,
// then every connection is closed. net/http waits up to five seconds for a
// connection a client opened but has not sent a request on yet (a transport's
// spare keep-alive connection), so a graceful shutdown alone can time out with
// nothing in flight. A request cut off this way was never answered, and every
// answered update is already in the log, so nothing acknowledged is lost.
func (n *Network) shutdownHTTP() {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := n.http.Shutdown(ctx); err != nil {
		n.http.Close()
	}
}

// release closes the replica, the log and the lock (after a failed start too).
func (n *Network) release() error {
	var err error
	if n.srv != nil {
		n.srv.Close()
	}
	if n.wal != nil {
		err = n.wal.close()
	}
	if n.unlock != nil {
		_ = n.unlock()
	}
	return err
}

// URL returns the base URL clients use, e.g. http://127.0.0.1:4949.
func (n *Network) URL() string { return "http://" + n.ln.Addr().String() }

// RootKey returns the advertised root key (DER). In bad-key mode it does not
// verify the network's certificates.
func (n *Network) RootKey() []byte { return n.srv.RootKeyDER() }

// DeveloperIdentityPath returns the path of the developer identity's PEM.
func (n *Network) DeveloperIdentityPath() string { return n.devPath }

// Topology returns the resolved seed topology.
func (n *Network) Topology() *Topology { return n.topo }

// Now returns the network's virtual time.
func (n *Network) Now() time.Time { return n.clock.Now() }

// Governance returns the governance model (read accessors for tests and drills).
func (n *Network) Governance() *govmodel.Governance { return n.gov }

// Registry returns the registry model (read accessors for tests and drills).
func (n *Network) Registry() *regmodel.Registry { return n.reg }

// SetAsyncCalls switches update calls between synchronous answers and 202.
func (n *Network) SetAsyncCalls(async bool) { n.srv.SetAsyncCalls(async) }

// Advance moves the virtual clock forward by d, runs the time-driven
// governance work (deadlines, executions) and returns the new time once the
// event is durable.
func (n *Network) Advance(d time.Duration) (time.Time, error) {
	if d <= 0 {
		return time.Time{}, fmt.Errorf("%w: advance must be positive", ErrBadDuration)
	}
	n.mu.Lock()
	now := n.clock.Advance(d)
	n.govTick(now)
	n.lastTick = now
	seq := n.log(record{Kind: recAdvance, Time: now.UnixNano(), Offset: int64(n.clock.Offset())})
	n.mu.Unlock()
	return now, n.wal.wait(seq)
}

// SetFault sets or clears a fault (see Fault) from now on.
func (n *Network) SetFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	if err := n.knownSubnets(f); err != nil {
		return err
	}
	n.mu.Lock()
	now := n.clock.Now()
	n.faults = append(n.faults, faultEvent{at: now, fault: f})
	seq := n.log(record{Kind: recFault, Time: now.UnixNano(), Fault: &f})
	n.mu.Unlock()
	return n.wal.wait(seq)
}

// knownSubnets refuses a fault naming a subnet or node the topology does
// not have.
func (n *Network) knownSubnets(f Fault) error {
	for _, id := range f.Subnets {
		if !slices.ContainsFunc(n.topo.Subnets, func(sn Subnet) bool { return sn.ID == id }) && !n.topo.knownNode(id) {
			return fmt.Errorf("%w %q: no subnet %s in this network (and no node with that id)", ErrBadFault, f.String(), id)
		}
	}
	return nil
}

// Faults returns the faults in force now.
func (n *Network) Faults() []Fault {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.faults.active(n.clock.Now())
}

// Subnets returns every subnet's derived state (running version, height,
// stall) at the current virtual time, in topology order.
func (n *Network) Subnets() []SubnetStatus {
	now := n.clock.Now()
	deps := subnetDeployments(n.reg)
	n.mu.Lock()
	faults := append(faultLog(nil), n.faults...)
	n.mu.Unlock()
	out := make([]SubnetStatus, 0, len(n.topo.Subnets))
	for _, sn := range n.topo.Subnets {
		out = append(out, n.health.status(sn, deps, faults, now))
	}
	return out
}
