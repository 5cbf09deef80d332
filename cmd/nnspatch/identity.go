package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/spf13/cobra"
	"golang.org/x/term"
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
// after --network but before NNSPATCH_NETWORK, the config file,
// DFX_NETWORK and the default (config.Load puts the first of those that
// is set in the config).
// Names defined in dfx's networks.json or dfx.json resolve too.
func (f *Factory) resolveNamedNetwork(fallback, rootKey string) (governance.Network, error) {
	l, err := f.LoadedConfig()
	if err != nil {
		return governance.Network{}, err
	}
	name := f.Globals.Network
	if name == "" {
		name = fallback
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
// was asked for explicitly (flag, NNSPATCH_IDENTITY or config file). The
// identity is loaded once per invocation (a password or PIN is asked for
// once) and closed when the command ends (see closeIdentity).
func (f *Factory) loadIdentitySpec() (*governance.Identity, bool, error) {
	f.ids.once.Do(func() {
		f.ids.id, f.ids.explicit, f.ids.err = f.openIdentity()
	})
	return f.ids.id, f.ids.explicit, f.ids.err
}

func (f *Factory) openIdentity() (*governance.Identity, bool, error) {
	l, err := f.LoadedConfig()
	if err != nil {
		return nil, false, err
	}
	spec := f.Globals.Identity
	explicit := spec != ""
	if spec == "" && l.Sources["identity"] != config.SourceDefault {
		spec = l.Config.Identity
		explicit = l.Sources["identity"] != config.SourceDFXIdentity
	}
	env := governance.IdentityEnvFromOS()
	env.Warn = f.IO.ErrOut
	env.HSMModule = l.Config.HSMModule
	env.Secret = f.secret
	id, err := governance.LoadIdentity(spec, env)
	return id, explicit, err
}

// identityCache holds the identity of one invocation.
type identityCache struct {
	once     sync.Once
	id       *governance.Identity
	explicit bool
	err      error
}

// closeIdentity releases the identity's token session, if any.
func (f *Factory) closeIdentity() {
	if f.ids.id != nil {
		_ = f.ids.id.Close()
	}
}

// readPassword reads one line from the terminal without echoing it. Tests
// replace it to type a password into a (pretend) terminal.
var readPassword = func(ios *IOStreams) ([]byte, error) {
	file, ok := ios.In.(*os.File)
	if !ok {
		return nil, errors.New("standard input is not a terminal")
	}
	return term.ReadPassword(int(file.Fd()))
}

// secret supplies a password or PIN: from the first of req.Env that is
// set, else typed at the terminal without echo. Without a terminal it
// fails with a NoSecretError naming the variable to set.
func (f *Factory) secret(req governance.SecretRequest) ([]byte, error) {
	for _, name := range req.Env {
		if v := os.Getenv(name); v != "" {
			return []byte(v), nil
		}
	}
	if !f.IO.CanPrompt() {
		return nil, &governance.NoSecretError{Request: req}
	}
	fmt.Fprintf(f.IO.ErrOut, "Enter the %s for %s: ", req.Kind, req.What)
	b, err := readPassword(f.IO)
	fmt.Fprintln(f.IO.ErrOut)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", req.Kind, err)
	}
	return b, nil
}

// governanceClient connects to the selected network as the selected
// identity.
func (f *Factory) governanceClient(ctx context.Context, rootKey string) (*governance.Client, error) {
	n, err := f.resolveNetwork(rootKey)
	if err != nil {
		return nil, err
	}
	id, explicit, err := f.loadIdentitySpec()
	switch {
	case err == nil || explicit:
	case errors.Is(err, governance.ErrNoIdentity):
		// Nothing was asked for and dfx has no default identity: reads
		// work anonymously; writes will be refused for the neuron.
		fmt.Fprintln(f.IO.ErrOut, "note: no identity configured or found; using the anonymous identity")
		id, err = governance.Anonymous(), nil
	case errors.Is(err, governance.ErrUnreadableIdentity):
		// dfx's default identity lives in the keyring: reads still work.
		fmt.Fprintf(f.IO.ErrOut, "note: %v\nnote: using the anonymous identity\n", err)
		id, err = governance.Anonymous(), nil
	}
	// An identity that exists but fails (wrong PIN or password, missing
	// token) is an error, never a silent switch to anonymous.
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
	return governance.New(ctx, n, id, governance.Options{IngressExpiry: cfg.IngressExpiry, RegistryCache: registryCacheBase(), WriteLocks: writeLockBase()})
}

func newCmdIdentity(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "identity <command>",
		Short: "Show the identity nnspatch signs with",
		Long: `nnspatch signs with --identity (a dfx or icp-cli identity name, a PEM file,
or hsm:... for a key in a PKCS#11 token), else NNSPATCH_IDENTITY or identity in
the config file, else dfx's own choice: DFX_IDENTITY, then the default in
~/.config/dfx/identity.json.

Keys are ed25519, secp256k1 or P-256 PEM files (encrypted PKCS#8 and
password-protected dfx identities are decrypted in memory after a password
prompt, or from NNSPATCH_IDENTITY_PASSWORD without a terminal), or ECDSA P-256
keys in a token: hsm:slot=0,id=01 or hsm:token=LABEL,label=KEY (module= or the
hsm_module config key names the PKCS#11 library; the PIN is prompted for, or
read from NNSPATCH_HSM_PIN). dfx HSM identities work as in dfx (DFX_HSM_PIN).
Keys are never printed or written anywhere.`,
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
	switch {
	case id.Path != "":
		fmt.Fprintf(opts.IO.ErrOut, "identity %s (key file %s)\n", id.Name, id.Path)
	case id.InToken():
		fmt.Fprintf(opts.IO.ErrOut, "identity %s (key in a PKCS#11 token)\n", id.Name)
	}
	return nil
}
