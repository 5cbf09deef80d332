package govmodel

import "testing"

// BenchmarkSeed10k measures New with 50 neurons and 10,000 seed proposals.
func BenchmarkSeed10k(b *testing.B) {
	for i := 0; i < b.N; i++ {
		benchModel(b, 10_000)
	}
}
