package proposals

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aviate-labs/agent-go/candid/idl"
	"github.com/aviate-labs/agent-go/principal"
)

var update = flag.Bool("update", false, "rewrite golden files and the committed JS fixtures")

// canonical turns a payload value into the canonical JSON form shared with
// jspeer/candid_fixtures.mjs: nil opt -> nil, blob -> hex, principal ->
// text, records -> maps keyed by Candid field name.
func canonical(v reflect.Value) any {
	switch {
	case v.Type() == principalType:
		return v.Interface().(principal.Principal).String()
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return canonical(v.Elem())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		return hex.EncodeToString(v.Bytes())
	case v.Kind() == reflect.Slice:
		out := []any{}
		for i := range v.Len() {
			out = append(out, canonical(v.Index(i)))
		}
		return out
	case v.Kind() == reflect.Struct && isVariant(v.Type()):
		for i := range v.NumField() {
			if !v.Field(i).IsNil() {
				return map[string]any{idl.ParseTags(v.Type().Field(i)).Name: canonical(v.Field(i).Elem())}
			}
		}
		return nil
	case v.Kind() == reflect.Struct:
		out := map[string]any{}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.Tag.Get("ic") != "" {
				out[idl.ParseTags(f).Name] = canonical(v.Field(i))
			}
		}
		return out
	}
	return v.Interface()
}

// jsonNormal round-trips v through JSON so Go and JS values compare alike.
func jsonNormal(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return out
}

// runJSPeer runs jspeer/candid_fixtures.mjs with node and returns stdout.
// It fails (never skips) when node or jspeer/node_modules is missing: the
// cross-check is the point of the test.
func runJSPeer(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	dir, err := filepath.Abs("../jspeer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@icp-sdk", "core")); err != nil {
		t.Fatalf("jspeer/node_modules/@icp-sdk/core is missing (%v); run `npm ci --prefix jspeer` first", err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH (%v); install node 20 to run the JS cross-check", err)
	}
	cmd := exec.Command(node, append([]string{filepath.Join(dir, "candid_fixtures.mjs")}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node candid_fixtures.mjs %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// golden compares got with testdata/<TestName>/<name>.golden, rewriting it
// under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", strings.Split(t.Name(), "/")[0], name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run with -update to create it)", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden (run with -update after reviewing):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func reflectType(v any) reflect.Type { return reflect.TypeOf(v) }

// isVariant reports whether struct t models a Candid variant.
func isVariant(t reflect.Type) bool {
	return t.NumField() > 0 && idl.ParseTags(t.Field(0)).VariantType
}
