package tuitest

import (
	"fmt"
	"time"

	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/proposals"
)

// Total is the fixtures' total voting power (e8s).
const Total = 40_000_000_000_000_000

// EvilTitle is a title full of terminal escape sequences: colour, a window
// title change (OSC), clear screen and a bidi override.
const EvilTitle = "\x1b[31mRed\x1b[0m \x1b]0;pwned\x07title\x1b[2J\u202e!"

// ElectVersion is the version the fixture election elects.
const ElectVersion = "2c4fdf9d2d53dffed97a40992b867120e89c9346"

// ElectSHA is its release package checksum (SHA-256 of "hello\n").
const ElectSHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"

// Proposals returns the fixture proposals, newest first.
func Proposals() []governance.Proposal {
	v, sum := ElectVersion, ElectSHA
	payload, err := proposals.EncodePayload(proposals.ReviseElectedGuestosVersions{
		ReleasePackageURLs:       []string{"https://download.dfinity.systems/ic/" + v + "/guest-os/update-img/update-img.tar.zst"},
		ReplicaVersionsToUnelect: []string{},
		ReplicaVersionToElect:    &v,
		ReleasePackageSHA256Hex:  &sum,
	})
	if err != nil {
		panic(err)
	}
	day := 24 * time.Hour
	mk := func(id uint64, title string, topic governance.Topic, st governance.Status, yes, no uint64, created time.Time) governance.Proposal {
		return governance.Proposal{ID: id, Title: title, Topic: topic, Status: st, Proposer: 80,
			Summary:   fmt.Sprintf("Summary of proposal %d.", id),
			Tally:     governance.Tally{Yes: yes, No: no, Total: Total, At: Now},
			Deadlines: governance.NewDeadlines(created, created.Add(4*day), 0)}
	}
	elect := mk(1041, governance.SecurityPatchTitle, governance.TopicIcOsVersionElection, governance.StatusOpen, Total/50, Total/200, Now.Add(-day))
	elect.Action = governance.Action{Kind: "ExecuteNnsFunction", NNSFunction: 38, Payload: payload}
	elect.Ballots = []governance.Ballot{{Neuron: 80}, {Neuron: 81, Vote: governance.VoteYes}}
	elect.Summary = "Elect a security patch.\nThe source is withheld until the patch is rolled out."
	evil := mk(1040, EvilTitle, 4, governance.StatusOpen, Total/10, Total/5, Now.Add(-2*day))
	evil.Action = governance.Action{Kind: "Motion", MotionText: "\x1b]8;;https://evil\x07click\x1b]8;;\x07"}
	evil.Summary = "\x1b[2J\x1b[Hcleared your screen"
	evil.Ballots = []governance.Ballot{{Neuron: 80, Vote: governance.VoteNo}}
	deploy := mk(1039, "Deploy GuestOS 2c4fdf9 to subnet tdb26", governance.TopicIcOsVersionDeployment, governance.StatusExecuted, Total*6/10, 0, Now.Add(-3*day))
	deploy.Decided = Now.Add(-3*day + time.Hour)
	rejected := mk(1038, "Motion to rename everything", 4, governance.StatusRejected, Total/100, Total*55/100, Now.Add(-6*day))
	rejected.Decided = Now.Add(-5 * day)
	return []governance.Proposal{elect, evil, deploy, rejected}
}
