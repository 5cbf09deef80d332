// Package rollback plans and executes the rollback of a GuestOS release
// that went wrong during its staged rollout.
//
// A rollback is the same proposal as an upgrade: DeployGuestosToAllSubnetNodes
// (and DeployGuestosToAllUnassignedNodes) with an older version; the registry
// only checks that the version is elected (domain.md §7). Build turns the
// registry, its history (get_changes_since) and the failing subnets into a
// Plan: ordered Steps, each a proposal draft with the precondition that must
// hold before it is submitted and the state expected after it. When a
// subnet's last good version was unelected since, the plan starts with its
// re-election, whose SHA-256, URLs and launch measurements are recovered
// from the deleted replica_version_<id> record's last value.
//
// A Plan is data: RenderText, RenderMarkdown and RenderJSON print it, and an
// Executor submits it step by step, recording its progress in a state file
// before and after every submission so a crashed run resumes without
// submitting twice.
//
// Package drill scripts whole rollback drills against a local network.
package rollback
