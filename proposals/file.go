package proposals

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nnspatch/nnspatch/internal/fsutil"
	"gopkg.in/yaml.v3"
)

// MaxDraftFileBytes bounds what ParseDraft reads: a summary is at most
// 30000 bytes and measurements are small, so anything far larger is a
// mistake.
const MaxDraftFileBytes = 1 << 20

// ParseDraft parses a YAML draft. Unknown keys, type errors and an
// unsupported schema_version are errors naming the key and line; the
// content itself is checked by Validate. It does not read the wasm module
// of an upgrade-canister draft (LoadDraft does).
func ParseDraft(data []byte) (Draft, error) {
	if len(data) > MaxDraftFileBytes {
		return Draft{}, &FileError{Err: fmt.Errorf("is %d bytes, more than %d; is this really a draft?", len(data), MaxDraftFileBytes)}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Draft{}, yamlError(err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return Draft{}, &FileError{Err: errors.New("empty")}
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return Draft{}, &FileError{Line: doc.Line, Err: errors.New("want a mapping of keys (schema_version, kind, …) at the top level")}
	}
	if err := checkSchemaVersion(doc); err != nil {
		return Draft{}, err
	}
	if errs := unknownKeys(doc, reflect.TypeFor[Draft](), ""); len(errs) > 0 {
		return Draft{}, errors.Join(errs...)
	}
	var d Draft
	if err := doc.Decode(&d); err != nil {
		return Draft{}, yamlError(err)
	}
	return d, nil
}

// checkSchemaVersion refuses a schema this build cannot read before keys
// are interpreted under the wrong schema.
func checkSchemaVersion(doc *yaml.Node) error {
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Value != "schema_version" {
			continue
		}
		n, err := strconv.Atoi(v.Value)
		if err != nil || n < 1 {
			return &FileError{Line: v.Line, Key: "schema_version", Err: fmt.Errorf("%q is not a schema version; set schema_version: %d", v.Value, SchemaVersion)}
		}
		if n > SchemaVersion {
			return &FileError{Line: v.Line, Key: "schema_version", Err: fmt.Errorf("%d is newer than this nnspatch reads (%d); upgrade nnspatch", n, SchemaVersion)}
		}
		return nil
	}
	return &FileError{Line: doc.Line, Key: "schema_version", Err: fmt.Errorf("missing; add schema_version: %d as the first line", SchemaVersion)}
}

// unknownKeys walks a mapping node against the yaml tags of t and reports
// every key t does not have, with its line and dotted path.
func unknownKeys(n *yaml.Node, t reflect.Type, path string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode {
		return []error{&FileError{Line: n.Line, Key: path, Err: errors.New("YAML aliases are not supported in drafts; write the value out")}}
	}
	switch {
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		var errs []error
		for i, c := range n.Content {
			errs = append(errs, unknownKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return errs
	case n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct:
		return nil // scalars, and type mismatches Decode reports
	}
	fields := yamlFields(t)
	var errs []error
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		p := joinPath(path, k.Value)
		ft, ok := fields[k.Value]
		if !ok {
			errs = append(errs, &FileError{Line: k.Line, Key: p, Err: fmt.Errorf("unknown key%s", suggest(k.Value, fields))})
			continue
		}
		errs = append(errs, unknownKeys(n.Content[i+1], ft, p)...)
	}
	return errs
}

// yamlFields maps the yaml key names of struct t to their field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		fields[name] = f.Type
	}
	return fields
}

// suggest names the valid keys, so the message says what to write instead.
func suggest(key string, fields map[string]reflect.Type) string {
	var names []string
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if strings.EqualFold(strings.ReplaceAll(k, "_", ""), strings.ReplaceAll(strings.ReplaceAll(key, "-", ""), "_", "")) {
			return fmt.Sprintf("; did you mean %s?", k)
		}
	}
	return "; valid keys here: " + strings.Join(names, ", ")
}

var yamlLineRe = regexp.MustCompile(`line (\d+): `)

// yamlError turns a yaml.v3 error into a *FileError with the line.
func yamlError(err error) error {
	var ne *nodeError
	if errors.As(err, &ne) {
		return &FileError{Line: ne.line, Key: ne.key, Err: ne.err}
	}
	msg, hint := strings.TrimPrefix(err.Error(), "yaml: "), "; fix the YAML syntax"
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg, hint = strings.TrimPrefix(te.Errors[0], "yaml: "), "; fix the value's type"
	}
	fe := &FileError{Err: errors.New(msg + hint)}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		fe.Line, _ = strconv.Atoi(m[1])
		fe.Err = errors.New(strings.Replace(msg, m[0], "", 1) + hint)
	}
	return fe
}

// LoadDraft reads and parses the draft file at path and, for an
// upgrade-canister draft, reads the wasm module named by wasm_path
// (relative to the draft's directory).
func LoadDraft(path string) (Draft, error) {
	data, err := readLimited(path)
	if err != nil {
		return Draft{}, &FileError{Path: path, Err: fmt.Errorf("read: %w", err)}
	}
	d, err := ParseDraft(data)
	if err != nil {
		return Draft{}, withPath(err, path)
	}
	if c := d.UpgradeCanister; c != nil && c.WasmPath != "" {
		wasm := c.WasmPath
		if !filepath.IsAbs(wasm) {
			wasm = filepath.Join(filepath.Dir(path), wasm)
		}
		if c.Wasm, err = os.ReadFile(wasm); err != nil {
			return Draft{}, &FileError{Path: path, Key: "upgrade_canister.wasm_path", Err: fmt.Errorf("read wasm module: %w; check the path (relative to the draft file)", err)}
		}
	}
	return d, nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxDraftFileBytes+1))
}

// withPath sets the path of every *FileError in err.
func withPath(err error, path string) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			withPath(e, path)
		}
		return err
	}
	var fe *FileError
	if errors.As(err, &fe) {
		fe.Path = path
	}
	return err
}

// MarshalDraft renders d as a draft file: a short header comment, then the
// YAML. Wasm bytes are never written, only wasm_path.
func MarshalDraft(d Draft) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(draftHeader)
	var doc yaml.Node
	if err := doc.Encode(d); err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	restoreStrings(&doc, reflect.ValueOf(d))
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode draft: %w", err)
	}
	return b.Bytes(), nil
}

// restoreStrings walks the encoded node tree alongside the value it came
// from and puts back, double-quoted, every string yaml.v3 changed on the way
// (its block style drops a leading newline, for one), so texts survive
// WriteDraft/LoadDraft byte for byte.
func restoreStrings(n *yaml.Node, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.String && n.Kind == yaml.ScalarNode:
		if n.Value != v.String() {
			n.Value, n.Style, n.Tag = v.String(), yaml.DoubleQuotedStyle, "!!str"
		}
	case v.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode && v.Len() == len(n.Content):
		for i, c := range n.Content {
			restoreStrings(c, v.Index(i))
		}
	case v.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if f, ok := fieldByYAMLKey(v, n.Content[i].Value); ok {
				restoreStrings(n.Content[i+1], f)
			}
		}
	}
}

// fieldByYAMLKey returns the field of struct v whose yaml tag is key.
func fieldByYAMLKey(v reflect.Value, key string) (reflect.Value, bool) {
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		if name == key && v.Type().Field(i).IsExported() {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

const draftHeader = "# nnspatch proposal draft. Check it with `nnspatch proposal validate <file>`;\n# every key is described by `nnspatch draft --help` (DraftFileReference).\n"

// WriteDraft writes d to path atomically: a temporary file in the same
// directory, fsynced, then renamed over path, so a crash leaves either the
// old file or the new one, never half of one.
func WriteDraft(path string, d Draft) error {
	data, err := MarshalDraft(d)
	if err != nil {
		return err
	}
	return writeAtomic(path, data)
}

// writeAtomic writes a draft readable by its owner only (0600): a draft
// may name a withheld security fix before its disclosure.
func writeAtomic(path string, data []byte) error {
	if err := fsutil.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write draft %s: %w", path, err)
	}
	return nil
}
