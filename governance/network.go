package governance

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/aviate-labs/agent-go/certification"
)

// MainnetURL is the default API endpoint of the Internet Computer.
const MainnetURL = "https://icp-api.io"

// DefaultLocalURL is where a local network listens unless configured
// otherwise (dfx's default bind address).
const DefaultLocalURL = "http://127.0.0.1:4943"

// ErrNetwork reports a network name or root key that cannot be resolved.
var ErrNetwork = errors.New("invalid network")

// The ways a network's root key setting can be wrong; each comes wrapped
// together with ErrNetwork.
var (
	// ErrNoRootKey reports a network that is not on a loopback address
	// and has no root key.
	ErrNoRootKey = errors.New("needs a root key")
	// ErrFetchNotLoopback reports a root key to be fetched from a network
	// that is not on a loopback address, without the user asking for it.
	ErrFetchNotLoopback = errors.New("its root key is fetched only from loopback addresses")
	// ErrMainnetRootKey reports a root key given for the IC mainnet, which
	// always uses the built-in one.
	ErrMainnetRootKey = errors.New("the built-in IC root key is used")
	// ErrBadRootKey reports a root key that is not a hex DER BLS key.
	ErrBadRootKey = errors.New("malformed root key")
)

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

// IsMainnet reports whether n is the Internet Computer mainnet: the name
// ic, the IC's built-in root key (whatever the name or URL), or a URL on one
// of the IC's public API domains. Every write to such a network needs the
// caller's explicit acceptance of the risk.
func (n Network) IsMainnet() bool {
	return n.Name == "ic" || IsMainnetRootKey(n.RootKey) || IsMainnetURL(n.URL)
}

// mainnetDomains are the Internet Computer's public API domains; a host
// equal to one of them or below one of them is mainnet.
var mainnetDomains = []string{"icp-api.io", "ic0.app", "icp0.io"}

// IsMainnetHost reports whether host is (or is below) one of the IC's
// public API domains (icp-api.io, ic0.app, icp0.io).
func IsMainnetHost(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	for _, d := range mainnetDomains {
		if h == d || strings.HasSuffix(h, "."+d) {
			return true
		}
	}
	return false
}

// IsMainnetURL reports whether raw is a URL on a mainnet host.
func IsMainnetURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && IsMainnetHost(u.Hostname())
}

// IsMainnetRootKey reports whether key is the IC's built-in root key.
func IsMainnetRootKey(key []byte) bool {
	return len(key) > 0 && bytes.Equal(key, mainnetRootKey())
}

func mainnetRootKey() []byte {
	key, _ := hex.DecodeString(certification.RootKey)
	return key
}

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
	// The built-in local network's "fetch" is a default, not a choice:
	// it only holds while local_url is a loopback address.
	explicitFetch := rootKey == "fetch" || (known && name != "local")
	if rootKey != "" {
		cfg.RootKey = rootKey
	}
	return buildNetwork(name, cfg, explicitFetch)
}

func (r Resolver) mainnet(rootKey string) (Network, error) {
	if rootKey != "" {
		return Network{}, fmt.Errorf("%w: a root key cannot be given for network ic: %w", ErrNetwork, ErrMainnetRootKey)
	}
	u := MainnetURL
	if cfg, ok := r.Networks["ic"]; ok && cfg.URL != "" {
		u = cfg.URL
	}
	return Network{Name: "ic", URL: u, RootKey: mainnetRootKey()}, nil
}

// buildNetwork decides how a network is trusted. A root key is fetched from
// the network itself only from a loopback address, or when the user asked
// for it (explicitFetch); never from a mainnet host, which always gets the
// built-in key.
func buildNetwork(name string, cfg NetworkConfig, explicitFetch bool) (Network, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Network{}, fmt.Errorf("%w: network %s has URL %q; want http(s)://host[:port]", ErrNetwork, name, cfg.URL)
	}
	n := Network{Name: name, URL: strings.TrimSuffix(cfg.URL, "/")}
	host := u.Hostname()
	switch {
	case IsMainnetHost(host):
		return mainnetHostNetwork(n, host, cfg.RootKey)
	case (cfg.RootKey == "fetch" || cfg.RootKey == "") && IsLoopbackHost(host):
		n.FetchRootKey = true
	case cfg.RootKey == "fetch" && explicitFetch:
		n.FetchRootKey = true
	case cfg.RootKey == "fetch":
		return Network{}, fmt.Errorf("%w: network %s has URL %s, which is not a loopback address (127.0.0.0/8, ::1 or localhost); "+
			"%w", ErrNetwork, name, n.URL, ErrFetchNotLoopback)
	case cfg.RootKey == "":
		return Network{}, fmt.Errorf("%w: network %s %w", ErrNetwork, name, ErrNoRootKey)
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
		return nil, fmt.Errorf("%w: %w: not hex (%w)", ErrNetwork, ErrBadRootKey, err)
	}
	if _, err := certification.PublicBLSKeyFromDER(key); err != nil {
		return nil, fmt.Errorf("%w: %w: not a DER BLS12-381 key (%w); pass the whole DER key in hex, not the raw 96-byte key", ErrNetwork, ErrBadRootKey, err)
	}
	return key, nil
}

// mainnetHostNetwork trusts a network on a mainnet host with the built-in
// root key only: fetching the key from the host it is meant to verify would
// trust whoever answers, and any other key cannot be the IC's.
func mainnetHostNetwork(n Network, host, rootKey string) (Network, error) {
	switch rootKey {
	case "":
	case "fetch":
		return Network{}, fmt.Errorf("%w: network %s is on %s, an Internet Computer mainnet host; its root key is never fetched: "+
			"%w", ErrNetwork, n.Name, host, ErrMainnetRootKey)
	default:
		key, err := ParseRootKey(rootKey)
		if err != nil {
			return Network{}, fmt.Errorf("network %s: %w", n.Name, err)
		}
		if !IsMainnetRootKey(key) {
			return Network{}, fmt.Errorf("%w: network %s is on %s, an Internet Computer mainnet host, but its root key is not the IC's; "+
				"drop the root key (the built-in IC root key is used)", ErrNetwork, n.Name, host)
		}
	}
	n.RootKey = mainnetRootKey()
	return n, nil
}

// IsLoopbackHost reports whether host is an IP literal in 127.0.0.0/8 or
// ::1, or "localhost" resolving only to such addresses. Names that merely
// start with "127." are not loopback.
func IsLoopbackHost(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if !strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return false
		}
	}
	return true
}
