package localnet

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

// ErrBadSeed is returned for a seed file that does not parse or validate.
var ErrBadSeed = errors.New("bad seed")

//go:embed default_seed.yaml
var defaultSeedYAML []byte

// Seed describes a network's initial topology and neurons. It is read from
// YAML (see default_seed.yaml, the documented default); unknown keys are
// errors. Versions may be abbreviated to a name ("v1") that is expanded to a
// deterministic 40-hex commit; sha256 and URLs default to DFINITY's shape.
type Seed struct {
	// Name labels the network; it also seeds every derived id and key.
	Name string `yaml:"name"`
	// NNSSubnet is the principal of the NNS subnet (listed in Subnets).
	NNSSubnet string `yaml:"nns_subnet"`
	// GuestOSVersions are the elected GuestOS versions.
	GuestOSVersions []VersionSeed `yaml:"guestos_versions"`
	// HostOSVersions are the elected HostOS versions; nodes run the first.
	HostOSVersions []VersionSeed `yaml:"hostos_versions"`
	// Subnets are listed subnets with explicit ids.
	Subnets []SubnetSeed `yaml:"subnets"`
	// Generated adds subnets with deterministic ids.
	Generated []GeneratedSubnets `yaml:"generated_subnets"`
	// Unassigned describes the nodes in no subnet.
	Unassigned NodeGroupSeed `yaml:"unassigned_nodes"`
	// APIBoundaryNodes describes the API boundary nodes.
	APIBoundaryNodes NodeGroupSeed `yaml:"api_boundary_nodes"`
	// Neurons are the governance neurons.
	Neurons []NeuronSeed `yaml:"neurons"`
	// History pre-submits motion proposals before genesis (listings, benchmarks).
	History *HistorySeed `yaml:"history,omitempty"`
	// Registry tunes the registry's history length and chunking
	// (benchmarks, tests of chunked values).
	Registry *RegistrySeed `yaml:"registry,omitempty"`
	// Governance tunes the governance model.
	Governance *GovernanceSeed `yaml:"governance,omitempty"`
}

// GovernanceSeed tunes the governance model.
type GovernanceSeed struct {
	// MaxProposalsToKeepPerTopic is NetworkEconomics'
	// max_proposals_to_keep_per_topic: governance keeps, per topic, only the
	// newest this many proposals once they are final and settled. Absent
	// means governance's 100; 0 turns garbage collection off, as it does on
	// governance (long histories for benchmarks).
	MaxProposalsToKeepPerTopic *int `yaml:"max_proposals_to_keep_per_topic"`
}

// RegistrySeed tunes the registry model.
type RegistrySeed struct {
	// Versions is the registry version the network starts at: the genesis
	// topology, then versions that rewrite node records with unchanged
	// values, one every regmodel.ExtraVersionSpacing, the last at genesis.
	// 0 or 1 means only the genesis version.
	Versions int `yaml:"versions"`
	// ChunkAboveBytes is the value size from which values are chunked
	// (answered as LargeValueChunkKeys, fetched with get_chunk); 0 means
	// the registry's own 10,000 bytes.
	ChunkAboveBytes int `yaml:"chunk_above_bytes"`
}

// HistorySeed describes motion proposals submitted one every
// HistorySpacing before genesis, so a network starts with a long history.
type HistorySeed struct {
	// Proposals is the number of motions.
	Proposals int `yaml:"proposals"`
	// Proposer is the neuron that submits them (it needs the reject cost).
	Proposer uint64 `yaml:"proposer"`
}

// HistorySpacing is the time between two history proposals.
const HistorySpacing = 10 * time.Minute

// VersionSeed is one elected GuestOS or HostOS version.
type VersionSeed struct {
	// Version is a 40-hex commit or a short name expanded deterministically.
	Version string `yaml:"version"`
	// SHA256 is the release package hash (hex); derived when empty.
	SHA256 string `yaml:"sha256"`
	// URLs are the release package URLs; derived when empty.
	URLs []string `yaml:"urls"`
}

// SubnetSeed is a subnet with an explicit principal.
type SubnetSeed struct {
	// ID is the subnet principal (text form).
	ID string `yaml:"id"`
	// Type is system, application or verified_application.
	Type string `yaml:"type"`
	// Nodes is the number of nodes; their ids are derived.
	Nodes int `yaml:"nodes"`
	// Version is the GuestOS version the subnet runs (a listed version).
	Version string `yaml:"version"`
}

// GeneratedSubnets adds Count subnets of one kind with derived principals.
type GeneratedSubnets struct {
	// Count is the number of subnets.
	Count int `yaml:"count"`
	// Type is the subnets' type (see SubnetSeed.Type).
	Type string `yaml:"type"`
	// Nodes is the number of nodes per subnet.
	Nodes int `yaml:"nodes"`
	// Version is the GuestOS version they run.
	Version string `yaml:"version"`
}

// NodeGroupSeed is a number of nodes running one GuestOS version.
type NodeGroupSeed struct {
	// Count is the number of nodes (0: none).
	Count int `yaml:"count"`
	// Version is the GuestOS version they run.
	Version string `yaml:"version"`
}

// NeuronSeed is one neuron.
type NeuronSeed struct {
	// ID is the neuron id.
	ID uint64 `yaml:"id"`
	// Name is a known-neuron style label (informational).
	Name string `yaml:"name"`
	// Controller is "developer" (the network's developer identity), or a
	// principal, or any other word from which a principal is derived.
	Controller string `yaml:"controller"`
	// StakeICP is the neuron's stake in whole ICP.
	StakeICP uint64 `yaml:"stake_icp"`
	// DissolveDelayDays is the dissolve delay (voting needs at least 183).
	DissolveDelayDays uint64 `yaml:"dissolve_delay_days"`
	// Follow maps a topic number to followee neuron ids.
	Follow map[int32][]uint64 `yaml:"follow"`
}

// DefaultSeed returns the embedded mainnet-like seed.
func DefaultSeed() *Seed {
	s, err := ParseSeed(defaultSeedYAML)
	if err != nil {
		panic(fmt.Sprintf("embedded default seed: %v", err))
	}
	return s
}

// LoadSeed reads and validates a seed file.
func LoadSeed(path string) (*Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: read seed file: %w; pass an existing YAML seed file (see default_seed.yaml)", ErrBadSeed, err)
	}
	s, err := ParseSeed(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSeed parses and validates seed YAML; unknown keys are errors.
func ParseSeed(b []byte) (*Seed, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var s Seed
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSeed, err)
	}
	if _, err := s.Topology(); err != nil {
		return nil, err
	}
	return &s, nil
}
