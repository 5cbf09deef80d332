package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
)

type registryOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Client func(ctx context.Context, rootKey string) (*governance.Client, error)
	Net    netOptions
	ID     string
}

func newRegistryOptions(f *Factory) *registryOptions {
	return &registryOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient}
}

func (o *registryOptions) registry(ctx context.Context) (*governance.Registry, error) {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return nil, err
	}
	return c.Registry(ctx)
}

func newCmdSubnets(f *Factory, runF func(*registryOptions) error) *cobra.Command {
	opts := newRegistryOptions(f)
	cmd := &cobra.Command{
		Use:     "subnets",
		Short:   "List subnets with their GuestOS version and node count",
		Long:    "List every subnet in the registry: id, type, GuestOS version, node count and whether it is halted.",
		Example: "$ nnspatch subnets\n$ nnspatch subnets --json | jq -r '.subnets[] | [.id, .guestos_version] | @tsv'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *registryOptions) error { return subnetsRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func subnetsRun(ctx context.Context, o *registryOptions) error {
	reg, err := o.registry(ctx)
	if err != nil {
		return err
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Subnets{Envelope: jsonout.NewEnvelope(), RegistryVersion: reg.Version, Subnets: nonNil(reg.Subnets)})
	}
	return writeSubnets(o.IO.Out, reg)
}

func writeSubnets(w io.Writer, reg *governance.Registry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SUBNET\tTYPE\tGUESTOS\tNODES\tHALTED")
	for _, s := range reg.Subnets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.ID, s.Type, s.GuestOSVersion, len(s.Nodes), map[bool]string{true: "yes", false: "no"}[s.Halted])
	}
	return tw.Flush()
}

func newCmdVersions(f *Factory, runF func(*registryOptions) error) *cobra.Command {
	opts := newRegistryOptions(f)
	cmd := &cobra.Command{
		Use:   "versions",
		Short: "List elected GuestOS and HostOS versions and who runs them",
		Long: `List the elected GuestOS versions (hash, package URLs, launch measurements, and the
subnets, unassigned nodes and API boundary nodes that run each) and the elected
HostOS versions (hash, URLs, node count).`,
		Example: "$ nnspatch versions\n$ nnspatch versions --json | jq '.guestos[] | select(.subnets == null) | .id'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *registryOptions) error { return versionsRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func versionsRun(ctx context.Context, o *registryOptions) error {
	reg, err := o.registry(ctx)
	if err != nil {
		return err
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Versions{Envelope: jsonout.NewEnvelope(), RegistryVersion: reg.Version,
			GuestOS: nonNil(reg.GuestOS), HostOS: nonNil(reg.HostOS), UnassignedVersion: reg.UnassignedVersion, APIBoundaryNodes: nonNil(reg.APIBoundaryNodes)})
	}
	return writeVersions(o.IO.Out, reg)
}

func writeVersions(w io.Writer, reg *governance.Registry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "GUESTOS\tSHA256\tSUBNETS\tUNASSIGNED\tAPI BNS")
	for _, v := range reg.GuestOS {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\n", v.ID, shortHash(v.SHA256), len(v.Subnets), map[bool]string{true: "yes", false: "no"}[v.Unassigned], len(v.APIBoundaryNodes))
	}
	fmt.Fprintln(tw, "\nHOSTOS\tSHA256\tNODES\t\t")
	for _, v := range reg.HostOS {
		fmt.Fprintf(tw, "%s\t%s\t%d\t\t\n", v.ID, shortHash(v.SHA256), v.Nodes)
	}
	return tw.Flush()
}

func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}

func newCmdVersionShow(f *Factory, runF func(*registryOptions) error) *cobra.Command {
	opts := newRegistryOptions(f)
	cmd := &cobra.Command{
		Use:     "show <version-id>",
		Short:   "Show one elected GuestOS or HostOS version",
		Long:    "Show an elected GuestOS or HostOS version: hash, package URLs and where it runs.",
		Example: "$ nnspatch version show 2c4fdf9d2d53dffed97a40992b867120e89c9346",
		Args:    exactArgs(1, "a version id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			return runOrRunF(opts, runF, func(o *registryOptions) error { return versionShowRun(cmd.Context(), o) })
		},
	}
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func versionShowRun(ctx context.Context, o *registryOptions) error {
	reg, err := o.registry(ctx)
	if err != nil {
		return err
	}
	doc := jsonout.VersionShow{Envelope: jsonout.NewEnvelope(), RegistryVersion: reg.Version}
	if g, ok := reg.GuestOSByID(o.ID); ok {
		doc.Kind, doc.GuestOS = "guestos", &g
	} else if h, ok := reg.HostOSByID(o.ID); ok {
		doc.Kind, doc.HostOS = "hostos", &h
	} else {
		return fmt.Errorf("version %s: %w; `nnspatch versions` lists the elected ones", o.ID, governance.ErrNotFound)
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, doc)
	}
	return writeVersion(o.IO.Out, doc)
}

func writeVersion(w io.Writer, doc jsonout.VersionShow) error {
	ew := &errWriter{w: w}
	if g := doc.GuestOS; g != nil {
		ew.printf("GuestOS %s (elected)\n  sha256:      %s\n  urls:        %s\n  launch measurements: %d\n",
			g.ID, g.SHA256, strings.Join(g.URLs, "\n               "), g.LaunchMeasurements)
		ew.printf("  subnets:     %d %s\n  unassigned nodes: %v\n  API boundary nodes: %d\n",
			len(g.Subnets), strings.Join(g.Subnets, " "), g.Unassigned, len(g.APIBoundaryNodes))
		return ew.err
	}
	h := doc.HostOS
	ew.printf("HostOS %s (elected)\n  sha256:      %s\n  urls:        %s\n  nodes:       %d\n",
		h.ID, h.SHA256, strings.Join(h.URLs, "\n               "), h.Nodes)
	return ew.err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
