package main

import (
	"slices"

	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
)

// stalledSubnets lists the release's subnets whose latest observation
// failed the finalizing check: they do not finalize at all.
func stalledSubnets(st *rollout.Status) []string {
	var out []string
	for _, b := range st.Batches {
		for _, sn := range b.Subnets {
			if slices.ContainsFunc(sn.Checks, func(c health.Check) bool { return c.Name == health.CheckFinalizing && !c.OK }) {
				out = append(out, sn.Subnet)
			}
		}
	}
	return out
}
