// Package rollout is a release's life after its election: the release
// ledger on disk, the staged rollout plan (batches of subnets, the NNS
// subnet alone in the last batch, the unassigned nodes after it), the
// per-subnet state machine, the health gates that hold a rollout back, the
// quiet period and the disclosure of the withheld source.
//
// A release is a directory holding release.yaml, its ledger. The ledger is
// written atomically (temporary file, fsync, rename, directory fsync), the
// previous good copy is kept as release.yaml.bak, and every writer holds an
// exclusive flock on release.lock, so two nnspatch processes working on one
// release take turns. A ledger that does not parse is an error and is never
// overwritten.
//
// States are derived, not stored: Derive turns a subnet's proposals, its
// registry record and a health observation into one of the states of
// DFINITY's rollout dashboard (pending, proposing, waiting for adoption,
// upgrading, baking, complete, failed). The only per-subnet facts the ledger
// keeps are when a subnet was first seen healthy on the new version (the
// start of its bake) and the proposals the release made.
//
// A rollout can be halted on purpose (Tracker.Halt, e.g. by a rollback):
// Advance then refuses with a *HaltedError until Tracker.Resume. The quiet
// period starts when the rollout really completed (CompletedAt), not when a
// status call first noticed it.
//
// Several release managers can follow one release: Tracker.Attach finds the
// election on chain by its payload and records it in a fresh release
// directory, and every status look records the facts of the release's
// proposals in the ledger, so a proposal governance garbage-collected still
// counts. A halt is local to a ledger unless the chain shows it (a subnet
// halted in the registry); Status.HaltSource says which.
//
// Health comes from the health sub-package: a Prometheus server's HTTP API,
// or a /metrics endpoint (localnet's) read directly.
//
// The package never imports cobra, viper or the TUI; the governance calls it
// makes go through the small Governance interface it declares.
package rollout
