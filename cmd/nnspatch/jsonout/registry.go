package jsonout

import "time"

// RegistrySync is printed by `nnspatch registry sync --json`.
type RegistrySync struct {
	Envelope
	// RegistryVersion is the version the local copy reached.
	RegistryVersion uint64 `json:"registry_version"`
	// From is the version the local copy held before.
	From uint64 `json:"from_version"`
	// Calls and Bytes count the registry queries and their reply bytes.
	Calls int   `json:"calls"`
	Bytes int64 `json:"bytes"`
	// Chunks counts the chunks fetched with get_chunk.
	Chunks int `json:"chunks"`
	// Seconds is the sync's wall time.
	Seconds float64 `json:"seconds"`
}

// RegistryStatus is printed by `nnspatch registry status --json`.
type RegistryStatus struct {
	Envelope
	// Dir is the cache directory ("" when kept in memory).
	Dir string `json:"dir"`
	// RegistryVersion is the newest version held.
	RegistryVersion uint64 `json:"registry_version"`
	// Bytes is the size of the cache files.
	Bytes int64 `json:"bytes"`
	// Keys counts the keys with a value.
	Keys int `json:"keys"`
	// LastSync is when a sync last completed; absent if never.
	LastSync *time.Time `json:"last_sync,omitempty"`
}
