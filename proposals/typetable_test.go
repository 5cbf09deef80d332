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
		{"huge principal length", []byte("DIDL\x00\x01\x68\x01\xff\xff\xff\xff\xff\xff\x00"), "exceeds"},
		{"long principal", append([]byte("DIDL\x00\x01\x68\x01\x1e"), make([]byte, 30)...), "principal of 30 bytes"},
		{"bad opt tag", []byte("DIDL\x01\x6e\x71\x01\x00\x02"), "invalid opt tag"},
		{"bad variant index", []byte("DIDL\x01\x6b\x01\x00\x7f\x01\x00\x03"), "invalid variant index"},
		{"text past end", []byte("DIDL\x00\x01\x71\x05ab"), "exceeds"},
		{"trailing bytes", []byte("DIDL\x00\x01\x71\x01ab"), "after the last value"},
		{"empty value", []byte("DIDL\x00\x01\x6f"), "has no values"},
		{"vec of null records", vecOfNullRecords(), "too complex"},
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

// vecOfNullRecords is a vector of records of 100 nulls: each element costs
// no input byte, so only the step budget stops the walk.
func vecOfNullRecords() []byte {
	b := []byte("DIDL\x02\x6c\x64")
	for i := range 100 {
		b = append(b, byte(i), 0x7f)
	}
	b = append(b, 0x6d, 0x00, 0x01, 0x01, 0xe8, 0x07) // vec of type 0; 1000 elements
	return append(b, make([]byte, 1000)...)
}
