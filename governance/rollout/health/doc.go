// Package health reads the signals a rollout's health gates need, per
// subnet: which GuestOS versions its replicas run (ic_replica_info), whether
// it keeps finalizing (the finalized height grows) and which alerts are
// pending or firing (ALERTS). Two sources provide them: a Prometheus server
// through its HTTP API (/api/v1/query) with configurable queries, and a
// Prometheus text endpoint such as localnet's /metrics, scraped directly and
// parsed with prometheus/common/expfmt.
//
// Evaluate turns one subnet's signals into named checks, so a failed gate
// can say which subnet and which check stopped the rollout.
package health
