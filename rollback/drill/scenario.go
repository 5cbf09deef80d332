package drill

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/proposals"
	"gopkg.in/yaml.v3"
)

// SchemaVersion is the scenario schema this build reads.
const SchemaVersion = 1

// ErrScenario reports a scenario file that does not parse or validate.
var ErrScenario = errors.New("invalid drill scenario")

// Duration is a duration written with localnet's units (d, h, m, s).
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := localnet.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as text.
func (d Duration) MarshalText() ([]byte, error) {
	return []byte(localnet.FormatDuration(time.Duration(d))), nil
}

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Scenario is one drill.
type Scenario struct {
	SchemaVersion int    `yaml:"schema_version" json:"schema_version"`
	Name          string `yaml:"name" json:"name"`
	// Kind is the release kind drilled: guestos (default), hostos or
	// nns-canister (kinds.go).
	Kind        string    `yaml:"kind" json:"kind,omitempty"`
	Description string    `yaml:"description" json:"description"`
	Network     Network   `yaml:"network" json:"network"`
	Patch       Patch     `yaml:"patch" json:"patch"`
	Votes       []uint64  `yaml:"votes" json:"votes"`
	Rollout     Rollout   `yaml:"rollout" json:"rollout"`
	Fault       FaultSpec `yaml:"fault" json:"fault"`
	Events      []Event   `yaml:"events" json:"events"`
	Expect      Expect    `yaml:"expect" json:"expect"`
	Assert      Asserts   `yaml:"assert" json:"assert"`
	Tick        Duration  `yaml:"tick" json:"tick"`
	MaxVirtual  Duration  `yaml:"max_virtual" json:"max_virtual"`
}

// Network is the embedded network's topology.
type Network struct {
	Versions        []string      `yaml:"versions" json:"versions"`
	NNSVersion      string        `yaml:"nns_version" json:"nns_version"`
	NNSNodes        int           `yaml:"nns_nodes" json:"nns_nodes"`
	Subnets         []SubnetGroup `yaml:"subnets" json:"subnets"`
	UnassignedNodes SubnetGroup   `yaml:"unassigned_nodes" json:"unassigned_nodes"`
	// APIBoundaryNodes are the API boundary nodes (default: one, on the
	// first version).
	APIBoundaryNodes SubnetGroup `yaml:"api_boundary_nodes" json:"api_boundary_nodes"`
	UpgradeDelay     Duration    `yaml:"upgrade_delay" json:"upgrade_delay"`
	CatchUp          Duration    `yaml:"catch_up" json:"catch_up"`
}

// SubnetGroup is a number of subnets (or nodes) on one version.
type SubnetGroup struct {
	Count   int    `yaml:"count" json:"count"`
	Version string `yaml:"version" json:"version"`
	Nodes   int    `yaml:"nodes" json:"nodes"`
}

// Patch is the release under drill.
type Patch struct {
	Version string         `yaml:"version" json:"version"`
	Mode    proposals.Mode `yaml:"mode" json:"mode"`
	// Canister is the NNS canister an nns-canister drill upgrades (its
	// well-known name, e.g. root).
	Canister string `yaml:"canister" json:"canister,omitempty"`
}

// Rollout shapes the staged rollout plan.
type Rollout struct {
	BatchSize int      `yaml:"batch_size" json:"batch_size"`
	Interval  Duration `yaml:"interval" json:"interval"`
	Bake      Duration `yaml:"bake" json:"bake"`
}

// FaultSpec says which subnet the patch stalls, or that it breaks the API
// boundary nodes.
type FaultSpec struct {
	// Target is "" (a subnet: Batch and Index) or FaultAPIBoundaryNodes.
	Target string `yaml:"target" json:"target,omitempty"`
	// Batch is the 1-based batch number.
	Batch int `yaml:"batch" json:"batch"`
	// Index is the subnet's index within the batch.
	Index int `yaml:"index" json:"index"`
}

// Event is a scripted action taken once a batch completes.
type Event struct {
	AfterBatch    int  `yaml:"after_batch" json:"after_batch"`
	UnelectUnused bool `yaml:"unelect_unused" json:"unelect_unused"`
}

// Expect bounds detection and rollback.
type Expect struct {
	DetectWithin   Duration `yaml:"detect_within" json:"detect_within"`
	RollbackWithin Duration `yaml:"rollback_within" json:"rollback_within"`
	Reelect        []string `yaml:"reelect" json:"reelect"`
	// RecoveryNeeded expects the drill to end in a subnet recovery (the
	// fault stalls the NNS subnet) instead of a rollback.
	RecoveryNeeded bool `yaml:"recovery_needed" json:"recovery_needed,omitempty"`
}

// Asserts switches end-state assertions off (all are on by default).
type Asserts struct {
	AllHealthy            *bool `yaml:"all_healthy" json:"all_healthy,omitempty"`
	NoUnelectedInUse      *bool `yaml:"no_unelected_in_use" json:"no_unelected_in_use,omitempty"`
	QuietPeriodNotStarted *bool `yaml:"quiet_period_not_started" json:"quiet_period_not_started,omitempty"`
	NothingDisclosed      *bool `yaml:"nothing_disclosed" json:"nothing_disclosed,omitempty"`
	RolloutHalted         *bool `yaml:"rollout_halted" json:"rollout_halted,omitempty"`
	TextsLeakNothing      *bool `yaml:"texts_leak_nothing" json:"texts_leak_nothing,omitempty"`
}

func on(b *bool) bool { return b == nil || *b }

// Load reads and validates a scenario file.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Parse parses and validates scenario YAML; unknown keys are errors.
func Parse(b []byte) (*Scenario, error) {
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrScenario, yamlProblems(err))
	}
	s.defaults()
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func (s *Scenario) defaults() {
	if s.Patch.Mode == "" {
		s.Patch.Mode = proposals.ModeSecurity
	}
	if s.Rollout.BatchSize == 0 {
		s.Rollout.BatchSize = 3
	}
	if s.Rollout.Interval == 0 {
		s.Rollout.Interval = Duration(time.Hour)
	}
	if s.Rollout.Bake == 0 {
		s.Rollout.Bake = Duration(15 * time.Minute)
	}
	if s.Tick == 0 {
		s.Tick = Duration(5 * time.Minute)
	}
	if s.MaxVirtual == 0 {
		s.MaxVirtual = Duration(14 * 24 * time.Hour)
	}
	n := &s.Network
	if n.NNSVersion == "" && len(n.Versions) > 0 {
		n.NNSVersion = n.Versions[0]
	}
	if n.NNSNodes == 0 {
		n.NNSNodes = 4
	}
	if n.UpgradeDelay == 0 {
		n.UpgradeDelay = Duration(10 * time.Minute)
	}
	if n.CatchUp == 0 {
		n.CatchUp = Duration(2 * time.Minute)
	}
}

func (s *Scenario) validate() error {
	var probs []string
	bad := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	if s.SchemaVersion != SchemaVersion {
		bad("schema_version: %d, this build reads %d", s.SchemaVersion, SchemaVersion)
	}
	if s.Name == "" {
		bad("name: required")
	}
	if s.Patch.Version == "" {
		bad("patch.version: required")
	}
	if _, err := proposals.ParseMode(string(s.Patch.Mode)); err != nil {
		bad("patch.mode: %v", err)
	}
	if len(s.Network.Versions) == 0 {
		bad("network.versions: at least one version is required")
	}
	switch s.Kind {
	case "", KindGuestOS, KindHostOS:
		switch s.Fault.Target {
		case "":
			if s.Fault.Batch < 1 {
				bad("fault.batch: must be at least 1")
			}
		case FaultAPIBoundaryNodes:
			if s.Fault.Batch != 0 || s.Fault.Index != 0 {
				bad("fault: target %s takes no batch or index", FaultAPIBoundaryNodes)
			}
		default:
			bad("fault.target: %q: leave it out (a subnet) or use %s", s.Fault.Target, FaultAPIBoundaryNodes)
		}
	case KindCanister:
		if localnet.SeedWasm(s.Patch.Canister) == nil {
			bad("patch.canister: %q is not an NNS canister of the local network (root, ledger, lifeline, ...)", s.Patch.Canister)
		}
	default:
		bad("kind: %q is not guestos, hostos or nns-canister", s.Kind)
	}
	if s.Fault.Index < 0 {
		bad("fault.index: must not be negative")
	}
	if s.Rollout.BatchSize < 1 {
		bad("rollout.batch_size: must be at least 1")
	}
	for i, e := range s.Events {
		if e.AfterBatch < 1 || !e.UnelectUnused {
			bad("events[%d]: needs after_batch >= 1 and an action (unelect_unused: true)", i)
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("%w: %s", ErrScenario, joinProblems(probs))
	}
	return nil
}

func joinProblems(ps []string) string {
	var b bytes.Buffer
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p)
	}
	return b.String()
}

var (
	unknownKeyRE = regexp.MustCompile(`field (\S+) not found in type \S+`)
	wrongTypeRE  = regexp.MustCompile("cannot unmarshal !!(\\w+) `([^`]*)` into (\\S+)")
)

// yamlProblems words yaml.v3's decode errors for a scenario's author:
// unknown keys and wrongly typed values, by line.
func yamlProblems(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n")
	msg = unknownKeyRE.ReplaceAllString(msg, "unknown key $1")
	msg = wrongTypeRE.ReplaceAllString(msg, "$2 is not a valid $3")
	lines := strings.Split(msg, "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	return strings.Join(lines, "; ")
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Commit expands a version name to a deterministic 40-hex commit (a
// 40-hex commit stays as it is).
func Commit(name string) string {
	if commitRE.MatchString(name) {
		return name
	}
	sum := sha256.Sum256([]byte("nnspatch drill version " + name))
	return hex.EncodeToString(sum[:20])
}
