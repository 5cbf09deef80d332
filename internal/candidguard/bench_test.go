package candidguard

import (
	"testing"

	"github.com/aviate-labs/agent-go/candid"
)

// BenchmarkCheck measures Check on a 100-proposal list_proposals reply
// (about 100 KB); BenchmarkDecode measures agent-go's candid.Decode of the
// same reply, for comparison.
func BenchmarkCheck(b *testing.B) {
	msg := realMessages(b)["list_proposals page"]
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := Check(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode is BenchmarkCheck's baseline: agent-go alone.
func BenchmarkDecode(b *testing.B) {
	msg := realMessages(b)["list_proposals page"]
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, _, err := candid.Decode(msg); err != nil {
			b.Fatal(err)
		}
	}
}
