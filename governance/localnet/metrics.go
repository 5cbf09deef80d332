package localnet

import (
	"io"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/proto"
)

// Metric names served at /metrics. The first three follow the names the IC's
// replicas and Prometheus rules use, so DRE-style queries work unchanged:
//
//	ic_replica_info{ic_subnet,ic_active_version,ic_node} 1       one series per replica (node)
//	artifact_pool_consensus_height_stat{ic_subnet,ic_node,type="finalization",pool_type="validated",stat="max"}
//	                                                             finalized height; grows with the virtual clock
//	                                                             at BlocksPerSecond unless the subnet is stalled
//	ALERTS{alertname,ic_subnet,severity="page",alertstate} 1     IC_Subnet_Stalled (firing while stalled),
//	                                                             IC_Replica_Behind (pending while replicas catch up
//	                                                             after a version switch; firing while stalled)
//	ALERTS{alertname,ic_node,severity="page",alertstate} 1       IC_Node_Down (firing while a fault takes the
//	                                                             node's host down, as up below reads 0)
//	localnet_virtual_time_seconds                                the virtual clock
//	localnet_virtual_clock_offset_seconds                        virtual minus real time
//	localnet_subnet_stalled{ic_subnet}                           1 while stalled, else 0
//	up{job="host_node_exporter",ic_node}                         1 while a node's host answers, 0 while a fault
//	                                                             on its HostOS version (or, for an API boundary
//	                                                             node, one on its GuestOS version naming it) takes
//	                                                             it down (the per-node health signal; a real
//	                                                             Prometheus derives it from hostexporter.go's targets)
const (
	// MetricReplicaInfo is the per-replica version info series.
	MetricReplicaInfo = "ic_replica_info"
	// MetricHeight is the per-replica finalized height series.
	MetricHeight = "artifact_pool_consensus_height_stat"
	// MetricAlerts is Prometheus's alert series.
	MetricAlerts = "ALERTS"
	// AlertStalled fires while a subnet does not finalize.
	AlertStalled = "IC_Subnet_Stalled"
	// AlertBehind is pending while replicas catch up after a version switch
	// and fires while the subnet is stalled.
	AlertBehind = "IC_Replica_Behind"
	// AlertNodeDown fires on a node (label ic_node) while a fault takes
	// its host down.
	AlertNodeDown = "IC_Node_Down"
	// MetricUp is Prometheus's target health series; the HostOS node
	// exporters are the job JobHostNodeExporter.
	MetricUp = "up"
	// JobHostNodeExporter is the scrape job of the node exporters on
	// HostOS.
	JobHostNodeExporter = "host_node_exporter"
)

// writeMetrics renders the subnet statuses in Prometheus text format.
func writeMetrics(w io.Writer, subnets []SubnetStatus, nodes []NodeStatus, now time.Time, offset time.Duration) error {
	info := family(MetricReplicaInfo, "Replica version info, one series per replica.")
	height := family(MetricHeight, "Finalized height of the validated consensus pool.")
	alerts := family(MetricAlerts, "Alerts pending or firing, as Prometheus exports them.")
	stalled := family("localnet_subnet_stalled", "1 while the subnet does not finalize.")
	for _, s := range subnets {
		for _, node := range s.Nodes {
			info.Metric = append(info.Metric, gauge(1, "ic_subnet", s.ID, "ic_active_version", s.RunningVersion, "ic_node", node))
			height.Metric = append(height.Metric, gauge(float64(s.Height), "ic_subnet", s.ID, "ic_node", node,
				"type", "finalization", "pool_type", "validated", "stat", "max"))
		}
		stalled.Metric = append(stalled.Metric, gauge(b2f(s.Stalled), "ic_subnet", s.ID))
		alerts.Metric = append(alerts.Metric, subnetAlerts(s)...)
	}
	up := family(MetricUp, "1 while the scrape target (a HostOS node exporter) answers.")
	for _, nd := range nodes {
		up.Metric = append(up.Metric, gauge(b2f(nd.Up), "ic_node", nd.ID, "job", JobHostNodeExporter))
		if !nd.Up {
			alerts.Metric = append(alerts.Metric, gauge(1, "alertname", AlertNodeDown, "alertstate", "firing", "ic_node", nd.ID, "severity", "page"))
		}
	}
	fams := []*dto.MetricFamily{
		info, height, alerts, stalled, up,
		single("localnet_virtual_time_seconds", "The network's virtual clock.", float64(now.UnixNano())/1e9),
		single("localnet_virtual_clock_offset_seconds", "How far the virtual clock runs ahead of real time.", offset.Seconds()),
	}
	for _, f := range fams {
		if len(f.Metric) == 0 {
			continue
		}
		if _, err := expfmt.MetricFamilyToText(w, f); err != nil {
			return err
		}
	}
	return nil
}

func subnetAlerts(s SubnetStatus) []*dto.Metric {
	var out []*dto.Metric
	alert := func(name, state string) {
		out = append(out, gauge(1, "alertname", name, "alertstate", state, "ic_subnet", s.ID, "severity", "page"))
	}
	switch {
	case s.Stalled:
		alert(AlertStalled, "firing")
		alert(AlertBehind, "firing")
	case s.CatchingUp:
		alert(AlertBehind, "pending")
	}
	return out
}

func family(name, help string) *dto.MetricFamily {
	return &dto.MetricFamily{Name: proto.String(name), Help: proto.String(help), Type: dto.MetricType_GAUGE.Enum()}
}

func single(name, help string, v float64) *dto.MetricFamily {
	f := family(name, help)
	f.Metric = []*dto.Metric{gauge(v)}
	return f
}

// gauge builds one gauge sample from label name/value pairs (sorted by name).
func gauge(v float64, labels ...string) *dto.Metric {
	m := &dto.Metric{Gauge: &dto.Gauge{Value: proto.Float64(v)}}
	for i := 0; i+1 < len(labels); i += 2 {
		m.Label = append(m.Label, &dto.LabelPair{Name: proto.String(labels[i]), Value: proto.String(labels[i+1])})
	}
	return m
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
