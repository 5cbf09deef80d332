package health

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Check names.
const (
	CheckVersion    = "version"
	CheckFinalizing = "finalizing"
	CheckAlerts     = "alerts"
)

// Alert states as Prometheus reports them.
const (
	AlertPending = "pending"
	AlertFiring  = "firing"
)

// Alert is one alert on a subnet.
type Alert struct {
	Name  string `json:"name"`
	State string `json:"state"`
}

// Subnet is what a source knows about one subnet.
type Subnet struct {
	// Versions counts replicas per running GuestOS version.
	Versions map[string]int `json:"versions"`
	// Finalizing reports whether the finalized height grew (every replica);
	// nil when the source could not tell.
	Finalizing *bool `json:"finalizing,omitempty"`
	// Alerts are the alerts seen (pending or firing).
	Alerts []Alert `json:"alerts,omitempty"`
	// Height is the lowest finalized height among the replicas, when the
	// source reports heights (a single /metrics scrape); callers compare it
	// with an earlier observation to fill Finalizing.
	Height *float64 `json:"height,omitempty"`
}

// Snapshot is one observation of every subnet, by subnet id.
type Snapshot struct {
	Subnets map[string]Subnet `json:"subnets"`
	// Nodes are the per-node host signals by node id (HostOS rollouts);
	// nil when the source has none.
	Nodes map[string]Node `json:"nodes,omitempty"`
}

// Source observes subnets.
type Source interface {
	// Snapshot observes every subnet the source knows.
	Snapshot(ctx context.Context) (*Snapshot, error)
}

// Check is one gate check and its result.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Evaluate runs the three gate checks for a subnet expected on version.
func Evaluate(s Subnet, version string) []Check {
	return EvaluateReplicas(s, version, 0)
}

// EvaluateReplicas is Evaluate for a subnet of replicas nodes: the version
// check also fails while fewer replicas report than the subnet has (like
// DFINITY's sensor, which waits for the replica count it recorded).
func EvaluateReplicas(s Subnet, version string, replicas int) []Check {
	return []Check{versionCheck(s, version, replicas), finalizingCheck(s), alertsCheck(s)}
}

func versionCheck(s Subnet, version string, replicas int) Check {
	total := 0
	for _, n := range s.Versions {
		total += n
	}
	c := Check{Name: CheckVersion}
	switch {
	case total == 0:
		c.Detail = "no replica reports ic_replica_info"
	case total < replicas:
		c.Detail = fmt.Sprintf("only %d of %d replicas report ic_replica_info (%d on %s)", total, replicas, s.Versions[version], shortV(version))
	case s.Versions[version] == total:
		c.OK, c.Detail = true, fmt.Sprintf("all %d replicas run %s", total, shortV(version))
	default:
		c.Detail = fmt.Sprintf("%d of %d replicas run %s (%s)", s.Versions[version], total, shortV(version), describeVersions(s.Versions))
	}
	return c
}

func finalizingCheck(s Subnet) Check {
	c := Check{Name: CheckFinalizing}
	switch {
	case s.Finalizing == nil:
		c.Detail = "no finalized-height data"
	case *s.Finalizing:
		c.OK, c.Detail = true, "finalized height grows"
	default:
		c.Detail = "finalized height does not grow: the subnet has stalled"
	}
	return c
}

func alertsCheck(s Subnet) Check {
	if len(s.Alerts) == 0 {
		return Check{Name: CheckAlerts, OK: true, Detail: "no alerts"}
	}
	var parts []string
	for _, a := range s.Alerts {
		parts = append(parts, a.Name+" ("+a.State+")")
	}
	slices.Sort(parts)
	return Check{Name: CheckAlerts, Detail: strings.Join(slices.Compact(parts), ", ")}
}

// Firing reports whether any alert is firing.
func (s Subnet) Firing() bool {
	for _, a := range s.Alerts {
		if a.State == AlertFiring {
			return true
		}
	}
	return false
}

func describeVersions(m map[string]int) string {
	var parts []string
	for _, v := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s: %d", shortV(v), m[v]))
	}
	return strings.Join(parts, ", ")
}

func shortV(v string) string {
	if len(v) > 10 {
		return v[:10]
	}
	return v
}

func boolPtr(b bool) *bool { return &b }
