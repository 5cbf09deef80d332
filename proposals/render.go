package proposals

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
	"github.com/nnspatch/nnspatch/internal/textsafe"
)

// Field is one line of a payload's human view: a dotted key (list items as
// key[i]) and its value as text. Blobs are hex, principals textual, unset
// opt fields "null".
type Field struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Rendered is a draft as `proposal render` shows it, ready for JSON output.
type Rendered struct {
	Kind          Kind      `json:"kind"`
	Mode          Mode      `json:"mode"`
	Title         string    `json:"title"`
	Topic         string    `json:"topic"`
	TopicID       int32     `json:"topic_id"`
	URL           string    `json:"url"`
	Summary       string    `json:"summary"`
	Action        string    `json:"action"`
	NnsFunction   int32     `json:"nns_function,omitempty"`
	Payload       []Field   `json:"payload"`
	PayloadHex    string    `json:"payload_hex,omitempty"`
	PayloadSHA256 string    `json:"payload_sha256,omitempty"`
	PayloadBytes  int       `json:"payload_bytes,omitempty"`
	Problems      []Problem `json:"problems"`
}

// Render encodes d's action and describes it. It fails only when the action
// is missing or cannot be encoded; validation problems are listed in
// Problems (Validate with DefaultPolicy).
func Render(d Draft) (Rendered, error) {
	a, err := d.Action()
	if err != nil {
		return Rendered{}, err
	}
	t := d.Topic()
	r := Rendered{
		Kind: d.Kind, Mode: d.Mode, Title: d.Title, Topic: t.Name(), TopicID: int32(t),
		URL: d.URL, Summary: d.Summary, Problems: Validate(d),
	}
	if r.Problems == nil {
		r.Problems = []Problem{}
	}
	switch a := a.(type) {
	case InstallCode:
		r.Action, r.Payload = "InstallCode", installFields(a)
	case Motion:
		r.Action, r.Payload = "Motion", []Field{{"motion_text", a.MotionText}}
	case FunctionPayload:
		b, err := EncodePayload(a)
		if err != nil {
			return Rendered{}, err
		}
		// Show what the bytes say, not what the draft meant: decoding the
		// encoding back means an encoder bug cannot hide from reviewers.
		decoded, err := DecodePayload(int32(a.NnsFunction()), b)
		if err != nil {
			return Rendered{}, fmt.Errorf("render: decode the encoded payload: %w", err)
		}
		sum := sha256.Sum256(b)
		r.Action = "ExecuteNnsFunction: " + a.NnsFunction().String()
		r.NnsFunction, r.Payload = int32(a.NnsFunction()), PayloadFields(decoded)
		r.PayloadHex, r.PayloadSHA256, r.PayloadBytes = hex.EncodeToString(b), hex.EncodeToString(sum[:]), len(b)
	}
	return r, nil
}

func installFields(c InstallCode) []Field {
	hash := c.WasmHash()
	if hash == "" {
		hash = c.WasmSHA256 + " (declared; module not loaded)"
	}
	return []Field{
		{"canister_id", c.CanisterID + " (" + CanisterName(c.CanisterID) + ")"},
		{"install_mode", c.InstallMode.String()},
		{"wasm_module_sha256", hash},
		{"wasm_module_bytes", fmt.Sprint(len(c.Wasm))},
		{"arg_sha256", c.ArgHash()},
		{"skip_stopping_before_installing", fmt.Sprint(c.SkipStoppingBeforeInstalling)},
	}
}

// PayloadFields flattens a decoded payload into its human view, in the
// order the record declares its fields.
func PayloadFields(a Action) []Field {
	var fs []Field
	flatten(&fs, "", reflect.ValueOf(a))
	return fs
}

func flatten(fs *[]Field, key string, v reflect.Value) {
	switch {
	case v.Type() == principalType:
		*fs = append(*fs, Field{key, principalText(v.Interface().(principal.Principal))})
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			*fs = append(*fs, Field{key, "null"})
			return
		}
		flatten(fs, key, v.Elem())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		*fs = append(*fs, Field{key, hex.EncodeToString(v.Bytes())})
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			*fs = append(*fs, Field{key, "[]"})
		}
		for i := range v.Len() {
			flatten(fs, fmt.Sprintf("%s[%d]", key, i), v.Index(i))
		}
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() && f.Tag.Get("ic") != "" {
				flatten(fs, joinPath(key, idl.ParseTags(f).Name), v.Field(i))
			}
		}
	default:
		*fs = append(*fs, Field{key, fmt.Sprint(v.Interface())})
	}
}

// WriteText writes the plain-text rendering of r (what `proposal render`
// prints without --json). Texts are sanitized for the terminal.
func WriteText(w io.Writer, r Rendered) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Title:   %s\n", textsafe.Line(r.Title))
	fmt.Fprintf(&b, "Kind:    %s (%s mode)\n", r.Kind, r.Mode)
	fmt.Fprintf(&b, "Topic:   %s (%d)\n", r.Topic, r.TopicID)
	fmt.Fprintf(&b, "URL:     %s\n", orNone(textsafe.Line(r.URL)))
	fmt.Fprintf(&b, "Action:  %s\n", r.Action)
	if r.PayloadHex != "" {
		fmt.Fprintf(&b, "Payload: %d bytes, SHA-256 %s\n", r.PayloadBytes, r.PayloadSHA256)
	}
	b.WriteString("\nPayload fields:\n")
	for _, f := range r.Payload {
		fmt.Fprintf(&b, "  %s: %s\n", f.Key, textsafe.Line(f.Value))
	}
	b.WriteString("\nSummary:\n")
	for _, line := range strings.Split(strings.TrimRight(Sanitize(r.Summary), "\n"), "\n") {
		b.WriteString(strings.TrimRight("  "+line, " ") + "\n")
	}
	if len(r.Problems) > 0 {
		b.WriteString("\nProblems:\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "  %s\n", textsafe.Line(p.String()))
		}
	}
	if r.PayloadHex != "" {
		fmt.Fprintf(&b, "\nPayload hex:\n%s\n", wrap(r.PayloadHex, 64))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func wrap(s string, n int) string {
	var lines []string
	for len(s) > n {
		lines = append(lines, "  "+s[:n])
		s = s[n:]
	}
	return strings.Join(append(lines, "  "+s), "\n")
}

// Sanitize makes untrusted text safe to print on a terminal, keeping
// newlines and tabs. It is textsafe.Text, the sanitizer governance, the CLI
// and the TUI share.
func Sanitize(s string) string { return textsafe.Text(s) }

// DescribePayload decodes an ExecuteNnsFunction payload (e.g. of a proposal
// read from governance) and returns its human view; see DecodePayload for
// the shapes it knows.
func DescribePayload(fn int32, payload []byte) ([]Field, error) {
	a, err := DecodePayload(fn, payload)
	if err != nil {
		return nil, err
	}
	return PayloadFields(a), nil
}
