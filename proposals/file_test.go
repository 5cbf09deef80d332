package proposals

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExampleDraftIsValid(t *testing.T) {
	d, err := LoadDraft("testdata/example-draft.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ps := Validate(d); len(ps) != 0 {
		t.Errorf("example draft has problems:\n%s", formatProblems(ps))
	}
	if d.Mode != ModeSecurity || len(d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements) != 2 ||
		len(d.ElectGuestOS.GuestLaunchMeasurements.GuestLaunchMeasurements[0].Measurement) != SEVMeasurementBytes {
		t.Errorf("example parsed wrongly: %+v", d.ElectGuestOS)
	}
	// Every key of the reference appears in the commented example or is
	// covered by the per-kind drafts written by TestDraftFileRoundTrip.
	for _, key := range []string{"schema_version", "kind", "mode", "title", "summary", "url", "elect_guestos", "replica_version_to_elect", "guest_launch_measurements", "kernel_cmdline"} {
		if !strings.Contains(DraftFileReference(), key) {
			t.Errorf("DraftFileReference does not document %s", key)
		}
	}
}

// TestDraftFileReferenceCoversEveryKey walks the yaml tags of Draft and its
// actions: each key must be documented.
func TestDraftFileReferenceCoversEveryKey(t *testing.T) {
	ref := DraftFileReference()
	for _, typ := range []any{Draft{}, ReviseElectedGuestosVersions{}, DeployGuestosToAllSubnetNodes{}, DeployGuestosToAllUnassignedNodes{},
		ReviseElectedHostosVersions{}, DeployHostosToSomeNodes{}, InstallCode{}, Motion{}, GuestLaunchMeasurement{}} {
		for key := range yamlFields(reflectType(typ)) {
			if !strings.Contains(ref, key) {
				t.Errorf("DraftFileReference does not document %s (%T)", key, typ)
			}
		}
	}
}

func TestDraftFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "registry.wasm"), testWasm, 0o644); err != nil {
		t.Fatal(err)
	}
	for k, d := range sampleDrafts(t) {
		t.Run(string(k), func(t *testing.T) {
			path := filepath.Join(dir, string(k)+".yaml")
			if err := WriteDraft(path, d); err != nil {
				t.Fatal(err)
			}
			got, err := LoadDraft(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(d, got, principalCmp); diff != "" {
				t.Errorf("draft changed through the file (-written +read):\n%s", diff)
			}
			if ps := Validate(got); len(ps) != 0 {
				t.Errorf("reloaded draft has problems: %v", ps)
			}
		})
	}
}

func TestWriteDraftAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "draft.yaml")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	d := sampleDrafts(t)[KindDeployUnassigned]
	if err := WriteDraft(path, d); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "# nnspatch proposal draft") || !strings.Contains(string(data), "kind: deploy-unassigned") {
		t.Errorf("written file:\n%s", data)
	}
	if err := WriteDraft(filepath.Join(dir, "missing", "d.yaml"), d); err == nil || !strings.Contains(err.Error(), "write draft") {
		t.Errorf("write into a missing directory: err = %v", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600 (drafts are private to their owner)", fi.Mode())
	}
}

func TestParseDraftErrors(t *testing.T) {
	const head = "schema_version: 1\nkind: deploy-unassigned\n"
	tests := []struct {
		name string
		data string
		line int
		key  string
		msg  string
	}{
		{"empty", "", 0, "", "empty"},
		{"not a mapping", "- a\n- b\n", 1, "", "want a mapping"},
		{"syntax", "schema_version: 1\nkind: [\n", 2, "", "fix the YAML syntax"},
		{"no schema", "kind: motion\n", 1, "schema_version", "missing; add schema_version: 1"},
		{"newer schema", "schema_version: 2\n", 1, "schema_version", "upgrade nnspatch"},
		{"bad schema", "schema_version: one\n", 1, "schema_version", "not a schema version"},
		{"unknown top key", head + "titel: x\n", 3, "titel", "unknown key; valid keys here:"},
		{"unknown key suggestion", head + "Schema-Version: 1\n", 3, "Schema-Version", "did you mean schema_version?"},
		{"unknown nested key", head + "deploy_unassigned:\n  elected_replica_version: x\n  replica_version: y\n", 5, "deploy_unassigned.replica_version", "unknown key"},
		{"unknown key in list item", "schema_version: 1\nkind: elect-guestos\nelect_guestos:\n  guest_launch_measurements:\n    guest_launch_measurements:\n      - measurement: ab\n        vcpu: milan\n", 7,
			"elect_guestos.guest_launch_measurements.guest_launch_measurements[0].vcpu", "unknown key"},
		{"alias", "schema_version: 1\nkind: &k motion\nmode: *k\n", 3, "mode", "aliases are not supported"},
		{"duplicate key", head + "title: a\ntitle: b\n", 4, "", "already defined"},
		{"type error", head + "title: [a, b]\n", 3, "", "fix the value's type"},
		{"bad principal", "schema_version: 1\nkind: deploy-guestos\ndeploy_guestos:\n  subnet_id: tdb26-nope\n", 4, "deploy_guestos.subnet_id", "not a valid principal"},
		{"non-canonical principal", "schema_version: 1\nkind: deploy-hostos\ndeploy_hostos:\n  node_ids: [RWLGT-IIAAA-AAAAA-AAAAA-CAI]\n", 4, "deploy_hostos.node_ids[0]", "did you mean rwlgt-iiaaa-aaaaa-aaaaa-cai"},
		{"bad measurement hex", "schema_version: 1\nkind: elect-guestos\nelect_guestos:\n  guest_launch_measurements:\n    guest_launch_measurements:\n      - measurement: xyz\n", 6, "measurement", "not hex"},
		{"bad install mode", "schema_version: 1\nkind: upgrade-canister\nupgrade_canister:\n  install_mode: replace\n", 4, "upgrade_canister.install_mode", "unknown install mode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseDraft([]byte(tt.data))
			if !errors.Is(err, ErrDraftFile) {
				t.Fatalf("err = %v, want ErrDraftFile", err)
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err %T is not a *FileError", err)
			}
			if tt.line != 0 && fe.Line != tt.line || fe.Key != tt.key || !strings.Contains(fe.Error(), tt.msg) {
				t.Errorf("got line %d key %q: %v; want line %d key %q containing %q", fe.Line, fe.Key, err, tt.line, tt.key, tt.msg)
			}
		})
	}
}

func TestParseDraftReportsEveryUnknownKey(t *testing.T) {
	_, err := ParseDraft([]byte("schema_version: 1\nkind: motion\ntitel: x\nsumary: y\nmotion:\n  text: z\n"))
	for _, frag := range []string{"<input>:3: titel: unknown key", "<input>:4: sumary: unknown key", "<input>:6: motion.text: unknown key"} {
		if err == nil || !strings.Contains(err.Error(), frag) {
			t.Errorf("err = %v, want it to contain %q", err, frag)
		}
	}
}

func TestLoadDraftErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadDraft(filepath.Join(dir, "nope.yaml"))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Path != filepath.Join(dir, "nope.yaml") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	path := filepath.Join(dir, "bad.yaml")
	os.WriteFile(path, []byte("schema_version: 1\nkind: motion\nfoo: 1\n"), 0o644)
	if _, err := LoadDraft(path); err == nil || !strings.Contains(err.Error(), "draft file "+path+":3: foo: unknown key") {
		t.Errorf("unknown key: %v", err)
	}
	os.WriteFile(path, []byte("schema_version: 1\nkind: upgrade-canister\nupgrade_canister:\n  wasm_path: missing.wasm\n"), 0o644)
	if _, err := LoadDraft(path); !errors.As(err, &fe) || fe.Key != "upgrade_canister.wasm_path" || !strings.Contains(err.Error(), "relative to the draft file") {
		t.Errorf("missing wasm: %v", err)
	}
	os.WriteFile(path, []byte(strings.Repeat("#", MaxDraftFileBytes+10)), 0o644)
	if _, err := LoadDraft(path); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("huge file: %v", err)
	}
}
