package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"
	"syscall"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/governance/rollout/health"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/nnspatch/nnspatch/rollback"
	"github.com/nnspatch/nnspatch/rollback/drill"
)

// ExitCode is a process exit status. The set is a documented, project-wide
// contract (README "Exit codes", `nnspatch help exit-codes`): never reuse a
// number for another meaning.
type ExitCode int

// The exit-code contract.
const (
	// ExitOK means the command did what was asked.
	ExitOK ExitCode = 0
	// ExitError is any failure not listed below.
	ExitError ExitCode = 1
	// ExitUsage is a usage error (bad flag or argument, --yes missing
	// without a terminal) or a cancellation.
	ExitUsage ExitCode = 2
	// ExitDraftInvalid means a draft has validation errors.
	ExitDraftInvalid ExitCode = 3
	// ExitAuth is an identity or authorization problem: a bad or encrypted
	// key, a neuron the identity does not control, an action not allowed.
	ExitAuth ExitCode = 4
	// ExitNetwork means the network (replica, boundary node, URL) is unreachable.
	ExitNetwork ExitCode = 5
	// ExitChecksum means an artifact's SHA-256 differs from the expected one.
	ExitChecksum ExitCode = 6
	// ExitUntrusted means a response failed verification (certificate or
	// signature), e.g. with the wrong root key.
	ExitUntrusted ExitCode = 7
	// ExitPending means the thing waited for is still pending (a watch ended,
	// a proposal is still open).
	ExitPending ExitCode = 8
	// ExitRefused means a precondition or health gate does not hold
	// (preflight, the NNS rejected the command, a rollout gate failed).
	ExitRefused ExitCode = 9
	// ExitDrillFailed means a rollback drill assertion failed.
	ExitDrillFailed ExitCode = 10
)

// exitNames are the codes' names in --json error documents.
var exitNames = map[ExitCode]string{
	ExitOK: "ok", ExitError: "error", ExitUsage: "usage", ExitDraftInvalid: "draft_invalid",
	ExitAuth: "auth", ExitNetwork: "unreachable", ExitChecksum: "checksum_mismatch",
	ExitUntrusted: "untrusted", ExitPending: "pending", ExitRefused: "refused",
	ExitDrillFailed: "drill_failed",
}

// Name is the code's name as --json error documents spell it.
func (c ExitCode) Name() string {
	if n, ok := exitNames[c]; ok {
		return n
	}
	return "error"
}

// exitRule maps every error that matches to a code and, optionally, a hint
// printed under the error telling the user what to do next.
type exitRule struct {
	match func(error) bool
	code  ExitCode
	hint  func(error) string
}

// exitRules is the ordered error → exit code table; the first match wins.
// To map a new library error, add ONE row here (most specific first), e.g.
//
//	{match: is(governance.ErrNeuronNotControlled), code: ExitAuth, hint: text("pass --neuron with a neuron your identity controls")},
//
// Unmatched errors exit with ExitError.
var exitRules = []exitRule{
	{match: as[*FlagError], code: ExitUsage},
	{match: as[*NoConfirmError], code: ExitUsage,
		hint: text("check the summary above, then run the command again with --yes (or from a terminal to be asked)")},
	{match: as[*MainnetRiskError], code: ExitUsage,
		hint: text("nothing was sent; add --accept-risk=mainnet if you mean to write to the IC mainnet, or pick another --network")},
	{match: is(ErrCancel), code: ExitUsage},
	{match: is(context.Canceled), code: ExitUsage},
	{match: isCobraUsage, code: ExitUsage, hint: text("run `nnspatch help` to list the commands and flags")},
	{match: as[*CodeError], code: ExitError}, // replaced by the carried code in exitCodeFor
	{match: is(localnet.ErrUnreachable), code: ExitNetwork, hint: text("start one with `nnspatch localnet start`")},
	{match: is(localnet.ErrNotAdmin), code: ExitRefused, hint: text("point --url at a running `nnspatch localnet start`")},
	{match: is(localnet.ErrStateLocked), code: ExitRefused, hint: text("stop that network or pass another --state")},
	{match: is(localnet.ErrSeedMismatch), code: ExitRefused,
		hint: text("start with the seed it was created from, or use a fresh --state directory")},
	{match: is(localnet.ErrConfigMismatch), code: ExitRefused,
		hint: text("start without --voting-period or use a fresh --state directory")},
	{match: is(localnet.ErrListen), code: ExitRefused, hint: text("stop what uses the address or pass another host:port to --listen")},
	{match: is(localnet.ErrStateDir), code: ExitError, hint: text("pass a writable --state directory")},
	{match: is(localnet.ErrAdminRefused), code: ExitRefused},
	{match: is(localnet.ErrCorruptLog), code: ExitRefused},
	{match: is(localnet.ErrBadSeed), code: ExitUsage},
	{match: is(localnet.ErrBadFault), code: ExitUsage, hint: text("name subnets by their ids, as `nnspatch subnets` lists them")},
	{match: is(config.ErrMalformed), code: ExitError,
		hint: text("fix the line named above; `nnspatch config init --config /tmp/example.yaml` writes a commented file with every key")},
	{match: is(config.ErrInvalid), code: ExitError,
		hint: text("fix that key in the config file, or the NNSPATCH_<KEY> variable or flag that sets it")},
	{match: as[*DraftInvalidError], code: ExitDraftInvalid, hint: draftInvalidHint},
	{match: is(rollout.ErrNoElectionDraft), code: ExitDraftInvalid,
		hint: text("pass --redraft FILE with the election draft to submit")},
	{match: missingDraftFile, code: ExitDraftInvalid,
		hint: text("check the path; `nnspatch draft <kind> -o FILE` writes a draft file")},
	{match: is(proposals.ErrDraftFile), code: ExitDraftInvalid,
		hint: text("fix the draft file (`nnspatch draft --help` describes every key), then run `nnspatch proposal validate FILE`")},
	{match: is(proposals.ErrDraftInvalid), code: ExitDraftInvalid, hint: text("run `nnspatch proposal validate FILE` to list every problem")},
	{match: is(proposals.ErrObsoleteFunction), code: ExitDraftInvalid},
	{match: is(proposals.ErrNoForumURL), code: ExitUsage,
		hint: text("pass --forum-url with the forum post announcing the patch (where the community asks questions), or --no-forum-url to write it without one")},
	{match: is(proposals.ErrChecksumMismatch), code: ExitChecksum,
		hint: text("the file differs from the SHA-256 the draft declares; rebuild or re-download it")},
	{match: is(artifact.ErrChecksumMismatch), code: ExitChecksum,
		hint: text("do not use this artifact; download it again and compare with the release's SHA256SUMS")},
	{match: as[*PendingError], code: ExitPending},
	{match: is(rollout.ErrPlanInvalid), code: ExitDraftInvalid,
		hint: text("fix every problem listed above, or let `nnspatch rollout plan` build the plan from the registry")},
	{match: is(rollout.ErrPolicy), code: ExitUsage,
		hint: text("fix the policy (--policy or rollout_policy in the config): dfinity, continuous, or a YAML file with keys such as time_zone, days, hours, batch_size, interval, canaries")},
	{match: is(rollout.ErrCorruptLedger), code: ExitError, hint: corruptLedgerHint},
	{match: is(rollout.ErrLedgerMismatch), code: ExitError,
		hint: text("nothing was submitted; compare the ledger with release.yaml.bak and `nnspatch proposal show ID`, and fix the record (or restore the backup)")},
	{match: is(rollout.ErrGateFailed), code: ExitRefused,
		hint: text("the rollout is stopped; investigate the subnet, roll it back or fix it, then run `nnspatch rollout status`")},
	{match: is(rollout.ErrElectionFailed), code: ExitRefused},
	{match: is(rollout.ErrQuietPeriod), code: ExitRefused, hint: text("pass --force with --reason to disclose anyway")},
	{match: is(rollout.ErrNoReason), code: ExitError, hint: text("pass --reason TEXT; the reason is recorded in the release ledger")},
	{match: is(rollout.ErrRolledBack), code: ExitRefused,
		hint: text("re-deploying the version needs `nnspatch rollout advance <release> --redeploy-rolled-back` (recorded as an override) or a new release")},
	{match: is(rollout.ErrNoPlan), code: ExitRefused, hint: text("run `nnspatch rollout plan <release>` first")},
	{match: is(rollback.ErrNoPreviousWasm), code: ExitUsage,
		hint: text("pass --wasm CANISTER=FILE with the wasm module each canister ran before the release")},
	{match: is(rollout.ErrReleaseKind), code: ExitUsage,
		hint: text("`nnspatch release status <release>` shows the release's kind; HostOS and NNS canister releases are planned, advanced and rolled back by the same commands")},
	{match: is(rollback.ErrPreviousWasm), code: ExitChecksum,
		hint: text("pass the wasm module the canister ran before the release (its SHA-256 must be the module hash the release recorded): `nnspatch release status <release> --json` shows it as previous")},
	{match: is(rollout.ErrAbandoned), code: ExitRefused},
	{match: is(rollout.ErrHalted), code: ExitRefused, hint: haltedHint},
	{match: is(rollout.ErrNotHalted), code: ExitRefused,
		hint: text("nothing to resume; `nnspatch rollout status` shows where the rollout stands")},
	{match: is(rollout.ErrElectionNotFound), code: ExitRefused, hint: electionNotFoundHint},
	{match: is(rollout.ErrNoPackageHash), code: ExitUsage,
		hint: text("pass the release package's --sha256 to find its election proposal")},
	{match: is(rollout.ErrOtherElection), code: ExitRefused,
		hint: text("attach into another directory with --dir, or check the version")},
	{match: is(rollout.ErrNoRelease), code: ExitError,
		hint: text("check the release directory, or create the release with `nnspatch release new`")},
	{match: is(health.ErrBadQuery), code: ExitUsage,
		hint: text("fix the PromQL in the --query-* flag or the query_* config key, or leave it empty for the built-in query")},
	{match: is(rollout.ErrNotElection), code: ExitError,
		hint: text("pass the id of a GuestOS or HostOS election or of an InstallCode (canister upgrade) proposal")},
	{match: is(health.ErrSource), code: ExitNetwork,
		hint: text("check --prometheus (or prometheus_url in the config) and that the server answers")},
	{match: is(drill.ErrAssertionFailed), code: ExitDrillFailed,
		hint: text("the report above marks each failed assertion with ✗")},
	{match: is(drill.ErrUnknownScenario), code: ExitUsage,
		hint: text("name a shipped scenario (`nnspatch drill list`) or give a path to a scenario file")},
	{match: is(drill.ErrScenario), code: ExitUsage,
		hint: text("fix the scenario file; `nnspatch drill list` shows the shipped scenarios, documented examples")},
	{match: is(rollback.ErrStepFailed), code: ExitRefused,
		hint: text("run `nnspatch rollback submit` again to resubmit it")},
	{match: is(rollback.ErrNoLedger), code: ExitError, hint: text("pass --release DIR with the release's directory")},
	{match: is(rollback.ErrNotTarget), code: ExitError,
		hint: text("name only subnets that run the release, as `nnspatch subnets` lists them")},
	{match: is(rollback.ErrNothingToRollBack), code: ExitRefused,
		hint: text("no subnet runs that version; check --version or `nnspatch subnets`")},
	{match: is(rollback.ErrNoTarget), code: ExitRefused, hint: noTargetHint},
	{match: is(rollback.ErrNoFailure), code: ExitRefused,
		hint: func(error) string {
			return "healthy targets are not rolled back unless asked: name them with --failing or --subnets, or pass --all-targets"
		}},
	{match: is(rollback.ErrNoState), code: ExitError, hint: text("run `nnspatch rollback submit` first")},
	{match: is(rollback.ErrHistory), code: ExitError},
	{match: is(governance.ErrNoSecret), code: ExitAuth,
		hint: text("run the command in a terminal to be asked, or (in scripts) set NNSPATCH_IDENTITY_PASSWORD for a key's password or NNSPATCH_HSM_PIN for a token's PIN")},
	{match: is(governance.ErrWrongPassword), code: ExitAuth,
		hint: text("the password did not decrypt the key; run the command again and type the identity's password")},
	{match: is(governance.ErrHSMPIN), code: ExitAuth,
		hint: text("check the token's user PIN (typed at the prompt, or NNSPATCH_HSM_PIN / DFX_HSM_PIN); repeated wrong PINs lock the token")},
	{match: is(governance.ErrHSMToken), code: ExitAuth,
		hint: text("insert the token, or pick it with --identity hsm:slot=N,... or hsm:token=LABEL,...; `pkcs11-tool --module MODULE -L` lists the slots")},
	{match: is(governance.ErrHSMKeyType), code: ExitAuth,
		hint: text("nnspatch signs with ECDSA P-256 keys in a token; name one with hsm:id=HEX or hsm:label=NAME")},
	{match: is(governance.ErrHSMKey), code: ExitAuth,
		hint: text("`pkcs11-tool --module MODULE --login --list-objects` lists the token's keys and their ids")},
	{match: is(governance.ErrHSMModule), code: ExitAuth,
		hint: text("install OpenSC or your token's PKCS#11 library, and set hsm_module in the config (or module= in --identity hsm:...)")},
	{match: is(governance.ErrHSMUnsupported), code: ExitAuth},
	{match: is(governance.ErrEncryptedKey), code: ExitAuth,
		hint: text("nnspatch decrypts encrypted keys in memory: run the command in a terminal to be asked for the password, or set NNSPATCH_IDENTITY_PASSWORD")},
	{match: is(governance.ErrNeuronNotControlled), code: ExitAuth,
		hint: text("pass --neuron with a neuron your identity controls or is a hotkey of, or set neuron in the config file")},
	{match: is(governance.ErrIdentity), code: ExitAuth,
		hint: text("pass --identity with a dfx identity name, a PEM file or hsm:slot=0,id=HEX; `dfx identity list` shows the names")},
	{match: as[*governance.BallotConflictError], code: ExitRefused,
		hint: text("a ballot cannot be changed; the table above shows the neuron's ballot that stands")},
	{match: as[*governance.UnknownOutcomeError], code: ExitUntrusted,
		hint: text("do not retry blindly: the write may have executed; check its outcome as the message says, and the network's root key (`nnspatch config show`)")},
	{match: is(rollback.ErrRecoveryNeeded), code: ExitRefused,
		hint: text("no proposal can execute while the NNS subnet is stalled: it needs a subnet recovery by the node providers (a recovery catch-up package, outside governance); once it finalizes, run `nnspatch rollback plan` again for the other subnets")},
	{match: as[*governance.UntrustedError], code: ExitUntrusted, hint: untrustedHint},
	{match: is(governance.ErrSignedMessage), code: ExitError,
		hint: text("sign the messages again with --sign-only; --expires-in moves the 5-minute sending window later")},
	{match: is(governance.ErrNeuronNotFound), code: ExitError,
		hint: text("check the neuron id; `nnspatch neuron list` shows the neurons your identity controls")},
	{match: is(governance.ErrProposalNotFound), code: ExitError,
		hint: text("check the id; `nnspatch proposals list` shows recent proposals")},
	{match: is(governance.ErrUntrusted), code: ExitUntrusted, hint: untrustedHint},
	{match: is(governance.ErrUnreachable), code: ExitNetwork,
		hint: text("check --network and the URL in `nnspatch config show`; is the replica running?")},
	{match: is(governance.ErrPreflight), code: ExitRefused,
		hint: text("nothing was submitted; fix the failed checks listed above and try again")},
	{match: is(governance.ErrProposalClosed), code: ExitRefused},
	{match: as[*governance.RejectedError], code: ExitRefused},
	{match: is(governance.ErrNoRootKey), code: ExitError,
		hint: text("pass --root-key HEX (or --root-key fetch for a test network you trust)")},
	{match: is(governance.ErrFetchNotLoopback), code: ExitError,
		hint: text("set local_url to a loopback URL, or pass --root-key HEX")},
	{match: is(governance.ErrMainnetRootKey), code: ExitError,
		hint: text("drop --root-key (and root_key in the config): the IC mainnet always uses the built-in root key")},
	{match: is(governance.ErrBadRootKey), code: ExitError,
		hint: text("pass the DER key in hex, as `nnspatch localnet start` prints it (or --root-key fetch for a test network you trust)")},
	{match: is(governance.ErrNetwork), code: ExitError,
		hint: text("use --network ic, local, a URL, or a name under networks: in the config file (`nnspatch config show`)")},
	{match: is(artifact.ErrTLS), code: ExitUntrusted,
		hint: text("the server's TLS certificate did not verify; check the URL")},
	{match: is(artifact.ErrNetwork), code: ExitNetwork, hint: text("check the URL and your connection")},
	{match: isUnreachable, code: ExitNetwork,
		hint: text("check --network and the URL in `nnspatch config show`; is the replica running?")},
	{match: as[*governance.BallotUnreadableError], code: ExitError, hint: ballotUnreadableHint},
}

// exitCodeFor returns the exit code and the hint ("" if none) for err.
func exitCodeFor(err error) (ExitCode, string) {
	if err == nil {
		return ExitOK, ""
	}
	var ce *CodeError
	if errors.As(err, &ce) {
		return ce.Code, ""
	}
	var fe *FlagError
	if errors.As(err, &fe) {
		return ExitUsage, wrappedHint(fe.Err)
	}
	for _, r := range exitRules {
		if r.match(err) {
			if r.hint == nil {
				return r.code, ""
			}
			return r.code, hintWithRef(err, r.hint(err))
		}
	}
	return ExitError, ""
}

// ballotUnreadableHint names the command that shows the ballot.
func ballotUnreadableHint(err error) string {
	var be *governance.BallotUnreadableError
	if !errors.As(err, &be) {
		return ""
	}
	return fmt.Sprintf("check the neuron's ballot with `nnspatch proposal show %d`", be.Proposal)
}

// hintWithRef names the release in a hint when the command wrapped the error
// with the release reference it was given (refError).
func hintWithRef(err error, hint string) string {
	var re *refError
	if errors.As(err, &re) && re.ref != "" {
		return strings.ReplaceAll(hint, "<release>", re.ref)
	}
	return hint
}

// haltedHint says how to lift a halt recorded in the ledger; a halt on
// chain gets none (its error says how it ends), and an ErrHalted without
// the halt's facts points at the ledger's log.
func haltedHint(err error) string {
	var he *rollout.HaltedError
	switch {
	case errors.As(err, &he) && he.Source == rollout.HaltChain:
		return ""
	case errors.As(err, &he):
		return "once resolved, lift the halt with `nnspatch rollout resume <release> --reason TEXT`"
	}
	return "`nnspatch release log <release>` shows who halted the rollout and why"
}

// electionNotFoundHint points at the hash when the registry knows the
// version under another one.
func electionNotFoundHint(err error) string {
	var ee *rollout.ElectionNotFoundError
	switch {
	case errors.As(err, &ee) && ee.Registry != "":
		return "check --sha256; `nnspatch proposal list --topic ic-os-version-election` shows the elections governance has"
	case errors.As(err, &ee):
		return "check the version and --sha256, or create the release with `nnspatch release new` and submit its election; " +
			"`nnspatch proposal list --topic ic-os-version-election` shows the elections governance has"
	}
	return "`nnspatch proposal list --topic ic-os-version-election` shows the elections governance has; a release not elected yet starts with `nnspatch release new`"
}

// wrappedHint is the hint for a library error a FlagError wraps (with %w),
// so a flag's value refused by a library gets the library error's hint; ""
// when the flag error wraps nothing.
func wrappedHint(err error) string {
	if errors.Unwrap(err) == nil {
		return ""
	}
	_, hint := exitCodeFor(errors.Unwrap(err))
	return hint
}

func draftInvalidHint(err error) string {
	var de *DraftInvalidError
	if errors.As(err, &de) && de.NotWritten {
		return "fix every problem listed above and run the command again"
	}
	return "fix every problem listed above, then run `nnspatch proposal validate FILE` again"
}

// is returns a matcher for errors.Is(err, target).
func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// as returns a matcher for errors.As into a T.
func as[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// text returns a hint function with a fixed hint.
func text(s string) func(error) string {
	return func(error) string { return s }
}

// missingDraftFile reports whether err is a draft file that does not exist.
func missingDraftFile(err error) bool {
	return errors.Is(err, proposals.ErrDraftFile) && errors.Is(err, fs.ErrNotExist)
}

// isCobraUsage reports whether err is one of cobra's own usage errors, which
// are plain strings (unknown command, unknown flag, wrong argument count).
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag",
		"accepts ", "requires at least", "requires at most", "invalid argument",
		"flag needs an argument", "required flag(s)", "if any flags in the group"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// isUnreachable reports whether err means a network endpoint could not be
// reached (connection refused, DNS failure, dial timeout).
func isUnreachable(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// untrustedHint names the network whose answer failed verification and
// says what helps. It never suggests --root-key fetch: that trusts the key
// the server itself sends, so it cannot help when that server is the one
// answering wrongly.
func untrustedHint(err error) string {
	network := "in use"
	var ue *governance.UntrustedError
	if errors.As(err, &ue) && ue.Network != "" {
		network = ue.Network
	}
	if (governance.Network{Name: network}).IsMainnet() {
		return "nothing from this answer was trusted; nnspatch checks network ic against the IC's built-in root key, " +
			"so check that its URL (`nnspatch config show`) is the real IC and not a proxy or a typo; never disable verification"
	}
	return fmt.Sprintf("nothing from this answer was trusted; check that network %s has the URL you intended (`nnspatch config show`); "+
		"for a URL or test network pass the network's real root key with --root-key HEX, obtained out of band from its operator "+
		"(--root-key fetch trusts whatever key the server sends); never disable verification", network)
}

// corruptLedgerHint offers the backup when it reads and passes its
// checksum, else says to repair the ledger by hand.
func corruptLedgerHint(err error) string {
	var ce *rollout.CorruptError
	if errors.As(err, &ce) && ce.Backup != "" {
		return fmt.Sprintf("nnspatch never overwrites a ledger it cannot trust; the backup reads fine: compare the two, then restore it with `cp %s %s` (actions after the backup must be recorded again; `nnspatch rollout status` re-reads the proposals from governance)", ce.Backup, ce.Path)
	}
	return "nnspatch never overwrites a ledger it cannot trust; compare it with release.yaml.bak and repair it by hand"
}
