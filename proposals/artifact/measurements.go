package artifact

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/nnspatch/nnspatch/proposals"
)

// SEVSNPMeasurementSize is the length of an AMD SEV-SNP launch measurement
// (a SHA-384 digest) in bytes.
const SEVSNPMeasurementSize = 48

// maxMeasurementsFile bounds launch-measurements.json; real files are a few
// hundred bytes per measurement.
const maxMeasurementsFile = 4 << 20

// ErrNoMeasurements reports a launch-measurements file without any
// measurement.
var ErrNoMeasurements = errors.New("no launch measurements")

// JSONError reports malformed JSON with its 1-based line and column.
type JSONError struct {
	// Line and Column locate the problem, both 1-based.
	Line, Column int
	// Msg describes the problem in terms of the file, not of Go types.
	Msg string
	// Err is the encoding/json error.
	Err error
}

// Error implements error.
func (e *JSONError) Error() string {
	return fmt.Sprintf("line %d column %d: %s", e.Line, e.Column, e.Msg)
}

// Unwrap returns the json package's error.
func (e *JSONError) Unwrap() error { return e.Err }

// MeasurementError reports a problem with one measurement, by its 0-based
// index in guest_launch_measurements.
type MeasurementError struct {
	// Index is the position in guest_launch_measurements, from 0.
	Index int
	// Err is the problem.
	Err error
}

// Error implements error.
func (e *MeasurementError) Error() string {
	return fmt.Sprintf("guest_launch_measurements[%d]: %v", e.Index, e.Err)
}

// Unwrap returns the cause.
func (e *MeasurementError) Unwrap() error { return e.Err }

// rawMeasurements mirrors launch-measurements.json as the IC build writes
// it: serde_json of the registry's prost type GuestLaunchMeasurements
// (dfinity/ic rs/protobuf registry.replica_version.v1), which ic-admin reads
// back with serde_json for --guest-launch-measurements-path. serde writes
// the Vec<u8> measurement as an array of numbers; hex strings are accepted
// too. Both metadata fields are optional (kernel_cmdline since dfinity/ic
// #8078, vcpu_type since #10245); other unknown fields are ignored like
// serde does.
type rawMeasurements struct {
	GuestLaunchMeasurements *[]rawMeasurement `json:"guest_launch_measurements"`
}

type rawMeasurement struct {
	Measurement json.RawMessage `json:"measurement"`
	Metadata    *struct {
		KernelCmdline *string `json:"kernel_cmdline"`
		VcpuType      *string `json:"vcpu_type"`
	} `json:"metadata"`
}

// ParseLaunchMeasurements reads a launch-measurements.json file. Syntax and
// type errors are *JSONError values with line and column; every
// measurement that is missing, malformed or not 48 bytes long is reported
// as a *MeasurementError (joined when there are several).
func ParseLaunchMeasurements(r io.Reader) (proposals.GuestLaunchMeasurements, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMeasurementsFile+1))
	if err != nil {
		return proposals.GuestLaunchMeasurements{}, fmt.Errorf("read launch measurements: %w", err)
	}
	if len(data) > maxMeasurementsFile {
		return proposals.GuestLaunchMeasurements{}, fmt.Errorf("read launch measurements: larger than %d bytes; is this the right file?", maxMeasurementsFile)
	}
	var raw rawMeasurements
	if err := json.Unmarshal(data, &raw); err != nil {
		return proposals.GuestLaunchMeasurements{}, jsonError(data, err)
	}
	if raw.GuestLaunchMeasurements == nil {
		return proposals.GuestLaunchMeasurements{}, errors.New(`missing top-level key "guest_launch_measurements"; is this a launch-measurements.json file?`)
	}
	return convertMeasurements(*raw.GuestLaunchMeasurements)
}

func convertMeasurements(raws []rawMeasurement) (proposals.GuestLaunchMeasurements, error) {
	if len(raws) == 0 {
		return proposals.GuestLaunchMeasurements{}, fmt.Errorf("guest_launch_measurements: %w; a GuestOS release needs at least one", ErrNoMeasurements)
	}
	out := proposals.GuestLaunchMeasurements{GuestLaunchMeasurements: make([]proposals.GuestLaunchMeasurement, 0, len(raws))}
	var errs []error
	for i, rm := range raws {
		m, err := decodeMeasurement(rm.Measurement)
		if err != nil {
			errs = append(errs, &MeasurementError{Index: i, Err: err})
			continue
		}
		gm := proposals.GuestLaunchMeasurement{Measurement: m}
		if rm.Metadata != nil {
			gm.Metadata = &proposals.GuestLaunchMeasurementMetadata{
				KernelCmdline: rm.Metadata.KernelCmdline,
				VcpuType:      rm.Metadata.VcpuType,
			}
		}
		out.GuestLaunchMeasurements = append(out.GuestLaunchMeasurements, gm)
	}
	if len(errs) > 0 {
		return proposals.GuestLaunchMeasurements{}, errors.Join(errs...)
	}
	return out, nil
}

// MarshalLaunchMeasurements renders m in the format the IC build writes
// and ic-admin reads: measurements as arrays of byte values, indented.
// (encoding/json on the payload type would write base64 strings instead.)
func MarshalLaunchMeasurements(m proposals.GuestLaunchMeasurements) ([]byte, error) {
	type metadata struct {
		KernelCmdline *string `json:"kernel_cmdline,omitempty"`
		VcpuType      *string `json:"vcpu_type,omitempty"`
	}
	type measurement struct {
		Measurement []int     `json:"measurement"`
		Metadata    *metadata `json:"metadata"`
	}
	out := struct {
		GuestLaunchMeasurements []measurement `json:"guest_launch_measurements"`
	}{GuestLaunchMeasurements: make([]measurement, len(m.GuestLaunchMeasurements))}
	for i, gm := range m.GuestLaunchMeasurements {
		nums := make([]int, len(gm.Measurement))
		for j, v := range gm.Measurement {
			nums[j] = int(v)
		}
		out.GuestLaunchMeasurements[i].Measurement = nums
		if gm.Metadata != nil {
			out.GuestLaunchMeasurements[i].Metadata = &metadata{KernelCmdline: gm.Metadata.KernelCmdline, VcpuType: gm.Metadata.VcpuType}
		}
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode launch measurements: %w", err)
	}
	return append(data, '\n'), nil
}

// decodeMeasurement accepts a JSON array of byte values or a hex string
// (optionally "0x"-prefixed) and checks the SEV-SNP length.
func decodeMeasurement(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	var (
		m   []byte
		err error
	)
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return nil, errors.New(`"measurement" is missing`)
	case raw[0] == '[':
		m, err = decodeByteArray(raw)
	case raw[0] == '"':
		m, err = decodeHexString(raw)
	default:
		return nil, errors.New(`"measurement" must be an array of byte values or a hex string`)
	}
	if err != nil {
		return nil, err
	}
	if len(m) != SEVSNPMeasurementSize {
		return nil, fmt.Errorf("measurement has %d bytes, want %d (SEV-SNP)", len(m), SEVSNPMeasurementSize)
	}
	return m, nil
}

func decodeByteArray(raw json.RawMessage) ([]byte, error) {
	var nums []json.Number
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&nums); err != nil {
		return nil, errors.New(`"measurement" array must hold only numbers 0-255`)
	}
	m := make([]byte, len(nums))
	for i, n := range nums {
		v, err := n.Int64()
		if err != nil || v < 0 || v > 255 {
			return nil, fmt.Errorf("measurement byte %d is %s, want an integer 0-255", i, n)
		}
		m[i] = byte(v)
	}
	return m, nil
}

func decodeHexString(raw json.RawMessage) ([]byte, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("measurement string: %w", err)
	}
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	m, err := hex.DecodeString(s)
	if err != nil {
		return nil, errors.New("measurement string is not hex")
	}
	return m, nil
}

// jsonError adds line and column to json's syntax and type errors.
func jsonError(data []byte, err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		off int64
		msg = err.Error()
	)
	switch {
	case errors.As(err, &syn):
		// Offset counts the offending byte; point at it, not past it.
		off = syn.Offset
		if off > 0 && off <= int64(len(data)) && !strings.Contains(syn.Error(), "end of JSON input") {
			off--
		}
	case errors.As(err, &typ):
		off, msg = typ.Offset, typeErrorMsg(typ)
	default:
		return fmt.Errorf("decode launch measurements: %w", err)
	}
	line, col := lineColumn(data, off)
	return &JSONError{Line: line, Column: col, Msg: strings.TrimPrefix(msg, "json: "), Err: err}
}

// typeErrorMsg names the JSON field and the JSON kinds involved.
func typeErrorMsg(e *json.UnmarshalTypeError) string {
	field := e.Field
	if field == "" {
		field = "top level"
	} else {
		field = fmt.Sprintf("%q", field)
	}
	want := "a different type"
	if e.Type != nil {
		switch e.Type.Kind() {
		case reflect.Struct, reflect.Map:
			want = "an object"
		case reflect.Slice, reflect.Array:
			want = "an array"
		case reflect.String:
			want = "a string"
		case reflect.Pointer:
			want = "an object or null"
		}
	}
	return fmt.Sprintf("%s must be %s, not %s", field, want, e.Value)
}

// lineColumn converts a byte offset into a 1-based line and column.
func lineColumn(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}
