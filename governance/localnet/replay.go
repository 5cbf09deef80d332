package localnet

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance/localnet/govmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
	"github.com/nnspatch/nnspatch/governance/localnet/replica"
	"gopkg.in/yaml.v3"
)

// replay opens the log, writes the genesis record of a new state, builds the
// models from the seed and applies every logged event to them.
func (n *Network) replay(seed *Seed) error {
	var recs []record
	w, err := openWAL(filepath.Join(n.cfg.StateDir, walFile), func(p []byte) error {
		r, err := decodeRecord(p)
		recs = append(recs, r)
		return err
	})
	if err != nil {
		return err
	}
	n.wal = w
	hash := seedHash(seed)
	if len(recs) == 0 {
		gen := record{Kind: recGenesis, Time: n.clock.Now().UnixNano(), SeedHash: hash, KeySeed: newKeySeed(),
			VotingPeriod: int64(n.votingPeriod())}
		if err := w.wait(w.appendRecord(gen.encode())); err != nil {
			return err
		}
		recs = append(recs, gen)
	}
	if recs[0].Kind != recGenesis {
		return fmt.Errorf("%w: first record is not the genesis record", ErrCorruptLog)
	}
	if !bytes.Equal(recs[0].SeedHash, hash) {
		return fmt.Errorf("%w: start with the seed it was created from, or use a fresh --state directory", ErrSeedMismatch)
	}
	if err := n.adoptVotingPeriod(time.Duration(recs[0].VotingPeriod)); err != nil {
		return err
	}
	n.genesis = recs[0].time()
	n.keySeed = recs[0].KeySeed
	if err := n.buildModels(); err != nil {
		return err
	}
	return n.applyAll(recs)
}

// votingPeriod is the configured voting period, or governance's default.
func (n *Network) votingPeriod() time.Duration {
	if n.cfg.VotingPeriod > 0 {
		return n.cfg.VotingPeriod
	}
	return govmodel.DefaultConfig().VotingPeriod
}

// adoptVotingPeriod makes the network use the voting period its state was
// written with (logged is 0 for states that predate the field), refusing a
// configured one that differs: replaying under other rules would move
// deadlines and undo acknowledged decisions.
func (n *Network) adoptVotingPeriod(logged time.Duration) error {
	switch {
	case logged == 0:
	case n.cfg.VotingPeriod > 0 && n.cfg.VotingPeriod != logged:
		return fmt.Errorf("%w: the state in %s was created with a voting period of %s, not %s; start without --voting-period or use a fresh --state directory",
			ErrConfigMismatch, n.cfg.StateDir, FormatDuration(logged), FormatDuration(n.cfg.VotingPeriod))
	default:
		n.cfg.VotingPeriod = logged
	}
	return nil
}

// seedHash identifies a seed by the hash of its canonical YAML.
func seedHash(s *Seed) []byte {
	b, err := yaml.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("encode seed: %v", err))
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// buildModels creates fresh models from the topology at genesis.
func (n *Network) buildModels() error {
	reg, err := regmodel.New(registrySeed(n.topo, n.genesis))
	if err != nil {
		return fmt.Errorf("%w: registry refuses the seed: %w", ErrBadSeed, err)
	}
	cfg := govmodel.DefaultConfig()
	cfg.VotingPeriod = n.cfg.VotingPeriod
	cfg.MaxProposalsToKeepPerTopic = n.topo.KeepProposalsPerTopic
	cfg.Executor = reg
	n.reg = reg
	if n.gov, err = newGovernance(cfg, governanceSeed(n.topo, n.genesis)); err != nil {
		return err
	}
	n.canisters = map[string]replica.Canister{string(GovernanceID.Raw): n.gov, string(RegistryID.Raw): reg}
	n.health = health{genesis: n.genesis, delay: n.cfg.UpgradeDelay, catchUp: n.cfg.CatchUp}
	return nil
}

// applyAll replays the records after genesis and restores the clock.
func (n *Network) applyAll(recs []record) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.replaying = true
	defer func() { n.replaying = false }()
	var offset time.Duration
	for i, r := range recs[1:] {
		if err := n.apply(r); err != nil {
			return fmt.Errorf("replay record %d: %w", i+1, err)
		}
		if r.Kind == recAdvance {
			offset = time.Duration(r.Offset)
		}
	}
	n.clock.restore(offset, recs[len(recs)-1].time())
	if n.lastTick.IsZero() {
		n.lastTick = n.genesis // a fresh network has nothing to tick yet
	}
	return nil
}

// apply replays one record.
func (n *Network) apply(r record) error {
	switch r.Kind {
	case recCall:
		can, ok := n.canisters[string(r.Canister)]
		if !ok {
			return fmt.Errorf("%w: call to unknown canister %x", ErrCorruptLog, r.Canister)
		}
		replayCall(can, replica.Call{Method: r.Method, Arg: r.Arg, Caller: principal.Principal{Raw: r.Caller},
			Now: r.time(), Replicated: true})
	case recTick, recAdvance:
		n.govTick(r.time())
		n.lastTick = r.time()
	case recFault:
		if r.Fault == nil {
			return fmt.Errorf("%w: fault record without fault", ErrCorruptLog)
		}
		n.faults = append(n.faults, faultEvent{at: r.time(), fault: *r.Fault})
	case recGenesis:
		return fmt.Errorf("%w: second genesis record", ErrCorruptLog)
	}
	return nil
}

// replayCall executes a logged call; a trap is replayed as the trap it was.
func replayCall(can replica.Canister, call replica.Call) {
	defer func() { _ = recover() }()
	can.Execute(call)
}

// newGovernance builds the governance model; the model panics on a seed it
// refuses (e.g. a history proposer without the stake to propose), which a
// user's seed file must turn into an error, not a crash.
func newGovernance(cfg govmodel.Config, seed govmodel.Seed) (g *govmodel.Governance, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: governance refuses the seed: %v", ErrBadSeed, p)
		}
	}()
	return govmodel.New(cfg, seed), nil
}
