package governance

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// Proposal is a proposal as nnspatch shows it. Text fields are verbatim
// from the chain: sanitize them before printing to a terminal.
type Proposal struct {
	ID            uint64       `json:"id"`
	Title         string       `json:"title"`
	Summary       string       `json:"summary"`
	URL           string       `json:"url"`
	Proposer      uint64       `json:"proposer"`
	Topic         Topic        `json:"topic"`
	Status        Status       `json:"status"`
	RewardStatus  RewardStatus `json:"reward_status"`
	Tally         Tally        `json:"tally"`
	Deadlines     Deadlines    `json:"deadlines"`
	RejectCostE8s uint64       `json:"reject_cost_e8s"`
	Decided       time.Time    `json:"decided,omitzero"`
	Executed      time.Time    `json:"executed,omitzero"`
	Failed        time.Time    `json:"failed,omitzero"`
	FailureReason string       `json:"failure_reason,omitempty"`
	Action        Action       `json:"action"`
	Ballots       []Ballot     `json:"ballots,omitempty"`
	// Info is the reply as governance sent it.
	Info *govdid.ProposalInfo `json:"-"`
}

// Action is the proposal's action in a form every action fits.
type Action struct {
	// Kind is the Candid variant name ("ExecuteNnsFunction", "Motion", ...).
	// An arm newer than the pinned governance interface is named when
	// nnspatch knows it ("UpdateStandardEngineReplicaVersion") and is
	// otherwise "unknown (#<name hash>)": Candid sends only the hash.
	Kind string `json:"kind"`
	// NNSFunction is the function id of an ExecuteNnsFunction action.
	NNSFunction int32 `json:"nns_function,omitempty"`
	// Payload is the ExecuteNnsFunction payload (Candid bytes); empty when
	// a listing omitted it (payloads over 1 KB).
	Payload []byte `json:"payload,omitempty"`
	// MotionText is the text of a Motion.
	MotionText string `json:"motion_text,omitempty"`
	// Install is the canister-upgrade view of an InstallCode action.
	Install *InstallView `json:"install,omitempty"`
}

// InstallView is what an InstallCode proposal changes (governance stores
// the hashes of the wasm module and argument, not the bytes).
type InstallView struct {
	CanisterID     string `json:"canister_id"`
	Mode           string `json:"mode"`
	WasmModuleHash string `json:"wasm_module_hash"`
	ArgHash        string `json:"arg_hash"`
	SkipStopping   bool   `json:"skip_stopping_before_installing"`
}

func installView(ic *govdid.InstallCode) *InstallView {
	v := &InstallView{Mode: "unspecified"}
	if ic.CanisterId != nil {
		v.CanisterID = ic.CanisterId.Encode()
	}
	if ic.InstallMode != nil {
		if m := []string{"unspecified", "install", "reinstall", "upgrade"}; *ic.InstallMode >= 0 && int(*ic.InstallMode) < len(m) {
			v.Mode = m[*ic.InstallMode]
		}
	}
	if ic.WasmModuleHash != nil {
		v.WasmModuleHash = hex.EncodeToString(*ic.WasmModuleHash)
	}
	if ic.ArgHash != nil {
		v.ArgHash = hex.EncodeToString(*ic.ArgHash)
	}
	v.SkipStopping = ic.SkipStoppingBeforeInstalling != nil && *ic.SkipStoppingBeforeInstalling
	return v
}

// PayloadSHA256 returns the hex SHA-256 of the payload ("" without one).
func (a Action) PayloadSHA256() string {
	if len(a.Payload) == 0 {
		return ""
	}
	sum := sha256.Sum256(a.Payload)
	return hex.EncodeToString(sum[:])
}

// Ballot is one of the caller's neurons' ballots (governance returns only
// the caller's neurons).
type Ballot struct {
	Neuron      uint64 `json:"neuron"`
	Vote        Vote   `json:"vote"`
	VotingPower uint64 `json:"voting_power"`
}

// FromInfo converts a governance ProposalInfo. votingPeriod is the initial
// voting period used for the maximum deadline (0: mainnet default).
func FromInfo(pi *govdid.ProposalInfo, votingPeriod time.Duration) Proposal {
	p := Proposal{
		Topic:         Topic(pi.Topic),
		Status:        Status(pi.Status),
		RewardStatus:  RewardStatus(pi.RewardStatus),
		RejectCostE8s: pi.RejectCostE8s,
		Decided:       secs(pi.DecidedTimestampSeconds),
		Executed:      secs(pi.ExecutedTimestampSeconds),
		Failed:        secs(pi.FailedTimestampSeconds),
		Info:          pi,
	}
	if pi.Id != nil {
		p.ID = pi.Id.Id
	}
	if pi.Proposer != nil {
		p.Proposer = pi.Proposer.Id
	}
	if pi.FailureReason != nil {
		p.FailureReason = pi.FailureReason.ErrorMessage
	}
	if t := pi.LatestTally; t != nil {
		p.Tally = Tally{Yes: t.Yes, No: t.No, Total: t.Total, At: secs(t.TimestampSeconds)}
	}
	created := secs(pi.ProposalTimestampSeconds)
	current := created.Add(DefaultVotingPeriod)
	if pi.DeadlineTimestampSeconds != nil {
		current = secs(*pi.DeadlineTimestampSeconds)
	}
	p.Deadlines = NewDeadlines(created, current, votingPeriod)
	for _, b := range pi.Ballots {
		p.Ballots = append(p.Ballots, Ballot{Neuron: b.Field0, Vote: Vote(b.Field1.Vote), VotingPower: b.Field1.VotingPower})
	}
	if pp := pi.Proposal; pp != nil {
		p.URL, p.Summary = pp.Url, pp.Summary
		if pp.Title != nil {
			p.Title = *pp.Title
		}
		p.Action = actionOf(pp.Action)
	}
	return p
}

func secs(s uint64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0).UTC()
}

func actionOf(a *govdid.Action) Action {
	switch {
	case a == nil:
		return Action{Kind: "None"}
	case a.ExecuteNnsFunction != nil:
		return Action{Kind: "ExecuteNnsFunction", NNSFunction: a.ExecuteNnsFunction.NnsFunction, Payload: a.ExecuteNnsFunction.Payload}
	case a.Motion != nil:
		return Action{Kind: "Motion", MotionText: a.Motion.MotionText}
	case a.InstallCode != nil:
		return Action{Kind: "InstallCode", Install: installView(a.InstallCode)}
	}
	if k := unknownActionKind(a); k != "" {
		return Action{Kind: k}
	}
	if k := variantName(a); k != "Unknown" {
		return Action{Kind: k}
	}
	return Action{Kind: "unknown"}
}
