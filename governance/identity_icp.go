package governance

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// icpIdentityList is icp-cli's identity/identity_list.json: each identity
// with its storage kind ("pem" with format plaintext or pbes2, "keyring",
// "hsm", "anonymous", "internet-identity"), facts from icp-cli's
// identity manifest.
type icpIdentityList struct {
	V          int                        `json:"v"`
	Identities map[string]icpIdentitySpec `json:"identities"`
}

type icpIdentitySpec struct {
	Kind   string `json:"kind"`
	Format string `json:"format"`
	Module string `json:"module"`
	Slot   int    `json:"slot"`
	KeyID  string `json:"key-id"`
}

// loadICP loads icp-cli identity name: its PEM in keys/ (plaintext or
// password-protected PBES2), its HSM key, or a clear refusal for keyring
// and Internet Identity identities. It returns os.ErrNotExist when
// icp-cli has no such identity.
func (env IdentityEnv) loadICP(name string) (*Identity, error) {
	dir := env.icpIdentityDir()
	if dir == "" {
		return nil, os.ErrNotExist
	}
	spec, listed := readICPSpec(dir, name)
	switch {
	case listed && spec.Kind == "keyring":
		return nil, fmt.Errorf("%w: %w: icp-cli identity %q keeps its key in the system keyring, which nnspatch cannot read; use a password-protected icp-cli identity (`icp identity new NAME --storage password`) or a key in a token (an hsm: identity)", ErrIdentity, ErrUnreadableIdentity, name)
	case listed && spec.Kind == "internet-identity":
		return nil, fmt.Errorf("%w: %w: icp-cli identity %q is an Internet Identity delegation, which nnspatch cannot sign with; use a PEM, password-protected or HSM identity", ErrIdentity, ErrUnreadableIdentity, name)
	case listed && spec.Kind == "hsm":
		id, err := hex.DecodeString(spec.KeyID)
		if err != nil || len(id) == 0 {
			return nil, fmt.Errorf("%w: icp-cli identity %q has key-id %q, which is not hex", ErrIdentity, name, spec.KeyID)
		}
		module := spec.Module
		if module == "" {
			module = env.hsmModule()
		}
		return LoadHSM(HSMSpec{Module: module, Slot: spec.Slot, KeyID: id, PINEnv: []string{EnvHSMPIN}}, "icp:"+name, env)
	}
	path := filepath.Join(dir, "keys", name+".pem")
	if _, err := os.Stat(path); err != nil {
		return nil, os.ErrNotExist
	}
	return loadIdentityFile(path, name, env)
}

// readICPSpec returns name's entry of identity_list.json, if any.
func readICPSpec(dir, name string) (icpIdentitySpec, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "identity_list.json"))
	if err != nil {
		return icpIdentitySpec{}, false
	}
	var list icpIdentityList
	if err := json.Unmarshal(b, &list); err != nil && !errors.Is(err, os.ErrNotExist) {
		return icpIdentitySpec{}, false
	}
	spec, ok := list.Identities[name]
	return spec, ok
}
