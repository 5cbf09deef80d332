package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/spf13/cobra"
)

// version and commit are set at link time:
//
//	go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123" ./cmd/nnspatch
var (
	version = "dev"
	commit  = ""
)

type versionOptions struct {
	IO   *IOStreams
	JSON func() bool
}

func newCmdVersion(f *Factory) *cobra.Command {
	opts := &versionOptions{IO: f.IO, JSON: func() bool { return f.Globals.JSON }}
	cmd := &cobra.Command{
		Use:     "version",
		Short:   "Print the version, commit and Go version",
		Example: "$ nnspatch version\n$ nnspatch version --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return versionRun(opts)
		},
	}
	cmd.AddCommand(newCmdVersionShow(f, nil))
	return cmd
}

func versionRun(opts *versionOptions) error {
	v := buildVersion()
	if opts.JSON() {
		return jsonout.Write(opts.IO.Out, v)
	}
	_, err := fmt.Fprintf(opts.IO.Out, "nnspatch %s (commit %s, %s)\n", v.Version, v.Commit, v.GoVersion)
	return err
}

// buildVersion reads the link-time version and falls back to the VCS
// revision Go stamps into the binary.
func buildVersion() jsonout.Version {
	v := jsonout.Version{Envelope: jsonout.NewEnvelope(), Version: version, Commit: commit, GoVersion: runtime.Version()}
	if v.Commit == "" {
		v.Commit = "unknown"
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					v.Commit = s.Value
				}
			}
		}
	}
	return v
}
