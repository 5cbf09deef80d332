package governance

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aviate-labs/agent-go/certification"
)

// MainnetURL is the default API endpoint of the Internet Computer.
const MainnetURL = "https://icp-api.io"

// DefaultLocalURL is where a local network listens unless configured
// otherwise (dfx's default bind address).
const DefaultLocalURL = "http://127.0.0.1:4943"

// ErrNetwork reports a network name or root key that cannot be resolved.
var ErrNetwork = errors.New("invalid network")

// Network is where the Client sends requests and how it trusts the answers.
type Network struct {
	// Name is "ic", "local", a configured name, or the URL itself.
	Name string
	// URL is the API endpoint.
	URL string
	// RootKey is the DER root key certificates are checked against; nil
	// together with FetchRootKey means "ask the network at connect time".
	RootKey []byte
	// FetchRootKey makes the Client read the root key from /api/v2/status.
	// Only for local and explicitly configured test networks.
	FetchRootKey bool
}

// IsMainnet reports whether n is the Internet Computer mainnet.
func (n Network) IsMainnet() bool { return n.Name == "ic" }

// NetworkConfig is one entry of the config file's networks map.
type NetworkConfig struct {
	// URL is the API endpoint.
	URL string `mapstructure:"url" json:"url" yaml:"url"`
	// RootKey is "fetch", a hex DER root key, or empty ("fetch" for
	// loopback URLs, an error otherwise).
	RootKey string `mapstructure:"root_key" json:"root_key,omitempty" yaml:"root_key,omitempty"`
}

// Resolver turns a --network value into a Network. The zero value knows
// ic, local (at DefaultLocalURL) and URLs.
type Resolver struct {
	// Networks are the configured names; "ic" may change its URL but
	// never its root key.
	Networks map[string]NetworkConfig
	// Env is DFX_NETWORK, used when no name is given.
	Env string
}

// Resolve returns the Network for name ("" means Env, then "local"), with
// rootKey ("", "fetch" or hex) overriding the configured trust, except for
// mainnet whose built-in key can never be replaced.
func (r Resolver) Resolve(name, rootKey string) (Network, error) {
	if name == "" {
		name = r.Env
	}
	if name == "" {
		name = "local"
	}
	if name == "ic" {
		return r.mainnet(rootKey)
	}
	cfg, known := r.Networks[name]
	switch {
	case known:
	case name == "local":
		cfg = NetworkConfig{URL: DefaultLocalURL, RootKey: "fetch"}
	case strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://"):
		cfg = NetworkConfig{URL: name}
	default:
		return Network{}, fmt.Errorf("%w: unknown network %q; use ic, local, a URL, or add it under networks in the config file", ErrNetwork, name)
	}
	if rootKey != "" {
		cfg.RootKey = rootKey
	}
	return buildNetwork(name, cfg)
}

func (r Resolver) mainnet(rootKey string) (Network, error) {
	if rootKey != "" {
		return Network{}, fmt.Errorf("%w: --root-key cannot be used with network ic; mainnet always uses the built-in root key", ErrNetwork)
	}
	u := MainnetURL
	if cfg, ok := r.Networks["ic"]; ok && cfg.URL != "" {
		u = cfg.URL
	}
	key, _ := hex.DecodeString(certification.RootKey)
	return Network{Name: "ic", URL: u, RootKey: key}, nil
}

func buildNetwork(name string, cfg NetworkConfig) (Network, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Network{}, fmt.Errorf("%w: network %s has URL %q; want http(s)://host[:port]", ErrNetwork, name, cfg.URL)
	}
	n := Network{Name: name, URL: strings.TrimSuffix(cfg.URL, "/")}
	switch {
	case cfg.RootKey == "fetch":
		n.FetchRootKey = true
	case cfg.RootKey == "" && isLoopback(u.Hostname()):
		n.FetchRootKey = true
	case cfg.RootKey == "":
		return Network{}, fmt.Errorf("%w: network %s needs a root key; pass --root-key HEX (or --root-key fetch for a test network you trust)", ErrNetwork, name)
	default:
		key, err := ParseRootKey(cfg.RootKey)
		if err != nil {
			return Network{}, fmt.Errorf("network %s: %w", name, err)
		}
		n.RootKey = key
	}
	return n, nil
}

// ParseRootKey decodes a hex DER BLS root key and checks its shape.
func ParseRootKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: root key is not hex (%w); pass the DER key in hex, as `nnspatch localnet start` prints it (or fetch for a test network you trust)", ErrNetwork, err)
	}
	if _, err := certification.PublicBLSKeyFromDER(key); err != nil {
		return nil, fmt.Errorf("%w: root key is not a DER BLS12-381 key (%w); pass the whole DER key in hex, not the raw 96-byte key", ErrNetwork, err)
	}
	return key, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}
