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

// nodeFilter selects nodes; an empty field matches every node. Ids and
// versions match by prefix, so `--subnet uzr34` works as DRE writes it.
type nodeFilter struct {
	Subnet, DC, Operator, Version, Role string
}

type nodesOptions struct {
	*registryOptions
	Filter nodeFilter
	// APIBoundaryOnly is set by `api-boundary-nodes`.
	APIBoundaryOnly bool
}

func newCmdNodes(f *Factory, runF func(*nodesOptions) error) *cobra.Command {
	opts := &nodesOptions{registryOptions: newRegistryOptions(f)}
	cmd := &cobra.Command{
		Use:   "nodes",
		Short: "List nodes with operator, data center, subnet and GuestOS/HostOS versions",
		Long: `List every node record in the registry: node id, role (subnet member, unassigned or API
boundary node), subnet, node operator, data center, and the GuestOS and HostOS versions the
registry says it runs. Filters combine; ids and versions match by prefix.`,
		Example: `$ nnspatch nodes --subnet uzr34
$ nnspatch nodes --dc zh1 --role unassigned
$ nnspatch nodes --version 18547e97 --json | jq -r '.nodes[].id'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *nodesOptions) error { return nodesRun(cmd.Context(), o) })
		},
	}
	addNodeFilterFlags(cmd, &opts.Filter)
	cmd.Flags().StringVar(&opts.Filter.Role, "role", "", "only nodes of this `role`: subnet, unassigned or api_boundary")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func newCmdAPIBoundaryNodes(f *Factory, runF func(*nodesOptions) error) *cobra.Command {
	opts := &nodesOptions{registryOptions: newRegistryOptions(f), APIBoundaryOnly: true}
	cmd := &cobra.Command{
		Use:   "api-boundary-nodes",
		Short: "List API boundary nodes with operator, data center and GuestOS/HostOS versions",
		Long: `List the API boundary nodes (api_boundary_node_<id> records): node id, node operator,
data center, and the GuestOS and HostOS versions the registry says each runs. A GuestOS
release reaches them with 'nnspatch draft deploy-api-boundary-nodes' (NNS function 47).`,
		Example: `$ nnspatch api-boundary-nodes
$ nnspatch api-boundary-nodes --version 37cafc8a --json | jq -r '.nodes[].id'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOrRunF(opts, runF, func(o *nodesOptions) error { return nodesRun(cmd.Context(), o) })
		},
	}
	addNodeFilterFlags(cmd, &opts.Filter)
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func addNodeFilterFlags(cmd *cobra.Command, f *nodeFilter) {
	fl := cmd.Flags()
	fl.StringVar(&f.Subnet, "subnet", "", "only members of the subnet with this id `prefix`")
	fl.StringVar(&f.DC, "dc", "", "only nodes in this data center `id` (e.g. zh1)")
	fl.StringVar(&f.Operator, "operator", "", "only nodes of the node operator with this principal `prefix`")
	fl.StringVar(&f.Version, "version", "", "only nodes whose GuestOS or HostOS version starts with `prefix`")
}

func nodesRun(ctx context.Context, o *nodesOptions) error {
	if o.APIBoundaryOnly {
		o.Filter.Role = governance.NodeRoleAPIBoundary
	}
	if err := o.Filter.check(); err != nil {
		return err
	}
	reg, err := o.registry(ctx)
	if err != nil {
		return err
	}
	nodes, err := o.Filter.apply(reg)
	if err != nil {
		return err
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Nodes{Envelope: jsonout.NewEnvelope(), RegistryVersion: reg.Version, Nodes: nonNil(nodes)})
	}
	return writeNodes(o.IO.Out, nodes, !o.APIBoundaryOnly)
}

// check refuses a role that is not one of the three.
func (f nodeFilter) check() error {
	switch f.Role {
	case "", governance.NodeRoleSubnet, governance.NodeRoleUnassigned, governance.NodeRoleAPIBoundary:
		return nil
	}
	return FlagErrorf("--role %q: use subnet, unassigned or api_boundary", f.Role)
}

// apply returns the registry's nodes that pass the filter. A --subnet or
// --dc that names nothing in the registry is an error (a typo must not
// look like an empty subnet).
func (f nodeFilter) apply(reg *governance.Registry) ([]governance.NodeInfo, error) {
	if f.Subnet != "" && !anySubnetHasPrefix(reg, f.Subnet) {
		return nil, fmt.Errorf("subnet %s: %w; `nnspatch subnets` lists the subnets", f.Subnet, governance.ErrNotFound)
	}
	if _, ok := reg.DataCenters[f.DC]; f.DC != "" && !ok {
		return nil, fmt.Errorf("data center %s: %w; `nnspatch nodes --json | jq -r '.nodes[].dc' | sort -u` lists them", f.DC, governance.ErrNotFound)
	}
	var out []governance.NodeInfo
	for _, n := range reg.NodeList() {
		if f.matches(n) {
			out = append(out, n)
		}
	}
	return out, nil
}

func (f nodeFilter) matches(n governance.NodeInfo) bool {
	switch {
	case f.Role != "" && n.Role != f.Role,
		f.Subnet != "" && (n.Subnet == "" || !strings.HasPrefix(n.Subnet, f.Subnet)),
		f.DC != "" && n.DC != f.DC,
		f.Operator != "" && !strings.HasPrefix(n.Operator, f.Operator):
		return false
	}
	return f.Version == "" || strings.HasPrefix(n.GuestOSVersion, f.Version) || strings.HasPrefix(n.HostOSVersion, f.Version)
}

func anySubnetHasPrefix(reg *governance.Registry, prefix string) bool {
	for _, s := range reg.Subnets {
		if strings.HasPrefix(s.ID, prefix) {
			return true
		}
	}
	return false
}

// writeNodes prints one node a line. Subnets and operators are shown by
// their first principal group, versions by 10 hex digits; --json has the
// full values.
func writeNodes(w io.Writer, nodes []governance.NodeInfo, withRole bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if withRole {
		fmt.Fprintln(tw, "NODE\tROLE\tSUBNET\tOPERATOR\tDC\tGUESTOS\tHOSTOS")
	} else {
		fmt.Fprintln(tw, "NODE\tOPERATOR\tDC\tGUESTOS\tHOSTOS")
	}
	for _, n := range nodes {
		cols := []string{n.ID}
		if withRole {
			cols = append(cols, n.Role, orDash(firstGroup(n.Subnet)))
		}
		cols = append(cols, orDash(firstGroup(n.Operator)), orDash(n.DC), orDash(short(n.GuestOSVersion, 10)), orDash(short(n.HostOSVersion, 10)))
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	fmt.Fprintf(tw, "%d nodes\n", len(nodes))
	return tw.Flush()
}

// firstGroup returns a principal's first dash-separated group.
func firstGroup(p string) string {
	g, _, _ := strings.Cut(p, "-")
	return g
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
