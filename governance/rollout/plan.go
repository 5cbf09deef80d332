package rollout

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"gopkg.in/yaml.v3"
)

// Well-known mainnet subnets the plan treats specially (domain.md §6).
const (
	// NNSSubnet is upgraded last, alone.
	NNSSubnet = "tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe"
	// SigningSubnet holds the threshold signing keys.
	SigningSubnet = "uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe"
	// SigningBackup backs up the signing keys; it must not be upgraded
	// within SigningGap of SigningSubnet.
	SigningBackup = "pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae"
)

// Plan defaults.
const (
	DefaultBatchSize  = 3
	DefaultInterval   = 2 * time.Hour
	DefaultBake       = 15 * time.Minute
	DefaultSigningGap = 24 * time.Hour
	// MaxBatches is the highest batch number (DFINITY's MAX_BATCHES).
	MaxBatches = 30
)

// ErrPlanInvalid reports a plan with problems; see PlanError.
var ErrPlanInvalid = errors.New("rollout plan is invalid")

// Plan is a staged rollout: batches of subnets at planned times, the NNS
// subnet alone in the last batch, then the unassigned nodes. Its YAML
// follows DFINITY's SubnetRolloutPlanSpec where it applies ({batch, subnets}
// entries), with absolute start times instead of day names.
type Plan struct {
	// Version is the GuestOS version rolled out.
	Version string `yaml:"version" json:"version"`
	// Bake is how long a subnet must stay healthy on the new version before
	// the next batch starts.
	Bake Duration `yaml:"bake" json:"bake"`
	// Batches are in rollout order.
	Batches []Batch `yaml:"batches" json:"batches"`
	// UnassignedNodes is when the unassigned nodes follow (after the NNS).
	UnassignedNodes time.Time `yaml:"unassigned_nodes" json:"unassigned_nodes"`
	// NNSSubnet is the NNS subnet id (NNSSubnet when empty).
	NNSSubnet string `yaml:"nns_subnet,omitempty" json:"nns_subnet,omitempty"`
	// APIBoundaryNodes is the API boundary node stage, after the unassigned
	// nodes (nil: the plan has none; plans written before it existed).
	APIBoundaryNodes *APIBoundaryStage `yaml:"api_boundary_nodes,omitempty" json:"api_boundary_nodes,omitempty"`
	// Policy names the policy the plan was built with ("" for plan files
	// and BuildPlan).
	Policy string `yaml:"policy,omitempty" json:"policy,omitempty"`
	// TimeZone is the IANA time zone the plan's calendar is shown in
	// ("" = UTC).
	TimeZone string `yaml:"time_zone,omitempty" json:"time_zone,omitempty"`
}

// Batch is one step of a plan.
type Batch struct {
	// Batch is the batch number, 1..MaxBatches, increasing.
	Batch int `yaml:"batch" json:"batch"`
	// Start is the earliest time its proposals are submitted.
	Start time.Time `yaml:"start" json:"start"`
	// Subnets are full subnet ids (or unambiguous prefixes in a plan file).
	Subnets []string `yaml:"subnets" json:"subnets"`
}

// Duration is a time.Duration written as text ("2h0m0s") in YAML.
type Duration time.Duration

// MarshalYAML writes the duration as text.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// UnmarshalYAML reads a duration such as "15m" or "2h".
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// MarshalText writes the duration as text (JSON).
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads the text MarshalText writes, so a --json document
// decodes back into its type.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// nns returns the plan's NNS subnet.
func (p *Plan) nns() string {
	if p.NNSSubnet != "" {
		return p.NNSSubnet
	}
	return NNSSubnet
}

// BatchOf returns the index of the batch holding subnet, or -1.
func (p *Plan) BatchOf(subnet string) int {
	for i, b := range p.Batches {
		if slices.Contains(b.Subnets, subnet) {
			return i
		}
	}
	return -1
}

// PlanOptions shape BuildPlan. Zero values mean the defaults.
type PlanOptions struct {
	Version   string
	Start     time.Time
	BatchSize int
	Interval  time.Duration
	Bake      time.Duration
	// NNSSubnet overrides the NNS subnet id (tests, other networks).
	NNSSubnet string
}

func (o PlanOptions) withDefaults() PlanOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Bake <= 0 {
		o.Bake = DefaultBake
	}
	if o.NNSSubnet == "" {
		o.NNSSubnet = NNSSubnet
	}
	return o
}

// BuildPlan plans a rollout of every subnet in reg: BatchSize subnets per
// batch, Interval apart, in registry order, the signing backup at least
// DefaultSigningGap after the signing subnet, the NNS subnet alone last, the
// unassigned nodes one interval after it and, when the registry has API
// boundary nodes, their stage one interval after the unassigned nodes (so
// that "100% patched" is reachable: every target is in the plan).
func BuildPlan(reg *governance.Registry, o PlanOptions) (*Plan, error) {
	o = o.withDefaults()
	if _, ok := reg.SubnetByID(o.NNSSubnet); !ok {
		return nil, fmt.Errorf("build plan: NNS subnet %s is not in the registry", o.NNSSubnet)
	}
	var queue []string
	for _, s := range reg.Subnets {
		if s.ID != o.NNSSubnet {
			queue = append(queue, s.ID)
		}
	}
	p := &Plan{Version: o.Version, Bake: Duration(o.Bake), NNSSubnet: o.NNSSubnet}
	if o.NNSSubnet == NNSSubnet {
		p.NNSSubnet = ""
	}
	at := o.Start.UTC()
	var signedAt time.Time
	for len(queue) > 0 {
		b := Batch{Batch: len(p.Batches) + 1, Start: at}
		var rest []string
		for _, id := range queue {
			blocked := id == SigningBackup && (signedAt.IsZero() && slices.Contains(queue, SigningSubnet) ||
				!signedAt.IsZero() && at.Before(signedAt.Add(DefaultSigningGap)))
			if len(b.Subnets) == o.BatchSize || blocked {
				rest = append(rest, id)
				continue
			}
			b.Subnets = append(b.Subnets, id)
			if id == SigningSubnet {
				signedAt = at
			}
		}
		if len(b.Subnets) > 0 {
			p.Batches = append(p.Batches, b)
		}
		queue = rest
		at = at.Add(o.Interval)
		if len(b.Subnets) == 0 && len(queue) > 0 && !signedAt.IsZero() && at.Before(signedAt.Add(DefaultSigningGap)) {
			at = signedAt.Add(DefaultSigningGap)
		}
	}
	p.Batches = append(p.Batches, Batch{Batch: len(p.Batches) + 1, Start: at, Subnets: []string{o.NNSSubnet}})
	p.UnassignedNodes = at.Add(o.Interval)
	if len(reg.APIBoundaryNodes) > 0 {
		p.APIBoundaryNodes = &APIBoundaryStage{Start: p.UnassignedNodes.Add(o.Interval)}
	}
	if len(p.Batches) > MaxBatches {
		return nil, fmt.Errorf("build plan: %d batches, more than %d: raise the batch size", len(p.Batches), MaxBatches)
	}
	return p, nil
}

// Problem is one thing wrong with a plan.
type Problem struct {
	// Path locates it, e.g. "batches[2].subnets[0]".
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String renders "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Message }

// PlanError lists every problem of a plan. It matches ErrPlanInvalid.
type PlanError struct {
	Problems []Problem
}

// Error implements error.
func (e *PlanError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rollout plan is invalid: %d problem(s)", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ✗ " + p.String())
	}
	return b.String()
}

// Is reports whether target is ErrPlanInvalid.
func (e *PlanError) Is(target error) bool { return target == ErrPlanInvalid }

// LoadPlan reads a plan file (unknown keys are errors).
func LoadPlan(path string) (*Plan, error) {
	b, err := readBounded(path)
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	var p Plan
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	return &p, nil
}

// WritePlan writes a plan file atomically.
func WritePlan(path string, p *Plan) error {
	b, err := yaml.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	return writeAtomic(path, b)
}

// String formats the duration like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }
