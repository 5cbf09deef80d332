package localnet

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultSeedTopology(t *testing.T) {
	topo, err := DefaultSeed().Topology()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(topo.Subnets); n < 30 || n > 40 {
		t.Errorf("subnets = %d, want 30-40", n)
	}
	want := map[string]int{
		"tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe": 40,
		"uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe": 28,
		"pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae": 34,
	}
	seen := map[string]bool{}
	for _, s := range topo.Subnets {
		if seen[s.ID] {
			t.Errorf("duplicate subnet %s", s.ID)
		}
		seen[s.ID] = true
		if n, ok := want[s.ID]; ok && len(s.Nodes) != n {
			t.Errorf("subnet %s has %d nodes, want %d", s.ID, len(s.Nodes), n)
		}
		if s.Type == "application" && s.ID != "pzp6e-ekpqk-3c5x7-2h6so-njoeq-mt45d-h3h6c-q3mxf-vpeq5-fk5o7-yae" && len(s.Nodes) != 13 {
			t.Errorf("app subnet %s has %d nodes", s.ID, len(s.Nodes))
		}
		for _, node := range s.Nodes {
			if seen[node] {
				t.Errorf("node %s reused", node)
			}
			seen[node] = true
		}
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("missing subnet %s", id)
		}
	}
	if len(topo.Neurons) < 18 || len(topo.UnassignedNodes) == 0 || len(topo.APIBoundaryNodes) == 0 {
		t.Errorf("neurons=%d unassigned=%d api=%d", len(topo.Neurons), len(topo.UnassignedNodes), len(topo.APIBoundaryNodes))
	}
	v := topo.GuestOSVersions[0]
	if !commitRE.MatchString(v.ID) || len(v.SHA256) != 64 ||
		v.URLs[0] != "https://download.dfinity.systems/ic/"+v.ID+"/guest-os/update-img/update-img.tar.zst" {
		t.Errorf("version = %+v", v)
	}
	dev := 0
	for _, n := range topo.Neurons {
		if n.Controller.Equal(topo.Developer) {
			dev++
		}
	}
	if dev < 1 {
		t.Error("no neuron controlled by the developer")
	}
}

func TestParseSeedErrors(t *testing.T) {
	base := "name: x\nnns_subnet: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe\n" +
		"guestos_versions: [{version: a}]\nhostos_versions: [{version: h}]\n"
	nns := "subnets: [{id: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe, type: system, nodes: 4, version: a}]\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", base + nns + "bogus: 1\n", "field bogus not found"},
		{"nns not listed", base, "nns_subnet"},
		{"bad version ref", base + "subnets: [{id: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe, type: system, nodes: 4, version: b}]\n", `"b" is not a listed guestos version`},
		{"bad type", base + "subnets: [{id: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe, type: nope, nodes: 4, version: a}]\n", "type"},
		{"bad followee", base + nns + "neurons: [{id: 1, stake_icp: 1, follow: {12: [2]}}]\n", "neuron 2 is not listed"},
		{"duplicate neuron", base + nns + "neurons: [{id: 1, stake_icp: 1}, {id: 1, stake_icp: 1}]\n", "listed twice"},
		{"negative registry versions", base + nns + "registry: {versions: -1}\n", "registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSeed([]byte(tt.yaml))
			if !errors.Is(err, ErrBadSeed) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want ErrBadSeed containing %q", err, tt.want)
			}
		})
	}
	if _, err := ParseSeed([]byte(base + nns)); err != nil {
		t.Fatalf("minimal seed: %v", err)
	}
}

func TestStartRefusesSeedGovernanceRejects(t *testing.T) {
	s := DefaultSeed()
	s.History = &HistorySeed{Proposals: 3, Proposer: 6605312203512624306} // dissolve delay too short to propose
	_, err := Start(t.Context(), Config{StateDir: t.TempDir(), Listen: "127.0.0.1:0", Seed: s})
	if !errors.Is(err, ErrBadSeed) {
		t.Fatalf("err = %v, want ErrBadSeed", err)
	}
}

func TestStartFromSeedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.yaml")
	yaml := "name: tiny\nnns_subnet: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe\n" +
		"guestos_versions: [{version: v1}]\nhostos_versions: [{version: h1}]\n" +
		"subnets: [{id: tdb26-jop6k-aogll-7ltgs-eruif-6kk7m-qpktf-gdiqx-mxtrf-vb5e6-eqe, type: system, nodes: 7, version: v1}]\n" +
		"generated_subnets: [{count: 2, type: application, nodes: 13, version: v1}]\n" +
		"neurons: [{id: 5, controller: developer, stake_icp: 100, dissolve_delay_days: 365}]\n" +
		"registry: {versions: 120, chunk_above_bytes: 100}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := Start(t.Context(), Config{StateDir: t.TempDir(), Listen: "127.0.0.1:0", SeedFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	subnets := n.Subnets()
	if len(subnets) != 3 || len(subnets[0].Nodes) != 7 || len(subnets[2].Nodes) != 13 {
		t.Fatalf("subnets = %d", len(subnets))
	}
	if got := n.Topology().DeveloperNeurons(); len(got) != 1 || got[0] != 5 {
		t.Errorf("developer neurons = %v", got)
	}
	if regSubnets := n.Registry().Subnets(); len(regSubnets) != 3 {
		t.Errorf("registry has %d subnets", len(regSubnets))
	}
	if v := n.Registry().Version(); v != 120 {
		t.Errorf("registry starts at version %d; the seed says 120", v)
	}
}
