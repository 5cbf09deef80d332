package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
)

type proposalsListOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Client func(ctx context.Context, rootKey string) (*governance.Client, error)
	// Now reads the network's clock through the client (host clock fallback).
	Now    func(ctx context.Context, c *governance.Client) time.Time
	Net    netOptions
	Topics []string
	Status []string
	Limit  int
	Before uint64
	All    bool
	list   governance.ListOptions
}

func newCmdProposalsList(f *Factory, runF func(*proposalsListOptions) error) *cobra.Command {
	opts := &proposalsListOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List proposals, newest first",
		Long: `List proposals newest first. --topic and --status take names or numbers and may
be repeated; governance only knows excluded topics, so the complement of the
chosen topics is sent. --all pages until governance has nothing older.`,
		Example: `$ nnspatch proposal list --topic ic-os-version-election --status open
$ nnspatch proposal list --topic 12 --topic 13 --limit 50 --json | jq '.proposals[].id'
$ nnspatch proposals list --all --before 140000    # "proposals" is an alias of "proposal"`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parse(); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *proposalsListOptions) error { return proposalsListRun(cmd.Context(), o) })
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Topics, "topic", nil, "only this `topic` (name or number; repeatable)")
	fl.StringArrayVar(&opts.Status, "status", nil, "only this `status`: open, rejected, adopted, executed, failed (repeatable)")
	fl.IntVar(&opts.Limit, "limit", 20, "how many proposals to list")
	fl.Uint64Var(&opts.Before, "before", 0, "list proposals with ids below this `id`")
	fl.BoolVar(&opts.All, "all", false, "list every matching proposal (pages until done; ignores --limit)")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func (o *proposalsListOptions) parse() error {
	o.list = governance.ListOptions{Limit: o.Limit, Before: o.Before, All: o.All}
	if o.Limit <= 0 && !o.All {
		return FlagErrorf("--limit must be positive, got %d", o.Limit)
	}
	for _, s := range o.Topics {
		t, err := governance.ParseTopic(s)
		if err != nil {
			return FlagErrorf("--topic: %v", err)
		}
		o.list.Topics = append(o.list.Topics, t)
	}
	for _, s := range o.Status {
		st, err := governance.ParseStatus(s)
		if err != nil {
			return FlagErrorf("--status: %v", err)
		}
		o.list.Statuses = append(o.list.Statuses, st)
	}
	return nil
}

func proposalsListRun(ctx context.Context, o *proposalsListOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	ps, err := c.ListProposals(ctx, o.list)
	if err != nil {
		return err
	}
	if o.JSON() {
		doc := jsonout.ProposalList{Envelope: jsonout.NewEnvelope(), Network: c.Network.Name, Proposals: []jsonout.ProposalSummary{}}
		for _, p := range ps {
			doc.Proposals = append(doc.Proposals, summaryOf(p))
		}
		return jsonout.Write(o.IO.Out, doc)
	}
	return writeProposalTable(o.IO.Out, ps, o.Now(ctx, c))
}

// networkNow returns the network's certified time, so countdowns follow
// the network's clock (a local network's may run days ahead). When it
// cannot be read, it falls back to the host clock and says so under
// --verbose.
func (f *Factory) networkNow(ctx context.Context, c *governance.Client) time.Time {
	return networkTimeOr(ctx, c, f.IO.ErrOut, f.Globals.Verbose)
}

func networkTimeOr(ctx context.Context, c *governance.Client, errOut io.Writer, verbose bool) time.Time {
	t, err := c.Time(ctx)
	if err == nil {
		return t
	}
	if verbose {
		fmt.Fprintf(errOut, "note: %v; time left is measured by the host clock\n", err)
	}
	return time.Now().UTC()
}

func summaryOf(p governance.Proposal) jsonout.ProposalSummary {
	return jsonout.ProposalSummary{ID: p.ID, Title: p.Title, Topic: p.Topic.String(), Status: p.Status.String(),
		Proposer: p.Proposer, Action: actionName(p.Action), Tally: p.Tally, Deadline: p.Deadlines.Current}
}

// writeProposalTable prints one line per proposal; untrusted titles are
// sanitized and cut to keep the table on one line each.
func writeProposalTable(w io.Writer, ps []governance.Proposal, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tTOPIC\tYES\tNO\tDEADLINE\tTITLE")
	for _, p := range ps {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%.1f%%\t%.1f%%\t%s\t%s\n", p.ID, statusMark(p.Status), p.Topic,
			p.Tally.Percent(p.Tally.Yes), p.Tally.Percent(p.Tally.No), deadlineCell(p, now), cut(governance.SanitizeLine(p.Title), 60))
	}
	if len(ps) == 0 {
		fmt.Fprintln(tw, "(no proposals match)")
	}
	return tw.Flush()
}

// statusMark never carries meaning by colour alone.
func statusMark(s governance.Status) string {
	switch s {
	case governance.StatusOpen:
		return "● open"
	case governance.StatusAdopted, governance.StatusExecuted:
		return "✓ " + s.String()
	case governance.StatusRejected, governance.StatusFailed:
		return "✗ " + s.String()
	}
	return "? " + s.String()
}

func deadlineCell(p governance.Proposal, now time.Time) string {
	if p.Status != governance.StatusOpen {
		return "-"
	}
	return "in " + humanDuration(p.Deadlines.Left(now))
}

// humanDuration renders a duration as "3d 4h", "2h 5m" or "40s".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Second)
	days, hours, mins := d/(24*time.Hour), d%(24*time.Hour)/time.Hour, d%time.Hour/time.Minute
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, hours)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	case mins > 0:
		return fmt.Sprintf("%dm", mins)
	}
	return strconv.Itoa(int(d/time.Second)) + "s"
}

func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
