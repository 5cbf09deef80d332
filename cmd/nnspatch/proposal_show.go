package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

type proposalShowOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Client func(ctx context.Context, rootKey string) (*governance.Client, error)
	// Now reads the network's clock through the client (host clock fallback).
	Now func(ctx context.Context, c *governance.Client) time.Time
	// Disclosure returns the disclosure deadline of a security patch and,
	// once published, the disclosure, when its release ledger knows them
	// (hook for the rollout tracker; nil: unknown).
	Disclosure func(p governance.Proposal) disclosureView
	Net        netOptions
	ID         uint64
	Raw        bool
}

func newCmdProposalShow(f *Factory, runF func(*proposalShowOptions) error) *cobra.Command {
	opts := &proposalShowOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow,
		Disclosure: newReleaseEnv(f).disclosureOf}
	cmd := &cobra.Command{
		Use:   "show <id>",
		Short: "Show a proposal, its decoded payload and its tally",
		Long: `Show a proposal: title, proposer, topic, status, the decoded payload (typed for
IC OS and canister-upgrade functions, field by field otherwise; raw hex with
--raw), the tally with the absolute-majority and 3% quorum lines, the deadline
and time left (by the network's certified clock), and the reject cost. A security patch election is marked
"source withheld"; when its release ledger (under releases_dir) shows the
rollout finished, the disclosure deadline is shown too (disclosure_deadline with
--json), and once the ledger records the disclosure, "disclosed <date>, source
<url>" replaces "withheld" (disclosure with --json). The created time, the
ballots of the neurons your identity controls (with their voting power), and
links to the proposal on the dashboard and to its forum thread are shown.
Text from the chain is sanitized before it is printed.`,
		Example: "$ nnspatch proposal show 139800\n$ nnspatch proposal show 139800 --raw\n$ nnspatch proposal show 139800 --json | jq .decision",
		Args:    exactArgs(1, "a proposal id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return FlagErrorf("proposal id %q is not a number", args[0])
			}
			opts.ID = id
			return runOrRunF(opts, runF, func(o *proposalShowOptions) error { return proposalShowRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "also print the payload as hex")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func proposalShowRun(ctx context.Context, o *proposalShowOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	p, err := c.GetProposal(ctx, o.ID)
	if err != nil {
		return err
	}
	now := o.Now(ctx, c)
	var disclosure disclosureView
	if o.Disclosure != nil {
		disclosure = o.Disclosure(*p)
	}
	if o.JSON() {
		doc := proposalDoc(c.Network.Name, *p, now)
		doc.DisclosureDeadline = disclosure.Due
		if d := disclosure.Disclosed; d != nil {
			doc.Disclosure = &jsonout.Disclosure{At: d.At, SourceURL: d.SourceURL, Forced: d.Forced}
		}
		return jsonout.Write(o.IO.Out, doc)
	}
	return writeProposal(o.IO.Out, *p, now, o.Raw, disclosure)
}

// disclosureView is what a release ledger says about the disclosure of a
// security patch's source.
type disclosureView = rollout.DisclosureView

// disclosureOf reads the release ledger of the version p elects under
// releases_dir: the disclosure deadline once every subnet runs it, and the
// disclosure once it happened.
func (e *releaseEnv) disclosureOf(p governance.Proposal) disclosureView {
	dir, err := e.releasesDir()
	if err != nil {
		return disclosureView{}
	}
	return rollout.DisclosureOf(dir, p)
}

func proposalDoc(network string, p governance.Proposal, now time.Time) jsonout.ProposalShow {
	doc := jsonout.ProposalShow{Envelope: jsonout.NewEnvelope(), Network: network, Proposal: p,
		Decision: decisionOf(p, now), SecurityPatch: governance.IsSecurityPatch(p), PayloadSHA256: p.Action.PayloadSHA256(),
		DashboardURL: dashboardURL(p.ID)}
	if p.Action.Kind == "ExecuteNnsFunction" {
		if a, err := proposals.DecodePayload(p.Action.NNSFunction, p.Action.Payload); err == nil {
			doc.Payload = a
		}
	}
	return doc
}

func decisionOf(p governance.Proposal, now time.Time) jsonout.Decision {
	t := p.Tally
	return jsonout.Decision{YesPercent: t.Percent(t.Yes), NoPercent: t.Percent(t.No), DecidedEarly: t.DecidedEarly(),
		Adopting: t.Adopting(), QuorumMet: t.QuorumMet(), CanFlip: p.Status == governance.StatusOpen && t.CanFlip(),
		Deadline: p.Deadlines.Current, MaxDeadline: p.Deadlines.Max, SecondsLeft: int64(p.Deadlines.Left(now) / time.Second)}
}

// writeProposal renders a proposal for a terminal; every string that came
// from the chain goes through governance.Sanitize.
func writeProposal(w io.Writer, p governance.Proposal, now time.Time, raw bool, disclosure disclosureView) error {
	ew := &errWriter{w: w}
	ew.printf("Proposal %d: %s\n\n", p.ID, governance.SanitizeLine(p.Title))
	ew.printf("  Proposer:     neuron %d\n", p.Proposer)
	ew.printf("  Topic:        %s (%d)\n", p.Topic, int32(p.Topic))
	ew.printf("  Status:       %s\n", statusMark(p.Status))
	ew.printf("  Action:       %s\n", actionName(p.Action))
	ew.printf("  Created:      %s\n", stamp(p.Deadlines.Created))
	if p.URL != "" {
		ew.printf("  %-14s%s\n", urlLabel(p.URL), governance.SanitizeLine(p.URL))
	}
	ew.printf("  Dashboard:    %s\n", dashboardURL(p.ID))
	if governance.IsSecurityPatch(p) {
		writeSource(ew, disclosure)
	}
	if p.FailureReason != "" {
		ew.printf("  Failure:      %s\n", governance.SanitizeLine(p.FailureReason))
	}
	writePayload(ew, p, raw)
	writeTally(ew, p, now)
	writeBallots(ew, p)
	ew.printf("\nReject cost:    %s ICP\n", icpText(p.RejectCostE8s))
	ew.printf("\nSummary:\n%s\n", indent(governance.Sanitize(p.Summary), "  "))
	return ew.err
}

func writePayload(ew *errWriter, p governance.Proposal, raw bool) {
	a := p.Action
	switch a.Kind {
	case "Motion":
		ew.printf("\nMotion text:\n%s\n", indent(governance.Sanitize(a.MotionText), "  "))
		return
	case "InstallCode":
		if v := a.Install; v != nil {
			ew.printf("\nCanister upgrade:\n  canister: %s (%s)\n  mode: %s\n  wasm_module_hash: %s\n  arg_hash: %s\n  skip_stopping_before_installing: %v\n",
				v.CanisterID, proposals.CanisterName(v.CanisterID), v.Mode, v.WasmModuleHash, v.ArgHash, v.SkipStopping)
		}
		return
	case "ExecuteNnsFunction":
	default:
		writeSelfDescribing(ew, p)
		return
	}
	ew.printf("\nPayload (%d bytes, sha256 %s):\n", len(a.Payload), a.PayloadSHA256())
	if len(a.Payload) == 0 {
		ew.printf("  (omitted by governance; large payloads are dropped from listings)\n")
	} else if fields, err := proposals.DescribePayload(a.NNSFunction, a.Payload); err == nil {
		for _, f := range fields {
			ew.printf("  %s: %s\n", f.Key, governance.SanitizeLine(f.Value))
		}
	} else if lines := governance.SelfDescribing(p); len(lines) > 0 {
		writeSelfDescribing(ew, p)
	} else {
		ew.printf("  (no typed view: %s)\n", governance.SanitizeLine(err.Error()))
		raw = true
	}
	if raw {
		ew.printf("  hex: %s\n", hex.EncodeToString(a.Payload))
	}
}

// writeSelfDescribing prints governance's own decoding of an action that
// nnspatch has no typed view of.
func writeSelfDescribing(ew *errWriter, p governance.Proposal) {
	lines := governance.SelfDescribing(p)
	if len(lines) == 0 {
		return
	}
	ew.printf("\nAction (as governance describes it):\n")
	for _, l := range lines {
		ew.printf("  %s\n", governance.SanitizeLine(l))
	}
}

func writeTally(ew *errWriter, p governance.Proposal, now time.Time) {
	t := p.Tally
	ew.printf("\nTally (at %s), in voting power (not ICP):\n", stamp(t.At))
	ew.printf("  yes    %6.2f%%  %s\n", t.Percent(t.Yes), votingPowerText(t.Yes))
	ew.printf("  no     %6.2f%%  %s\n", t.Percent(t.No), votingPowerText(t.No))
	ew.printf("  total           %s\n", votingPowerText(t.Total))
	ew.printf("  %s absolute majority: yes > 50%% of total adopts at once, no ≥ 50%% rejects at once\n", checkMark(t.DecidedEarly()))
	if t.QuorumMet() {
		ew.printf("  ✓ quorum: yes ≥ 3%% of total\n")
	} else {
		ew.printf("  ✗ quorum: yes below 3%% of total (%s voting power missing)\n", votingPowerText(t.QuorumMissing()))
	}
	if p.Status != governance.StatusOpen {
		ew.printf("\nDecided:        %s\n", stamp(p.Decided))
		return
	}
	lead := "rejected"
	if t.Adopting() {
		lead = "adopted"
	}
	ew.printf("  if voting ended now: %s; %s\n", lead, map[bool]string{true: "the remaining votes can still flip it", false: "the remaining votes cannot flip it"}[t.CanFlip()])
	ew.printf("\nDeadline:       %s (in %s); wait-for-quiet can move it to at most %s\n",
		stamp(p.Deadlines.Current), humanDuration(p.Deadlines.Left(now)), stamp(p.Deadlines.Max))
}

func checkMark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func icpText(e8s uint64) string {
	s := fmt.Sprintf("%d.%08d", e8s/1e8, e8s%1e8)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

func indent(s, pre string) string {
	if s == "" {
		return pre + "(empty)"
	}
	return pre + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pre)
}

func actionName(a governance.Action) string {
	if a.Kind != "ExecuteNnsFunction" {
		return a.Kind
	}
	return fmt.Sprintf("ExecuteNnsFunction %s (%d)", proposals.NnsFunction(a.NNSFunction).Name(), a.NNSFunction)
}

// errWriter remembers the first write error so renderers stay linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
