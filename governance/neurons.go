package governance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// ErrNeuronNotFound reports that governance has no neuron with the id.
var ErrNeuronNotFound = errors.New("neuron not found")

// neuronPageSize is the page size nnspatch asks list_neurons for.
const neuronPageSize = 100

// NeuronState is a neuron's dissolve state (governance.did NeuronState).
type NeuronState int32

// Neuron states.
const (
	NeuronStateUnspecified NeuronState = 0
	// NeuronNotDissolving is a locked neuron: its dissolve delay stays put.
	NeuronNotDissolving NeuronState = 1
	// NeuronDissolving counts its dissolve delay down.
	NeuronDissolving NeuronState = 2
	// NeuronDissolved can be disbursed.
	NeuronDissolved NeuronState = 3
	// NeuronSpawning is a neuron being spawned from maturity.
	NeuronSpawning NeuronState = 4
)

var neuronStateNames = []string{"unspecified", "not_dissolving", "dissolving", "dissolved", "spawning"}

// String returns the state's name ("not_dissolving", "dissolving", ...).
func (s NeuronState) String() string {
	if s >= 0 && int(s) < len(neuronStateNames) {
		return neuronStateNames[s]
	}
	return fmt.Sprintf("state%d", int32(s))
}

// MarshalText encodes the state by name, so JSON carries names.
func (s NeuronState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText accepts a name written by MarshalText.
func (s *NeuronState) UnmarshalText(b []byte) error {
	if i := slices.Index(neuronStateNames, string(b)); i >= 0 {
		*s = NeuronState(i)
		return nil
	}
	return fmt.Errorf("unknown neuron state %q", b)
}

// TopicFollowees is a neuron's following on one topic. In JSON the topic
// is its name, with the number beside it as topic_id.
type TopicFollowees struct {
	Topic     Topic
	Followees []uint64
}

type topicFolloweesJSON struct {
	Topic     string   `json:"topic"`
	TopicID   int32    `json:"topic_id"`
	Followees []uint64 `json:"followees"`
}

// MarshalJSON writes {"topic": name, "topic_id": n, "followees": [...]}.
func (f TopicFollowees) MarshalJSON() ([]byte, error) {
	return json.Marshal(topicFolloweesJSON{Topic: f.Topic.String(), TopicID: int32(f.Topic), Followees: f.Followees})
}

// UnmarshalJSON reads what MarshalJSON writes (topic_id decides the topic).
func (f *TopicFollowees) UnmarshalJSON(b []byte) error {
	var j topicFolloweesJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	f.Topic, f.Followees = Topic(j.TopicID), j.Followees
	return nil
}

// Neuron is a neuron as the caller may see it. Full is set when governance
// sent the full record (the caller is its controller or one of its hot
// keys, or the neuron is public); the controller, hot keys and followees
// are known only then. Voting power is not ICP: it is
// stake weighted by the dissolve delay and age bonuses.
type Neuron struct {
	ID uint64 `json:"id"`
	// Full reports whether governance sent the full neuron record.
	Full bool `json:"full"`
	// Controller is the controlling principal (Full only).
	Controller string `json:"controller,omitempty"`
	// HotKeys are the hot-key principals (Full only).
	HotKeys []string `json:"hot_keys,omitempty"`
	// KnownName is the name of a known (public) neuron.
	KnownName string `json:"known_name,omitempty"`
	// StakeE8s is the stake net of fees, in e8s of ICP.
	StakeE8s uint64      `json:"stake_e8s"`
	State    NeuronState `json:"state"`
	// DissolveDelaySeconds is the dissolve delay (what is left of it when
	// dissolving).
	DissolveDelaySeconds uint64 `json:"dissolve_delay_seconds"`
	// WhenDissolved is when a dissolving neuron is dissolved (Full only).
	WhenDissolved time.Time `json:"when_dissolved,omitzero"`
	// AgeSeconds is the neuron's age (0 while dissolving).
	AgeSeconds uint64    `json:"age_seconds"`
	Created    time.Time `json:"created"`
	// DecidingVotingPower is what the neuron's ballots weigh now.
	DecidingVotingPower uint64 `json:"deciding_voting_power"`
	// PotentialVotingPower is its voting power with a current refresh.
	PotentialVotingPower uint64 `json:"potential_voting_power"`
	// VotingPowerRefreshed is when the neuron last voted directly, set its
	// following or confirmed it (zero when governance did not say).
	VotingPowerRefreshed time.Time `json:"voting_power_refreshed,omitzero"`
	// Followees per topic, ascending by topic (Full only).
	Followees []TopicFollowees `json:"followees,omitempty"`
	// RetrievedAt is governance's time of the answer.
	RetrievedAt time.Time `json:"retrieved_at"`
}

// DissolveDelay returns the dissolve delay as a duration.
func (n Neuron) DissolveDelay() time.Duration {
	return time.Duration(n.DissolveDelaySeconds) * time.Second
}

// Age returns the neuron's age as a duration.
func (n Neuron) Age() time.Duration { return time.Duration(n.AgeSeconds) * time.Second }

// NeuronFromInfo builds a Neuron from the public NeuronInfo and, when the
// caller may see it, the full record (nil otherwise).
func NeuronFromInfo(id uint64, info govdid.NeuronInfo, full *govdid.Neuron) Neuron {
	n := Neuron{
		ID:                   id,
		StakeE8s:             info.StakeE8s,
		State:                NeuronState(info.State),
		DissolveDelaySeconds: info.DissolveDelaySeconds,
		AgeSeconds:           info.AgeSeconds,
		Created:              secs(info.CreatedTimestampSeconds),
		DecidingVotingPower:  info.VotingPower,
		PotentialVotingPower: info.VotingPower,
		RetrievedAt:          secs(info.RetrievedAtTimestampSeconds),
	}
	if info.KnownNeuronData != nil {
		n.KnownName = info.KnownNeuronData.Name
	}
	if info.DecidingVotingPower != nil {
		n.DecidingVotingPower = *info.DecidingVotingPower
	}
	if info.PotentialVotingPower != nil {
		n.PotentialVotingPower = *info.PotentialVotingPower
	}
	if info.VotingPowerRefreshedTimestampSeconds != nil {
		n.VotingPowerRefreshed = secs(*info.VotingPowerRefreshedTimestampSeconds)
	}
	if full != nil {
		n.applyFull(full)
	}
	return n
}

// applyFull adds what only the full record tells.
func (n *Neuron) applyFull(f *govdid.Neuron) {
	n.Full = true
	if f.Controller != nil {
		n.Controller = f.Controller.Encode()
	}
	for _, hk := range f.HotKeys {
		n.HotKeys = append(n.HotKeys, hk.Encode())
	}
	if ds := f.DissolveState; ds != nil && ds.WhenDissolvedTimestampSeconds != nil {
		n.WhenDissolved = secs(*ds.WhenDissolvedTimestampSeconds)
	}
	for _, e := range f.Followees {
		tf := TopicFollowees{Topic: Topic(e.Field0), Followees: []uint64{}}
		for _, id := range e.Field1.Followees {
			tf.Followees = append(tf.Followees, id.Id)
		}
		n.Followees = append(n.Followees, tf)
	}
	slices.SortFunc(n.Followees, func(a, b TopicFollowees) int { return int(a.Topic) - int(b.Topic) })
}

// Controls reports whether principal p (text form) controls n or holds one
// of its hot keys.
func (n Neuron) Controls(p string) bool {
	return n.Controller == p || slices.Contains(n.HotKeys, p)
}

// ListNeurons lists the neurons the caller controls or holds a hot key of,
// ascending by id, paging through list_neurons.
func (c *Client) ListNeurons(ctx context.Context) ([]Neuron, error) {
	var out []Neuron
	size := uint64(neuronPageSize)
	for page := uint64(0); ; page++ {
		pg := page
		req := govdid.ListNeurons{NeuronIds: []uint64{}, IncludeNeuronsReadableByCaller: true, PageNumber: &pg, PageSize: &size}
		resp, err := c.listNeurons(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("list neurons: %w", err)
		}
		out = append(out, neuronsOf(resp)...)
		if resp.TotalPagesAvailable == nil || page+1 >= *resp.TotalPagesAvailable || len(resp.NeuronInfos) == 0 {
			break
		}
	}
	slices.SortFunc(out, func(a, b Neuron) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	return out, nil
}

// GetNeuron reads one neuron: the full record when the caller controls it,
// holds a hot key of it or the neuron is public, the public information
// otherwise.
func (c *Client) GetNeuron(ctx context.Context, id uint64) (Neuron, error) {
	public := true
	resp, err := c.listNeurons(ctx, govdid.ListNeurons{NeuronIds: []uint64{id}, IncludePublicNeuronsInFullNeurons: &public})
	if err != nil {
		return Neuron{}, fmt.Errorf("read neuron %d: %w", id, err)
	}
	for _, n := range neuronsOf(resp) {
		if n.ID == id {
			return n, nil
		}
	}
	return Neuron{}, fmt.Errorf("read neuron %d: %w", id, ErrNeuronNotFound)
}

func (c *Client) listNeurons(ctx context.Context, req govdid.ListNeurons) (govdid.ListNeuronsResponse, error) {
	var resp govdid.ListNeuronsResponse
	err := c.queryCandid(ctx, GovernanceCanister, "list_neurons", []any{req}, []any{&resp})
	return resp, err
}

// neuronsOf joins a list_neurons reply's infos with its full records.
func neuronsOf(resp govdid.ListNeuronsResponse) []Neuron {
	full := map[uint64]*govdid.Neuron{}
	for i := range resp.FullNeurons {
		if id := resp.FullNeurons[i].Id; id != nil {
			full[id.Id] = &resp.FullNeurons[i]
		}
	}
	out := make([]Neuron, 0, len(resp.NeuronInfos))
	for _, e := range resp.NeuronInfos {
		out = append(out, NeuronFromInfo(e.Field0, e.Field1, full[e.Field0]))
	}
	return out
}

// VotingPowerEconomics are the parameters of periodic confirmation: a
// neuron's deciding voting power starts to fall StartReducingAfter its
// last refresh and reaches zero ClearFollowingAfter that, when its
// following is cleared.
type VotingPowerEconomics struct {
	StartReducingAfter     time.Duration
	ClearFollowingAfter    time.Duration
	MinDissolveDelayToVote time.Duration
}

// oneMonth is governance's ONE_MONTH_SECONDS: a twelfth of 365.25 days.
const oneMonth = 2_629_800 * time.Second

// DefaultVotingPowerEconomics are governance's defaults
// (rs/nns/governance/src/network_economics.rs: 6 months, 1 month, 6 months).
var DefaultVotingPowerEconomics = VotingPowerEconomics{
	StartReducingAfter:     6 * oneMonth,
	ClearFollowingAfter:    oneMonth,
	MinDissolveDelayToVote: 6 * oneMonth,
}

// VotingPowerEconomics reads the periodic-confirmation parameters from the
// network economics; a field governance leaves unset takes its default.
func (c *Client) VotingPowerEconomics(ctx context.Context) (VotingPowerEconomics, error) {
	var ne govdid.NetworkEconomics
	if err := c.queryCandid(ctx, GovernanceCanister, "get_network_economics_parameters", []any{}, []any{&ne}); err != nil {
		return VotingPowerEconomics{}, fmt.Errorf("read network economics: %w", err)
	}
	e := DefaultVotingPowerEconomics
	if v := ne.VotingPowerEconomics; v != nil {
		set := func(d *time.Duration, s *uint64) {
			if s != nil {
				*d = time.Duration(*s) * time.Second
			}
		}
		set(&e.StartReducingAfter, v.StartReducingVotingPowerAfterSeconds)
		set(&e.ClearFollowingAfter, v.ClearFollowingAfterSeconds)
		set(&e.MinDissolveDelayToVote, v.NeuronMinimumDissolveDelayToVoteSeconds)
	}
	return e, nil
}

// RefreshState says where a neuron stands in periodic confirmation.
type RefreshState int

// Refresh states.
const (
	// RefreshCurrent: full voting power; decay has not started.
	RefreshCurrent RefreshState = iota
	// RefreshDecaying: voting power is falling towards zero.
	RefreshDecaying
	// RefreshLapsed: voting power is zero and following was cleared.
	RefreshLapsed
	// RefreshUnknown: governance did not report the refresh time.
	RefreshUnknown
)

var refreshStateNames = []string{"current", "decaying", "lapsed", "unknown"}

// String returns "current", "decaying", "lapsed" or "unknown".
func (s RefreshState) String() string {
	if s >= 0 && int(s) < len(refreshStateNames) {
		return refreshStateNames[s]
	}
	return "unknown"
}

// MarshalText encodes the state by name.
func (s RefreshState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText accepts a name written by MarshalText.
func (s *RefreshState) UnmarshalText(b []byte) error {
	if i := slices.Index(refreshStateNames, string(b)); i >= 0 {
		*s = RefreshState(i)
		return nil
	}
	return fmt.Errorf("unknown refresh state %q", b)
}

// Refresh is a neuron's periodic-confirmation timeline.
type Refresh struct {
	State RefreshState `json:"state"`
	// Refreshed is when voting power was last refreshed.
	Refreshed time.Time `json:"refreshed,omitzero"`
	// DecayStarts is when deciding voting power starts to fall.
	DecayStarts time.Time `json:"decay_starts,omitzero"`
	// ReachesZero is when it reaches zero and following is cleared.
	ReachesZero time.Time `json:"reaches_zero,omitzero"`
}

// RefreshOf places n on the periodic-confirmation timeline at now.
func (e VotingPowerEconomics) RefreshOf(n Neuron, now time.Time) Refresh {
	if n.VotingPowerRefreshed.IsZero() {
		return Refresh{State: RefreshUnknown}
	}
	r := Refresh{Refreshed: n.VotingPowerRefreshed, DecayStarts: n.VotingPowerRefreshed.Add(e.StartReducingAfter)}
	r.ReachesZero = r.DecayStarts.Add(e.ClearFollowingAfter)
	switch {
	case now.Before(r.DecayStarts) || now.Equal(r.DecayStarts):
		r.State = RefreshCurrent
	case now.Before(r.ReachesZero):
		r.State = RefreshDecaying
	default:
		r.State = RefreshLapsed
	}
	return r
}

// FollowCommand is the manage_neuron request that sets neuron's followees
// on one topic (an empty list clears them).
func FollowCommand(neuron uint64, topic Topic, followees []uint64) govdid.ManageNeuronRequest {
	return ManageNeuronRequest(neuron, govdid.ManageNeuronCommandRequest{
		Follow: &govdid.Follow{Topic: int32(topic), Followees: neuronIDList(followees)},
	})
}

// SetFollowingCommand is the manage_neuron request that sets the same
// followees on several topics at once: governance checks every topic
// before changing any.
func SetFollowingCommand(neuron uint64, topics []Topic, followees []uint64) govdid.ManageNeuronRequest {
	entries := make([]govdid.FolloweesForTopic, 0, len(topics))
	for _, t := range topics {
		topic, ids := int32(t), neuronIDList(followees)
		entries = append(entries, govdid.FolloweesForTopic{Topic: &topic, Followees: &ids})
	}
	return ManageNeuronRequest(neuron, govdid.ManageNeuronCommandRequest{
		SetFollowing: &govdid.SetFollowing{TopicFollowing: &entries},
	})
}

// RefreshVotingPowerCommand is the manage_neuron request that confirms a
// neuron's following and so restores its full voting power.
func RefreshVotingPowerCommand(neuron uint64) govdid.ManageNeuronRequest {
	return ManageNeuronRequest(neuron, govdid.ManageNeuronCommandRequest{RefreshVotingPower: &govdid.RefreshVotingPower{}})
}

func neuronIDList(ids []uint64) []govdid.NeuronId {
	out := make([]govdid.NeuronId, 0, len(ids))
	for _, id := range ids {
		out = append(out, govdid.NeuronId{Id: id})
	}
	return out
}

// Follow sets neuron's followees on topics: Follow for one topic,
// SetFollowing (all or nothing) for several.
func (c *Client) Follow(ctx context.Context, neuron uint64, topics []Topic, followees []uint64) error {
	req := SetFollowingCommand(neuron, topics, followees)
	if len(topics) == 1 {
		req = FollowCommand(neuron, topics[0], followees)
	}
	if _, err := c.ManageNeuron(ctx, req); err != nil {
		return fmt.Errorf("set following of neuron %d: %w", neuron, err)
	}
	return nil
}

// RefreshVotingPower confirms neuron's following, restoring its full
// voting power for another period.
func (c *Client) RefreshVotingPower(ctx context.Context, neuron uint64) error {
	if _, err := c.ManageNeuron(ctx, RefreshVotingPowerCommand(neuron)); err != nil {
		return fmt.Errorf("refresh voting power of neuron %d: %w", neuron, err)
	}
	return nil
}
