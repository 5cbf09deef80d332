package governance

import (
	"testing"
)

// The log read from a live network holds each key's whole history with the
// time of each version, and its snapshot equals the decoded registry.
func TestRegistryLogFromLocalnet(t *testing.T) {
	_, c := startLocal(t)
	ctx := testCtx(t)
	log, err := c.RegistryLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if log.Latest() == 0 {
		t.Fatal("empty log")
	}
	list := log.History(keySubnetList)
	if len(list) == 0 || list[0].Time.IsZero() {
		t.Fatalf("subnet_list history %+v: want at least one change with a time", list)
	}
	reg, err := log.Registry()
	if err != nil {
		t.Fatal(err)
	}
	if reg.Version != log.Latest() || len(reg.Subnets) == 0 {
		t.Fatalf("registry at %d with %d subnets; log latest %d", reg.Version, len(reg.Subnets), log.Latest())
	}
	if _, ok := log.ValueAt(keySubnetList, 0); ok {
		t.Error("subnet_list has a value at version 0")
	}
	if got := log.Keys(prefixSubnet); len(got) != len(reg.Subnets) {
		t.Errorf("%d subnet record keys, %d subnets", len(got), len(reg.Subnets))
	}
}
