package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
)

// newCmdNeuron builds the `neuron` command group.
func newCmdNeuron(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "neuron <command>",
		Short: "Show your neurons, set their following, refresh their voting power",
		Long: `Work with NNS neurons: list the ones your identity controls or holds a hot key
of, show one, set whom it follows, and refresh its voting power.

Voting power is not ICP: it is the stake weighted by the dissolve delay and age
bonuses. Under periodic confirmation a neuron must vote directly, set its
following or confirm it (refresh-voting-power) at least every 6 months; after
that its deciding voting power falls linearly to zero over one more month, and
its following is then cleared.`,
	}
	cmd.AddCommand(
		newCmdNeuronFollow(f, nil),
		newCmdNeuronList(f, nil),
		newCmdNeuronRefresh(f, nil),
		newCmdNeuronShow(f, nil),
	)
	return cmd
}

// neuronReadOptions are the options of neuron list and neuron show.
type neuronReadOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Client func(ctx context.Context, rootKey string) (*governance.Client, error)
	// Now reads the network's clock through the client (host clock fallback).
	Now func(ctx context.Context, c *governance.Client) time.Time
	Net netOptions
	ID  uint64
}

func newCmdNeuronList(f *Factory, runF func(*neuronReadOptions) error) *cobra.Command {
	opts := &neuronReadOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the neurons your identity controls or holds a hot key of",
		Long: `List your neurons: stake, dissolve state and delay, age, deciding voting power,
and when their voting power was last refreshed (a neuron that has not voted
directly, set or confirmed its following for 6 months is "decaying").`,
		Example: "$ nnspatch neuron list\n$ nnspatch neuron list --json | jq '.neurons[] | select(.voting_power_refresh.state != \"current\") | .id'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *neuronReadOptions) error { return neuronListRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func newCmdNeuronShow(f *Factory, runF func(*neuronReadOptions) error) *cobra.Command {
	opts := &neuronReadOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow}
	cmd := &cobra.Command{
		Use:   "show <neuron-id>",
		Short: "Show a neuron: stake, dissolve delay, age, voting power, refresh, followees",
		Long: `Show one neuron. For a neuron your identity controls or holds a hot key of,
and for public neurons (known neurons are public), governance sends the full
record: controller, hot keys and the followees per topic. For a private neuron
of someone else only its public information is shown.`,
		Example: "$ nnspatch neuron show 80\n$ nnspatch neuron show 80 --json | jq .neuron.voting_power_refresh",
		Args:    exactArgs(1, "a neuron id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return FlagErrorf("neuron id %q is not a number", args[0])
			}
			opts.ID = id
			return runOrRunF(opts, runF, func(o *neuronReadOptions) error { return neuronShowRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func neuronListRun(ctx context.Context, o *neuronReadOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	ns, err := c.ListNeurons(ctx)
	if err != nil {
		return err
	}
	econ, err := c.VotingPowerEconomics(ctx)
	if err != nil {
		return err
	}
	now := o.Now(ctx, c)
	if o.JSON() {
		doc := jsonout.NeuronList{Envelope: jsonout.NewEnvelope(), Network: c.Network.Name, Now: now, Neurons: []jsonout.Neuron{}}
		for _, n := range ns {
			doc.Neurons = append(doc.Neurons, jsonout.Neuron{Neuron: n, VotingPowerRefresh: econ.RefreshOf(n, now)})
		}
		return jsonout.Write(o.IO.Out, doc)
	}
	if len(ns) == 0 {
		fmt.Fprintf(o.IO.ErrOut, "%s controls no neuron and holds no hot key of one on %s\n", c.Sender().Encode(), c.Network.Name)
	}
	return writeNeuronTable(o.IO.Out, ns, econ, now)
}

func neuronShowRun(ctx context.Context, o *neuronReadOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	n, err := c.GetNeuron(ctx, o.ID)
	if err != nil {
		return err
	}
	econ, err := c.VotingPowerEconomics(ctx)
	if err != nil {
		return err
	}
	now := o.Now(ctx, c)
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.NeuronShow{Envelope: jsonout.NewEnvelope(), Network: c.Network.Name, Now: now,
			Neuron: jsonout.Neuron{Neuron: n, VotingPowerRefresh: econ.RefreshOf(n, now)}})
	}
	return writeNeuron(o.IO.Out, n, econ.RefreshOf(n, now), now)
}

// writeNeuronTable prints one line per neuron.
func writeNeuronTable(w io.Writer, ns []governance.Neuron, econ governance.VotingPowerEconomics, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NEURON\tSTAKE (ICP)\tSTATE\tDISSOLVE DELAY\tAGE\tVOTING POWER\tREFRESH\tNAME")
	for _, n := range ns {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, icpText(n.StakeE8s), stateText(n.State),
			daysText(n.DissolveDelay()), daysText(n.Age()), votingPowerText(n.DecidingVotingPower),
			refreshCell(econ.RefreshOf(n, now)), cut(governance.SanitizeLine(n.KnownName), 30))
	}
	if len(ns) == 0 {
		fmt.Fprintln(tw, "(no neurons)")
	}
	return tw.Flush()
}

// writeNeuron renders one neuron; names from the chain are sanitized.
func writeNeuron(w io.Writer, n governance.Neuron, r governance.Refresh, now time.Time) error {
	ew := &errWriter{w: w}
	ew.printf("Neuron %d", n.ID)
	if n.KnownName != "" {
		ew.printf(" (%s)", governance.SanitizeLine(n.KnownName))
	}
	ew.printf("\n\n")
	if n.Full {
		ew.printf("  Controller:      %s\n", n.Controller)
		ew.printf("  Hot keys:        %s\n", listOrNone(n.HotKeys))
	}
	ew.printf("  Stake:           %s ICP\n", icpText(n.StakeE8s))
	ew.printf("  State:           %s\n", stateText(n.State))
	ew.printf("  Dissolve delay:  %s\n", daysText(n.DissolveDelay()))
	if !n.WhenDissolved.IsZero() {
		ew.printf("  Dissolved at:    %s\n", stamp(n.WhenDissolved))
	}
	ew.printf("  Age:             %s\n", daysText(n.Age()))
	ew.printf("  Created:         %s\n", stamp(n.Created))
	ew.printf("\n  Voting power:    %s (deciding: what its ballots weigh now)\n", votingPowerText(n.DecidingVotingPower))
	ew.printf("  Potential:       %s (with its voting power refreshed)\n", votingPowerText(n.PotentialVotingPower))
	ew.printf("  Refreshed:       %s\n", refreshText(r, now))
	writeFollowees(ew, n)
	return ew.err
}

// writeFollowees prints the followees per topic of a full neuron.
func writeFollowees(ew *errWriter, n governance.Neuron) {
	if !n.Full {
		ew.printf("\nFollowees: not public (only the controller and hot keys of a private neuron can read them)\n")
		return
	}
	if len(n.Followees) == 0 {
		ew.printf("\nFollowees: none (the neuron votes only when it votes directly)\n")
		return
	}
	ew.printf("\nFollowees:\n")
	for _, f := range n.Followees {
		name := f.Topic.String()
		if f.Topic == 0 {
			name = "Catch-all"
		}
		ew.printf("  %-38s %s\n", fmt.Sprintf("%s (%d)", name, int32(f.Topic)), idList(f.Followees))
	}
}

// refreshText explains where the neuron stands in periodic confirmation.
func refreshText(r governance.Refresh, now time.Time) string {
	switch r.State {
	case governance.RefreshCurrent:
		return fmt.Sprintf("%s; full voting power until %s (in %s), then it decays to zero by %s",
			stamp(r.Refreshed), stamp(r.DecayStarts), humanDuration(r.DecayStarts.Sub(now)), stamp(r.ReachesZero))
	case governance.RefreshDecaying:
		return fmt.Sprintf("%s; ⚠ decaying since %s, zero and following cleared at %s (in %s): run `nnspatch neuron refresh-voting-power`",
			stamp(r.Refreshed), stamp(r.DecayStarts), stamp(r.ReachesZero), humanDuration(r.ReachesZero.Sub(now)))
	case governance.RefreshLapsed:
		return fmt.Sprintf("%s; ✗ lapsed: voting power zero and following cleared since %s; set following again to vote by following",
			stamp(r.Refreshed), stamp(r.ReachesZero))
	}
	return "unknown (governance did not report it)"
}

// refreshCell is refreshText shortened for a table.
func refreshCell(r governance.Refresh) string {
	switch r.State {
	case governance.RefreshCurrent:
		return "✓ until " + r.DecayStarts.UTC().Format("2006-01-02")
	case governance.RefreshDecaying:
		return "⚠ decaying, zero " + r.ReachesZero.UTC().Format("2006-01-02")
	case governance.RefreshLapsed:
		return "✗ lapsed " + r.ReachesZero.UTC().Format("2006-01-02")
	}
	return "?"
}

// stateText names a dissolve state for people.
func stateText(s governance.NeuronState) string {
	switch s {
	case governance.NeuronNotDissolving:
		return "locked (not dissolving)"
	case governance.NeuronDissolving:
		return "dissolving"
	case governance.NeuronDissolved:
		return "dissolved"
	case governance.NeuronSpawning:
		return "spawning"
	}
	return s.String()
}

// daysText renders a long duration in days, with years beside it from one
// year on (a year of 365.25 days, as governance counts).
func daysText(d time.Duration) string {
	days := d.Hours() / 24
	if days >= 365.25 {
		return fmt.Sprintf("%.0f days (%.2f years)", days, days/365.25)
	}
	if d <= 0 {
		return "0 days"
	}
	if d < 24*time.Hour {
		return humanDuration(d)
	}
	return fmt.Sprintf("%.0f days", days)
}

// votingPowerText renders voting power (e8s-scaled like the stake, but not
// ICP) with thousands separators.
func votingPowerText(vp uint64) string {
	whole, frac := vp/1e8, vp%1e8
	s := strconv.FormatUint(whole, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%08d", frac), "0")
	}
	return s
}

func idList(ids []uint64) string {
	parts := make([]string, 0, len(ids))
	for _, id := range ids {
		parts = append(parts, strconv.FormatUint(id, 10))
	}
	return listOrNone(parts)
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// neuronUpdateOptions are the options of neuron follow and
// neuron refresh-voting-power.
type neuronUpdateOptions struct {
	IO        *IOStreams
	JSON      func() bool
	Client    func(ctx context.Context, rootKey string) (*governance.Client, error)
	Yes       func() bool
	Now       func(ctx context.Context, c *governance.Client) time.Time
	f         *Factory
	Net       netOptions
	Neuron    []string
	NeuronID  []uint64
	Topic     []string
	Topics    []governance.Topic
	Followee  []string
	Followees []uint64
	Clear     bool
}

func newCmdNeuronFollow(f *Factory, runF func(*neuronUpdateOptions) error) *cobra.Command {
	opts := &neuronUpdateOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow, f: f,
		Yes: func() bool { return f.Globals.Yes }}
	cmd := &cobra.Command{
		Use:   "follow --topic <topic>... (--followee <neuron-id>... | --clear) [--neuron <id>]",
		Short: "Set whom a neuron follows on one or more topics",
		Long: `Replace the followees of each --neuron (default: neuron from the config) on each
--topic with the --followee neurons; --clear removes them instead. One topic is
sent as manage_neuron Follow, several as SetFollowing (all topics or none).
Setting following also refreshes the neuron's voting power.

Topic 0 (unspecified) is the catch-all: it applies to every topic without its
own followees except Governance, SnsAndCommunityFund and NeuronManagement.

Additional exit codes:
  4  the identity neither controls nor holds a hot key of a neuron
  9  governance refused the change`,
		Example: `$ nnspatch neuron follow --neuron 81 --topic ic-os-version-election --topic ic-os-version-deployment --followee 80 --yes
$ nnspatch neuron follow --neuron 81 --topic 13 --clear --yes`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.parseFollow(); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *neuronUpdateOptions) error { return neuronFollowRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().StringArrayVar(&opts.Neuron, "neuron", nil, "neuron `id` whose following to set (repeatable; default: neuron from the config)")
	cmd.Flags().StringArrayVar(&opts.Topic, "topic", nil, "`topic` name or number (repeatable; required)")
	cmd.Flags().StringArrayVar(&opts.Followee, "followee", nil, "neuron `id` to follow (repeatable or comma-separated)")
	cmd.Flags().BoolVar(&opts.Clear, "clear", false, "remove the followees on the topics instead")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func newCmdNeuronRefresh(f *Factory, runF func(*neuronUpdateOptions) error) *cobra.Command {
	opts := &neuronUpdateOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient, Now: f.networkNow, f: f,
		Yes: func() bool { return f.Globals.Yes }}
	cmd := &cobra.Command{
		Use:   "refresh-voting-power [--neuron <id>]",
		Short: "Confirm a neuron's following, restoring its full voting power",
		Long: `Send manage_neuron RefreshVotingPower for each --neuron (default: neuron from
the config): it confirms the current following and changes nothing else. Its
deciding voting power is full again for the next 6 months.

Additional exit codes:
  4  the identity neither controls nor holds a hot key of a neuron
  9  governance refused the refresh`,
		Example: "$ nnspatch neuron refresh-voting-power --neuron 80 --neuron 81 --yes",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ids, err := parseNeurons(opts.Neuron)
			if err != nil {
				return err
			}
			opts.NeuronID = ids
			return runOrRunF(opts, runF, func(o *neuronUpdateOptions) error { return neuronRefreshRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().StringArrayVar(&opts.Neuron, "neuron", nil, "neuron `id` to refresh (repeatable; default: neuron from the config)")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func (o *neuronUpdateOptions) parseFollow() error {
	ids, err := parseNeurons(o.Neuron)
	if err != nil {
		return err
	}
	o.NeuronID = ids
	if len(o.Topic) == 0 {
		return FlagErrorf("--topic is required (a name such as ic-os-version-election, or a number)")
	}
	for _, s := range o.Topic {
		t, err := governance.ParseTopic(s)
		if err != nil {
			return FlagErrorf("--topic: %v", err)
		}
		if !slices.Contains(o.Topics, t) {
			o.Topics = append(o.Topics, t)
		}
	}
	for _, s := range o.Followee {
		for _, part := range strings.Split(s, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(part), 10, 64)
			if err != nil {
				return FlagErrorf("--followee %q is not a neuron id", part)
			}
			o.Followees = append(o.Followees, n)
		}
	}
	switch {
	case o.Clear && len(o.Followees) > 0:
		return FlagErrorf("--clear and --followee exclude each other")
	case !o.Clear && len(o.Followees) == 0:
		return FlagErrorf("--followee is required (or --clear to remove the followees)")
	}
	return nil
}

// neurons returns --neuron, or the config's neuron.
func (o *neuronUpdateOptions) neurons() ([]uint64, error) {
	if len(o.NeuronID) > 0 {
		return o.NeuronID, nil
	}
	cfg, err := o.f.Config()
	if err != nil {
		return nil, err
	}
	if cfg.Neuron == 0 {
		return nil, FlagErrorf("--neuron is required (or set neuron in the config file)")
	}
	return []uint64{cfg.Neuron}, nil
}

func neuronFollowRun(ctx context.Context, o *neuronUpdateOptions) error {
	neurons, err := o.neurons()
	if err != nil {
		return err
	}
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	me := c.Sender().Encode()
	for _, id := range neurons {
		n, err := c.GetNeuron(ctx, id)
		if err != nil {
			return err
		}
		writeFollowChange(o.IO.ErrOut, n, me, o.Topics, o.Followees)
	}
	question := fmt.Sprintf("Set the following of neuron(s) %s on %s on %s?", idList(neurons), c.Network.Name, topicList(o.Topics))
	if err := confirm(o.IO, o.Yes(), question); err != nil {
		return err
	}
	results, failure := updateEach(neurons, func(id uint64) error { return c.Follow(ctx, id, o.Topics, o.Followees) })
	doc := jsonout.NeuronUpdate{Envelope: jsonout.NewEnvelope(), Command: "follow", Followees: o.Followees, Results: results}
	for _, t := range o.Topics {
		doc.Topics = append(doc.Topics, t.String())
	}
	done := fmt.Sprintf("now follows %s on %s", idList(o.Followees), topicList(o.Topics))
	if o.Clear {
		done = "followees cleared on " + topicList(o.Topics)
	}
	return o.report(doc, done, failure)
}

func neuronRefreshRun(ctx context.Context, o *neuronUpdateOptions) error {
	neurons, err := o.neurons()
	if err != nil {
		return err
	}
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	econ, err := c.VotingPowerEconomics(ctx)
	if err != nil {
		return err
	}
	now := o.Now(ctx, c)
	for _, id := range neurons {
		n, err := c.GetNeuron(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(o.IO.ErrOut, "neuron %d: voting power %s; refreshed %s\n", n.ID, votingPowerText(n.DecidingVotingPower), refreshText(econ.RefreshOf(n, now), now))
	}
	question := fmt.Sprintf("Refresh the voting power of neuron(s) %s on %s (confirms the current following, changes nothing else)?", idList(neurons), c.Network.Name)
	if err := confirm(o.IO, o.Yes(), question); err != nil {
		return err
	}
	results, failure := updateEach(neurons, func(id uint64) error { return c.RefreshVotingPower(ctx, id) })
	return o.report(jsonout.NeuronUpdate{Envelope: jsonout.NewEnvelope(), Command: "refresh-voting-power", Results: results},
		"voting power refreshed", failure)
}

// writeFollowChange shows a neuron's current followees on the topics and
// what they become.
func writeFollowChange(w io.Writer, n governance.Neuron, me string, topics []governance.Topic, followees []uint64) {
	if !n.Controls(me) {
		fmt.Fprintf(w, "neuron %d: %s neither controls it nor holds a hot key of it; governance will refuse the change\n", n.ID, me)
		return
	}
	for _, t := range topics {
		cur := []uint64{}
		for _, f := range n.Followees {
			if f.Topic == t {
				cur = f.Followees
			}
		}
		fmt.Fprintf(w, "neuron %d, %s (%d): followees %s → %s\n", n.ID, t, int32(t), idList(cur), idList(followees))
	}
}

func topicList(ts []governance.Topic) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s (%d)", t, int32(t)))
	}
	return strings.Join(parts, ", ")
}

// updateEach applies do to each neuron in turn and records each outcome;
// it also returns the first failure (nil when all succeeded), wrapped with
// the count so the exit code reflects it.
func updateEach(neurons []uint64, do func(uint64) error) ([]jsonout.NeuronResult, error) {
	out := make([]jsonout.NeuronResult, 0, len(neurons))
	var first error
	failed := 0
	for _, id := range neurons {
		r := jsonout.NeuronResult{Neuron: id, Outcome: "done"}
		if err := do(id); err != nil {
			r.Outcome, r.Error = "failed", err.Error()
			failed++
			if first == nil {
				first = err
			}
		}
		out = append(out, r)
	}
	if first != nil {
		first = fmt.Errorf("%d of %d neuron(s) failed: %w", failed, len(neurons), first)
	}
	return out, first
}

// report prints the outcome per neuron and returns failure, so the exit
// code reflects the first failed neuron.
func (o *neuronUpdateOptions) report(doc jsonout.NeuronUpdate, done string, failure error) error {
	if o.JSON() {
		if err := jsonout.Write(o.IO.Out, doc); err != nil {
			return err
		}
		return failure
	}
	for _, r := range doc.Results {
		if r.Outcome == "done" {
			fmt.Fprintf(o.IO.Out, "✓ neuron %d: %s\n", r.Neuron, done)
		} else {
			fmt.Fprintf(o.IO.Out, "✗ neuron %d: %s\n", r.Neuron, governance.SanitizeLine(r.Error))
		}
	}
	return failure
}
