package regmodel_test

import (
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/governance/localnet/regmodel"
)

// TestExecuteRefusesUnsafePayloads checks that payloads pass candidguard
// before agent-go decodes them: hostile payloads are registry rejections
// naming the guard's reason and leave the registry unchanged. The full set
// of hostile messages is tested in internal/candidguard.
func TestExecuteRefusesUnsafePayloads(t *testing.T) {
	tests := []struct {
		name, payload, want string
	}{
		{"forged type table", "DIDL0[\x93\xb5\uf4fd\aq", "type table length 48 exceeds"},
		{"recursive type", "DIDL\x01\x6c\x01\x00\x00\x01\x00", "recursive types are not accepted"},
		{"huge text length", "DIDL\x01\x6c\x01\x00\x71\x01\x00\xff\xff\xff\xff\x0f", "text length 4294967295 exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, testSeed())
			err := r.ExecuteNnsFunction(regmodel.FnReviseElectedGuestosVersions, []byte(tt.payload), execAt)
			if !regmodel.IsRejected(err) || !strings.Contains(err.Error(), "unsafe candid message") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ExecuteNnsFunction() = %v; want a rejection containing %q", err, tt.want)
			}
			if r.Version() != 1 {
				t.Fatalf("refused payload moved the version to %d", r.Version())
			}
		})
	}
}
