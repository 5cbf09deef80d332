package jsonout

import (
	"encoding/json"
	"io"
	"time"

	"github.com/nnspatch/nnspatch/proposals"
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

// ErrorDoc is printed on stdout by a command run with --json that fails
// before it printed its own document; the message and hint also go to
// stderr as usual.
type ErrorDoc struct {
	Envelope
	Error Error `json:"error"`
}

// Error is a failed command's error.
type Error struct {
	// Message is the error as stderr shows it.
	Message string `json:"message"`
	// Hint says what to do next, when there is one.
	Hint string `json:"hint,omitempty"`
	// ExitCode is the process exit status (see `nnspatch help exit-codes`).
	ExitCode int `json:"exit_code"`
	// Kind names the exit code: usage, auth, unreachable, refused, ...
	Kind string `json:"kind"`
}

// SignedFile is printed by `vote --sign-only FILE --json` and `proposal
// submit --sign-only FILE --json`: what was signed into FILE.
type SignedFile struct {
	Envelope
	// File is where the signed messages were written.
	File string `json:"file"`
	// Sender is the principal that signed them.
	Sender string `json:"sender"`
	// SendAfter and Expires bound when `nnspatch send` can submit them.
	SendAfter time.Time `json:"send_after"`
	Expires   time.Time `json:"expires"`
	// RequestIDs are the messages' request ids (hex), one per message.
	RequestIDs []string `json:"request_ids"`
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

// ConfigPath is the `config path --json` document.
type ConfigPath struct {
	Envelope
	// Path is the config file in use, or the one that would be used.
	Path string `json:"path"`
	// FileFound reports whether Path exists.
	FileFound bool `json:"file_found"`
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

// Digest is the SHA-256 of one file or URL.
type Digest struct {
	// SHA256 is the lowercase hex digest.
	SHA256 string `json:"sha256"`
	// Size is the number of bytes hashed.
	Size int64 `json:"size"`
	// Source is the file path or URL as given.
	Source string `json:"source"`
}

// ArtifactHash is printed by `nnspatch artifact hash --json`.
type ArtifactHash struct {
	Envelope
	// Digests lists one digest per source, in the order given.
	Digests []Digest `json:"digests"`
	// Identical reports whether every source hashed to the same digest.
	Identical bool `json:"identical"`
}

// ArtifactCheck is printed by `nnspatch artifact check --json`.
type ArtifactCheck struct {
	Envelope
	// OK reports whether every source matched every expected digest.
	OK bool `json:"ok"`
	// Results has one entry per source and expectation.
	Results []CheckResult `json:"results"`
}

// CheckResult is the comparison of one source with one expected digest.
type CheckResult struct {
	Digest
	// Expected is the expected lowercase hex digest.
	Expected string `json:"expected"`
	// ExpectedFrom says where Expected came from: "--sha256" or "SHA256SUMS line N".
	ExpectedFrom string `json:"expected_from"`
	// Match reports whether SHA256 equals Expected.
	Match bool `json:"match"`
}

// DraftWritten is printed by `nnspatch draft <kind> --json`.
type DraftWritten struct {
	Envelope
	// Path is the draft file written; empty when the draft was invalid.
	Path string `json:"path"`
	// Kind is the proposal kind, e.g. "elect-guestos".
	Kind string `json:"kind"`
	// Mode is "regular" or "security".
	Mode string `json:"mode"`
	// Problems lists every validation problem (warnings when Path is set).
	Problems []proposals.Problem `json:"problems"`
}

// ProposalValidate is printed by `nnspatch proposal validate --json`.
type ProposalValidate struct {
	Envelope
	// File is the draft file checked.
	File string `json:"file"`
	// Valid reports whether no problem has error severity.
	Valid bool `json:"valid"`
	// Problems lists every problem, errors and warnings.
	Problems []proposals.Problem `json:"problems"`
}

// ProposalRender is printed by `nnspatch proposal render --json`.
type ProposalRender struct {
	Envelope
	// File is the draft file rendered.
	File string `json:"file"`
	// Proposal is the rendered draft: texts, topic, decoded payload, payload
	// hex and SHA-256, and validation problems.
	Proposal proposals.Rendered `json:"proposal"`
}
