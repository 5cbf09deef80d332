package proposals

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/aviate-labs/agent-go/principal"
	"gopkg.in/yaml.v3"

	"github.com/nnspatch/nnspatch/governance/govdid"
)

// InstallMode is the `install_mode` of an InstallCode action
// (governance.enums `CanisterInstallMode`).
type InstallMode int32

// The install modes; governance rejects InstallModeUnspecified.
const (
	InstallModeUnspecified InstallMode = 0
	InstallModeInstall     InstallMode = 1
	InstallModeReinstall   InstallMode = 2
	InstallModeUpgrade     InstallMode = 3
)

var installModeNames = map[InstallMode]string{
	InstallModeUnspecified: "unspecified",
	InstallModeInstall:     "install",
	InstallModeReinstall:   "reinstall",
	InstallModeUpgrade:     "upgrade",
}

// Valid reports whether m is install, reinstall or upgrade.
func (m InstallMode) Valid() bool { return m >= InstallModeInstall && m <= InstallModeUpgrade }

// String returns the lowercase mode name, or the number when unknown.
func (m InstallMode) String() string {
	if n, ok := installModeNames[m]; ok {
		return n
	}
	return strconv.Itoa(int(m))
}

// ParseInstallMode accepts a mode name (install, reinstall, upgrade) or its
// number.
func ParseInstallMode(s string) (InstallMode, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for m, n := range installModeNames {
		if n == t {
			return m, nil
		}
	}
	if n, err := strconv.ParseInt(t, 10, 32); err == nil {
		return InstallMode(n), nil
	}
	return 0, fmt.Errorf("unknown install mode %q: use install, reinstall or upgrade", s)
}

// MarshalYAML writes the mode by name.
func (m InstallMode) MarshalYAML() (any, error) { return m.String(), nil }

// UnmarshalYAML reads a mode name or number.
func (m *InstallMode) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseInstallMode(n.Value)
	if err != nil {
		return &nodeError{n.Line, "upgrade_canister.install_mode", err}
	}
	*m = v
	return nil
}

// MarshalText writes the mode by name (JSON output).
func (m InstallMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText reads a mode name or number (JSON input, e.g. a rollback
// state file holding an InstallCode draft).
func (m *InstallMode) UnmarshalText(b []byte) error {
	v, err := ParseInstallMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// InstallCode is the InstallCode proposal action that upgrades (or
// installs) an NNS canister. The draft file names the wasm module by path;
// LoadDraft reads it into Wasm. The module's SHA-256 is what voters see and,
// for a security patch, what the community verifies once the source is out.
type InstallCode struct {
	// CanisterID is the textual principal of the target NNS canister.
	CanisterID string `json:"canister_id" yaml:"canister_id"`
	// InstallMode is install, reinstall or upgrade (the usual one).
	InstallMode InstallMode `json:"install_mode" yaml:"install_mode"`
	// WasmPath is the wasm module file, relative to the draft file.
	WasmPath string `json:"wasm_path" yaml:"wasm_path"`
	// WasmSHA256 is the expected SHA-256 (64 lowercase hex) of the module.
	WasmSHA256 string `json:"wasm_sha256" yaml:"wasm_sha256"`
	// ArgHex is the Candid-encoded upgrade argument in hex; empty for none.
	ArgHex string `json:"arg_hex,omitempty" yaml:"arg_hex,omitempty"`
	// SkipStoppingBeforeInstalling upgrades without stopping the canister.
	SkipStoppingBeforeInstalling bool `json:"skip_stopping_before_installing,omitempty" yaml:"skip_stopping_before_installing,omitempty"`
	// Wasm is the module itself, read from WasmPath; never written to files.
	Wasm []byte `json:"-" yaml:"-"`
}

// ActionName implements Action.
func (InstallCode) ActionName() string { return "InstallCode" }

// WasmHash returns the SHA-256 of the loaded wasm module in lowercase hex,
// or "" when no module is loaded.
func (c InstallCode) WasmHash() string {
	if len(c.Wasm) == 0 {
		return ""
	}
	sum := sha256.Sum256(c.Wasm)
	return hex.EncodeToString(sum[:])
}

// Arg decodes ArgHex.
func (c InstallCode) Arg() ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(c.ArgHex))
	if err != nil {
		return nil, fmt.Errorf("decode upgrade_canister.arg_hex: %w", err)
	}
	return b, nil
}

// ArgHash returns the SHA-256 of the argument in lowercase hex, as governance
// shows it (`arg_hash`); "" when ArgHex does not decode.
func (c InstallCode) ArgHash() string {
	arg, err := c.Arg()
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(arg)
	return hex.EncodeToString(sum[:])
}

// Request builds the governance InstallCodeRequest. It needs the wasm module
// loaded and a decodable canister id and argument.
func (c InstallCode) Request() (govdid.InstallCodeRequest, error) {
	id, err := ParsePrincipal(c.CanisterID)
	if err != nil {
		return govdid.InstallCodeRequest{}, fmt.Errorf("decode upgrade_canister.canister_id %q: %w", c.CanisterID, err)
	}
	if len(c.Wasm) == 0 {
		return govdid.InstallCodeRequest{}, fmt.Errorf("upgrade_canister.wasm_path: wasm module not loaded; load the draft with LoadDraft")
	}
	arg, err := c.Arg()
	if err != nil {
		return govdid.InstallCodeRequest{}, err
	}
	mode := int32(c.InstallMode)
	wasm := append([]byte(nil), c.Wasm...)
	skip := c.SkipStoppingBeforeInstalling
	return govdid.InstallCodeRequest{
		Arg: &arg, WasmModule: &wasm, SkipStoppingBeforeInstalling: &skip,
		CanisterId: &id, InstallMode: &mode,
	}, nil
}

// Motion is the Motion proposal action: text only, nothing executes.
type Motion struct {
	MotionText string `ic:"motion_text" json:"motion_text" yaml:"motion_text"`
}

// ActionName implements Action.
func (Motion) ActionName() string { return "Motion" }

// ParsePrincipal decodes a textual principal and insists on its canonical
// form: agent-go alone accepts a wrong last character when only unused
// padding bits differ, and upper case.
func ParsePrincipal(s string) (principal.Principal, error) {
	p, err := principal.Decode(s)
	if err != nil {
		return principal.Principal{}, err
	}
	if len(p.Raw) > 29 {
		return principal.Principal{}, fmt.Errorf("%d bytes, a principal has at most 29", len(p.Raw))
	}
	if p.Encode() != s {
		return principal.Principal{}, fmt.Errorf("not in canonical form (did you mean %s?)", p.Encode())
	}
	return p, nil
}

// VerifyWasm checks the loaded module against WasmSHA256 and returns an
// error wrapping ErrChecksumMismatch when they differ (nil when either is
// missing; Validate reports those).
func (c InstallCode) VerifyWasm() error {
	if len(c.Wasm) == 0 || c.WasmSHA256 == "" || c.WasmHash() == c.WasmSHA256 {
		return nil
	}
	return fmt.Errorf("upgrade_canister.wasm_sha256: %w: the module %s has SHA-256 %s, the draft declares %s; rebuild the module or fix the hash",
		ErrChecksumMismatch, c.WasmPath, c.WasmHash(), c.WasmSHA256)
}
