package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
)

type proposalWaitOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Client func(ctx context.Context, rootKey string) (*governance.Client, error)
	// Now reads the network's clock through the client (host clock fallback).
	Now func(ctx context.Context, c *governance.Client) time.Time
	Net netOptions
	ID  uint64
	// Timeout bounds the wait by the network's clock (0: none).
	Timeout time.Duration
	// Interval is the pause between two reads, by the host clock.
	Interval time.Duration
}

func newCmdProposalWait(f *Factory, runF func(*proposalWaitOptions) error) *cobra.Command {
	opts := &proposalWaitOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow}
	cmd := &cobra.Command{
		Use:   "wait <id>",
		Short: "Wait until a proposal is decided",
		Long: `Block until governance decides the proposal, reading it every --interval.
--timeout is measured by the network's certified clock (like every countdown of
nnspatch), so on a local network ` + "`nnspatch localnet advance`" + ` moves it too.

Exit codes:
  0  adopted or executed
  8  still open when --timeout ran out
  9  rejected, or adopted but its execution failed`,
		Example: `$ nnspatch proposal wait 139800 --timeout 8d
$ nnspatch proposal wait 139800 --timeout 1h --json | jq .status`,
		Args: exactArgs(1, "a proposal id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return FlagErrorf("proposal id %q is not a number", args[0])
			}
			if opts.Timeout < 0 {
				return FlagErrorf("--timeout must not be negative")
			}
			if opts.Interval <= 0 {
				return FlagErrorf("--interval must be positive")
			}
			opts.ID = id
			return runOrRunF(opts, runF, func(o *proposalWaitOptions) error { return proposalWaitRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 0, "give up (exit 8) after this long by the network's clock; 0 waits for the decision")
	cmd.Flags().DurationVar(&opts.Interval, "interval", 10*time.Second, "pause between two reads of the proposal")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func proposalWaitRun(ctx context.Context, o *proposalWaitOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	start := o.Now(ctx, c)
	var last governance.Status
	for first := true; ; first = false {
		p, err := c.GetProposal(ctx, o.ID)
		if err != nil {
			return err
		}
		now := o.Now(ctx, c)
		switch {
		case p.Status.Final():
			return o.finish(*p, now, false)
		case o.Timeout > 0 && !now.Before(start.Add(o.Timeout)):
			return o.finish(*p, now, true)
		case first || p.Status != last:
			o.waiting(*p, start, now)
		}
		last = p.Status
		if err := pause(ctx, o.Interval); err != nil {
			return err
		}
	}
}

// waiting tells on stderr what is being waited for, by which clock.
func (o *proposalWaitOptions) waiting(p governance.Proposal, start, now time.Time) {
	limit := "no timeout"
	if o.Timeout > 0 {
		limit = "timeout at " + stamp(start.Add(o.Timeout)) + " by the network's clock"
	}
	fmt.Fprintf(o.IO.ErrOut, "Waiting for proposal %d (%s, voting deadline %s, in %s); %s\n",
		p.ID, p.Status, stamp(p.Deadlines.Current), humanDuration(p.Deadlines.Left(now)), limit)
}

// finish reports the last read and returns the error that carries the exit
// code: nil when adopted or executed, a refusal when rejected or failed, a
// PendingError on timeout.
func (o *proposalWaitOptions) finish(p governance.Proposal, now time.Time, timedOut bool) error {
	if o.JSON() {
		doc := jsonout.ProposalWait{Envelope: jsonout.NewEnvelope(), Proposal: p.ID, Status: p.Status.String(),
			Decided: p.Status.Final(), TimedOut: timedOut, Now: now}
		if err := jsonout.Write(o.IO.Out, doc); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(o.IO.Out, "proposal %d: %s\n", p.ID, statusMark(p.Status))
	}
	switch p.Status {
	case governance.StatusAdopted, governance.StatusExecuted:
		return nil
	case governance.StatusRejected:
		return &CodeError{Code: ExitRefused, Err: fmt.Errorf("proposal %d was rejected", p.ID)}
	case governance.StatusFailed:
		return &CodeError{Code: ExitRefused, Err: fmt.Errorf("proposal %d was adopted but its execution failed: %s", p.ID, governance.SanitizeLine(p.FailureReason))}
	}
	return &PendingError{What: fmt.Sprintf("proposal %d (timeout %s by the network's clock)", p.ID, o.Timeout)}
}

// pause waits d or until ctx is done.
func pause(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
