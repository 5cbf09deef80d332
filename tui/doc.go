// Package tui is nnspatch's terminal app (bubbletea v1): a Proposals page
// with live tallies, a proposal Detail page with verify and vote, a Draft
// form for security-patch elections, a Releases page that follows staged
// rollouts of every release kind (GuestOS, HostOS, NNS canisters) and
// plans, advances, halts, resumes them and records the disclosure, and a
// Rollback page that plans a release's rollback, submits it and follows it
// until its targets recover. It calls the same governance, proposals,
// rollout and rollback functions as the CLI for every release fact
// (rollout.Tracker's Look, AdvanceRelease, PlanRelease, Halt, Resume,
// Disclose; View.Glance and PreviewAdvance; rollback.PlanRelease and
// ReleaseExecutor, whose Status carries the targets' health); all I/O runs
// inside tea commands. One release selection (common.Selection) is shared
// by the Releases and Rollback pages. Countdowns follow the network's clock
// (a local network's virtual clock), read on every refresh tick.
//
// The root tags the status-line messages of every page's commands with the
// page (scope.go): each page has its own message, which expires, and its own
// data age and stale mark (common.FreshMsg, common.StaleMsg). Key bursts
// (several runes in one KeyMsg) are split into single keys before dispatch;
// while a page has a focused text field, global keys do not act.
//
// Every width goes through common.Width, Truncate, Pad and Wrap (width.go
// says why emoji are measured as the widest terminal draws them), and the
// root cuts every row of the frame once more before it is drawn.
//
// Layout: common (shared Common value, Component interface, messages,
// network clock, the width functions, the URL opener), keymap and styles
// (built once each), components (tally bar, hasher) and pages (one package
// per tab). App is the root model.
package tui
