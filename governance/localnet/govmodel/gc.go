package govmodel

// Garbage collection of settled proposals, as governance's maybe_gc does
// (rs/nns/governance/src/garbage_collection.rs in dfinity/ic): it runs
// when a day has passed since the last run or more than 100 proposals were
// added since, and then, for every topic but SnsAndCommunityFund holding
// at least max_proposals_to_keep_per_topic proposals, removes the oldest
// ones beyond that number that are final (rejected, executed or failed)
// and whose rewards are settled. A removed proposal answers None from
// get_proposal_info and is missing from list_proposals, exactly as on
// mainnet, where a release's election and deploy proposals vanish weeks
// after they executed.

const (
	// defaultKeepPerTopic is NetworkEconomics.max_proposals_to_keep_per_topic.
	defaultKeepPerTopic = 100
	// gcInterval and gcNewProposals are when maybe_gc runs again.
	gcInterval     = 24 * 60 * 60
	gcNewProposals = 100
)

// keepPerTopic is the configured number of proposals kept per topic, or 0
// when garbage collection is off.
func (c Config) keepPerTopic() int {
	switch {
	case c.MaxProposalsToKeepPerTopic < 0:
		return 0
	case c.MaxProposalsToKeepPerTopic == 0:
		return defaultKeepPerTopic
	}
	return c.MaxProposalsToKeepPerTopic
}

// maybeGC runs garbage collection at now when it is due; the lock is held.
func (g *Governance) maybeGC(now uint64) {
	keep := g.cfg.keepPerTopic()
	if keep == 0 || !(now > g.gcAt+gcInterval || g.held > g.gcHeld+gcNewProposals) {
		return
	}
	g.gcAt = now
	for topic, ps := range g.proposalsByTopic() {
		if topic == TopicSnsAndCommunityFund || len(ps) < keep {
			continue
		}
		for _, p := range ps[:len(ps)-keep] {
			if p.purgeable(now) {
				g.proposals[p.id-1] = nil
				g.held--
			}
		}
	}
	g.gcHeld = g.held
}

// proposalsByTopic groups the held proposals by topic, oldest first.
func (g *Governance) proposalsByTopic() map[int32][]*proposal {
	out := make(map[int32][]*proposal)
	for _, p := range g.proposals {
		if p != nil {
			out[p.topic] = append(out[p.topic], p)
		}
	}
	return out
}

// purgeable is ProposalData::can_be_purged: the proposal is decided for
// good (rejected, executed or failed) and its reward status is final.
func (p *proposal) purgeable(now uint64) bool {
	switch p.status() {
	case StatusRejected, StatusExecuted, StatusFailed:
	default:
		return false
	}
	rs := p.rewardStatus(now)
	return rs == RewardStatusSettled || rs == RewardStatusIneligible
}
