// Package timeline derives, from the registry's changelog, what every GuestOS
// target ran and when: each subnet, the unassigned nodes and each API
// boundary node, with the sequence of versions it switched to, and for every
// GuestOS version when it was elected and unelected.
//
// It is the one place where rollout outcomes ("superseded" versus "rolled
// back"), rollback targets ("last good version") and the quiet period
// ("100% patched since T") are computed; the CLI, the TUI and the rollout and
// rollback libraries call it instead of comparing registry snapshots
// themselves.
//
// Version order: one GuestOS version is newer than another when it was
// elected later, that is when the registry version that first added it to
// blessed_replica_versions is higher. Version ids are commit hashes; their
// string order means nothing. A version the log never saw elected has no
// place in the order and compares as unknown.
package timeline
