package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/nnspatch/nnspatch/cmd/nnspatch/jsonout"
	"github.com/spf13/cobra"
)

func newCmdConfig(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show where the config lives and what it holds",
		Long: `Precedence, highest first: flag, environment (NNSPATCH_<KEY>), config file, default.

The file is $NNSPATCH_CONFIG_HOME/config.yaml, else $XDG_CONFIG_HOME/nnspatch/config.yaml,
else ~/.config/nnspatch/config.yaml; --config FILE overrides the location.`,
	}
	cmd.AddCommand(
		newCmdConfigInit(f, nil),
		newCmdConfigPath(f, nil),
		newCmdConfigShow(f, nil),
	)
	return cmd
}

type configPathOptions struct {
	IO   *IOStreams
	File string
	JSON bool
}

func newCmdConfigPath(f *Factory, runF func(*configPathOptions) error) *cobra.Command {
	opts := &configPathOptions{IO: f.IO}
	return &cobra.Command{
		Use:     "path",
		Short:   "Print the path of the config file in use",
		Example: "$ nnspatch config path\n$ nnspatch config path --config ./team.yaml",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = f.Globals.ConfigFile
			opts.JSON = f.Globals.JSON
			if runF != nil {
				return runF(opts)
			}
			return configPathRun(opts)
		},
	}
}

func configPathRun(opts *configPathOptions) error {
	p := opts.File
	if p == "" {
		p = config.DefaultPath()
	}
	if opts.JSON {
		_, err := os.Stat(p)
		return jsonout.Write(opts.IO.Out, jsonout.ConfigPath{Envelope: jsonout.NewEnvelope(), Path: p, FileFound: err == nil})
	}
	_, err := fmt.Fprintln(opts.IO.Out, p)
	return err
}

type configShowOptions struct {
	IO     *IOStreams
	JSON   bool
	Loaded func() (*config.Loaded, error)
}

func newCmdConfigShow(f *Factory, runF func(*configShowOptions) error) *cobra.Command {
	opts := &configShowOptions{IO: f.IO, Loaded: f.LoadedConfig}
	return &cobra.Command{
		Use:     "show",
		Short:   "Print the effective config and where each value came from",
		Example: "$ nnspatch config show\n$ nnspatch config show --network ic --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.JSON = f.Globals.JSON
			if runF != nil {
				return runF(opts)
			}
			return configShowRun(opts)
		},
	}
}

func configShowRun(opts *configShowOptions) error {
	l, err := opts.Loaded()
	if err != nil {
		return err
	}
	doc := configShowDoc(l)
	if opts.JSON || l.Config.Output == "json" {
		return jsonout.Write(opts.IO.Out, doc)
	}
	found := "not found, using defaults"
	if l.FileFound {
		found = "found"
	}
	fmt.Fprintf(opts.IO.Out, "# config file: %s (%s)\n", l.Path, found)
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	for _, v := range doc.Values {
		if v.Key != "networks" {
			fmt.Fprintf(tw, "%s\t%s\t(%s)\n", v.Key, v.Text, v.Source)
			continue
		}
		for _, name := range l.Config.NetworkNames() {
			fmt.Fprintf(tw, "networks.%s\t%s\t(%s)\n", name, config.FormatNetwork(name, l.Config.Networks[name]), l.NetworkSources[name])
		}
	}
	return tw.Flush()
}

type configInitOptions struct {
	IO    *IOStreams
	File  string
	Force bool
}

func newCmdConfigInit(f *Factory, runF func(*configInitOptions) error) *cobra.Command {
	opts := &configInitOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:     "init",
		Short:   "Write a commented default config file",
		Long:    "Write a commented config file holding the defaults. It refuses to overwrite an existing file unless --force is given.",
		Example: "$ nnspatch config init\n$ nnspatch config init --config ./nnspatch.yaml --force",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = f.Globals.ConfigFile
			if runF != nil {
				return runF(opts)
			}
			return configInitRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing config file")
	return cmd
}

func configInitRun(opts *configInitOptions) error {
	p := opts.File
	if p == "" {
		p = config.DefaultPath()
	}
	if _, err := os.Stat(p); err == nil && !opts.Force {
		return fmt.Errorf("config file %s already exists; pass --force to overwrite it", p)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("check config file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	if err := os.WriteFile(p, []byte(config.DefaultFile()), 0o644); err != nil {
		return fmt.Errorf("write config file: %w", err)
	}
	fmt.Fprintf(opts.IO.ErrOut, "Wrote %s\n", p)
	_, err := fmt.Fprintln(opts.IO.Out, p)
	return err
}

// configShowDoc turns a loaded config into the `config show` document.
func configShowDoc(l *config.Loaded) jsonout.ConfigShow {
	doc := jsonout.ConfigShow{Envelope: jsonout.NewEnvelope(), Path: l.Path, FileFound: l.FileFound}
	for _, k := range config.Keys {
		v := l.Config.Value(k)
		doc.Values = append(doc.Values, jsonout.ConfigValue{
			Key: k, Value: v, Text: config.FormatValue(v), Source: string(l.Sources[k]),
		})
	}
	return doc
}
