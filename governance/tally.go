package governance

import (
	"time"
)

// Voting rule constants of NNS governance (domain.md §4).
const (
	// DefaultVotingPeriod is wait_for_quiet_threshold_seconds on mainnet
	// for normal topics.
	DefaultVotingPeriod = 4 * 24 * time.Hour
	// WaitForQuietIncrease is WAIT_FOR_QUIET_DEADLINE_INCREASE_SECONDS.
	WaitForQuietIncrease = 2 * 24 * time.Hour
	// QuorumPercent is the share of total voting power that must vote yes
	// for a proposal to be adopted at its deadline.
	QuorumPercent = 3
)

// Tally is a proposal's vote count in e8s of voting power.
type Tally struct {
	Yes   uint64 `json:"yes"`
	No    uint64 `json:"no"`
	Total uint64 `json:"total"`
	// At is when governance computed the tally.
	At time.Time `json:"at"`
}

// Percent returns v as a percentage of the total voting power (0 when
// there is none).
func (t Tally) Percent(v uint64) float64 {
	if t.Total == 0 {
		return 0
	}
	return float64(v) * 100 / float64(t.Total)
}

// Undecided is the voting power that has not voted yet.
func (t Tally) Undecided() uint64 {
	if t.Yes+t.No > t.Total {
		return 0
	}
	return t.Total - t.Yes - t.No
}

// AbsoluteMajorityYes reports whether more than half of all voting power
// voted yes, which adopts the proposal at once.
func (t Tally) AbsoluteMajorityYes() bool { return t.Yes > t.Total-t.Yes }

// AbsoluteMajorityNo reports whether half or more of all voting power voted
// no, which rejects the proposal at once.
func (t Tally) AbsoluteMajorityNo() bool { return t.No >= t.Total-t.No }

// DecidedEarly reports whether the tally alone decides the proposal before
// its deadline.
func (t Tally) DecidedEarly() bool { return t.AbsoluteMajorityYes() || t.AbsoluteMajorityNo() }

// QuorumMet reports whether yes votes reach 3% of the total voting power.
func (t Tally) QuorumMet() bool { return t.Yes*100 >= QuorumPercent*t.Total }

// QuorumMissing is how much more yes voting power the 3% quorum needs.
func (t Tally) QuorumMissing() uint64 {
	need := (QuorumPercent*t.Total + 99) / 100
	if t.Yes >= need {
		return 0
	}
	return need - t.Yes
}

// Adopting reports whether the proposal would be adopted if voting ended
// now: an absolute yes majority, or yes > no with the 3% quorum.
func (t Tally) Adopting() bool {
	if t.AbsoluteMajorityYes() {
		return true
	}
	return !t.AbsoluteMajorityNo() && t.Yes > t.No && t.QuorumMet()
}

// CanFlip reports whether the outstanding voting power could still change
// the outcome of an open proposal. An early decision can never flip.
func (t Tally) CanFlip() bool {
	if t.DecidedEarly() {
		return false
	}
	rest := t.Undecided()
	if t.Adopting() {
		return t.No+rest >= t.Yes
	}
	yes := t.Yes + rest
	return yes > t.No && yes*100 >= QuorumPercent*t.Total
}

// Deadlines are the times that bound an open proposal's vote.
type Deadlines struct {
	// Created is proposal_timestamp_seconds.
	Created time.Time `json:"created"`
	// Current is deadline_timestamp_seconds: the wait-for-quiet deadline.
	Current time.Time `json:"current"`
	// Max is the latest the deadline can ever move to: created + voting
	// period + 2 × the wait-for-quiet increase (8 days on mainnet).
	Max time.Time `json:"max"`
	// VotingPeriod is the initial voting period.
	VotingPeriod time.Duration `json:"voting_period"`
}

// NewDeadlines derives the deadline bounds. votingPeriod 0 means the
// mainnet default.
func NewDeadlines(created, current time.Time, votingPeriod time.Duration) Deadlines {
	if votingPeriod == 0 {
		votingPeriod = DefaultVotingPeriod
	}
	return Deadlines{
		Created:      created,
		Current:      current,
		VotingPeriod: votingPeriod,
		Max:          created.Add(votingPeriod + 2*WaitForQuietIncrease),
	}
}

// AfterFlip returns the deadline if the leading side flips at now, following
// governance's evaluate_wait_for_quiet: max(current, now + W + (period −
// elapsed)/2). A flip after the current deadline changes nothing.
func (d Deadlines) AfterFlip(now time.Time) time.Time {
	if !now.Before(d.Current) {
		return d.Current
	}
	elapsed := now.Sub(d.Created)
	ext := WaitForQuietIncrease + (d.VotingPeriod-elapsed)/2
	if ext < 0 {
		ext = 0
	}
	next := now.Add(ext)
	if next.After(d.Current) {
		return next
	}
	return d.Current
}

// Left is the time until the current deadline (0 once it has passed).
func (d Deadlines) Left(now time.Time) time.Duration {
	if left := d.Current.Sub(now); left > 0 {
		return left
	}
	return 0
}
