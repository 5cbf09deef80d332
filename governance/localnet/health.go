package localnet

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"time"
)

// Deployment is a GuestOS version written to a subnet's registry record by
// an executed proposal at a virtual time.
type Deployment struct {
	Subnet  string
	Version string
	At      time.Time
}

// SubnetStatus is a subnet's derived state at one virtual time.
type SubnetStatus struct {
	ID    string   `json:"id"`
	Type  string   `json:"type"`
	Nodes []string `json:"nodes"`
	// RegistryVersion is the version in the subnet's registry record.
	RegistryVersion string `json:"registry_version"`
	// RunningVersion is the version the replicas run: the registry version
	// once UpgradeDelay has passed since the deploy executed (the next CUP).
	RunningVersion string `json:"running_version"`
	// SwitchedAt is when the subnet last switched versions (zero if never).
	SwitchedAt time.Time `json:"switched_at"`
	// Height is the finalized height; it grows with the virtual clock at
	// BlocksPerSecond unless the subnet is stalled.
	Height uint64 `json:"height"`
	// Stalled reports whether the subnet has stopped finalizing, since StalledSince.
	Stalled      bool      `json:"stalled"`
	StalledSince time.Time `json:"stalled_since"`
	// CatchingUp reports whether the replicas are still catching up after a switch.
	CatchingUp bool `json:"catching_up"`
}

// BlocksPerSecond is the finalization rate of a healthy subnet.
const BlocksPerSecond = 1

// health derives subnet status from the seed, the deployment records and
// the fault history on the virtual clock.
type health struct {
	genesis time.Time
	delay   time.Duration // deploy executed -> running version switches
	catchUp time.Duration // switch -> replicas caught up
}

// status returns the state of sn at now; deps must be sorted by At.
func (h health) status(sn Subnet, deps []Deployment, faults faultLog, now time.Time) SubnetStatus {
	st := SubnetStatus{ID: sn.ID, Type: sn.Type, Nodes: sn.Nodes, RegistryVersion: sn.Version, RunningVersion: sn.Version}
	type sw struct {
		at      time.Time
		version string
	}
	var switches []sw
	for _, d := range deps {
		if d.Subnet != sn.ID || d.At.After(now) {
			continue
		}
		st.RegistryVersion = d.Version
		switches = append(switches, sw{d.At.Add(h.delay), d.Version})
	}
	bounds := []time.Time{h.genesis, now}
	for _, s := range switches {
		bounds = append(bounds, s.at)
	}
	for _, e := range faults {
		bounds = append(bounds, e.at)
	}
	bounds = clampSort(bounds, h.genesis, now)
	running := func(t time.Time) (string, time.Time) {
		v, at := sn.Version, time.Time{}
		for _, s := range switches {
			if !s.at.After(t) {
				v, at = s.version, s.at
			}
		}
		return v, at
	}
	height := baseHeight(sn.ID)
	for i := 0; i+1 < len(bounds); i++ {
		v, _ := running(bounds[i])
		if faults.bad(v, sn.ID, bounds[i]) {
			if !st.Stalled {
				st.Stalled, st.StalledSince = true, bounds[i]
			}
			continue
		}
		st.Stalled, st.StalledSince = false, time.Time{}
		height += uint64(bounds[i+1].Sub(bounds[i]) / time.Second * BlocksPerSecond)
	}
	st.RunningVersion, st.SwitchedAt = running(now)
	if faults.bad(st.RunningVersion, sn.ID, now) && !st.Stalled {
		st.Stalled, st.StalledSince = true, now
	}
	st.Height = height
	st.CatchingUp = !st.SwitchedAt.IsZero() && now.Sub(st.SwitchedAt) < h.catchUp
	return st
}

// clampSort keeps the times within [lo, hi], sorted and unique.
func clampSort(ts []time.Time, lo, hi time.Time) []time.Time {
	out := ts[:0]
	for _, t := range ts {
		if !t.Before(lo) && !t.After(hi) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(out, func(a, b time.Time) bool { return a.Equal(b) })
}

// baseHeight is a subnet's derived, realistic height at genesis.
func baseHeight(subnet string) uint64 {
	sum := sha256.Sum256([]byte(subnet))
	return 10_000_000 + binary.BigEndian.Uint64(sum[:8])%90_000_000
}
