package main

import (
	"github.com/nnspatch/nnspatch/governance"
)

// acceptMainnet is the only value --accept-risk takes.
const acceptMainnet = "mainnet"

// checkMainnetRisk refuses a write to the Internet Computer mainnet unless
// --accept-risk=mainnet was given. Mainnet is decided by the network itself
// (governance.Network.IsMainnet: the name ic, the IC's root key or a
// mainnet host), never by the name alone, so a URL, a config entry or
// DFX_NETWORK cannot slip past it. Call it before anything is sent.
func checkMainnetRisk(n governance.Network, acceptRisk, what string) error {
	if !n.IsMainnet() || acceptRisk == acceptMainnet {
		return nil
	}
	where := n.Name
	if n.URL != "" && n.URL != n.Name {
		where += " (" + n.URL + ")"
	}
	return &MainnetRiskError{What: what, Network: where}
}

// MainnetRiskError refuses a write to mainnet without --accept-risk=mainnet.
// Main exits with ExitUsage and prints the message and its hint, not the
// usage text, which would bury them.
type MainnetRiskError struct {
	// What is the write, e.g. "voting".
	What string
	// Network names the network and its URL.
	Network string
}

// Error implements error.
func (e *MainnetRiskError) Error() string {
	return e.What + " on network " + e.Network + " writes to the Internet Computer mainnet; that needs --accept-risk=mainnet"
}

// checkAcceptRiskValue checks the value of --accept-risk.
func checkAcceptRiskValue(v string) error {
	if v != "" && v != acceptMainnet {
		return FlagErrorf("--accept-risk takes mainnet, got %q", v)
	}
	return nil
}
