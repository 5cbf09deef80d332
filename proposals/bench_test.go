package proposals

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid"
)

// BenchmarkEncodeElectPayload encodes a GuestOS election with three
// measurements.
func BenchmarkEncodeElectPayload(b *testing.B) {
	a := samplePayloads(&testing.T{})["elect_guestos"]
	for b.Loop() {
		if _, err := EncodePayload(a); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeElectPayload decodes it with DecodePayload (type-table
// guard plus tolerant assignment).
func BenchmarkDecodeElectPayload(b *testing.B) {
	a := samplePayloads(&testing.T{})["elect_guestos"]
	data, _ := EncodePayload(a)
	for b.Loop() {
		if _, err := DecodePayload(38, data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnmarshalElectPayloadAgentGo decodes the same bytes with
// agent-go's reflection decoder, as the baseline DecodePayload is compared
// with.
func BenchmarkUnmarshalElectPayloadAgentGo(b *testing.B) {
	a := samplePayloads(&testing.T{})["elect_guestos"]
	data, _ := EncodePayload(a)
	for b.Loop() {
		var out ReviseElectedGuestosVersions
		if err := candid.Unmarshal(data, []any{&out}); err != nil {
			b.Fatal(err)
		}
	}
}
