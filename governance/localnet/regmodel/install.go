package regmodel

import (
	"crypto/sha256"
	"fmt"
	"sort"
	"time"

	"github.com/aviate-labs/agent-go/principal"
)

// Install modes of InstallCode (governance.did CanisterInstallMode).
const (
	ModeInstall   int32 = 1
	ModeReinstall int32 = 2
	ModeUpgrade   int32 = 3
)

// Module is the code installed in an NNS canister, as far as the local
// network tracks it: the module hash, not an executing wasm.
type Module struct {
	// CanisterID is the canister.
	CanisterID principal.Principal
	// ModuleHash is the SHA-256 of the installed wasm module.
	ModuleHash [32]byte
	// ArgHash is the SHA-256 of the install argument.
	ArgHash [32]byte
	// Mode is the install mode of the last install.
	Mode int32
	// At is the time of the last install; zero for seeded modules.
	At time.Time
}

// InstallCode records an adopted InstallCode proposal: the canister's module
// hash becomes the SHA-256 of wasm. No code runs. It refuses an unknown mode,
// an empty module and an install over an existing module (use upgrade or
// reinstall), with an *ExecError wrapping ErrInvalidInstallMode.
func (r *Registry) InstallCode(canisterID principal.Principal, mode int32, wasm, arg []byte, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := canisterID.String()
	switch {
	case mode != ModeInstall && mode != ModeReinstall && mode != ModeUpgrade:
		return installErr(fmt.Sprintf("install mode %d is not install (1), reinstall (2) or upgrade (3)", mode))
	case len(wasm) == 0:
		return installErr("the wasm module is empty")
	}
	if _, ok := r.modules[key]; ok && mode == ModeInstall {
		return installErr(fmt.Sprintf("canister %s already has a module installed; use reinstall or upgrade", key))
	}
	r.modules[key] = Module{
		CanisterID: canisterID,
		ModuleHash: sha256.Sum256(wasm),
		ArgHash:    sha256.Sum256(arg),
		Mode:       mode,
		At:         now,
	}
	return nil
}

// installErr is a refused InstallCode.
func installErr(msg string) error {
	return &ExecError{Message: "install code: " + msg, Kind: ErrInvalidInstallMode}
}

// Modules returns the tracked modules ordered by canister id text.
func (r *Registry) Modules() []Module {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Module, 0, len(r.modules))
	for _, m := range r.modules {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CanisterID.String() < out[j].CanisterID.String() })
	return out
}

// ModuleHash returns the module hash of a canister and reports whether one is
// known.
func (r *Registry) ModuleHash(canisterID principal.Principal) ([32]byte, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	m, ok := r.modules[canisterID.String()]
	return m.ModuleHash, ok
}
