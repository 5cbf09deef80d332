package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet/localnettest"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/rollback/drill"
)

// TestExitCodeTable sends real library errors, wrapped the way callers
// wrap them, through the mapping.
func TestExitCodeTable(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("submit proposal: %w", err) }
	tests := []struct {
		name     string
		err      error
		want     ExitCode
		wantHint bool
	}{
		{name: "nil", err: nil, want: ExitOK},
		{name: "plain error", err: errors.New("boom"), want: ExitError},
		{name: "flag error", err: FlagErrorf("--sha256 is required"), want: ExitUsage},
		{name: "cobra unknown command", err: errors.New(`unknown command "x" for "nnspatch"`), want: ExitUsage, wantHint: true},
		{name: "cancel", err: wrap(ErrCancel), want: ExitUsage},
		{name: "context cancelled", err: wrap(context.Canceled), want: ExitUsage},
		{name: "malformed config", err: fmt.Errorf("%w /x/config.yaml: line 2: unknown key nework", config.ErrMalformed), want: ExitError, wantHint: true},
		{name: "invalid config value", err: fmt.Errorf("load config: %w", config.ErrInvalid), want: ExitError, wantHint: true},
		{name: "missing draft file", err: &proposals.FileError{Path: "x.yaml", Err: fmt.Errorf("read: %w", fs.ErrNotExist)}, want: ExitDraftInvalid, wantHint: true},
		{name: "draft invalid", err: &DraftInvalidError{File: "d.json", Errors: 2}, want: ExitDraftInvalid, wantHint: true},
		{name: "encrypted key", err: wrap(governance.ErrEncryptedKey), want: ExitAuth, wantHint: true},
		{name: "no password or PIN", err: wrap(&governance.NoSecretError{Request: governance.SecretRequest{Kind: governance.SecretPIN, What: "token", Env: []string{"NNSPATCH_HSM_PIN"}}}), want: ExitAuth, wantHint: true},
		{name: "wrong password", err: wrap(governance.ErrWrongPassword), want: ExitAuth, wantHint: true},
		{name: "wrong PIN", err: wrap(&governance.HSMError{Kind: governance.ErrHSMPIN}), want: ExitAuth, wantHint: true},
		{name: "missing token", err: wrap(&governance.HSMError{Kind: governance.ErrHSMToken}), want: ExitAuth, wantHint: true},
		{name: "unsupported token key", err: wrap(&governance.HSMError{Kind: governance.ErrHSMKeyType}), want: ExitAuth, wantHint: true},
		{name: "no PKCS#11 module", err: wrap(&governance.HSMError{Kind: governance.ErrHSMModule}), want: ExitAuth, wantHint: true},
		{name: "built without cgo", err: wrap(&governance.HSMError{Kind: governance.ErrHSMUnsupported}), want: ExitAuth},
		{name: "neuron not controlled (governance NotAuthorized)", err: wrap(&governance.RejectedError{ErrorType: 3, Message: "caller is not authorized"}), want: ExitAuth, wantHint: true},
		{name: "identity missing", err: wrap(governance.ErrIdentity), want: ExitAuth, wantHint: true},
		{name: "governance unreachable", err: wrap(&governance.UnreachableError{Network: "local", URL: "http://127.0.0.1:1", Err: syscall.ECONNREFUSED}), want: ExitNetwork, wantHint: true},
		{name: "artifact network", err: &artifact.SourceError{Source: "https://x", Kind: artifact.ErrNetwork, Err: errors.New("dial")}, want: ExitNetwork, wantHint: true},
		{name: "raw connection refused", err: wrap(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), want: ExitNetwork, wantHint: true},
		{name: "checksum mismatch", err: wrap(&artifact.MismatchError{Want: "aa", Got: "bb", Source: "f"}), want: ExitChecksum, wantHint: true},
		{name: "mirrors disagree", err: &artifact.MirrorMismatchError{}, want: ExitChecksum, wantHint: true},
		{name: "untrusted", err: wrap(&governance.UntrustedError{Network: "local", Err: errors.New("bad signature")}), want: ExitUntrusted, wantHint: true},
		{name: "tls", err: &artifact.SourceError{Source: "https://x", Kind: artifact.ErrTLS, Err: errors.New("x509")}, want: ExitUntrusted, wantHint: true},
		{name: "pending", err: &PendingError{What: "proposal 12"}, want: ExitPending},
		{name: "preflight failed", err: wrap(&governance.PreflightError{Failed: []governance.Check{{Name: "version not elected yet"}}}), want: ExitRefused, wantHint: true},
		{name: "unknown network", err: fmt.Errorf("resolve: %w", governance.ErrNetwork), want: ExitError, wantHint: true},
		{name: "NNS rejected", err: wrap(&governance.RejectedError{ErrorType: 11, Message: "precondition failed"}), want: ExitRefused},
		{name: "drill assertion failed", err: fmt.Errorf("run drill: %w", &drill.AssertionError{Failed: []drill.Assertion{{Name: "all_healthy"}}}), want: ExitDrillFailed, wantHint: true},
		{name: "rollout halted", err: wrap(&rollout.HaltedError{Halt: rollout.Halt{Reason: "stall on subnet x"}}), want: ExitRefused, wantHint: true},
		{name: "rollout not halted", err: wrap(rollout.ErrNotHalted), want: ExitRefused, wantHint: true},
		{name: "no release ledger", err: fmt.Errorf("open release: %w", rollout.ErrNoRelease), want: ExitError, wantHint: true},
		{name: "prometheus refused a query", err: wrap(&health.QueryError{Query: "alerts", Type: "bad_data", Message: "parse error"}), want: ExitUsage, wantHint: true},
		{name: "explicit code", err: &CodeError{Code: ExitRefused, Err: errors.New("gate closed")}, want: ExitRefused},
	}
	seen := map[ExitCode]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, hint := exitCodeFor(tt.err)
			if got != tt.want {
				t.Errorf("exitCodeFor(%v) = %d, want %d", tt.err, got, tt.want)
			}
			if (hint != "") != tt.wantHint {
				t.Errorf("hint = %q, want a hint: %v", hint, tt.wantHint)
			}
			seen[got] = true
		})
	}
	for _, c := range documentedCodes(t) {
		if !seen[c] {
			t.Errorf("documented exit code %d is produced by no case above", c)
		}
	}
}

// documentedCodes parses the codes listed by `nnspatch help exit-codes`.
func documentedCodes(t *testing.T) []ExitCode {
	t.Helper()
	re := regexp.MustCompile(`(?m)^\s+(\d+)  `)
	var codes []ExitCode
	for _, m := range re.FindAllStringSubmatch(exitCodesHelp, -1) {
		n, _ := strconv.Atoi(m[1])
		codes = append(codes, ExitCode(n))
	}
	return codes
}

// TestExitCodesDocumented checks that the help topic and README list exactly
// the codes 0–10 of the contract, in order.
func TestExitCodesDocumented(t *testing.T) {
	codes := documentedCodes(t)
	if len(codes) != 11 {
		t.Fatalf("help exit-codes lists %d codes, want 11 (0-10)", len(codes))
	}
	for i, c := range codes {
		if int(c) != i {
			t.Errorf("code #%d is %d, want %d", i, c, i)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatalf("read README: %v", err)
	}
	for i := range 11 {
		row := fmt.Sprintf("| %d |", i)
		if !strings.Contains(string(readme), row) {
			t.Errorf("README.md exit-code table has no row %q", row)
		}
	}
}

// TestExitCodesThroughBinary runs real commands and checks their exit codes.
func TestExitCodesThroughBinary(t *testing.T) {
	isolateConfig(t)
	dir := t.TempDir()
	file := dir + "/a.bin"
	if err := os.WriteFile(file, []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	const helloSHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
	tests := []struct {
		name string
		args []string
		want ExitCode
	}{
		{name: "ok", args: []string{"artifact", "check", "--sha256", helloSHA, file}, want: ExitOK},
		{name: "unknown command", args: []string{"frobnicate"}, want: ExitUsage},
		{name: "unknown flag", args: []string{"version", "--frob"}, want: ExitUsage},
		{name: "missing argument", args: []string{"artifact", "hash"}, want: ExitUsage},
		{name: "missing file", args: []string{"artifact", "hash", dir + "/nope"}, want: ExitError},
		{name: "checksum mismatch", args: []string{"artifact", "check", "--sha256", strings.Repeat("0", 64), file}, want: ExitChecksum},
		{name: "unreachable URL", args: []string{"artifact", "hash", "--allow-http", "http://127.0.0.1:1/x"}, want: ExitNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.args...)
			if r.Code != tt.want {
				t.Errorf("nnspatch %s exited %d, want %d; stderr:\n%s", strings.Join(tt.args, " "), r.Code, tt.want, r.Stderr)
			}
		})
	}
}

// TestMissingDraftFileHint checks that a draft file that does not exist gets
// a hint about the path, not one about fixing the file's content.
func TestMissingDraftFileHint(t *testing.T) {
	_, hint := exitCodeFor(fmt.Errorf("render: %w", &proposals.FileError{Path: "x.yaml", Err: fmt.Errorf("read: %w", fs.ErrNotExist)}))
	if !strings.Contains(hint, "check the path") {
		t.Errorf("hint = %q, want one saying to check the path", hint)
	}
}

// TestUntrustedHintSaysWhatHelps checks the exit-code-7 hint through a real
// command against a network whose root key does not sign: it must point at
// the URL and an out-of-band root key, never at --root-key fetch (which
// trusts the very server whose answer failed).
func TestUntrustedHintSaysWhatHelps(t *testing.T) {
	n, flags := cliNet(t, localnettest.WithBadRootKey())
	r := run(t, flags, "proposals", "list")
	if r.Code != ExitUntrusted {
		t.Fatalf("exit code %d, want %d\n%s", r.Code, ExitUntrusted, r.Stderr)
	}
	hint := hintLine(t, r.Stderr)
	for _, want := range []string{"network " + n.URL(), "URL you intended", "--root-key HEX", "out of band", "never disable verification"} {
		if !strings.Contains(hint, want) {
			t.Errorf("hint lacks %q: %q", want, hint)
		}
	}
	if strings.Contains(hint, "or --root-key fetch") || strings.Contains(hint, "pass --root-key fetch") {
		t.Errorf("hint suggests --root-key fetch: %q", hint)
	}
	_, icHint := exitCodeFor(fmt.Errorf("list: %w", &governance.UntrustedError{Network: "ic", Err: errors.New("bad signature")}))
	if !strings.Contains(icHint, "built-in root key") || strings.Contains(icHint, "--root-key HEX") {
		t.Errorf("mainnet hint = %q, want one about the built-in key and the URL", icHint)
	}
}

// hintLine returns the text of the single "hint: " line of stderr.
func hintLine(t *testing.T, stderr string) string {
	t.Helper()
	var hints []string
	for _, l := range strings.Split(stderr, "\n") {
		if h, ok := strings.CutPrefix(l, "hint: "); ok {
			hints = append(hints, h)
		}
	}
	if len(hints) != 1 {
		t.Fatalf("want exactly one hint line, got %d in:\n%s", len(hints), stderr)
	}
	return hints[0]
}

// A --json run that fails before printing its document prints the error as
// one JSON document on stdout (strictly decodable), with the exit code and
// its name; without --json stdout stays empty.
func TestJSONErrorDocument(t *testing.T) {
	isolateConfig(t)
	for _, c := range []struct {
		args []string
		code ExitCode
		kind string
	}{
		{[]string{"proposal", "show", "1", "--network", "http://127.0.0.1:1", "--root-key", "fetch"}, ExitNetwork, "unreachable"},
		{[]string{"drill", "run", "no-such-drill"}, ExitUsage, "usage"},
		{[]string{"proposal", "show", "not-a-number"}, ExitUsage, "usage"},
	} {
		r := mustRun(t, c.code, append(c.args, "--json")...)
		var doc jsonout.ErrorDoc
		dec := json.NewDecoder(strings.NewReader(r.Stdout))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil || dec.More() {
			t.Fatalf("%v: stdout is not one error document (%v):\n%s", c.args, err, r.Stdout)
		}
		if doc.SchemaVersion != jsonout.SchemaVersion || doc.Error.ExitCode != int(c.code) || doc.Error.Kind != c.kind || doc.Error.Message == "" {
			t.Errorf("%v: %+v", c.args, doc)
		}
		if plain := mustRun(t, c.code, c.args...); plain.Stdout != "" {
			t.Errorf("%v without --json printed on stdout:\n%s", c.args, plain.Stdout)
		}
	}
}
