package config

import (
	"strconv"
	"strings"

	"github.com/nnspatch/nnspatch/proposals"
)

// DefaultFile returns the commented config file `nnspatch config init`
// writes. Its values equal DefaultConfig (a test keeps them in step), except
// releases_dir, which is written with a literal ~.
func DefaultFile() string {
	return `# nnspatch configuration.
# Precedence, highest first: command-line flag, environment variable
# (NNSPATCH_<KEY>, e.g. NNSPATCH_NETWORK=ic), this file, built-in default.

# Network used when --network is not given: a name under networks, or a URL.
# Left unset, nnspatch follows dfx: DFX_NETWORK, else local.
# network: local

# Named networks, like dfx's networks.json. root_key is the hex DER root key,
# "fetch" (fetch it from the network; local networks only) or empty for the
# IC mainnet key built into nnspatch. "ic" and "local" always exist. Networks
# in dfx's networks.json and the project's dfx.json are usable by name too
# (dfx's local.bind moves "local"); a name defined here wins.
networks:
  ic:
    url: https://icp-api.io
  local:
    root_key: fetch    # url defaults to local_url

# URL of the local network (nnspatch localnet or a local replica).
local_url: http://127.0.0.1:4943

# dfx or icp-cli identity name, a PEM file, or hsm:slot=0,id=01 for a key in
# a PKCS#11 token. The key is never printed. Left unset, nnspatch follows dfx:
# DFX_IDENTITY, else dfx's default identity.
# identity: default

# PKCS#11 library for hsm: identities; empty means OpenSC's module.
hsm_module: ""

# Default proposer neuron id (0 = none; pass --neuron).
neuron: 0

# Where release ledgers and downloaded artifacts live.
releases_dir: ~/.local/share/nnspatch/releases

# Prometheus server for rollout health gates; empty disables those gates.
prometheus_url: ""

# Range of the health gates' finalization and alert queries (the alert query
# spans at least the rollout plan's bake time).
alert_window: 15m0s

# PromQL queries of the health gates, each a template over {{.Window}};
# empty keeps the built-in query. version: replicas by (ic_subnet,
# ic_active_version); finalizing: finalized height growth by ic_subnet;
# alerts: alerts by (ic_subnet, alertname, alertstate); nodes: 1 or 0 by
# ic_node, whether the node's host answered throughout the window (HostOS
# and API boundary node gates; built in: up{job="host_node_exporter"});
# node_alerts: alerts by (ic_node, alertname, alertstate) over the alert
# window (same gates; built in: page and notify ALERTS with an ic_node).
query_version: ""
query_finalizing: ""
query_alerts: ""
query_nodes: ""
query_node_alerts: ""

# Words a security-patch proposal's public text must not contain before
# disclosure (matched case-insensitively). Setting it replaces this list.
deny_words: ` + yamlList(proposals.DefaultDenyWords) + `

# How long a signed request stays valid (the IC accepts at most 5m).
ingress_expiry: 4m0s

# Default output format: text or json (--json sets json).
output: text

# Plan policy of "rollout plan" (--policy): dfinity (canary application subnets
# first, uzr34 and pzp6e alone on different days, Monday-Thursday 07:00-15:00
# UTC, the NNS alone and last the following week, then the unassigned and API
# boundary nodes), continuous (registry order, back to back, then the
# unassigned and API boundary nodes), or the path of a policy YAML file that overrides dfinity's
# fields (time_zone, days, hours, batch_size, interval, canaries, canary_count,
# alone, separate_days, application_first, nns_next_week, api_boundary_nodes, and
# hostos for HostOS releases: canary batch sizes [1, 5], per_subnet 1 node,
# unassigned_batch 100, and tolerances by stage, e.g. {canary: 0, main: 0.05,
# unassigned: 0.15, stragglers: 1}).
rollout_policy: dfinity
`
}

// yamlList renders words as a YAML flow sequence of quoted strings, wrapped
// at about 80 columns.
func yamlList(words []string) string {
	var b strings.Builder
	b.WriteString("[")
	col := len("deny_words: [")
	for i, w := range words {
		q := strconv.Quote(w)
		if i > 0 {
			b.WriteString(",")
			col++
			if col+len(q)+1 > 78 {
				b.WriteString("\n  ")
				col = 2
			} else {
				b.WriteString(" ")
				col++
			}
		}
		b.WriteString(q)
		col += len(q)
	}
	return b.String() + "]"
}
