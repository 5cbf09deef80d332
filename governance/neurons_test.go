package governance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// TestRefreshTimeline checks the periodic-confirmation boundaries: current
// up to and including 6 months after the refresh, decaying until one month
// later, lapsed from then on.
func TestRefreshTimeline(t *testing.T) {
	refreshed := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := Neuron{VotingPowerRefreshed: refreshed}
	e := DefaultVotingPowerEconomics
	start := refreshed.Add(6 * 2_629_800 * time.Second)
	zero := start.Add(2_629_800 * time.Second)
	cases := []struct {
		at   time.Time
		want RefreshState
	}{
		{refreshed, RefreshCurrent}, {start, RefreshCurrent}, {start.Add(time.Second), RefreshDecaying},
		{zero.Add(-time.Second), RefreshDecaying}, {zero, RefreshLapsed},
	}
	for _, c := range cases {
		r := e.RefreshOf(n, c.at)
		if r.State != c.want || !r.DecayStarts.Equal(start) || !r.ReachesZero.Equal(zero) {
			t.Errorf("at %s: %+v, want %s (decay %s, zero %s)", c.at, r, c.want, start, zero)
		}
	}
	if r := e.RefreshOf(Neuron{}, refreshed); r.State != RefreshUnknown {
		t.Errorf("without a refresh time: %+v", r)
	}
}

// TestNeuronJSONNames checks that enums are names in JSON and read back.
func TestNeuronJSONNames(t *testing.T) {
	refreshed := uint64(1_790_000_000)
	info := govdid.NeuronInfo{State: 2, StakeE8s: 5, VotingPowerRefreshedTimestampSeconds: &refreshed}
	n := NeuronFromInfo(7, info, &govdid.Neuron{Followees: []struct {
		Field0 int32            `ic:"0,tuple" json:"0"`
		Field1 govdid.Followees `ic:"1,tuple" json:"1"`
	}{{Field0: 13, Field1: govdid.Followees{Followees: []govdid.NeuronId{{Id: 80}}}}, {Field0: 12, Field1: govdid.Followees{}}}})
	doc := struct {
		Neuron
		Refresh Refresh `json:"refresh"`
	}{n, DefaultVotingPowerEconomics.RefreshOf(n, time.Unix(int64(refreshed), 0))}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"state":"dissolving"`, `"state":"current"`, `"topic":"IcOsVersionElection","topic_id":13,"followees":[80]`,
		`"topic":"IcOsVersionDeployment","topic_id":12,"followees":[]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	var back struct {
		Neuron
		Refresh Refresh `json:"refresh"`
	}
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.State != NeuronDissolving || back.Refresh.State != RefreshCurrent || len(back.Followees) != 2 || back.Followees[0].Topic != 12 {
		t.Errorf("round trip: %+v", back)
	}
}
