// Package tui is nnspatch's terminal app (bubbletea v1): a Proposals page
// with live tallies, a proposal Detail page with verify and vote, a Draft
// form for security-patch elections, and a Releases page that follows staged
// rollouts and advances them. It calls the same governance, proposals and
// rollout libraries as the CLI; all I/O runs inside tea commands.
//
// Layout: common (shared Common value, Component interface, messages),
// keymap and styles (built once each), components (tally bar, hasher) and
// pages (one package per tab). App is the root model.
package tui
