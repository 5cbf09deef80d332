package main

import (
	"errors"
	"fmt"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/proposals"
	"github.com/spf13/cobra"
)

type proposalValidateOptions struct {
	IO     *IOStreams
	JSON   func() bool
	Policy func() (proposals.Policy, error)
	File   string
}

func newCmdProposalValidate(f *Factory, runF func(*proposalValidateOptions) error) *cobra.Command {
	opts := &proposalValidateOptions{IO: f.IO, JSON: f.JSONOutput, Policy: newDraftCommon(f).Policy}
	return &cobra.Command{
		Use:   "validate <draft-file>",
		Short: "Check a draft file and list every problem",
		Long: `Check a draft file against governance's limits, the registry's payload rules and,
in security mode, the Security Patch Policy (deny_words from the config). Every
problem is printed on stdout, one per line: "<severity>: <path>: <message>".

Additional exit codes:
  3  the draft has at least one error (warnings alone exit 0)`,
		Example: "$ nnspatch proposal validate elect.yaml\n$ nnspatch proposal validate elect.yaml --json | jq '.problems[]'",
		Args:    exactArgs(1, "a draft file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return runOrRunF(opts, runF, proposalValidateRun)
		},
	}
}

func proposalValidateRun(o *proposalValidateOptions) error {
	policy, err := o.Policy()
	if err != nil {
		return err
	}
	probs, err := loadProblems(o.File, policy)
	if err != nil {
		return err
	}
	if o.JSON() {
		doc := jsonout.ProposalValidate{Envelope: jsonout.NewEnvelope(), File: o.File, Valid: !proposals.HasErrors(probs), Problems: probs}
		if err := jsonout.Write(o.IO.Out, doc); err != nil {
			return err
		}
	} else {
		for _, p := range probs {
			fmt.Fprintln(o.IO.Out, proposals.Sanitize(p.String()))
		}
	}
	if n := countErrors(probs); n > 0 {
		return &DraftInvalidError{File: o.File, Errors: n}
	}
	fmt.Fprintf(o.IO.ErrOut, "✓ %s is valid (%d warning(s))\n", o.File, len(probs))
	return nil
}

// loadProblems loads the draft file and validates it. Problems with the
// file itself (syntax, unknown keys, wrong types) are returned as
// error-severity problems too, so they print the same way; other read
// failures are errors.
func loadProblems(path string, policy proposals.Policy) ([]proposals.Problem, error) {
	d, err := proposals.LoadDraft(path)
	if err == nil {
		return nonNilProblems(proposals.ValidateWith(d, policy)), nil
	}
	var probs []proposals.Problem
	for _, e := range flattenErrors(err) {
		var fe *proposals.FileError
		if !errors.As(e, &fe) || fe.Line == 0 && fe.Key == "" {
			return nil, err
		}
		probs = append(probs, fileProblem(fe))
	}
	return probs, nil
}

func fileProblem(fe *proposals.FileError) proposals.Problem {
	path := fe.Key
	if fe.Line > 0 {
		path = fmt.Sprintf("%s:%d", fe.Path, fe.Line)
		if fe.Key != "" {
			path += " " + fe.Key
		}
	}
	return proposals.Problem{Path: path, Message: fe.Err.Error(), Severity: proposals.SeverityError}
}

// flattenErrors returns the members of a joined error, or err itself.
func flattenErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func nonNilProblems(ps []proposals.Problem) []proposals.Problem {
	if ps == nil {
		return []proposals.Problem{}
	}
	return ps
}
