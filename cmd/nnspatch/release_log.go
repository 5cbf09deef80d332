package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/governance/rollout"
	"github.com/nnspatch/nnspatch/internal/textsafe"
	"github.com/spf13/cobra"
)

func newCmdReleaseLog(f *Factory, runF func(*releaseRefOptions) error) *cobra.Command {
	cmd, _ := newReleaseRefCmd(f, "log <release>", "Print the release's audit trail",
		"Print every recorded action on the release, oldest first: time, acting principal, action, proposal and detail. Offline.",
		"$ nnspatch release log $COMMIT\n$ nnspatch release log ./releases/$COMMIT --json | jq '.release.audit[]'",
		false, runF, releaseLogRun)
	return cmd
}

func releaseLogRun(_ context.Context, o *releaseRefOptions) error {
	s, err := o.store(o.Ref)
	if err != nil {
		return err
	}
	l, err := s.Read()
	if err != nil {
		return err
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.Release{Envelope: jsonout.NewEnvelope(), Dir: s.Dir, Ledger: l})
	}
	return writeAudit(o.IO.Out, l.Audit)
}

func writeAudit(w io.Writer, events []rollout.Event) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tPRINCIPAL\tACTION\tPROPOSAL\tDETAIL")
	for _, e := range events {
		p := "-"
		if e.Proposal != 0 {
			p = fmt.Sprint(e.Proposal)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05"), textsafe.Escape(shortPrincipal(e.Principal)), textsafe.Escape(e.Action), p, textsafe.Escape(e.Detail))
	}
	return tw.Flush()
}

func shortPrincipal(p string) string {
	if i := strings.IndexByte(p, '-'); i > 0 && len(p) > 20 {
		return p[:i] + "…"
	}
	return p
}
