package main

import (
	"context"
	"fmt"
	"os"

	"github.com/nnspatch/nnspatch/proposals"
	"github.com/nnspatch/nnspatch/proposals/artifact"
	"github.com/spf13/cobra"
)

type draftElectOptions struct {
	*draftCommon
	Kind               proposals.Kind
	Version            string
	SHA256             string
	Artifacts          []string
	PackageURLs        []string
	MeasurementsFile   string
	MeasurementsWaiver string
	Unelect            []string
	ReleaseTag         string
	ReleaseNotesFile   string
	AllowHTTP          bool
	NoForumURL         bool
}

func newCmdDraftElect(f *Factory, kind proposals.Kind, runF func(*draftElectOptions) error) *cobra.Command {
	opts := &draftElectOptions{draftCommon: newDraftCommon(f), Kind: kind}
	guest := kind == proposals.KindElectGuestOS
	cmd := &cobra.Command{
		Use:     electUse(kind, guest),
		Short:   "Draft an election of a new " + osName(guest) + " version",
		Long:    electLong(guest),
		Example: electExample(kind, guest),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.checkElect(); err != nil {
				return err
			}
			return runOrRunF(opts, runF, func(o *draftElectOptions) error { return draftElectRun(cmd.Context(), o) })
		},
	}
	fl := cmd.Flags()
	opts.addFlags(fl, true)
	fl.StringVar(&opts.Version, "version", "", "commit (40 hex) of the version to elect")
	fl.StringVar(&opts.SHA256, "sha256", "", "SHA-256 of the release package update-img.tar.zst")
	fl.StringArrayVar(&opts.Artifacts, "artifact", nil, "release package `file|url` to hash (repeat for mirrors)")
	fl.StringArrayVar(&opts.PackageURLs, "package-url", nil, "download `url` of the release package (repeatable)")
	fl.StringArrayVar(&opts.Unelect, "unelect", nil, "`version` to unelect (repeatable)")
	fl.StringVar(&opts.ReleaseTag, "release-tag", "", "release name for the regular-mode summary")
	fl.StringVar(&opts.ReleaseNotesFile, "release-notes-file", "", "markdown `file` with release notes (regular mode)")
	fl.BoolVar(&opts.AllowHTTP, "allow-http", false, "allow plain http:// artifact URLs (local test servers only)")
	fl.BoolVar(&opts.NoForumURL, "no-forum-url", false, "write a --security election without --forum-url (the forum post is where the community asks questions)")
	if guest {
		fl.StringVar(&opts.MeasurementsFile, "measurements", "", "launch-measurements.json `file` of the build")
		fl.StringVar(&opts.MeasurementsWaiver, "measurements-waiver", "", "`reason` to elect without launch measurements")
	}
	return cmd
}

func (o *draftElectOptions) checkElect() error {
	if err := o.check(); err != nil {
		return err
	}
	if o.Version == "" && len(o.Unelect) == 0 {
		return FlagErrorf("pass --version to elect, --unelect to retire versions, or both")
	}
	if o.Version != "" && o.SHA256 == "" && len(o.Artifacts) == 0 {
		return FlagErrorf("pass --sha256 <hex> or --artifact <file|url> for the release package of --version")
	}
	if o.Version == "" && (o.SHA256 != "" || len(o.Artifacts) > 0 || len(o.PackageURLs) > 0 || o.MeasurementsFile != "") {
		return FlagErrorf("--sha256, --artifact, --package-url and --measurements need --version")
	}
	if o.NoForumURL && o.ForumURL != "" {
		return FlagErrorf("--forum-url and --no-forum-url are mutually exclusive")
	}
	if o.MeasurementsFile != "" && o.MeasurementsWaiver != "" {
		return FlagErrorf("--measurements and --measurements-waiver are mutually exclusive")
	}
	return nil
}

func draftElectRun(ctx context.Context, o *draftElectOptions) error {
	eo, err := o.electOptions(ctx)
	if err != nil {
		return err
	}
	build := proposals.NewElectGuestOS
	if o.Kind == proposals.KindElectHostOS {
		build = proposals.NewElectHostOS
	}
	d, err := build(eo)
	if err != nil {
		return fmt.Errorf("draft %s: %w", o.Kind, err)
	}
	if !o.NoForumURL {
		if err := proposals.RequireForumURL(d); err != nil {
			return fmt.Errorf("draft %s: %w", o.Kind, err)
		}
	}
	return o.write(d)
}

// electOptions gathers the library options: texts, the package hash
// (computed from --artifact when given) and the launch measurements.
func (o *draftElectOptions) electOptions(ctx context.Context) (proposals.ElectOptions, error) {
	texts, err := o.texts()
	if err != nil {
		return proposals.ElectOptions{}, err
	}
	eo := proposals.ElectOptions{Texts: texts, Mode: o.mode(), Version: o.Version, SHA256: o.SHA256,
		PackageURLs: o.PackageURLs, Unelect: o.Unelect, ReleaseTag: o.ReleaseTag,
		MeasurementsWaiver: o.MeasurementsWaiver}
	if eo.SHA256, err = o.packageSHA256(ctx); err != nil {
		return eo, err
	}
	if o.ReleaseNotesFile != "" {
		b, err := os.ReadFile(o.ReleaseNotesFile)
		if err != nil {
			return eo, fmt.Errorf("read --release-notes-file: %w", err)
		}
		eo.ReleaseNotes = string(b)
	}
	if o.MeasurementsFile != "" {
		m, err := readMeasurements(o.MeasurementsFile)
		if err != nil {
			return eo, err
		}
		eo.Measurements = &m
	}
	return eo, nil
}

// packageSHA256 hashes every --artifact copy; they must agree with each
// other and with --sha256.
func (o *draftElectOptions) packageSHA256(ctx context.Context) (string, error) {
	if len(o.Artifacts) == 0 {
		return o.SHA256, nil
	}
	report, finish := newProgress(o.IO)
	ds, err := artifact.HashAll(ctx, artifact.Options{Progress: report, AllowHTTP: o.AllowHTTP}, o.Artifacts...)
	finish()
	if err != nil {
		return "", err
	}
	if o.SHA256 != "" {
		if err := artifact.Check(o.SHA256, ds[0]); err != nil {
			return "", err
		}
	}
	copies := "copies"
	if len(ds) == 1 {
		copies = "copy"
	}
	fmt.Fprintf(o.IO.ErrOut, "Hashed %d %s of the release package: sha256 %s (%d bytes)\n", len(ds), copies, ds[0].Hex, ds[0].Size)
	return ds[0].Hex, nil
}

func readMeasurements(path string) (proposals.GuestLaunchMeasurements, error) {
	fh, err := os.Open(path)
	if err != nil {
		return proposals.GuestLaunchMeasurements{}, fmt.Errorf("open --measurements file: %w; check the path", err)
	}
	defer fh.Close()
	m, err := artifact.ParseLaunchMeasurements(fh)
	if err != nil {
		return m, fmt.Errorf("read launch measurements %s: %w; pass the launch-measurements.json of this GuestOS build, or --measurements-waiver REASON", path, err)
	}
	return m, nil
}

func osName(guest bool) string {
	if guest {
		return "GuestOS"
	}
	return "HostOS"
}

func electUse(kind proposals.Kind, guest bool) string {
	use := string(kind) + " --version <commit> (--sha256 <hex> | --artifact <file|url>...)"
	if guest {
		use += " (--measurements <file> | --measurements-waiver <reason>)"
	}
	return use + " -o <file>"
}

func electLong(guest bool) string {
	function := "ReviseElectedHostosVersions"
	if guest {
		function = "ReviseElectedGuestosVersions"
	}
	return "Draft a " + function + ` proposal: elect --version (and/or retire
the --unelect versions). With --artifact the release package is hashed here; several
copies (mirrors) must hash identically, and must equal --sha256 when both are given.
--package-url defaults to the two DFINITY download mirrors of the commit.

Additional exit codes:
  3  the draft is invalid (every problem is printed; nothing is written)
  6  the artifact copies differ from each other or from --sha256`
}

func electExample(kind proposals.Kind, guest bool) string {
	m := ""
	if guest {
		m = " \\\n    --measurements launch-measurements.json"
	}
	return "$ nnspatch draft " + string(kind) + " --security --version $COMMIT --artifact update-img.tar.zst" + m + " -o elect.yaml\n" +
		"$ nnspatch draft " + string(kind) + " --version $COMMIT --sha256 $SHA --unelect $OLD" + m + " \\\n" +
		"    --release-tag release-2026-07-23_04-21-base --forum-url https://forum.dfinity.org/t/123 -o elect.yaml"
}
