package proposals

import (
	"errors"
	"strings"
	"testing"

	"github.com/nnspatch/nnspatch/internal/candidguard"
)

// TestDecodePayloadRefusesUnsafePayloads checks that DecodePayload runs
// candidguard with the payload limits before agent-go: hostile payloads
// come back as ErrDecodePayload wrapping candidguard.ErrUnsafe. The full
// set of hostile messages is tested in internal/candidguard.
func TestDecodePayloadRefusesUnsafePayloads(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"recursive type", []byte("DIDL\x01\x6c\x01\x00\x00\x01\x00"), "recursive types are not accepted"},
		{"huge vector length", []byte("DIDL\x01\x6d\x71\x01\x00\xff\xff\xff\xff\x0f"), "vector length 4294967295 exceeds"},
		{"nat beyond 64 bits", []byte("DIDL\x00\x01\x7d\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"), "number longer than 10 bytes"},
		{"trailing bytes", []byte("DIDL\x00\x01\x71\x01ab"), "1 bytes after the last value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePayload(int32(FnReviseElectedGuestosVersions), tt.data)
			if !errors.Is(err, ErrDecodePayload) || !errors.Is(err, candidguard.ErrUnsafe) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v; want ErrDecodePayload and ErrUnsafe mentioning %q", err, tt.msg)
			}
		})
	}
	big := append([]byte("DIDL"), make([]byte, MaxDecodeBytes)...)
	if _, err := DecodePayload(int32(FnReviseElectedGuestosVersions), big); !errors.Is(err, ErrDecodePayload) || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("oversized payload: %v", err)
	}
}
