package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/govdid"
	"github.com/spf13/cobra"
)

type sendOptions struct {
	IO   *IOStreams
	JSON func() bool
	// Client connects to --network, else to fallback (the network the
	// messages were signed for), else DFX_NETWORK or the config's.
	Client     func(ctx context.Context, fallback, rootKey string) (*governance.Client, error)
	Yes        func() bool
	Now        func() time.Time
	Net        netOptions
	File       string
	DryRun     bool
	AcceptRisk string
}

func newCmdSend(f *Factory, runF func(*sendOptions) error) *cobra.Command {
	opts := &sendOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.anonymousClient, Now: time.Now,
		Yes: func() bool { return f.Globals.Yes }}
	cmd := &cobra.Command{
		Use:   "send <signed-file>",
		Short: "Show and submit messages signed with --sign-only",
		Long: `Decode a file written by ` + "`vote --sign-only` or `proposal submit --sign-only`" + `, check
it (request ids match the content, the sender is the signing key), show what
each message does, and after confirmation (--yes without a terminal) submit
them and wait for their certified results. No identity is needed: the
messages carry their signatures. A message can only be sent during the 5
minutes before it expires; outside that window nothing is sent. --dry-run
only shows the messages.

The file is JSON: {"format": "nnspatch-signed-message/v1", "messages": [...]},
each message holding the signed call and its signed request_status read as
hex CBOR envelopes.

The messages go to the network they were signed for unless --network says
otherwise. Sending anything to the Internet Computer mainnet (network ic, a
mainnet URL, or any network with the IC's root key) needs
--accept-risk=mainnet, as proposal submit does.`,
		Example: "$ nnspatch send vote.json --dry-run\n$ nnspatch send vote.json --network ic --accept-risk=mainnet --yes\n$ nnspatch send submit.json --network ic --accept-risk=mainnet",
		Args:    exactArgs(1, "a signed-message file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if err := checkAcceptRiskValue(opts.AcceptRisk); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *sendOptions) error { return sendRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the messages without sending them")
	cmd.Flags().StringVar(&opts.AcceptRisk, "accept-risk", "", "accept the risk of sending to mainnet (`mainnet`)")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func sendRun(ctx context.Context, o *sendOptions) error {
	contents, err := readSigned(o.File)
	if err != nil {
		return err
	}
	for i, sc := range contents {
		writeSignedContent(o.IO.ErrOut, i+1, sc, o.Now())
	}
	if o.DryRun {
		return o.report(contents, false, nil)
	}
	now := o.Now()
	for i, sc := range contents {
		if err := sc.CheckWindow(now); err != nil {
			return fmt.Errorf("message %d of %s: %w", i+1, o.File, err)
		}
	}
	c, err := o.connect(ctx, contents)
	if err != nil {
		return err
	}
	if err := confirm(o.IO, o.Yes(), fmt.Sprintf("Send %d message(s) to %s?", len(contents), c.Network.Name)); err != nil {
		return err
	}
	var ids []uint64
	for _, sc := range contents {
		unlock, err := lockWrite(ctx, c, governance.SendKey(sc.RequestID))
		if err != nil {
			return err
		}
		res, err := c.SendSigned(ctx, sc, o.Now())
		unlock()
		if errors.Is(err, governance.ErrUntrusted) {
			return &governance.UnknownOutcomeError{What: "message " + sc.RequestID[:16] + " (" + sentWhat(sc) + ")", Check: sentCheck(sc), Err: err}
		}
		if err != nil && !errors.Is(err, governance.ErrAlreadyVoted) {
			return err
		}
		ids = append(ids, sentResult(o.IO.ErrOut, sc, res, err))
	}
	return o.report(contents, true, ids)
}

// connect reaches the network the messages are for and refuses a
// proposal to mainnet without --accept-risk=mainnet. Sending elsewhere
// than the network they were signed for is allowed, with a warning.
func (o *sendOptions) connect(ctx context.Context, contents []*governance.SignedContent) (*governance.Client, error) {
	signedFor := contents[0].Network
	proposes := false
	for _, sc := range contents {
		if sc.Network != signedFor {
			signedFor = ""
		}
		proposes = proposes || (sc.Request.Command != nil && sc.Request.Command.MakeProposal != nil)
	}
	c, err := o.Client(ctx, signedFor, o.Net.RootKey)
	if err != nil {
		return nil, err
	}
	what := "sending signed votes"
	if proposes {
		what = "sending a signed proposal"
	}
	if err := checkMainnetRisk(c.Network, o.AcceptRisk, what); err != nil {
		return nil, err
	}
	if signedFor != "" && c.Network.Name != signedFor {
		fmt.Fprintf(o.IO.ErrOut, "warning: the messages were signed for network %s; sending them to %s\n", signedFor, c.Network.Name)
	}
	return c, nil
}

// sentWhat names what a signed message does, for an outcome report.
func sentWhat(sc *governance.SignedContent) string {
	switch cmd := sc.Request.Command; {
	case cmd != nil && cmd.RegisterVote != nil && cmd.RegisterVote.Proposal != nil:
		return fmt.Sprintf("vote %s on proposal %d", governance.Vote(cmd.RegisterVote.Vote), cmd.RegisterVote.Proposal.Id)
	case cmd != nil && cmd.MakeProposal != nil:
		return "make proposal"
	}
	return sc.Method
}

// sentCheck is the command that shows whether a signed message executed.
func sentCheck(sc *governance.SignedContent) string {
	if cmd := sc.Request.Command; cmd != nil && cmd.RegisterVote != nil && cmd.RegisterVote.Proposal != nil {
		return fmt.Sprintf("nnspatch proposal show %d", cmd.RegisterVote.Proposal.Id)
	}
	return "nnspatch proposals list"
}

func readSigned(path string) ([]*governance.SignedContent, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open signed messages: %w", err)
	}
	defer fh.Close()
	file, err := governance.ReadSignedFile(fh)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var out []*governance.SignedContent
	for i := range file.Messages {
		sc, err := file.Messages[i].Decode()
		if err != nil {
			return nil, fmt.Errorf("message %d of %s: %w", i+1, path, err)
		}
		out = append(out, sc)
	}
	return out, nil
}

// sentResult prints one message's outcome and returns the proposal id it
// made, if any.
func sentResult(w io.Writer, sc *governance.SignedContent, res *govdid.Command1, err error) uint64 {
	switch {
	case err != nil:
		fmt.Fprintf(w, "✓ %s: already voted\n", sc.RequestID[:16])
	case res.MakeProposal != nil && res.MakeProposal.ProposalId != nil:
		fmt.Fprintf(w, "✓ %s: submitted proposal %d\n", sc.RequestID[:16], res.MakeProposal.ProposalId.Id)
		return res.MakeProposal.ProposalId.Id
	default:
		fmt.Fprintf(w, "✓ %s: done\n", sc.RequestID[:16])
	}
	return 0
}

func (o *sendOptions) report(contents []*governance.SignedContent, sent bool, ids []uint64) error {
	if o.JSON() {
		doc := jsonout.Send{Envelope: jsonout.NewEnvelope(), Sent: sent, Messages: make([]jsonout.SentMessage, len(contents))}
		for i, sc := range contents {
			doc.Messages[i] = jsonout.SentMessage{Content: sc, Sent: sent}
			if i < len(ids) {
				doc.Messages[i].ProposalID = ids[i]
			}
		}
		return jsonout.Write(o.IO.Out, doc)
	}
	for _, id := range ids {
		if id != 0 {
			fmt.Fprintln(o.IO.Out, id)
		}
	}
	return nil
}

func writeSignedContent(w io.Writer, n int, sc *governance.SignedContent, now time.Time) {
	ew := &errWriter{w: w}
	ew.printf("Message %d: %s.%s as %s\n", n, sc.Canister, sc.Method, sc.Sender)
	if sc.Network != "" {
		ew.printf("  network:    %s\n", governance.SanitizeLine(sc.Network))
	}
	ew.printf("  request id: %s\n", sc.RequestID)
	window := "sendable now"
	if now.Before(sc.Expires.Add(-5 * time.Minute)) {
		window = "sendable from " + stamp(sc.Expires.Add(-5*time.Minute))
	} else if now.After(sc.Expires) {
		window = "EXPIRED"
	}
	ew.printf("  expires:    %s (%s)\n", stamp(sc.Expires), window)
	req := sc.Request
	if req.NeuronIdOrSubaccount != nil && req.NeuronIdOrSubaccount.NeuronId != nil {
		ew.printf("  neuron:     %d\n", req.NeuronIdOrSubaccount.NeuronId.Id)
	}
	switch cmd := req.Command; {
	case cmd == nil:
		ew.printf("  command:    (none)\n")
	case cmd.RegisterVote != nil && cmd.RegisterVote.Proposal != nil:
		ew.printf("  command:    vote %s on proposal %d\n", governance.Vote(cmd.RegisterVote.Vote), cmd.RegisterVote.Proposal.Id)
	case cmd.MakeProposal != nil:
		title := ""
		if cmd.MakeProposal.Title != nil {
			title = *cmd.MakeProposal.Title
		}
		ew.printf("  command:    make proposal %q\n", governance.SanitizeLine(title))
		if a := cmd.MakeProposal.Action; a != nil && a.ExecuteNnsFunction != nil {
			pa := governance.Action{Kind: "ExecuteNnsFunction", NNSFunction: a.ExecuteNnsFunction.NnsFunction, Payload: a.ExecuteNnsFunction.Payload}
			ew.printf("  action:     %s, payload sha256 %s\n", actionName(pa), pa.PayloadSHA256())
		}
	default:
		ew.printf("  command:    %s\n", governance.SanitizeLine(fmt.Sprintf("%+v", *cmd)))
	}
}
