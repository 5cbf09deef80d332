package rollback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
)

// ErrPreviousWasm reports a previous wasm module that is not the one the
// certified state recorded for the canister before the release's upgrade.
var ErrPreviousWasm = errors.New("the wasm module is not the canister's previous module")

// PreviousWasmError names the canister and both hashes. It matches
// ErrPreviousWasm.
type PreviousWasmError struct {
	Canister string
	Got      string
	Want     string
}

// Error implements error.
func (e *PreviousWasmError) Error() string {
	if e.Want == "" {
		return fmt.Sprintf("canister %s: the release recorded no previous module hash (its upgrade was never submitted), so nothing can be checked", e.Canister)
	}
	return fmt.Sprintf("%v %s: its SHA-256 is %s, the module hash on chain before the upgrade was %s; pass the wasm the canister ran before", ErrPreviousWasm, e.Canister, e.Got, e.Want)
}

// Is reports whether target is ErrPreviousWasm.
func (e *PreviousWasmError) Is(target error) bool { return target == ErrPreviousWasm }

// CanisterRollback is the previous wasm a user supplies for one canister.
type CanisterRollback struct {
	// Canister is the canister's id or well-known name.
	Canister string
	// WasmPath is the previous module's file (absolute, read again when a
	// rollback is resumed).
	WasmPath string
}

// ErrNoPreviousWasm reports a canister rollback planned without the wasm
// modules to restore.
var ErrNoPreviousWasm = errors.New("the previous wasm of each canister to roll back is needed")

// BuildCanister plans the rollback of an NNS canister release: halt its
// rollout, then one InstallCode (upgrade) per canister back to the wasm
// given, which must hash to the module the certified state recorded for the
// canister before the release's upgrade (*PreviousWasmError otherwise).
// Each step is done once the canister's module hash is that hash again.
func BuildCanister(l *rollout.Ledger, prev []CanisterRollback, problem string, now time.Time) (*Plan, error) {
	if l.Canisters == nil {
		return nil, fmt.Errorf("%w: release %s is not an NNS canister release", ErrNothingToRollBack, l.Version)
	}
	if len(prev) == 0 {
		return nil, fmt.Errorf("rollback of NNS canister release %s: %w", l.Version, ErrNoPreviousWasm)
	}
	p := &Plan{SchemaVersion: PlanSchemaVersion, Release: l.Version, Kind: rollout.ReleaseCanister, Mode: l.Mode, Problem: problem, Created: now.UTC(),
		Targets: []Target{}, Steps: []Step{haltStep(problem)}}
	for _, r := range prev {
		u, ok := findUpgrade(l, r.Canister)
		if !ok {
			return nil, fmt.Errorf("%w: canister %s is not part of release %s", ErrNothingToRollBack, r.Canister, l.Version)
		}
		wasm, err := os.ReadFile(r.WasmPath)
		if err != nil {
			return nil, fmt.Errorf("read the previous wasm of %s: %w", u.Name, err)
		}
		sum := sha256.Sum256(wasm)
		if got := hex.EncodeToString(sum[:]); u.Previous == "" || got != u.Previous {
			return nil, &PreviousWasmError{Canister: u.Name, Got: got, Want: u.Previous}
		}
		texts := proposals.Texts{
			Title: fmt.Sprintf("Roll back NNS canister %s to its previous module", u.Name),
			Summary: fmt.Sprintf("Reinstall in canister %s (`%s`) the wasm module it ran before its upgrade: SHA-256 `%s`, the module hash the certified state recorded before the upgrade to `%s`, which is being rolled back; the release is halted.\n",
				u.Name, u.Canister, u.Previous, u.WasmSHA256),
		}
		d, err := proposals.NewUpgradeCanister(proposals.UpgradeCanisterOptions{Texts: texts, Mode: l.Mode,
			Code: proposals.InstallCode{CanisterID: u.Canister, WasmPath: r.WasmPath, Wasm: wasm}})
		if err != nil {
			return nil, err
		}
		p.Targets = append(p.Targets, Target{Subnet: "canister " + u.Name, Failing: true, Current: u.WasmSHA256, Restore: u.Previous, RestoreElected: true})
		p.Steps = append(p.Steps, Step{N: len(p.Steps) + 1, Kind: StepCanister, Canister: u.Canister, Version: u.Previous, From: u.WasmSHA256,
			Why:          fmt.Sprintf("canister %s runs the release's module %s", u.Name, shortV(u.WasmSHA256)),
			Precondition: Condition{Kind: CondNone, Text: "none"},
			Expect: Condition{Kind: CondModuleHash, Canister: u.Canister, Version: u.Previous,
				Text: fmt.Sprintf("canister %s runs module %s again", u.Name, shortV(u.Previous))},
			Draft: &d})
	}
	return p, nil
}

func findUpgrade(l *rollout.Ledger, canister string) (rollout.CanisterUpgrade, bool) {
	for _, u := range l.Canisters.Upgrades {
		if u.Canister == canister || u.Name == canister {
			return u, true
		}
	}
	return rollout.CanisterUpgrade{}, false
}

// fingerprint identifies a step's action in the state file: the payload's
// SHA-256 for an NNS function, the wasm and argument for InstallCode.
func fingerprint(d proposals.Draft) (string, error) {
	if c := d.UpgradeCanister; c != nil {
		sum := sha256.Sum256([]byte(strings.Join([]string{c.CanisterID, c.InstallMode.String(), c.WasmSHA256, c.ArgHash()}, "\x00")))
		return hex.EncodeToString(sum[:]), nil
	}
	_, payload, err := d.Payload()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(payload)
	return hex.EncodeToString(sum[:]), nil
}

// loadWasm reads a canister step's wasm module again (the state file keeps
// its path, not its bytes) and checks it still hashes as planned.
func loadWasm(d *proposals.Draft) error {
	c := d.UpgradeCanister
	if c == nil || len(c.Wasm) > 0 {
		return nil
	}
	b, err := os.ReadFile(c.WasmPath)
	if err != nil {
		return fmt.Errorf("read the previous wasm module again: %w", err)
	}
	cp := *c
	cp.Wasm = b
	d.UpgradeCanister = &cp
	return cp.VerifyWasm()
}

// moduleHashReader reads installed module hashes (governance.Client can).
type moduleHashReader interface {
	ModuleHash(ctx context.Context, canister principal.Principal) (string, error)
}

// readModuleHashes reads the module hash of every canister a plan's
// conditions name; nothing when there is none.
func readModuleHashes(ctx context.Context, gov Governance, p *Plan) (map[string]string, error) {
	var ids []string
	for _, s := range p.Steps {
		for _, c := range []Condition{s.Precondition, s.Expect} {
			if c.Kind == CondModuleHash {
				ids = append(ids, c.Canister)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	r, ok := gov.(moduleHashReader)
	if !ok {
		return nil, errors.New("the governance client cannot read canister module hashes")
	}
	out := map[string]string{}
	for _, id := range ids {
		pid, err := principal.Decode(id)
		if err != nil {
			return nil, fmt.Errorf("canister %q: %w", id, err)
		}
		if out[id], err = r.ModuleHash(ctx, pid); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var _ moduleHashReader = (*governance.Client)(nil)
