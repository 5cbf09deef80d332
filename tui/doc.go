// Package tui is nnspatch's terminal app (bubbletea v1): a Proposals page
// with live tallies, a proposal Detail page with verify and vote, a Draft
// form for security-patch elections, a Releases page that follows staged
// rollouts and advances them, and a Rollback page that plans a release's
// rollback, submits it and follows it to completion. It calls the same
// governance, proposals, rollout and rollback libraries as the CLI; all I/O
// runs inside tea commands. Countdowns follow the network's clock (a local
// network's virtual clock), read on every refresh tick.
//
// Layout: common (shared Common value, Component interface, messages,
// network clock), keymap and styles (built once each), components (tally
// bar, hasher) and pages (one package per tab). App is the root model.
package tui
