package candidguard

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"
)

// hostile is a message Check must refuse, with the text its reason must
// contain under each preset ("" when the preset accepts it).
type hostile struct {
	name          string
	msg           []byte
	dflt, payload string
}

// hostileMessages merges the cases of the former checkers of regmodel and
// proposals with new ones for recursive tables.
func hostileMessages() []hostile {
	b := func(s string) []byte { return []byte(s) }
	return []hostile{
		{"no magic", b("DIDX\x00\x00"), "missing DIDL magic", "missing DIDL magic"},
		{"empty", nil, "missing DIDL magic", "missing DIDL magic"},
		{"huge type table", b("DIDL\xff\xff\xff\xff\x0f"), "exceeds", "exceeds"},
		{"table longer than message", b("DIDL\x7f"), "type table length", "type table length"},
		{"huge field count", b("DIDL\x01\x6c\xff\xff\xff\xff\x0f"), "exceeds", "exceeds"},
		{"forged future type", b("DIDL0[\x93\xb5\uf4fd\aq"), "exceeds", "exceeds"},
		{"future type", b("DIDL\x01\x5b\x00\x00"), "invalid type constructor -37", "invalid type constructor"},
		{"unknown type opcode", b("DIDL\x01\x60\x01\x00"), "invalid type constructor", "invalid type constructor"},
		{"func type", b("DIDL\x01\x6a\x00\x00\x00\x01\x00"), "func and service", "func and service"},
		{"service type", b("DIDL\x01\x69\x00\x01\x00"), "func and service", "func and service"},
		{"argument outside table", b("DIDL\x00\x01\x05"), "outside the table", "outside the table"},
		{"field outside table", b("DIDL\x01\x6c\x01\x00\x07\x01\x00"), "outside the table", "outside the table"},
		{"reference past table", b("DIDL\x01\x6e\x05\x01\x00\x00"), "invalid type 5", "invalid type 5"},
		{"bad primitive", b("DIDL\x01\x6e\x5f\x01\x00\x00"), "invalid type -33", "invalid type -33"},
		{"huge reference", b("DIDL\x01\x6e\xff\xff\xff\xff\x0f\x01\x00\x00"), "out of range", "out of range"},
		{"field ids out of order", b("DIDL\x01\x6c\x02\x05\x7f\x01\x7f\x01\x00"), "out of order", "out of order"},
		{"duplicate field ids", b("DIDL\x01\x6b\x02\x01\x7f\x01\x7f\x01\x00\x00"), "out of order", "out of order"},
		{"field id beyond 32 bits", b("DIDL\x01\x6c\x01\x80\x80\x80\x80\x10\x7f\x01\x00"), "out of order or range", "range"},
		{"truncated table", b("DIDL\x01\x6c\x01\x00"), "truncated", "truncated"},
		{"self record", b("DIDL\x01\x6c\x01\x00\x00\x01\x00"), "nest deeper than 128", "recursive"},
		{"opt cycle", b("DIDL\x02\x6e\x01\x6e\x00\x01\x00\x01\x01\x00"), "", "recursive"},
		{"deep variant chain", variantChain(1000), "nest deeper than 128", "recursive"},
		{"exponential tree", exponential(), "too many values", "expands to more than 4096"},
		{"long opt chain", optChain(5000), "nest deeper than 128", "expands to more than 4096"},
		{"huge principal length", b("DIDL\x00\x01\x68\x01\xff\xff\xff\xff\xff\xff\x00"), "exceeds", "exceeds"},
		{"huge principal in record", b("DIDL\x01\x6c\x01\x00\x68\x01\x00\x01\xff\xff\xff\xff\x0f"), "exceeds", "exceeds"},
		{"long principal", append(b("DIDL\x00\x01\x68\x01\x1e"), make([]byte, 30)...), "principal of 30 bytes", "principal of 30 bytes"},
		{"bad principal tag", b("DIDL\x00\x01\x68\x00"), "invalid principal tag", "invalid principal tag"},
		{"huge text length", b("DIDL\x01\x6c\x01\x00\x71\x01\x00\xff\xff\xff\xff\x0f"), "exceeds", "exceeds"},
		{"text past end", b("DIDL\x00\x01\x71\x05ab"), "exceeds", "exceeds"},
		{"huge vec length", b("DIDL\x01\x6d\x7b\x01\x00\xff\xff\xff\xff\x0f"), "exceeds", "exceeds"},
		{"vec of nat64 past end", b("DIDL\x01\x6d\x78\x01\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00"), "exceeds the 8 bytes left", "exceeds"},
		{"nat of 65 bytes", append(append(b("DIDL\x00\x01\x7d"), bytes.Repeat([]byte{0x80}, 64)...), 0), "number longer than 64 bytes", "number longer than 10 bytes"},
		{"nat beyond 64 bits", b("DIDL\x00\x01\x7d\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"), "", "number longer than 10 bytes"},
		{"quadratic null vectors", b("DIDL\x02\x6d\x7f\x6d\x00\x01\x01\xc8\x01" + strings.Repeat("\x64", 200)), "too many values", "too many values"},
		{"vec of null records", vecOfNullRecords(), "too many values", "too many values"},
		{"bad opt tag", b("DIDL\x01\x6e\x71\x01\x00\x02"), "invalid opt tag", "invalid opt tag"},
		{"variant index too large", b("DIDL\x01\x6b\x01\x00\x7f\x01\x00\x05"), "invalid variant index", "invalid variant index"},
		{"empty variant", b("DIDL\x01\x6b\x00\x01\x00\x00"), "invalid variant index", "invalid variant index"},
		{"truncated value", b("DIDL\x00\x01\x78\x01\x02"), "truncated", "truncated"},
		{"trailing bytes", b("DIDL\x00\x01\x71\x01ab"), "1 bytes after the last value", "after the last value"},
		{"empty value", b("DIDL\x00\x01\x6f"), "type empty cannot exist", "type empty cannot exist"},
		{"too large", append(b("DIDL"), make([]byte, 1<<18)...), "after the last value", "more than 262144"},
	}
}

// variantChain is a recursive variant { 0: null; 1: self } holding n
// nested arms: one byte per level.
func variantChain(n int) []byte {
	m := []byte("DIDL\x01\x6b\x02\x00\x7f\x01\x00\x01\x00")
	return append(append(m, bytes.Repeat([]byte{1}, n)...), 0)
}

// optChain is a table of n opt types, each holding the next, and a value
// with every opt present.
func optChain(n int) []byte {
	m := append([]byte("DIDL"), uleb(uint64(n))...)
	for i := 1; i < n; i++ {
		m = append(append(m, 0x6e), sleb(int64(i))...)
	}
	m = append(m, 0x6e, 0x7f, 0x01, 0x00)
	return append(m, bytes.Repeat([]byte{1}, n)...)
}

// exponential is a table of 40 records, each naming the next twice: a
// tree of 2^40 nodes described in 240 bytes.
func exponential() []byte {
	m := []byte("DIDL\x28")
	for i := range 40 {
		next := byte(i + 1)
		if i == 39 {
			m = append(m, 0x6c, 0x02, 0x00, 0x7f, 0x01, 0x7f) // record {null; null}
			continue
		}
		m = append(m, 0x6c, 0x02, 0x00, next, 0x01, next)
	}
	return append(m, 0x01, 0x00)
}

// vecOfNullRecords is a vector of 1000 records of 100 nulls: each element
// costs no input byte, so only the step budget stops the walk.
func vecOfNullRecords() []byte {
	m := []byte("DIDL\x02\x6c\x64")
	for i := range 100 {
		m = append(m, byte(i), 0x7f)
	}
	m = append(m, 0x6d, 0x00, 0x01, 0x01, 0xe8, 0x07)
	return append(m, make([]byte, 1000)...)
}

func uleb(v uint64) []byte {
	var out []byte
	for {
		c := byte(v & 0x7f)
		if v >>= 7; v == 0 {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

func sleb(v int64) []byte {
	var out []byte
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(out, c)
		}
		out = append(out, c|0x80)
	}
}

func TestCheckRefusesHostileMessages(t *testing.T) {
	for _, tt := range hostileMessages() {
		for _, p := range []struct {
			name string
			lim  Limits
			want string
		}{{"default", DefaultLimits, tt.dflt}, {"payload", PayloadLimits, tt.payload}} {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				err := p.lim.Check(tt.msg)
				if p.want == "" {
					if err != nil {
						t.Fatalf("Check() = %v; want nil", err)
					}
					return
				}
				var ue *UnsafeError
				if !errors.As(err, &ue) || !errors.Is(err, ErrUnsafe) {
					t.Fatalf("Check() = %v; want an *UnsafeError", err)
				}
				if !strings.Contains(err.Error(), p.want) {
					t.Fatalf("Check() = %v; want a reason containing %q", err, p.want)
				}
				if ue.Offset < 0 || ue.Offset > len(tt.msg) || ue.Part == "" {
					t.Fatalf("bad position in %+v", ue)
				}
			})
		}
	}
}

func TestCheckReportsPartAndOffset(t *testing.T) {
	err := Check([]byte("DIDL\x00\x01\x71\x05ab"))
	var ue *UnsafeError
	if !errors.As(err, &ue) {
		t.Fatalf("Check() = %v", err)
	}
	want := UnsafeError{Part: "value", Offset: 7, Reason: "text length 5 exceeds the 2 bytes left"}
	if *ue != want {
		t.Fatalf("error = %+v; want %+v", *ue, want)
	}
	if got := ue.Error(); got != "unsafe candid message: value at byte 7: text length 5 exceeds the 2 bytes left" {
		t.Fatalf("Error() = %q", got)
	}
}

func TestLimitsZeroFieldsTakeDefaults(t *testing.T) {
	chain := variantChain(100)
	if err := (Limits{}).Check(chain); err != nil {
		t.Fatalf("zero Limits refused a 100-deep chain: %v", err)
	}
	err := Limits{MaxDepth: 50}.Check(chain)
	if err == nil || !strings.Contains(err.Error(), "nest deeper than 50") {
		t.Fatalf("MaxDepth 50: %v", err)
	}
	err = Limits{MaxBytes: 10}.Check(chain)
	if err == nil || !strings.Contains(err.Error(), "more than 10") {
		t.Fatalf("MaxBytes 10: %v", err)
	}
}

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the hostile_* seeds of the FuzzCheck corpus")
