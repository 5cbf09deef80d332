package proposals

import (
	"errors"
	"strings"
	"testing"
)

// TestTypeTableGuards feeds hostile type tables that would make agent-go
// recurse without bound or walk an exponential type; DecodePayload must
// refuse them quickly with ErrDecodePayload.
func TestTypeTableGuards(t *testing.T) {
	exponential := []byte("DIDL\x28")
	for i := range 40 {
		next := byte(i + 1)
		if i == 39 {
			exponential = append(exponential, 0x6c, 0x02, 0x00, 0x7f, 0x01, 0x7f) // record {null; null}
			continue
		}
		exponential = append(exponential, 0x6c, 0x02, 0x00, next, 0x01, next) // record {next; next}
	}
	exponential = append(exponential, 0x01, 0x00)
	tests := []struct {
		name string
		data []byte
		msg  string
	}{
		{"self record", []byte("DIDL\x01\x6c\x01\x00\x00\x01\x00"), "recursive"},
		{"opt cycle", []byte("DIDL\x02\x6e\x01\x6e\x00\x01\x00\x01\x01\x00"), "recursive"},
		{"exponential tree", exponential, "expands to more than"},
		{"reference past table", []byte("DIDL\x01\x6e\x05\x01\x00\x00"), "invalid type 5"},
		{"bad primitive", []byte("DIDL\x01\x6e\x5f\x01\x00\x00"), "invalid type"},
		{"func type", []byte("DIDL\x01\x6a\x00\x00\x00\x01\x00"), "func and service"},
		{"table longer than message", []byte("DIDL\x7f"), "type table length"},
		{"truncated", []byte("DIDL\x01\x6c\x01\x00"), "truncated"},
		{"too large", append([]byte("DIDL"), make([]byte, MaxDecodeBytes)...), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodePayload(int32(FnReviseElectedGuestosVersions), tt.data)
			if !errors.Is(err, ErrDecodePayload) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v, want ErrDecodePayload mentioning %q", err, tt.msg)
			}
		})
	}
}
