package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newCmdDraft(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "draft <kind>",
		Short: "Write a proposal draft file, offline",
		Long: `Write a proposal draft file from flags. Nothing touches the network: the draft is
validated first, and an invalid draft is not written (every problem is printed
and the exit code is 3). Check a draft again with ` + "`nnspatch proposal validate`" + `
and see its payload with ` + "`nnspatch proposal render`" + `.

` + proposals.DraftFileReference(),
	}
	cmd.AddCommand(
		newCmdDraftDeployAPIBoundaryNodes(f, nil),
		newCmdDraftDeployGuestOS(f, nil),
		newCmdDraftDeployHostOS(f, nil),
		newCmdDraftDeployUnassigned(f, nil),
		newCmdDraftElect(f, proposals.KindElectGuestOS, nil),
		newCmdDraftElect(f, proposals.KindElectHostOS, nil),
		newCmdDraftMotion(f, nil),
		newCmdDraftUpgradeCanister(f, nil),
	)
	return cmd
}

// draftCommon are the flags every draft kind shares.
type draftCommon struct {
	IO     *IOStreams
	Policy func() (proposals.Policy, error)
	JSON   func() bool

	Output      string
	Force       bool
	Security    bool
	Title       string
	SummaryFile string
	ForumURL    string
}

func newDraftCommon(f *Factory) *draftCommon {
	return &draftCommon{
		IO:   f.IO,
		JSON: f.JSONOutput,
		Policy: func() (proposals.Policy, error) {
			cfg, err := f.Config()
			if err != nil {
				return proposals.Policy{}, err
			}
			return cfg.Policy(), nil
		},
	}
}

// addFlags registers the shared flags; texts is false for kinds whose
// title and summary are given some other way.
func (c *draftCommon) addFlags(fl *pflag.FlagSet, security bool) {
	fl.StringVarP(&c.Output, "output", "o", "", "draft `file` to write (required)")
	fl.BoolVar(&c.Force, "force", false, "overwrite an existing draft file")
	if security {
		fl.BoolVar(&c.Security, "security", false, "security-patch mode: withheld source, Security Patch Policy texts and checks")
	}
	fl.StringVar(&c.Title, "title", "", "proposal title (default: the template for the kind and mode)")
	fl.StringVar(&c.SummaryFile, "summary-file", "", "markdown `file` with the summary (default: the template)")
	fl.StringVar(&c.ForumURL, "forum-url", "", "forum post URL (https://forum.dfinity.org/...)")
}

// check validates the shared flags in a constructor.
func (c *draftCommon) check() error {
	if c.Output == "" {
		return FlagErrorf("-o/--output is required: name the draft file to write")
	}
	return nil
}

func (c *draftCommon) mode() proposals.Mode {
	if c.Security {
		return proposals.ModeSecurity
	}
	return proposals.ModeRegular
}

// texts reads the summary file and returns the title, summary and forum URL.
func (c *draftCommon) texts() (proposals.Texts, error) {
	x := proposals.Texts{Title: c.Title, ForumURL: c.ForumURL}
	if c.SummaryFile != "" {
		b, err := os.ReadFile(c.SummaryFile)
		if err != nil {
			return x, fmt.Errorf("read --summary-file: %w", err)
		}
		x.Summary = string(b)
	}
	return x, nil
}

// write validates d with the configured policy and writes it to c.Output.
// An invalid draft is not written: every problem goes to stderr and the
// error maps to exit code 3.
func (c *draftCommon) write(d proposals.Draft) error {
	policy, err := c.Policy()
	if err != nil {
		return err
	}
	probs := proposals.ValidateWith(d, policy)
	for _, p := range probs {
		fmt.Fprintln(c.IO.ErrOut, proposals.Sanitize(p.String()))
	}
	if proposals.HasErrors(probs) {
		if c.JSON() {
			_ = jsonout.Write(c.IO.Out, draftDoc("", d, probs))
		}
		return &DraftInvalidError{File: c.Output, Errors: countErrors(probs), NotWritten: true}
	}
	if err := c.checkOverwrite(); err != nil {
		return err
	}
	if err := proposals.WriteDraft(c.Output, d); err != nil {
		return err
	}
	fmt.Fprintf(c.IO.ErrOut, "Wrote %s draft %s (%s mode); next: nnspatch proposal render %s\n", d.Kind, c.Output, d.Mode, c.Output)
	if c.JSON() {
		return jsonout.Write(c.IO.Out, draftDoc(c.Output, d, probs))
	}
	_, err = fmt.Fprintln(c.IO.Out, c.Output)
	return err
}

func (c *draftCommon) checkOverwrite() error {
	if c.Force {
		return nil
	}
	if _, err := os.Stat(c.Output); err == nil {
		return fmt.Errorf("draft file %s already exists; pass --force to overwrite it", c.Output)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check draft file: %w", err)
	}
	return nil
}

func draftDoc(path string, d proposals.Draft, probs []proposals.Problem) jsonout.DraftWritten {
	if probs == nil {
		probs = []proposals.Problem{}
	}
	return jsonout.DraftWritten{Envelope: jsonout.NewEnvelope(), Path: path,
		Kind: string(d.Kind), Mode: string(d.Mode), Problems: probs}
}

func countErrors(ps []proposals.Problem) int {
	n := 0
	for _, p := range ps {
		if p.Severity == proposals.SeverityError {
			n++
		}
	}
	return n
}

// runOrRunF calls runF when a test set it, and run otherwise.
func runOrRunF[T any](opts T, runF func(T) error, run func(T) error) error {
	if runF != nil {
		return runF(opts)
	}
	return run(opts)
}
