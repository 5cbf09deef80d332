package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/nnspatch/nnspatch/rollback/drill"
	"github.com/spf13/cobra"
)

func newCmdDrill(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "drill <command>",
		Short: "Run scripted rollback drills against a local network",
		Long: `A drill scripts a whole incident: the topology, a security patch and its
election, the staged rollout, a fault the patch causes, the detection by the
rollout's health gates, the rollback and assertions on the end state. The
shipped scenarios are built into the binary (` + "`nnspatch drill list`" + `); ` + "`go doc\ngithub.com/nnspatch/nnspatch/rollback/drill`" + ` documents the format for your own.`,
	}
	cmd.AddCommand(newCmdDrillList(f, nil), newCmdDrillRun(f, nil))
	return cmd
}

type drillRunOptions struct {
	IO       *IOStreams
	JSON     func() bool
	Scenario string
	Network  func() (string, error)
	Report   string
}

type drillListOptions struct {
	IO   *IOStreams
	JSON func() bool
}

func newCmdDrillList(f *Factory, runF func(*drillListOptions) error) *cobra.Command {
	o := &drillListOptions{IO: f.IO, JSON: f.JSONOutput}
	return &cobra.Command{
		Use:     "list [--json]",
		Short:   "List the drill scenarios built into nnspatch",
		Example: "$ nnspatch drill list\n$ nnspatch drill run stall-early-batch",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOrRunF(o, runF, drillList)
		},
	}
}

func drillList(o *drillListOptions) error {
	ss, err := drill.Shipped()
	if err != nil {
		return err
	}
	doc := jsonout.DrillList{Envelope: jsonout.NewEnvelope(), Scenarios: []jsonout.DrillScenario{}}
	for _, s := range ss {
		doc.Scenarios = append(doc.Scenarios, jsonout.DrillScenario{Name: s.Name, Description: s.Description})
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, doc)
	}
	w := tabwriter.NewWriter(o.IO.Out, 0, 0, 2, ' ', 0)
	for _, e := range doc.Scenarios {
		fmt.Fprintf(w, "%s\t%s\n", e.Name, e.Description)
	}
	return w.Flush()
}

func newCmdDrillRun(f *Factory, runF func(*drillRunOptions) error) *cobra.Command {
	o := &drillRunOptions{IO: f.IO, JSON: f.JSONOutput, Network: func() (string, error) {
		if f.Globals.Network == "" {
			return "", nil
		}
		n, err := f.resolveNetwork("fetch")
		return n.URL, err
	}}
	cmd := &cobra.Command{
		Use:   "run <scenario|file.yaml> [--network URL] [--json] [--report FILE]",
		Short: "Run a drill scenario and report every step, the detection and the rollback",
		Long: `Run a shipped scenario (by name, see ` + "`nnspatch drill list`" + `) or a scenario
file against the network given with --network (a running
` + "`nnspatch localnet`" + `), or, without it, against an embedded local network started
in a temporary directory. Progress goes to stderr as it happens; the report
(each step with its virtual and wall time, the time to detect and to roll back,
the proposals made and every assertion) goes to stdout, and with --report FILE
also to FILE (JSON when FILE ends in .json).

Additional exit codes:
  2   the scenario file is invalid
  10  an assertion failed (the report lists which)`,
		Example: "$ nnspatch drill run stall-early-batch\n$ nnspatch drill run unelected-target --json --report drill.json\n$ nnspatch drill run my-scenario.yaml",
		Args:    exactArgs(1, "a scenario name or file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Scenario = args[0]
			return runOrRunF(o, runF, func(o *drillRunOptions) error { return drillRun(cmd.Context(), o) })
		},
	}
	cmd.Flags().StringVar(&o.Report, "report", "", "also write the report to `file` (JSON when it ends in .json)")
	return cmd
}

func drillRun(ctx context.Context, o *drillRunOptions) error {
	s, err := drill.Open(o.Scenario)
	if err != nil {
		return err
	}
	url, err := o.Network()
	if err != nil {
		return err
	}
	live := newDrillProgress(o.IO.ErrOut, o.IO.IsStderrTTY())
	fmt.Fprintf(o.IO.ErrOut, "Drill %s: %s\n", s.Name, s.Description)
	rep, err := drill.Run(ctx, s, drill.Options{NetworkURL: url, Progress: live.step, Waiting: live.waiting})
	live.done()
	if rep == nil {
		return err
	}
	if werr := writeDrillReport(o, rep); werr != nil {
		return werr
	}
	return err
}

func writeDrillReport(o *drillRunOptions, rep *drill.Report) error {
	if o.Report != "" {
		if err := writeReportFile(o.Report, rep); err != nil {
			return err
		}
	}
	if o.JSON() {
		return jsonout.Write(o.IO.Out, jsonout.DrillReport{Envelope: jsonout.NewEnvelope(), Report: rep})
	}
	return drill.RenderText(o.IO.Out, rep)
}

func writeReportFile(path string, rep *drill.Report) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		err = jsonout.Write(fh, jsonout.DrillReport{Envelope: jsonout.NewEnvelope(), Report: rep})
	} else {
		err = drill.RenderText(fh, rep)
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return nil
}

// drillProgress prints each step as a line; on a terminal it also keeps
// one status line (what the drill waits for, virtual and wall time)
// rewritten in place under the steps.
type drillProgress struct {
	w      io.Writer
	tty    bool
	status bool
}

func newDrillProgress(w io.Writer, tty bool) *drillProgress { return &drillProgress{w: w, tty: tty} }

func (p *drillProgress) clear() {
	if p.status {
		fmt.Fprint(p.w, "\r\033[K")
		p.status = false
	}
}

func (p *drillProgress) step(s drill.Step) {
	p.clear()
	fmt.Fprintln(p.w, drill.FormatStep(s))
}

func (p *drillProgress) waiting(what string, virtual, wall time.Duration) {
	if !p.tty {
		return
	}
	p.clear()
	fmt.Fprintf(p.w, "  … %s  (virtual %s, wall %.1fs)", what, drill.FormatVirtual(virtual), wall.Seconds())
	p.status = true
}

func (p *drillProgress) done() { p.clear() }
