package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/localnet"
	"github.com/spf13/cobra"
)

func newCmdLocalnet(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "localnet <command>",
		Short: "Run and steer the embedded local NNS network",
		Long: `Run a local NNS network (governance + registry with a mainnet-like topology)
that speaks the real IC HTTP interface, and steer a running one: move its
virtual clock forward and inject faults.`,
	}
	cmd.AddCommand(
		newCmdLocalnetAdvance(f, nil),
		newCmdLocalnetFault(f, nil),
		newCmdLocalnetStart(f, nil),
	)
	return cmd
}

func infoOf(st localnet.Status) jsonout.Localnet {
	return jsonout.Localnet{Envelope: jsonout.NewEnvelope(), URL: st.URL, RootKey: st.RootKey,
		DeveloperIdentity: st.DeveloperIdentity, DeveloperNeurons: st.DeveloperNeurons, Now: st.Now, ClockOffset: st.Offset, Faults: st.Faults}
}

type localnetStartOptions struct {
	IO       *IOStreams
	JSON     func() bool
	LocalURL func() string
	Config   localnet.Config
	// Ready, when set, receives the network once it serves (tests).
	Ready func(*localnet.Network)
}

func newCmdLocalnetStart(f *Factory, runF func(*localnetStartOptions) error) *cobra.Command {
	opts := &localnetStartOptions{IO: f.IO, JSON: f.JSONOutput, LocalURL: func() string {
		if cfg, err := f.Config(); err == nil {
			return cfg.LocalURL
		}
		return ""
	}}
	var faults []string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run a local NNS network in the foreground",
		Long: `Run a local NNS network in the foreground until interrupted (Ctrl-C or SIGTERM).
It prints the URL, the root key (hex DER) and the path of the developer
identity, whose neurons can propose and vote out of the box.

State (a write-ahead log of every acknowledged call) lives in --state and
survives restarts and crashes. The default topology is embedded; --seed names
a YAML seed file instead. It listens on the host and port of local_url from
the config (default 127.0.0.1:4943) unless --listen is given.

A --fault VERSION[@SUBNET,...] marks a GuestOS version bad: a subnet that runs
it stops finalizing and raises alerts in /metrics.`,
		Example: `$ nnspatch localnet start
$ nnspatch localnet start --state /tmp/ln --listen 127.0.0.1:8080 --upgrade-delay 2m
$ nnspatch localnet start --fault 2c4fdf9d2d53dffed97a40992b867120e89c9346@uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, s := range faults {
				fl, err := localnet.ParseFault(s)
				if err != nil {
					return &FlagError{Err: fmt.Errorf("--fault: %w", err)}
				}
				opts.Config.Faults = append(opts.Config.Faults, fl)
			}
			if !cmd.Flags().Changed("voting-period") {
				opts.Config.VotingPeriod = 0 // the state's own, else the default
			}
			if l := opts.Config.Listen; l != "" {
				if _, _, err := net.SplitHostPort(l); err != nil {
					return FlagErrorf("--listen %q: want host:port, e.g. 127.0.0.1:4943 (port 0 picks a free one)", l)
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return localnetStartRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Config.StateDir, "state", "", "state `dir` (default $XDG_STATE_HOME/nnspatch/localnet)")
	fl.StringVar(&opts.Config.Listen, "listen", "", "`host:port` to serve on (default: local_url's, 127.0.0.1:4943)")
	fl.StringVar(&opts.Config.SeedFile, "seed", "", "topology seed YAML `file` (default: the embedded mainnet-like seed)")
	fl.StringArrayVar(&faults, "fault", nil, "mark a GuestOS version bad: `VERSION[@SUBNET,...]` (repeatable)")
	fl.BoolVar(&opts.Config.AsyncCalls, "async-calls", false, "answer update calls with 202 so clients poll")
	fl.BoolVar(&opts.Config.BadRootKey, "bad-root-key", false, "advertise a root key that does not sign (tests clients fail closed)")
	fl.DurationVar(&opts.Config.UpgradeDelay, "upgrade-delay", localnet.DefaultUpgradeDelay, "time from an executed deploy to the subnet's switch")
	fl.DurationVar(&opts.Config.VotingPeriod, "voting-period", 4*24*time.Hour, "governance voting period, fixed when the state is created")
	return cmd
}

func localnetStartRun(ctx context.Context, opts *localnetStartOptions) error {
	longRunningGC()
	cfg, err := startConfig(opts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	n, err := localnet.Start(ctx, cfg)
	if err != nil {
		return err
	}
	info := infoOf(n.Status())
	if opts.JSON() {
		err = jsonout.Write(opts.IO.Out, info)
	} else {
		_, err = fmt.Fprintf(opts.IO.Out, "url: %s\nroot_key: %s\ndeveloper_identity: %s\n",
			info.URL, info.RootKey, info.DeveloperIdentity)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Local NNS network running at %s (state %s); press Ctrl-C to stop\n", info.URL, cfg.StateDir)
	fmt.Fprintf(opts.IO.ErrOut, "The developer identity controls neurons %v; its votes carry IC OS proposals (topics 12, 13)\n",
		info.DeveloperNeurons)
	if opts.Ready != nil {
		opts.Ready(n)
	}
	<-ctx.Done()
	fmt.Fprintln(opts.IO.ErrOut, "Stopping the local network")
	return errors.Join(err, n.Close())
}

// startConfig fills the state directory and listen address defaults.
func startConfig(opts *localnetStartOptions) (localnet.Config, error) {
	cfg := opts.Config
	if cfg.StateDir == "" {
		dir, err := defaultStateDir()
		if err != nil {
			return cfg, err
		}
		cfg.StateDir = dir
	}
	if cfg.Listen == "" {
		cfg.Listen = localnet.DefaultListen
		if u, err := url.Parse(opts.LocalURL()); err == nil && u.Host != "" {
			cfg.Listen = u.Host
		}
	}
	return cfg, nil
}

// defaultStateDir is $XDG_STATE_HOME/nnspatch/localnet, else
// ~/.local/state/nnspatch/localnet.
func defaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "nnspatch", "localnet"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the state directory: %w; pass --state", err)
	}
	return filepath.Join(home, ".local", "state", "nnspatch", "localnet"), nil
}

// localnetAdminOptions are shared by the commands that steer a running network.
type localnetAdminOptions struct {
	IO   *IOStreams
	JSON func() bool
	// URL is --url; when empty, NetworkURL resolves the network as every
	// other command does (--network, NNSPATCH_NETWORK or the config file,
	// DFX_NETWORK) and refuses mainnet.
	URL        string
	NetworkURL func() (string, error)
	Duration   time.Duration
	Fault      localnet.Fault
}

func newAdminOptions(f *Factory) *localnetAdminOptions {
	return &localnetAdminOptions{IO: f.IO, JSON: f.JSONOutput, NetworkURL: func() (string, error) {
		n, err := f.resolveNetwork("")
		if err != nil {
			return "", err
		}
		if n.IsMainnet() {
			return "", FlagErrorf("localnet commands steer a local network, not %s; pass --network local or --url", n.Name)
		}
		return n.URL, nil
	}}
}

func addAdminFlags(cmd *cobra.Command, o *localnetAdminOptions) {
	cmd.Flags().StringVar(&o.URL, "url", "", "`URL` of the running local network (default: the network --network, NNSPATCH_NETWORK or the config names)")
}

func newCmdLocalnetAdvance(f *Factory, runF func(*localnetAdminOptions) error) *cobra.Command {
	opts := newAdminOptions(f)
	cmd := &cobra.Command{
		Use:   "advance <duration>",
		Short: "Move a running local network's virtual clock forward",
		Long: `Move the virtual clock of a running local network forward. Proposal deadlines,
executions, subnet upgrades and finalized heights follow the new time.
Durations take d, h, m and s units: 4d, 36h, 90m, 1d12h.`,
		Example: `$ nnspatch localnet advance 4d
$ nnspatch localnet advance 90m --url http://127.0.0.1:8080`,
		Args: exactArgs(1, "a duration such as 4d, 36h or 90m"),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := localnet.ParseDuration(args[0])
			if err != nil {
				return &FlagError{Err: err}
			}
			opts.Duration = d
			if runF != nil {
				return runF(opts)
			}
			return localnetAdminRun(cmd.Context(), opts, func(ctx context.Context, a localnet.Admin) (localnet.Status, error) {
				return a.Advance(ctx, opts.Duration)
			})
		},
	}
	addAdminFlags(cmd, opts)
	return cmd
}

func newCmdLocalnetFault(f *Factory, runF func(*localnetAdminOptions) error) *cobra.Command {
	opts := newAdminOptions(f)
	var subnets []string
	cmd := &cobra.Command{
		Use:   "fault <version> [--subnet <id>]... [--clear]",
		Short: "Mark a GuestOS version bad on a running local network",
		Long: `Mark a GuestOS version bad on a running local network, on the given subnets or
on all of them. A subnet that runs (or later upgrades to) a bad version stops
finalizing and raises IC_Subnet_Stalled alerts in /metrics until it runs
another version or the fault is cleared with --clear. A HostOS version works the
same on nodes: the nodes that run it (all, those of the --subnet subnets, or
--subnet NODE_ID) report up{job="host_node_exporter"} 0 in /metrics.`,
		Example: `$ nnspatch localnet fault 2c4fdf9d2d53dffed97a40992b867120e89c9346
$ nnspatch localnet fault 2c4fdf9d2d53dffed97a40992b867120e89c9346 --subnet uzr34-akd3s-xrdag-3ql62-ocgoh-ld2ao-tamcv-54e7j-krwgb-2gm4z-oqe
$ nnspatch localnet fault 2c4fdf9d2d53dffed97a40992b867120e89c9346 --clear`,
		Args: exactArgs(1, "a GuestOS version (40-hex commit)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Fault.Version, opts.Fault.Subnets = args[0], subnets
			if _, err := localnet.ParseFault(opts.Fault.String()); err != nil {
				return &FlagError{Err: err}
			}
			if runF != nil {
				return runF(opts)
			}
			return localnetAdminRun(cmd.Context(), opts, func(ctx context.Context, a localnet.Admin) (localnet.Status, error) {
				return a.SetFault(ctx, opts.Fault)
			})
		},
	}
	cmd.Flags().StringArrayVar(&subnets, "subnet", nil, "limit the fault to this subnet `id` (repeatable)")
	cmd.Flags().BoolVar(&opts.Fault.Clear, "clear", false, "clear the faults on the version instead")
	addAdminFlags(cmd, opts)
	return cmd
}

// localnetAdminRun resolves the URL, runs do and prints the network's status.
func localnetAdminRun(ctx context.Context, opts *localnetAdminOptions, do func(context.Context, localnet.Admin) (localnet.Status, error)) error {
	u := opts.URL
	if u == "" {
		var err error
		if u, err = opts.NetworkURL(); err != nil {
			return err
		}
	}
	st, err := do(ctx, localnet.Admin{URL: u})
	if err != nil {
		return err
	}
	if opts.JSON() {
		return jsonout.Write(opts.IO.Out, infoOf(st))
	}
	fmt.Fprintf(opts.IO.Out, "now: %s (clock offset %s)\n", st.Now.Format(time.RFC3339), st.Offset)
	for _, fl := range st.Faults {
		fmt.Fprintf(opts.IO.Out, "fault: %s\n", fl)
	}
	return nil
}
