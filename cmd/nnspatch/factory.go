package main

import (
	"fmt"
	"sync"

	"github.com/nnspatch/nnspatch/cmd/nnspatch/internal/config"
	"github.com/spf13/pflag"
)

// Factory hands commands their dependencies. Everything expensive is built
// lazily, on first use, so `nnspatch version` never reads the config and
// offline commands never build a network client. Tests replace the funcs.
type Factory struct {
	// IO is the invocation's streams.
	IO *IOStreams
	// Globals are the root's persistent flags, parsed before any RunE runs.
	Globals *GlobalOptions
	// Config loads, merges and validates the configuration once.
	Config func() (*config.Config, error)
	// LoadedConfig is Config plus the file path and where each value came from.
	LoadedConfig func() (*config.Loaded, error)

	// flags is the root's persistent flag set (set by NewCmdRoot), so the
	// config loader can tell which flags were given explicitly.
	flags *pflag.FlagSet
	// ids is the identity loaded for this invocation (see loadIdentitySpec).
	ids identityCache

	// Add lazily built clients below, one func field each, e.g.
	//	Governance func() (*governance.Client, error)
	// and set them up in NewFactory with onceValue.
}

// GlobalOptions are the persistent flags every command accepts.
type GlobalOptions struct {
	// Network is --network: a network name from the config, or a URL.
	Network string
	// Identity is --identity: a dfx identity name or a PEM file.
	Identity string
	// ConfigFile is --config: the config file to read instead of the default.
	ConfigFile string
	// JSON is --json: print machine-readable output.
	JSON bool
	// Yes is --yes: answer yes to confirmations (required when not interactive).
	Yes bool
	// Verbose is -v/--verbose: print more status on stderr.
	Verbose bool
}

// NewFactory returns a Factory over ios. The root command fills Globals
// (and its flag set) before any command runs.
func NewFactory(ios *IOStreams) *Factory {
	f := &Factory{IO: ios, Globals: &GlobalOptions{}}
	f.LoadedConfig = onceValue(func() (*config.Loaded, error) {
		l, err := config.Load(config.Options{File: f.Globals.ConfigFile, Flags: f.flags})
		if err == nil && f.Globals.Verbose {
			f.noteConfig(l)
		}
		return l, err
	})
	f.Config = func() (*config.Config, error) {
		l, err := f.LoadedConfig()
		if err != nil {
			return nil, err
		}
		return l.Config, nil
	}
	return f
}

// noteConfig prints, for -v, which config file was read and the network
// and identity in effect with their sources.
func (f *Factory) noteConfig(l *config.Loaded) {
	if f.IO == nil {
		return
	}
	state := "not found, using defaults"
	if l.FileFound {
		state = "read"
	}
	fmt.Fprintf(f.IO.ErrOut, "config: %s (%s); network %s (%s), identity %s (%s)\n", l.Path, state,
		l.Config.Network, l.Sources["network"], l.Config.Identity, l.Sources["identity"])
}

// JSONOutput reports whether the command should print JSON: --json, or
// output: json in the environment or config file. A config error falls
// back to --json alone, so offline commands work with a broken config.
func (f *Factory) JSONOutput() bool {
	if f.Globals.JSON {
		return true
	}
	cfg, err := f.Config()
	return err == nil && cfg.Output == "json"
}

// onceValue memoizes fn, including its error.
func onceValue[T any](fn func() (T, error)) func() (T, error) {
	var (
		once sync.Once
		v    T
		err  error
	)
	return func() (T, error) {
		once.Do(func() { v, err = fn() })
		return v, err
	}
}
