package localnet

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"

	"github.com/aviate-labs/agent-go/identity"
	"github.com/aviate-labs/agent-go/principal"
)

// Topology is a seed resolved into concrete ids, versions and neurons.
type Topology struct {
	// Name is the seed's name.
	Name string
	// NNSSubnet is the NNS subnet's principal.
	NNSSubnet string
	// GuestOSVersions and HostOSVersions are the elected versions.
	GuestOSVersions []Version
	HostOSVersions  []Version
	// Subnets are listed subnets, then generated ones, in seed order.
	Subnets []Subnet
	// UnassignedNodes run UnassignedVersion.
	UnassignedNodes   []string
	UnassignedVersion string
	// APIBoundaryNodes run APIBoundaryVersion.
	APIBoundaryNodes   []string
	APIBoundaryVersion string
	// NodeHostOS maps every node id to the HostOS version it runs.
	NodeHostOS map[string]string
	Neurons    []Neuron
	// History is the seed's proposal history, if any.
	History *HistorySeed
	// Registry tunes the registry model, if set.
	Registry *RegistrySeed
	// KeepProposalsPerTopic is govmodel.Config.MaxProposalsToKeepPerTopic.
	KeepProposalsPerTopic int
	// Developer is the principal of the developer identity.
	Developer principal.Principal
}

// Version is an elected release: commit id, package hash and URLs.
type Version struct {
	// ID is the 40-hex commit.
	ID string
	// SHA256 is the release package hash, hex.
	SHA256 string
	// URLs are the release package download URLs.
	URLs []string
}

// Subnet is one subnet with its node ids and initial GuestOS version.
type Subnet struct {
	// ID is the subnet principal, text form.
	ID string
	// Type is system, application or verified_application.
	Type string
	// Nodes are the member node ids.
	Nodes []string
	// Version is the GuestOS version at genesis.
	Version string
}

// Neuron is one resolved neuron.
type Neuron struct {
	// ID is the neuron id.
	ID uint64
	// Name is its known-neuron name.
	Name string
	// Controller controls the neuron.
	Controller principal.Principal
	// StakeE8s is the stake in e8s.
	StakeE8s uint64
	// DissolveDelaySeconds is the dissolve delay.
	DissolveDelaySeconds uint64
	// Followees maps a topic to the neurons followed on it.
	Followees map[int32][]uint64
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

var subnetTypes = []string{"system", "application", "verified_application"}

// e8s per ICP.
const e8s = 100_000_000

// DeveloperKey returns the deterministic ed25519 key of the developer
// identity of the seed named name.
func DeveloperKey(name string) ed25519.PrivateKey {
	sum := sha256.Sum256([]byte("nnspatch localnet developer identity\x00" + name))
	return ed25519.NewKeyFromSeed(sum[:])
}

// DeveloperIdentity returns the developer identity of the seed named name.
func DeveloperIdentity(name string) *identity.Ed25519Identity {
	k := DeveloperKey(name)
	id, _ := identity.NewEd25519Identity(k.Public().(ed25519.PublicKey), k)
	return id
}

// derivedPrincipal returns a self-authenticating-shaped principal (28 hash
// bytes + 0x02), the form node and subnet ids have on mainnet.
func derivedPrincipal(parts ...string) principal.Principal {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return principal.Principal{Raw: append(h.Sum(nil)[:28], 0x02)}
}

// derivedHex returns n hex digits derived from parts.
func derivedHex(n int, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}

// Topology resolves the seed, checking every reference.
func (s *Seed) Topology() (*Topology, error) {
	r := &resolver{seed: s, topo: &Topology{Name: s.Name, NodeHostOS: map[string]string{}}}
	if s.Name == "" {
		return nil, fmt.Errorf("%w: name: required", ErrBadSeed)
	}
	r.topo.Developer = DeveloperIdentity(s.Name).Sender()
	steps := []func() error{r.versions, r.subnets, r.generated, r.nodeGroups, r.neurons}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return r.topo, nil
}

type resolver struct {
	seed    *Seed
	topo    *Topology
	guestos map[string]string // seed name -> commit
	hostos  map[string]string
}

func (r *resolver) versions() error {
	var err error
	r.guestos, r.topo.GuestOSVersions, err = resolveVersions("guest-os", r.seed.GuestOSVersions)
	if err != nil {
		return fmt.Errorf("%w: guestos_versions: %v", ErrBadSeed, err)
	}
	r.hostos, r.topo.HostOSVersions, err = resolveVersions("host-os", r.seed.HostOSVersions)
	if err != nil {
		return fmt.Errorf("%w: hostos_versions: %v", ErrBadSeed, err)
	}
	return nil
}

func resolveVersions(kind string, in []VersionSeed) (map[string]string, []Version, error) {
	if len(in) == 0 {
		return nil, nil, fmt.Errorf("at least one version required")
	}
	names := map[string]string{}
	var out []Version
	for i, v := range in {
		if v.Version == "" {
			return nil, nil, fmt.Errorf("[%d].version: required", i)
		}
		if _, dup := names[v.Version]; dup {
			return nil, nil, fmt.Errorf("[%d].version: %s listed twice", i, v.Version)
		}
		id := v.Version
		if !commitRE.MatchString(id) {
			id = derivedHex(40, kind, v.Version)
		}
		names[v.Version], names[id] = id, id
		out = append(out, expandVersion(kind, id, v))
	}
	return names, out, nil
}

// expandVersion fills the hash and DFINITY-shaped download URLs.
func expandVersion(kind, id string, v VersionSeed) Version {
	out := Version{ID: id, SHA256: v.SHA256, URLs: v.URLs}
	if out.SHA256 == "" {
		out.SHA256 = derivedHex(64, "package", kind, id)
	}
	if len(out.URLs) == 0 {
		for _, host := range []string{"download.dfinity.systems", "download.dfinity.network"} {
			out.URLs = append(out.URLs, fmt.Sprintf("https://%s/ic/%s/%s/update-img/update-img.tar.zst", host, id, kind))
		}
	}
	return out
}

func (r *resolver) subnets() error {
	seen := map[string]bool{}
	for i, sn := range r.seed.Subnets {
		p, err := principal.Decode(sn.ID)
		if err != nil {
			return fmt.Errorf("%w: subnets[%d].id: %v", ErrBadSeed, i, err)
		}
		if err := r.addSubnet(fmt.Sprintf("subnets[%d]", i), p.String(), sn.Type, sn.Nodes, sn.Version, seen); err != nil {
			return err
		}
	}
	if !seen[r.seed.NNSSubnet] {
		return fmt.Errorf("%w: nns_subnet: %q is not listed under subnets", ErrBadSeed, r.seed.NNSSubnet)
	}
	r.topo.NNSSubnet = r.seed.NNSSubnet
	return nil
}

func (r *resolver) generated() error {
	seen := map[string]bool{}
	for _, sn := range r.topo.Subnets {
		seen[sn.ID] = true
	}
	for i, g := range r.seed.Generated {
		for j := 0; j < g.Count; j++ {
			id := derivedPrincipal(r.seed.Name, "subnet", g.Type, fmt.Sprint(i, j)).String()
			if err := r.addSubnet(fmt.Sprintf("generated_subnets[%d]", i), id, g.Type, g.Nodes, g.Version, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *resolver) addSubnet(where, id, typ string, nodes int, version string, seen map[string]bool) error {
	if seen[id] {
		return fmt.Errorf("%w: %s: subnet %s listed twice", ErrBadSeed, where, id)
	}
	seen[id] = true
	if !slices.Contains(subnetTypes, typ) {
		return fmt.Errorf("%w: %s.type: %q is not one of %v", ErrBadSeed, where, typ, subnetTypes)
	}
	if nodes < 1 {
		return fmt.Errorf("%w: %s.nodes: must be at least 1", ErrBadSeed, where)
	}
	v, ok := r.guestos[version]
	if !ok {
		return fmt.Errorf("%w: %s.version: %q is not a listed guestos version", ErrBadSeed, where, version)
	}
	sn := Subnet{ID: id, Type: typ, Version: v}
	for k := 0; k < nodes; k++ {
		sn.Nodes = append(sn.Nodes, r.node("subnet", id, k))
	}
	r.topo.Subnets = append(r.topo.Subnets, sn)
	return nil
}

// node derives a node id and records its HostOS version.
func (r *resolver) node(parts ...any) string {
	id := derivedPrincipal(r.seed.Name, "node", fmt.Sprint(parts...)).String()
	r.topo.NodeHostOS[id] = r.topo.HostOSVersions[0].ID
	return id
}

func (r *resolver) nodeGroups() error {
	groups := []struct {
		name    string
		g       NodeGroupSeed
		nodes   *[]string
		version *string
	}{
		{"unassigned_nodes", r.seed.Unassigned, &r.topo.UnassignedNodes, &r.topo.UnassignedVersion},
		{"api_boundary_nodes", r.seed.APIBoundaryNodes, &r.topo.APIBoundaryNodes, &r.topo.APIBoundaryVersion},
	}
	for _, grp := range groups {
		if grp.g.Count == 0 {
			continue
		}
		v, ok := r.guestos[grp.g.Version]
		if !ok {
			return fmt.Errorf("%w: %s.version: %q is not a listed guestos version", ErrBadSeed, grp.name, grp.g.Version)
		}
		*grp.version = v
		for k := 0; k < grp.g.Count; k++ {
			*grp.nodes = append(*grp.nodes, r.node(grp.name, k))
		}
	}
	return nil
}

func (r *resolver) neurons() error {
	ids := map[uint64]bool{}
	for _, n := range r.seed.Neurons {
		if ids[n.ID] {
			return fmt.Errorf("%w: neurons: id %d listed twice", ErrBadSeed, n.ID)
		}
		ids[n.ID] = true
	}
	for i, n := range r.seed.Neurons {
		if err := checkFollowees(ids, n); err != nil {
			return fmt.Errorf("%w: neurons[%d]: %v", ErrBadSeed, i, err)
		}
		r.topo.Neurons = append(r.topo.Neurons, Neuron{
			ID: n.ID, Name: n.Name, Controller: r.controller(n.Controller),
			StakeE8s: n.StakeICP * e8s, DissolveDelaySeconds: n.DissolveDelayDays * 86400,
			Followees: n.Follow,
		})
	}
	if h := r.seed.History; h != nil {
		if h.Proposals < 0 || !ids[h.Proposer] {
			return fmt.Errorf("%w: history: proposer %d is not a listed neuron", ErrBadSeed, h.Proposer)
		}
		r.topo.History = h
	}
	if g := r.seed.Governance; g != nil && g.MaxProposalsToKeepPerTopic != nil {
		switch k := *g.MaxProposalsToKeepPerTopic; {
		case k < 0:
			return fmt.Errorf("%w: governance: max_proposals_to_keep_per_topic must not be negative (0 turns garbage collection off)", ErrBadSeed)
		case k == 0:
			r.topo.KeepProposalsPerTopic = -1
		default:
			r.topo.KeepProposalsPerTopic = k
		}
	}
	if g := r.seed.Registry; g != nil {
		if g.Versions < 0 || g.ChunkAboveBytes < 0 {
			return fmt.Errorf("%w: registry: versions and chunk_above_bytes must not be negative", ErrBadSeed)
		}
		r.topo.Registry = g
	}
	return nil
}

func checkFollowees(ids map[uint64]bool, n NeuronSeed) error {
	if n.StakeICP == 0 {
		return fmt.Errorf("stake_icp: must be positive")
	}
	for topic, fs := range n.Follow {
		for _, f := range fs {
			if !ids[f] {
				return fmt.Errorf("follow[%d]: neuron %d is not listed", topic, f)
			}
		}
	}
	return nil
}

// controller resolves "developer", a principal, or derives one from a label.
func (r *resolver) controller(s string) principal.Principal {
	if s == "developer" || s == "" {
		return r.topo.Developer
	}
	if p, err := principal.Decode(s); err == nil {
		return p
	}
	return derivedPrincipal(r.seed.Name, "controller", s)
}

// DeveloperNeurons returns the ids of the neurons the developer controls.
func (t *Topology) DeveloperNeurons() []uint64 {
	var out []uint64
	for _, n := range t.Neurons {
		if n.Controller.Equal(t.Developer) {
			out = append(out, n.ID)
		}
	}
	return out
}
