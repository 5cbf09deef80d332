package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/spf13/cobra"
)

type verifyOptions struct {
	IO        *IOStreams
	JSON      func() bool
	Client    func(ctx context.Context, rootKey string) (*governance.Client, error)
	Net       netOptions
	Proposal  uint64
	Artifact  string
	Sums      string
	AllowHTTP bool
}

func newCmdVerify(f *Factory, runF func(*verifyOptions) error) *cobra.Command {
	opts := &verifyOptions{IO: f.IO, JSON: f.JSONOutput, Client: f.governanceClient}
	cmd := &cobra.Command{
		Use:   "verify <proposal-id> [--artifact <file|url>] [--sums <file>]",
		Short: "Check a release package or canister wasm against a proposal's hash",
		Long: `Hash the release package and compare it with the release_package_sha256_hex of
an election proposal: any GuestOS or HostOS election, in every payload shape the
NNS has used (ReviseElectedGuestosVersions, UpdateElectedReplicaVersions,
BlessReplicaVersion, ReviseElectedHostosVersions, UpdateElectedHostosVersions).
It works for any election proposal, not only those nnspatch made. After a
security release's source was disclosed, pass a package rebuilt from that source
as --artifact to check the withheld build reproduces. Without --artifact, the
package is downloaded from every URL the proposal names (its mirrors, at once,
progress on stderr); each mirror must serve the proposal's hash. With --sums, the
package's SHA256SUMS line must agree too. Both hashes are printed.

For an NNS canister upgrade (an InstallCode proposal), --artifact is the wasm
module exactly as submitted (a .wasm or .wasm.gz file; the hash is over the
file's bytes, not the uncompressed module): its SHA-256 must equal the
proposal's wasm_module_hash. Such a proposal names no download URL, so
--artifact is required.

Additional exit codes:
  6  the package's SHA-256 differs from the proposal's (or from SHA256SUMS)`,
		Example: `$ nnspatch verify 139000                 # download from the proposal's own URLs
$ nnspatch verify 139000 --artifact update-img.tar.zst
$ nnspatch verify 139100 --artifact registry-canister.wasm.gz   # InstallCode: wasm_module_hash
$ nnspatch verify 139000 --artifact https://download.dfinity.systems/ic/$COMMIT/guest-os/update-img/update-img.tar.zst --sums SHA256SUMS --json`,
		Args: exactArgs(1, "a proposal id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return FlagErrorf("proposal id %q is not a number", args[0])
			}
			opts.Proposal = id
			return runOrRunF(opts, runF, func(o *verifyOptions) error { return verifyRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().StringVar(&opts.Artifact, "artifact", "", "release package or canister wasm `file|url` to hash (default: every URL the proposal names)")
	cmd.Flags().StringVar(&opts.Sums, "sums", "", "SHA256SUMS `file|url` that must list the package with the same hash")
	cmd.Flags().BoolVar(&opts.AllowHTTP, "allow-http", false, "allow plain http:// URLs (local test servers only)")
	addNetFlags(cmd, &opts.Net)
	return cmd
}

func verifyRun(ctx context.Context, o *verifyOptions) error {
	c, err := o.Client(ctx, o.Net.RootKey)
	if err != nil {
		return err
	}
	p, err := c.GetProposal(ctx, o.Proposal)
	if err != nil {
		return err
	}
	if p.Action.Kind == "InstallCode" && p.Action.Install != nil {
		return verifyInstallCode(ctx, o, p.Action.Install)
	}
	pkg, err := rollout.PackageOf(p)
	if err != nil {
		return err
	}
	report, done := newProgress(o.IO)
	aopts := artifact.Options{Progress: report, AllowHTTP: o.AllowHTTP}
	digests, err := hashPackage(ctx, o.Artifact, pkg, aopts)
	done()
	if err != nil {
		return err
	}
	d := digests[0]
	doc := jsonout.Verify{Envelope: jsonout.NewEnvelope(), Proposal: o.Proposal, Kind: "election", Package: &pkg,
		Artifact: jsonout.Digest{SHA256: d.Hex, Size: d.Size, Source: d.Source}}
	if o.Artifact == "" {
		for _, m := range digests {
			doc.Mirrors = append(doc.Mirrors, jsonout.Digest{SHA256: m.Hex, Size: m.Size, Source: m.Source})
			fmt.Fprintf(o.IO.ErrOut, "mirror %s: %s\n", governance.Sanitize(m.Source), m.Hex)
		}
	}
	fmt.Fprintf(o.IO.ErrOut, "proposal %d elects %s %s\n", o.Proposal, pkg.OS, pkg.Version)
	return o.compare(ctx, &doc, pkg.SHA256, d, aopts)
}

// verifyInstallCode checks --artifact against the wasm_module_hash of an
// InstallCode proposal (governance keeps the hash, not the module).
func verifyInstallCode(ctx context.Context, o *verifyOptions, in *governance.InstallView) error {
	if o.Artifact == "" {
		return FlagErrorf("proposal %d upgrades canister %s and names no download URL: pass --artifact with the wasm module file as submitted (.wasm or .wasm.gz)", o.Proposal, in.CanisterID)
	}
	if in.WasmModuleHash == "" {
		return fmt.Errorf("proposal %d: InstallCode without a wasm_module_hash: nothing to verify", o.Proposal)
	}
	report, done := newProgress(o.IO)
	aopts := artifact.Options{Progress: report, AllowHTTP: o.AllowHTTP}
	d, err := artifact.Hash(ctx, o.Artifact, aopts)
	done()
	if err != nil {
		return err
	}
	doc := jsonout.Verify{Envelope: jsonout.NewEnvelope(), Proposal: o.Proposal, Kind: "install_code", Install: in,
		Artifact: jsonout.Digest{SHA256: d.Hex, Size: d.Size, Source: d.Source}}
	fmt.Fprintf(o.IO.ErrOut, "proposal %d: InstallCode (%s) of canister %s\n", o.Proposal, in.Mode, governance.Sanitize(in.CanisterID))
	return o.compare(ctx, &doc, in.WasmModuleHash, d, aopts)
}

// compare checks d against the proposal's hash (and --sums), prints both
// and writes the result.
func (o *verifyOptions) compare(ctx context.Context, doc *jsonout.Verify, want string, d artifact.Digest, aopts artifact.Options) error {
	checkErr := artifact.Check(want, d)
	if o.Sums != "" && checkErr == nil {
		sums, err := artifact.LoadSums(ctx, o.Sums, aopts)
		if err != nil {
			return err
		}
		if e, err := sums.Lookup(o.Artifact); err == nil {
			doc.SumsSHA256 = e.Hex
		}
		checkErr = sums.Check(o.Artifact, d)
	}
	doc.Match = checkErr == nil
	fmt.Fprintf(o.IO.ErrOut, "proposal sha256: %s\nartifact sha256: %s (%d bytes, %s)\n", want, d.Hex, d.Size, d.Source)
	if doc.SumsSHA256 != "" {
		fmt.Fprintf(o.IO.ErrOut, "SHA256SUMS:      %s\n", doc.SumsSHA256)
	}
	if o.JSON() {
		if err := jsonout.Write(o.IO.Out, *doc); err != nil {
			return err
		}
	} else if doc.Match {
		fmt.Fprintf(o.IO.Out, "✓ match: %s\n", d.Hex)
	} else {
		fmt.Fprintf(o.IO.Out, "✗ mismatch: proposal %s, artifact %s\n", want, d.Hex)
	}
	return checkErr
}

// hashPackage hashes --artifact, or else every URL of the elected package
// at once; the mirrors must agree (a *artifact.MirrorMismatchError if not).
func hashPackage(ctx context.Context, given string, pkg rollout.ElectedPackage, opts artifact.Options) ([]artifact.Digest, error) {
	if given != "" {
		d, err := artifact.Hash(ctx, given, opts)
		return []artifact.Digest{d}, err
	}
	if len(pkg.URLs) == 0 {
		return nil, FlagErrorf("proposal elects %s %s without package URLs: pass --artifact FILE|URL", pkg.OS, pkg.Version)
	}
	return artifact.HashAll(ctx, opts, pkg.URLs...)
}
