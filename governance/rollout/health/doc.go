// Package health reads the signals a rollout's health gates need, per
// subnet: which GuestOS versions its replicas run (ic_replica_info), whether
// it keeps finalizing (the finalized height grows) and which alerts are
// pending or firing (ALERTS). Two sources provide them: a Prometheus server
// through its HTTP API (/api/v1/query) with configurable queries, and a
// Prometheus text endpoint such as localnet's /metrics, scraped directly and
// parsed with prometheus/common/expfmt.
//
// Both sources also report a per-node signal (Snapshot.Nodes, node_up):
// whether a node's host answers, from up{job="host_node_exporter"} by
// ic_node. On a Prometheus server that series is the server's own record
// of its scrapes of each node exporter; the nodes query counts a node up
// only if every scrape in the window succeeded. They also report each
// node's alerts (Node.Alerts, node_alerts): the ALERTS series that carry
// an ic_node label, page or notify, over the alert window (the Prometheus
// source's node_alerts query, like DFINITY's HostOS and API boundary node
// sensors in dre-airflow plugins/sensors/hostos_rollout.py and
// ic_os_rollout.py). HostOS rollouts and the API boundary node stage of a
// GuestOS rollout gate on both: Snapshot.NodeCheck fails a node that is
// down or has an alert firing, makes the gate wait while an alert is
// pending, and passes it otherwise.
//
// Evaluate turns one subnet's signals into named checks, so a failed gate
// can say which subnet and which check stopped the rollout;
// Snapshot.EvaluateNodes does the same per node.
package health
