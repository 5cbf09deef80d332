package localnet_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/prometheus/common/expfmt"
)

const (
	nnsSubnet  = "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
	oldVersion = "37cafc8a25eb8a6df05eba2af631956133552456" // tdb26 runs it in the default seed
	newVersion = "2c4fdf9d2d53dffed97a40992b867120e89c9346"
	devNeuron  = 80
)

// scrape is one parsed /metrics answer.
type scrape struct {
	versions map[string]map[string]int // subnet -> active version -> replicas
	height   map[string]float64        // subnet -> max finalized height
	alerts   map[string]string         // subnet/alertname -> alertstate
}

func scrapeMetrics(t *testing.T, n *localnet.Network) scrape {
	t.Helper()
	resp, err := http.Get(n.URL() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	fams, err := new(expfmt.TextParser).TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics: %v", err)
	}
	s := scrape{versions: map[string]map[string]int{}, height: map[string]float64{}, alerts: map[string]string{}}
	for _, m := range fams[localnet.MetricReplicaInfo].GetMetric() {
		l := labelMap(m.GetLabel())
		if s.versions[l["ic_subnet"]] == nil {
			s.versions[l["ic_subnet"]] = map[string]int{}
		}
		s.versions[l["ic_subnet"]][l["ic_active_version"]]++
	}
	for _, m := range fams[localnet.MetricHeight].GetMetric() {
		l := labelMap(m.GetLabel())
		s.height[l["ic_subnet"]] = max(s.height[l["ic_subnet"]], m.GetGauge().GetValue())
	}
	for _, m := range fams[localnet.MetricAlerts].GetMetric() {
		l := labelMap(m.GetLabel())
		s.alerts[l["ic_subnet"]+"/"+l["alertname"]] = l["alertstate"]
	}
	return s
}

func labelMap[L interface {
	GetName() string
	GetValue() string
}](ls []L) map[string]string {
	out := map[string]string{}
	for _, l := range ls {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

func TestDeveloperDeploysAndFaultStallsSubnet(t *testing.T) {
	state := t.TempDir()
	n := localnettest.Start(t, localnettest.WithStateDir(state))
	if fi, err := os.Stat(n.DeveloperIdentityPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("developer identity: %v, %v", fi, err)
	}
	before := scrapeMetrics(t, n)
	if before.versions[nnsSubnet][oldVersion] != 40 || len(before.versions) < 30 {
		t.Fatalf("NNS replicas before deploy: %v (%d subnets)", before.versions[nnsSubnet], len(before.versions))
	}

	dev := newGovClient(t, n.URL(), developer(t, n))
	id, err := dev.propose(devNeuron, "Deploy GuestOS to the NNS subnet", deploy(t, nnsSubnet, newVersion))
	if err != nil {
		t.Fatal(err)
	}
	p := dev.info(t, id)
	if p.Status != 4 || p.Topic != 12 {
		t.Fatalf("proposal %d status %d topic %d, want executed (4) topic 12; tally %+v", id, p.Status, p.Topic, p.LatestTally)
	}
	if y, tot := p.LatestTally.Yes, p.LatestTally.Total; y*2 <= tot || y*10 > tot*8 {
		t.Errorf("tally yes %d of %d: want a realistic majority between 50%% and 80%%", y, tot)
	} else {
		t.Logf("developer's vote adopted the deploy with %.1f%% yes", 100*float64(y)/float64(tot))
	}
	if v, _ := n.Registry().SubnetVersion(principal.MustDecode(nnsSubnet)); v != newVersion {
		t.Fatalf("registry says the NNS subnet runs %s after the deploy executed", v)
	}

	if err := n.SetFault(localnet.Fault{Version: newVersion, Subnets: []string{nnsSubnet}}); err != nil {
		t.Fatal(err)
	}
	mid := scrapeMetrics(t, n)
	if mid.versions[nnsSubnet][oldVersion] != 40 || len(mid.alerts) != 0 {
		t.Fatalf("before the upgrade delay: versions %v alerts %v", mid.versions[nnsSubnet], mid.alerts)
	}
	if _, err := n.Advance(localnet.DefaultUpgradeDelay + time.Minute); err != nil {
		t.Fatal(err)
	}
	after := scrapeMetrics(t, n)
	if after.versions[nnsSubnet][newVersion] != 40 {
		t.Fatalf("NNS replicas after switch: %v", after.versions[nnsSubnet])
	}
	if after.alerts[nnsSubnet+"/"+localnet.AlertStalled] != "firing" {
		t.Errorf("alerts after bad upgrade: %v", after.alerts)
	}
	if _, err := n.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	later := scrapeMetrics(t, n)
	if later.height[nnsSubnet] != after.height[nnsSubnet] {
		t.Errorf("stalled NNS height moved %v -> %v", after.height[nnsSubnet], later.height[nnsSubnet])
	}
	other := n.Topology().Subnets[1].ID
	if later.height[other] < after.height[other]+3600 {
		t.Errorf("healthy subnet height %v -> %v, want +3600", after.height[other], later.height[other])
	}

	// A stalled NNS subnet executes no proposal, not even the rollback:
	// it needs a subnet recovery, which clearing the fault stands for.
	if _, err := dev.propose(devNeuron, "Roll back the NNS subnet", deploy(t, nnsSubnet, oldVersion)); err == nil ||
		!strings.Contains(err.Error(), "until the subnet is recovered") {
		t.Fatalf("a proposal on the stalled NNS subnet: %v, want it refused", err)
	}
	if stalled, _ := n.NNSStalled(); !stalled {
		t.Fatal("NNSStalled says the NNS subnet finalizes")
	}
	if err := n.SetFault(localnet.Fault{Version: newVersion, Clear: true}); err != nil {
		t.Fatal(err)
	}

	// Then roll back: deploy the previous version; the subnet switches.
	rb, err := dev.propose(devNeuron, "Roll back the NNS subnet", deploy(t, nnsSubnet, oldVersion))
	if err != nil || dev.info(t, rb).Status != 4 {
		t.Fatalf("rollback proposal %d: %v", rb, err)
	}
	if _, err := n.Advance(localnet.DefaultUpgradeDelay + time.Hour); err != nil {
		t.Fatal(err)
	}
	recovered := scrapeMetrics(t, n)
	if recovered.versions[nnsSubnet][oldVersion] != 40 || recovered.alerts[nnsSubnet+"/"+localnet.AlertStalled] != "" ||
		recovered.height[nnsSubnet] < later.height[nnsSubnet]+3600 {
		t.Fatalf("after rollback: versions %v alerts %v height %v -> %v", recovered.versions[nnsSubnet], recovered.alerts,
			later.height[nnsSubnet], recovered.height[nnsSubnet])
	}

	// Restart on the same state: everything is replayed.
	offset, rootKey := n.Status().Offset, n.RootKey()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	n2 := localnettest.Start(t, localnettest.WithStateDir(state))
	if n2.Status().Offset != offset {
		t.Errorf("clock offset after restart %s, want %s", n2.Status().Offset, offset)
	}
	if !bytes.Equal(n2.RootKey(), rootKey) {
		t.Error("root key changed across the restart")
	}
	re := scrapeMetrics(t, n2)
	if re.versions[nnsSubnet][oldVersion] != 40 || len(re.alerts) != 0 || re.height[nnsSubnet] < recovered.height[nnsSubnet] {
		t.Errorf("after restart: versions %v alerts %v height %v (was %v)", re.versions[nnsSubnet], re.alerts,
			re.height[nnsSubnet], recovered.height[nnsSubnet])
	}
	if p2 := newGovClient(t, n2.URL(), developer(t, n2)).info(t, id); p2.Status != 4 {
		t.Errorf("proposal %d after restart: status %d", id, p2.Status)
	}
}

func TestAdminEndpoints(t *testing.T) {
	n := localnettest.Start(t)
	ctx := context.Background()
	a := localnet.Admin{URL: n.URL()}
	before := n.Now()
	st, err := a.Advance(ctx, 4*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if st.Now.Sub(before) < 96*time.Hour || st.Offset != "4d" && st.Offset[:2] != "4d" {
		t.Errorf("after advance: now %v (before %v) offset %s", st.Now, before, st.Offset)
	}
	st, err = a.SetFault(ctx, localnet.Fault{Version: newVersion})
	if err != nil || len(st.Faults) != 1 || st.Faults[0].Version != newVersion {
		t.Fatalf("fault: %+v, %v", st.Faults, err)
	}
	if st, err = a.SetFault(ctx, localnet.Fault{Version: newVersion, Clear: true}); err != nil || len(st.Faults) != 0 {
		t.Fatalf("clear: %+v, %v", st.Faults, err)
	}
	if _, err := a.SetFault(ctx, localnet.Fault{Version: "nope"}); !errors.Is(err, localnet.ErrAdminRefused) {
		t.Errorf("bad fault: %v", err)
	}
	_, err = a.SetFault(ctx, localnet.Fault{Version: newVersion, Subnets: []string{"aaaaa-aa"}})
	if !errors.Is(err, localnet.ErrAdminRefused) || !strings.Contains(err.Error(), "no subnet aaaaa-aa in this network") {
		t.Errorf("fault on an unknown subnet: %v, want a refusal naming the subnet", err)
	}
	one := localnet.Fault{Version: newVersion, Subnets: []string{nnsSubnet}}
	for range 2 {
		st, err = a.SetFault(ctx, one)
	}
	if err != nil || len(st.Faults) != 1 {
		t.Errorf("the same fault set twice: %+v, %v; want it listed once", st.Faults, err)
	}
	if _, err := (localnet.Admin{URL: "http://127.0.0.1:1"}).Status(ctx); !errors.Is(err, localnet.ErrUnreachable) {
		t.Errorf("unreachable: %v", err)
	}
	if st.RootKey == "" || st.DeveloperIdentity != n.DeveloperIdentityPath() || len(st.DeveloperNeurons) != 2 {
		t.Errorf("status %+v", st)
	}
	subnets, err := a.Subnets(ctx)
	if err != nil || len(subnets) != len(n.Topology().Subnets) || subnets[0].ID != nnsSubnet || subnets[0].RunningVersion != oldVersion {
		t.Errorf("subnets: %d, %v", len(subnets), err)
	}
}

func TestStateDirLockedAndSeedMismatch(t *testing.T) {
	state := t.TempDir()
	n := localnettest.Start(t, localnettest.WithStateDir(state))
	_, err := localnet.Start(context.Background(), localnet.Config{StateDir: state, Listen: "127.0.0.1:0"})
	if !errors.Is(err, localnet.ErrStateLocked) {
		t.Fatalf("second start: %v", err)
	}
	n.Close()
	seed := localnet.DefaultSeed()
	seed.Name = "another"
	_, err = localnet.Start(context.Background(), localnet.Config{StateDir: state, Listen: "127.0.0.1:0", Seed: seed})
	if !errors.Is(err, localnet.ErrSeedMismatch) {
		t.Fatalf("other seed: %v", err)
	}
}

func TestTickerLogsOnlyWhileProposalsAreOpen(t *testing.T) {
	state := t.TempDir()
	// The ticker's own interval is far beyond the test: the test ticks.
	n := localnettest.Start(t, localnettest.WithStateDir(state), localnettest.WithSeed(loadSeed(1)),
		localnettest.WithConfig(func(c *localnet.Config) { c.TickInterval = 24 * time.Hour }))
	size := func() int64 {
		fi, err := os.Stat(filepath.Join(state, "wal.log"))
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	idle := size()
	for range 50 {
		if err := localnet.Tick(n); err != nil {
			t.Fatal(err)
		}
	}
	if got := size(); got != idle {
		t.Fatalf("50 ticks of an idle network grew its log from %d to %d bytes", idle, got)
	}
	voter := newGovClient(t, n.URL(), voterIdentity(0)) // too small to decide alone
	if _, err := voter.propose(voterNeuron(0), "Open motion", motion("open")); err != nil {
		t.Fatal(err)
	}
	busy := size()
	if err := localnet.Tick(n); err != nil {
		t.Fatal(err)
	}
	if got := size(); got <= busy {
		t.Fatalf("a tick with an open proposal did not grow the log: %d bytes", got)
	}
}

func TestDeveloperElectsVersion(t *testing.T) {
	n := localnettest.Start(t)
	dev := newGovClient(t, n.URL(), developer(t, n))
	version := "0123456789abcdef0123456789abcdef01234567"
	id, err := dev.propose(devNeuron, "Elect a security patch", elect(t, version, strings.Repeat("ab", 32)))
	if err != nil {
		t.Fatal(err)
	}
	if p := dev.info(t, id); p.Status != 4 || p.Topic != 13 {
		t.Fatalf("election %d: status %d topic %d failure %+v", id, p.Status, p.Topic, p.FailureReason)
	}
	if !slices.Contains(n.Registry().ElectedVersions(), version) {
		t.Fatalf("elected versions %v lack %s", n.Registry().ElectedVersions(), version)
	}
	// A motion (topic 4) has no followers: the developer alone cannot decide it.
	m, err := dev.propose(devNeuron, "A motion", motion("text"))
	if err != nil {
		t.Fatal(err)
	}
	if p := dev.info(t, m); p.Status != 1 {
		t.Errorf("motion %d status %d, want open", m, p.Status)
	}
}

// TestRegistryRefusalsFailProposals drives adopted IC OS proposals that the
// registry refuses through the whole network: each ends Failed with the
// registry's message in failure_reason and leaves the registry unchanged.
func TestRegistryRefusalsFailProposals(t *testing.T) {
	// Each version has one user: the NNS subnet, the unassigned nodes, the
	// API boundary nodes. The developer's neuron is the only one and decides.
	apiVersion := "cda7fcf954b6f77187d83136e455d993ef2fbbda"
	seed := loadSeed(0)
	seed.GuestOSVersions = []localnet.VersionSeed{{Version: oldVersion}, {Version: newVersion}, {Version: apiVersion}}
	seed.Unassigned = localnet.NodeGroupSeed{Count: 2, Version: newVersion}
	seed.APIBoundaryNodes = localnet.NodeGroupSeed{Count: 2, Version: apiVersion}
	n := localnettest.Start(t, localnettest.WithSeed(seed))
	dev := newGovClient(t, n.URL(), developer(t, n))
	fresh := "0123456789abcdef0123456789abcdef01234567"
	sha := strings.Repeat("ab", 32)
	tests := []struct {
		name   string
		action govdid.ProposalActionRequest
		want   string
	}{
		{"unelect a version a subnet runs", elect(t, fresh, sha, oldVersion), "because they are currently deployed to a subnet!"},
		{"unelect the unassigned nodes' version", elect(t, fresh, sha, newVersion), "currently deployed to unassigned nodes"},
		{"unelect the API boundary nodes' version", elect(t, fresh, sha, apiVersion), apiVersion},
		{"elect an elected version", elect(t, newVersion, sha), "replica_version_" + newVersion},
		{"deploy an unelected version", deploy(t, nnsSubnet, fresh), fresh},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := n.Registry().ElectedVersions()
			id, err := dev.propose(devNeuron, tt.name, tt.action)
			if err != nil {
				t.Fatal(err)
			}
			p := dev.info(t, id)
			if p.Status != 5 || p.FailureReason == nil || !strings.Contains(p.FailureReason.ErrorMessage, tt.want) ||
				p.FailedTimestampSeconds == 0 || p.ExecutedTimestampSeconds != 0 {
				t.Fatalf("proposal %d: status %d failure %+v, want failed (5) with %q", id, p.Status, p.FailureReason, tt.want)
			}
			t.Logf("failure_reason: %s", p.FailureReason.ErrorMessage)
			if after := n.Registry().ElectedVersions(); !slices.Equal(after, before) {
				t.Errorf("elected versions changed from %v to %v", before, after)
			}
			if v, _ := n.Registry().SubnetVersion(principal.MustDecode(nnsSubnet)); v != oldVersion {
				t.Errorf("NNS subnet runs %s in the registry, want %s", v, oldVersion)
			}
		})
	}
}

func TestReopenAfterTornAndCorruptLog(t *testing.T) {
	state := t.TempDir()
	cfg := localnet.Config{StateDir: state, Listen: "127.0.0.1:0", Seed: loadSeed(1)}
	n := localnettest.Start(t, localnettest.WithStateDir(state), localnettest.WithSeed(cfg.Seed))
	voter := newGovClient(t, n.URL(), voterIdentity(0))
	id, err := voter.propose(voterNeuron(0), "Open motion", motion("open"))
	if err != nil {
		t.Fatal(err)
	}
	n.Close()
	log := filepath.Join(state, "wal.log")
	good, _ := os.ReadFile(log)

	// A torn last write (a record cut short) is dropped; the rest replays.
	torn := append(bytes.Clone(good), 0x40, 0, 0, 0, 1, 2, 3, 4, 5, 6)
	os.WriteFile(log, torn, 0o600)
	m, err := localnet.Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("reopen torn log: %v", err)
	}
	if _, ok := m.Governance().Proposal(id, m.Now()); !ok {
		t.Errorf("proposal %d lost", id)
	}
	m.Close()
	if fi, _ := os.Stat(log); fi.Size() != int64(len(good)) {
		t.Errorf("torn tail not truncated: %d bytes, want %d", fi.Size(), len(good))
	}

	// Damage before valid records (here in the genesis record) is refused.
	bad := bytes.Clone(good)
	bad[12] ^= 0xff
	os.WriteFile(log, bad, 0o600)
	if m, err := localnet.Start(context.Background(), cfg); !errors.Is(err, localnet.ErrCorruptLog) {
		if err == nil {
			m.Close()
		}
		t.Fatalf("corrupt log: %v", err)
	}
}

// TestVotingPeriodIsPartOfTheState checks that a restart replays under the
// voting period the state was created with: a motion decided at its short
// deadline stays decided when the network restarts without the setting, and
// a contradicting setting is refused.
func TestVotingPeriodIsPartOfTheState(t *testing.T) {
	state := t.TempDir()
	n := localnettest.Start(t, localnettest.WithStateDir(state), localnettest.WithVotingPeriod(time.Hour))
	id, err := newGovClient(t, n.URL(), developer(t, n)).propose(devNeuron, "A one-hour motion", motion("text"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Advance(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := localnet.Config{StateDir: state, Listen: "127.0.0.1:0", VotingPeriod: 2 * time.Hour}
	if _, err := localnet.Start(context.Background(), cfg); !errors.Is(err, localnet.ErrConfigMismatch) || !strings.Contains(err.Error(), "voting period of 1h") {
		t.Fatalf("restart with another voting period: %v, want ErrConfigMismatch naming 1h", err)
	}
	n2 := localnettest.Start(t, localnettest.WithStateDir(state))
	p := newGovClient(t, n2.URL(), developer(t, n2)).info(t, id)
	if p.Status != 4 || *p.DeadlineTimestampSeconds != p.ProposalTimestampSeconds+3600 {
		t.Errorf("after restart: status %d, deadline %d for a proposal made at %d; want executed (4) at +1h",
			p.Status, *p.DeadlineTimestampSeconds, p.ProposalTimestampSeconds)
	}
}
