package governance

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// ErrDFXNetworks reports a dfx network file that cannot be read.
var ErrDFXNetworks = errors.New("malformed dfx network configuration")

// dfxNetwork is one entry of dfx's networks: a remote network lists
// providers (URLs); a local one may give the address its replica binds to.
// Other fields (type, replica, bitcoin, ...) do not matter to nnspatch.
type dfxNetwork struct {
	Providers []string `json:"providers"`
	Bind      string   `json:"bind"`
}

// DFXNetworkFiles are where dfx keeps network definitions.
type DFXNetworkFiles struct {
	// User is the shared networks.json (~/.config/dfx/networks.json, or
	// under DFX_CONFIG_ROOT); empty skips it.
	User string
	// Project is the project's dfx.json whose "networks" section wins over
	// User (as in dfx); empty skips it.
	Project string
}

// DFXNetworkFilesFromOS returns the user networks.json under env's dfx
// root and the dfx.json of the project around dir (dir or the nearest
// parent holding one), as dfx finds them.
func DFXNetworkFilesFromOS(env IdentityEnv, dir string) DFXNetworkFiles {
	f := DFXNetworkFiles{}
	if env.Home != "" || env.DFXConfigRoot != "" {
		f.User = filepath.Join(env.dfxRoot(), "networks.json")
	}
	for d := dir; d != ""; {
		if _, err := os.Stat(filepath.Join(d, "dfx.json")); err == nil {
			f.Project = filepath.Join(d, "dfx.json")
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	return f
}

// LoadDFXNetworks reads dfx's network definitions as NetworkConfigs: a
// network's URL is its first provider, or http://BIND for a local network
// with a bind address ("local.bind" moves the local network). Project
// entries win over user ones. Missing files are no error.
func LoadDFXNetworks(files DFXNetworkFiles) (map[string]NetworkConfig, error) {
	out := map[string]NetworkConfig{}
	user, err := readDFXNetworks(files.User, false)
	if err != nil {
		return nil, err
	}
	project, err := readDFXNetworks(files.Project, true)
	if err != nil {
		return nil, err
	}
	for _, src := range []struct {
		path string
		nets map[string]dfxNetwork
	}{{files.User, user}, {files.Project, project}} {
		for name, n := range src.nets {
			cfg, ok, err := n.config()
			if err != nil {
				return nil, fmt.Errorf("%w: %s: network %s: %w", ErrDFXNetworks, src.path, name, err)
			}
			if ok {
				out[name] = cfg
			}
		}
	}
	return out, nil
}

// readDFXNetworks reads networks.json (the whole file is the map) or
// dfx.json (its "networks" section).
func readDFXNetworks(path string, section bool) (map[string]dfxNetwork, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDFXNetworks, err)
	}
	nets := map[string]dfxNetwork{}
	if section {
		var v struct {
			Networks map[string]dfxNetwork `json:"networks"`
		}
		err = json.Unmarshal(b, &v)
		nets = v.Networks
	} else {
		err = json.Unmarshal(b, &nets)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrDFXNetworks, path, err)
	}
	return nets, nil
}

// config turns one dfx network into a NetworkConfig; ok is false for an
// entry with neither providers nor bind (nothing to connect to).
func (n dfxNetwork) config() (NetworkConfig, bool, error) {
	switch {
	case len(n.Providers) > 0:
		return NetworkConfig{URL: withScheme(n.Providers[0])}, true, nil
	case n.Bind != "":
		host, port, err := net.SplitHostPort(n.Bind)
		if err != nil {
			return NetworkConfig{}, false, fmt.Errorf("bind %q is not host:port", n.Bind)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		return NetworkConfig{URL: "http://" + net.JoinHostPort(host, port), RootKey: "fetch"}, true, nil
	}
	return NetworkConfig{}, false, nil
}

// withScheme completes a provider given as host[:port]:
// http for loopback, https otherwise.
func withScheme(p string) string {
	if strings.Contains(p, "://") {
		return strings.TrimSuffix(p, "/")
	}
	host := p
	if h, _, err := net.SplitHostPort(p); err == nil {
		host = h
	}
	if IsLoopbackHost(host) {
		return "http://" + p
	}
	return "https://" + p
}
