package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/spf13/cobra"
)

func newCmdArtifact(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "artifact <command>",
		Short: "Hash and check release packages",
		Long:  "Compute and verify the SHA-256 of IC OS release packages, from files or download URLs.",
	}
	cmd.AddCommand(
		newCmdArtifactCheck(f, nil),
		newCmdArtifactHash(f, nil),
	)
	return cmd
}

type artifactHashOptions struct {
	IO        *IOStreams
	JSON      func() bool
	Sources   []string
	Same      bool
	AllowHTTP bool
}

func newCmdArtifactHash(f *Factory, runF func(*artifactHashOptions) error) *cobra.Command {
	opts := &artifactHashOptions{IO: f.IO, JSON: f.JSONOutput}
	cmd := &cobra.Command{
		Use:   "hash <file|url>...",
		Short: "Print the SHA-256 of files or URLs",
		Long: `Print the SHA-256 of each file or URL, one "<sha256>  <source>" line each
(the sha256sum format). Sources are hashed concurrently in constant memory.
With --same, every source must be a copy of the same artifact (e.g. the same
package on two download mirrors); if they differ, it exits with code 6.`,
		Example: `$ nnspatch artifact hash update-img.tar.zst
$ nnspatch artifact hash --same https://download.dfinity.systems/ic/$C/guest-os/update-img/update-img.tar.zst \
    https://download.dfinity.network/ic/$C/guest-os/update-img/update-img.tar.zst`,
		Args: minArgs(1, "at least one file or URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			if runF != nil {
				return runF(opts)
			}
			return artifactHashRun(cmd, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Same, "same", false, "require every source to hash identically (mirrors of one artifact)")
	cmd.Flags().BoolVar(&opts.AllowHTTP, "allow-http", false, "allow plain http:// URLs (local test servers only)")
	return cmd
}

func artifactHashRun(cmd *cobra.Command, opts *artifactHashOptions) error {
	report, finish := newProgress(opts.IO)
	ds, err := artifact.HashAll(cmd.Context(), artifact.Options{Progress: report, AllowHTTP: opts.AllowHTTP}, opts.Sources...)
	finish()
	var mm *artifact.MirrorMismatchError
	if err != nil && !errors.As(err, &mm) {
		return err
	}
	if opts.JSON() {
		doc := jsonout.ArtifactHash{Envelope: jsonout.NewEnvelope(), Digests: toDigests(ds), Identical: mm == nil}
		if werr := jsonout.Write(opts.IO.Out, doc); werr != nil {
			return werr
		}
	} else {
		for _, d := range ds {
			fmt.Fprintf(opts.IO.Out, "%s  %s\n", d.Hex, d.Source)
		}
	}
	if mm != nil && opts.Same {
		return mm
	}
	return nil
}

func toDigests(ds []artifact.Digest) []jsonout.Digest {
	out := make([]jsonout.Digest, len(ds))
	for i, d := range ds {
		out[i] = jsonout.Digest{SHA256: d.Hex, Size: d.Size, Source: d.Source}
	}
	return out
}

type artifactCheckOptions struct {
	IO        *IOStreams
	JSON      func() bool
	Sources   []string
	SHA256    string
	SumsFile  string
	AllowHTTP bool
}

func newCmdArtifactCheck(f *Factory, runF func(*artifactCheckOptions) error) *cobra.Command {
	opts := &artifactCheckOptions{IO: f.IO, JSON: f.JSONOutput}
	cmd := &cobra.Command{
		Use:   "check (--sha256 <hex> | --sums <file>) <file|url>...",
		Short: "Verify the SHA-256 of files or URLs",
		Long: `Hash each file or URL and compare it with --sha256, with its line in a
SHA256SUMS file (--sums, matched by file name), or with both. Several
sources are treated as copies of one artifact (mirrors): all must match.

Additional exit codes:
  6  a digest differs from the expected one (both are printed)`,
		Example: `$ nnspatch artifact check --sha256 7a1f…e9 update-img.tar.zst
$ nnspatch artifact check --sums SHA256SUMS update-img.tar.zst`,
		Args: minArgs(1, "at least one file or URL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Sources = args
			if opts.SHA256 == "" && opts.SumsFile == "" {
				return FlagErrorf("pass --sha256 <hex> or --sums <file> to say what to expect")
			}
			if opts.SHA256 != "" {
				h, err := artifact.NormalizeHex(opts.SHA256)
				if err != nil {
					return FlagErrorf("--sha256: %v", err)
				}
				opts.SHA256 = h
			}
			if runF != nil {
				return runF(opts)
			}
			return artifactCheckRun(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.SHA256, "sha256", "", "expected SHA-256 as 64 hex digits")
	cmd.Flags().StringVar(&opts.SumsFile, "sums", "", "SHA256SUMS `file` listing the expected digest")
	cmd.Flags().BoolVar(&opts.AllowHTTP, "allow-http", false, "allow plain http:// URLs (local test servers only)")
	return cmd
}

type expectation struct{ hex, from string }

func artifactCheckRun(cmd *cobra.Command, opts *artifactCheckOptions) error {
	sums, err := readSums(opts.SumsFile)
	if err != nil {
		return err
	}
	report, finish := newProgress(opts.IO)
	ds, err := artifact.HashAll(cmd.Context(), artifact.Options{Progress: report, AllowHTTP: opts.AllowHTTP}, opts.Sources...)
	finish()
	var mm *artifact.MirrorMismatchError
	if err != nil && !errors.As(err, &mm) {
		return err
	}
	doc, firstErr := compareDigests(ds, opts.SHA256, sums)
	if firstErr == nil && mm != nil {
		firstErr = mm
	}
	doc.OK = firstErr == nil
	if err := printCheck(opts, doc); err != nil {
		return err
	}
	return firstErr
}

// compareDigests compares every digest with --sha256 and the SHA256SUMS
// entry. It returns every result and the first mismatch, or else the first
// failed SHA256SUMS lookup.
func compareDigests(ds []artifact.Digest, want string, sums *artifact.Sums) (jsonout.ArtifactCheck, error) {
	doc := jsonout.ArtifactCheck{Envelope: jsonout.NewEnvelope()}
	var mismatch, lookup error
	for _, d := range ds {
		exps, err := expectationsFor(d, want, sums)
		if err != nil && lookup == nil {
			lookup = err
		}
		for _, e := range exps {
			doc.Results = append(doc.Results, jsonout.CheckResult{
				Digest:   toDigests([]artifact.Digest{d})[0],
				Expected: e.hex, ExpectedFrom: e.from, Match: e.hex == d.Hex,
			})
			if e.hex != d.Hex && mismatch == nil {
				mismatch = &artifact.MismatchError{Want: e.hex, Got: d.Hex, Source: d.Source, WantFrom: e.from}
			}
		}
	}
	if mismatch != nil {
		return doc, mismatch
	}
	return doc, lookup
}

func expectationsFor(d artifact.Digest, want string, sums *artifact.Sums) ([]expectation, error) {
	var exps []expectation
	if want != "" {
		exps = append(exps, expectation{hex: want, from: "--sha256"})
	}
	if sums == nil {
		return exps, nil
	}
	e, err := sums.Lookup(d.Source)
	if err != nil {
		return exps, fmt.Errorf("check %s against --sums: %w", d.Source, err)
	}
	return append(exps, expectation{hex: e.Hex, from: fmt.Sprintf("SHA256SUMS line %d", e.Line)}), nil
}

func readSums(path string) (*artifact.Sums, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open --sums file: %w", err)
	}
	defer f.Close()
	s, err := artifact.ParseSums(f)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return &s, nil
}

func printCheck(opts *artifactCheckOptions, doc jsonout.ArtifactCheck) error {
	if opts.JSON() {
		return jsonout.Write(opts.IO.Out, doc)
	}
	for _, r := range doc.Results {
		mark := "✓ match"
		if !r.Match {
			mark = "✗ MISMATCH"
		}
		fmt.Fprintf(opts.IO.Out, "%s  %s\n", r.SHA256, r.Source)
		fmt.Fprintf(opts.IO.ErrOut, "%s: %s (expected %s from %s)\n", mark, r.Source, r.Expected, r.ExpectedFrom)
	}
	return nil
}
