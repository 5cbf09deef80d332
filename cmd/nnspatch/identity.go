package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
)

// netOptions are the flags every command that talks to a network shares.
type netOptions struct {
	// RootKey is --root-key: "fetch" or a hex DER root key for a URL network.
	RootKey string
}

func addNetFlags(cmd *cobra.Command, o *netOptions) {
	cmd.Flags().StringVar(&o.RootKey, "root-key", "", "root key for --network URL: `HEX` DER key, or fetch (test networks only)")
}

// resolveNetwork picks the network: --network, else DFX_NETWORK when the
// config does not name one explicitly, else the config's network.
func (f *Factory) resolveNetwork(rootKey string) (governance.Network, error) {
	return f.resolveNamedNetwork("", rootKey)
}

// resolveNamedNetwork is resolveNetwork with a fallback name that comes
// after --network but before DFX_NETWORK and the config.
func (f *Factory) resolveNamedNetwork(fallback, rootKey string) (governance.Network, error) {
	l, err := f.LoadedConfig()
	if err != nil {
		return governance.Network{}, err
	}
	name := f.Globals.Network
	if name == "" {
		name = fallback
	}
	if name == "" && l.Sources["network"] == config.SourceDefault {
		name = os.Getenv("DFX_NETWORK")
	}
	if name == "" {
		name = l.Config.Network
	}
	return l.Config.Resolver().Resolve(name, rootKey)
}

// loadIdentity picks the identity: --identity, NNSPATCH_IDENTITY or the
// config file; with none of those, dfx's own order (DFX_IDENTITY, dfx's
// default, icp-cli's default).
func (f *Factory) loadIdentity() (*governance.Identity, error) {
	id, _, err := f.loadIdentitySpec()
	return id, err
}

// loadIdentitySpec is loadIdentity that also reports whether an identity
// was asked for explicitly (flag, environment or config file).
func (f *Factory) loadIdentitySpec() (*governance.Identity, bool, error) {
	l, err := f.LoadedConfig()
	if err != nil {
		return nil, false, err
	}
	spec := f.Globals.Identity
	if spec == "" && l.Sources["identity"] != config.SourceDefault {
		spec = l.Config.Identity
	}
	env := governance.IdentityEnvFromOS()
	env.Warn = f.IO.ErrOut
	id, err := governance.LoadIdentity(spec, env)
	return id, spec != "", err
}

// governanceClient connects to the selected network as the selected
// identity.
func (f *Factory) governanceClient(ctx context.Context, rootKey string) (*governance.Client, error) {
	n, err := f.resolveNetwork(rootKey)
	if err != nil {
		return nil, err
	}
	id, explicit, err := f.loadIdentitySpec()
	if err != nil && !explicit && !errors.Is(err, governance.ErrEncryptedKey) {
		// Nothing was asked for and dfx has no default identity: reads
		// work anonymously; writes will be refused for the neuron.
		fmt.Fprintln(f.IO.ErrOut, "note: no identity configured or found; using the anonymous identity")
		id, err = governance.Anonymous(), nil
	}
	if err != nil {
		return nil, err
	}
	return f.connect(ctx, n, id)
}

// anonymousClient connects without loading an identity (messages signed
// with --sign-only carry their own signatures) to --network, else the
// fallback network name, else DFX_NETWORK or the config's network.
func (f *Factory) anonymousClient(ctx context.Context, fallback, rootKey string) (*governance.Client, error) {
	n, err := f.resolveNamedNetwork(fallback, rootKey)
	if err != nil {
		return nil, err
	}
	return f.connect(ctx, n, governance.Anonymous())
}

func (f *Factory) connect(ctx context.Context, n governance.Network, id *governance.Identity) (*governance.Client, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	return governance.New(ctx, n, id, governance.Options{IngressExpiry: cfg.IngressExpiry, RegistryCache: registryCacheBase()})
}

func newCmdIdentity(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity <command>",
		Short: "Show the identity nnspatch signs with",
		Long: `nnspatch signs with --identity (a dfx or icp-cli identity name, or a PEM
file), else NNSPATCH_IDENTITY or identity in the config file, else dfx's own
choice: DFX_IDENTITY, then the default in ~/.config/dfx/identity.json.
Keys must be plaintext PEM (ed25519, secp256k1 or P-256); keys are never printed.`,
	}
	cmd.AddCommand(newCmdIdentityWhoami(f, nil))
	return cmd
}

type whoamiOptions struct {
	IO   *IOStreams
	JSON func() bool
	Load func() (*governance.Identity, error)
}

func newCmdIdentityWhoami(f *Factory, runF func(*whoamiOptions) error) *cobra.Command {
	opts := &whoamiOptions{IO: f.IO, JSON: f.JSONOutput, Load: f.loadIdentity}
	return &cobra.Command{
		Use:     "whoami",
		Short:   "Print the principal of the identity in use",
		Example: "$ nnspatch identity whoami\n$ nnspatch identity whoami --identity ./release.pem --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return whoamiRun(opts)
		},
	}
}

func whoamiRun(opts *whoamiOptions) error {
	id, err := opts.Load()
	if err != nil {
		return err
	}
	if opts.JSON() {
		return jsonout.Write(opts.IO.Out, jsonout.Whoami{Envelope: jsonout.NewEnvelope(),
			Principal: id.Sender().Encode(), Identity: id.Name, KeyFile: id.Path})
	}
	fmt.Fprintln(opts.IO.Out, id.Sender().Encode())
	if id.Path != "" {
		fmt.Fprintf(opts.IO.ErrOut, "identity %s (key file %s)\n", id.Name, id.Path)
	}
	return nil
}
