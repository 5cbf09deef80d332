package jsonout

import (
	"encoding/json"
	"io"
)

// SchemaVersion is the version of every envelope below.
const SchemaVersion = 1

// Envelope is the common head of every JSON document.
type Envelope struct {
	// SchemaVersion is SchemaVersion at the time of writing.
	SchemaVersion int `json:"schema_version"`
}

// NewEnvelope returns an Envelope with the current SchemaVersion.
func NewEnvelope() Envelope { return Envelope{SchemaVersion: SchemaVersion} }

// Version is printed by `nnspatch version --json`.
type Version struct {
	Envelope
	// Version is the release version, or "dev".
	Version string `json:"version"`
	// Commit is the VCS revision the binary was built from, or "unknown".
	Commit string `json:"commit"`
	// GoVersion is the Go toolchain that built the binary.
	GoVersion string `json:"go_version"`
}

// Write encodes v as indented JSON followed by a newline.
func Write(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// ConfigShow is printed by `nnspatch config show --json`.
type ConfigShow struct {
	Envelope
	// Path is the config file in use, or the one that would be used.
	Path string `json:"path"`
	// FileFound reports whether Path existed and was read.
	FileFound bool `json:"file_found"`
	// Values lists every key with its effective value and source.
	Values []ConfigValue `json:"values"`
}

// ConfigValue is one effective config value.
type ConfigValue struct {
	// Key is the config key, e.g. "network".
	Key string `json:"key"`
	// Value is the effective value.
	Value any `json:"value"`
	// Text is Value as `config show` prints it.
	Text string `json:"-"`
	// Source is "flag", "env", "file" or "default".
	Source string `json:"source"`
}
