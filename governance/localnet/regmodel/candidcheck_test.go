package regmodel

import (
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid"
	"github.com/aviate-labs/agent-go/principal"
)

func TestCheckCandidRejectsForgedLengths(t *testing.T) {
	nested := "DIDL\x02\x6d\x7f\x6d\x00\x01\x01\xc8\x01" + strings.Repeat("\x64", 200)
	tests := []struct {
		name, msg, want string
	}{
		{"no magic", "DIDX\x00\x00", "missing DIDL magic"},
		{"huge type table", "DIDL\xff\xff\xff\xff\x0f", "exceeds"},
		{"huge field count", "DIDL\x01\x6c\xff\xff\xff\xff\x0f", "exceeds"},
		{"recursive type", "DIDL\x01\x6e\x00\x01\x00\x00", "recursive"},
		{"argument outside table", "DIDL\x00\x01\x05", "outside the table"},
		{"field outside table", "DIDL\x01\x6c\x01\x00\x07\x01\x00", "outside the table"},
		{"huge principal length", "DIDL\x01\x6c\x01\x00\x68\x01\x00\x01\xff\xff\xff\xff\x0f", "exceeds"},
		{"huge text length", "DIDL\x01\x6c\x01\x00\x71\x01\x00\xff\xff\xff\xff\x0f", "exceeds"},
		{"quadratic null vectors", nested, "too many values"},
		{"unknown type opcode", "DIDL\x01\x60\x01\x00", "not a record"},
		{"variant index too large", "DIDL\x01\x6b\x01\x00\x7f\x01\x00\x05", "bad variant index"},
		{"truncated value", "DIDL\x00\x01\x78\x01\x02", "truncated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkCandid([]byte(tt.msg))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("checkCandid() = %v; want error containing %q", err, tt.want)
			}
		})
	}
}

func TestCheckCandidAcceptsPayloads(t *testing.T) {
	cmd := "console=ttyS0"
	for _, v := range []any{
		reviseGuestOSPayload{ReleasePackageURLs: []string{"https://x/y"}, ReplicaVersionToElect: &cmd,
			GuestLaunchMeasurements: &guestLaunchMeasurements{GuestLaunchMeasurements: []guestLaunchMeasurement{
				{Metadata: &measurementMetadata{KernelCmdline: cmd}, Measurement: make([]byte, 48)}}}},
		deploySubnetPayload{SubnetID: principal.MustDecode("rwlgt-iiaaa-aaaaa-aaaaa-cai"), ReplicaVersionID: "abc"},
		deployHostOSPayload{NodeIDs: []principal.Principal{principal.AnonymousID}},
		deployUnassignedPayload{ElectedReplicaVersion: ""},
	} {
		b, err := candid.Marshal([]any{v})
		if err != nil {
			t.Fatal(err)
		}
		if err := checkCandid(b); err != nil {
			t.Errorf("checkCandid(%T) = %v", v, err)
		}
	}
}
